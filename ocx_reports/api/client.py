"""`Api`: the connection to One Codex, with retries, timeouts and typed errors.

One httpx `Client` owns the base URL, the credentials, the timeouts and the
transport (tests may pass their own). Only GET requests are made, so every
failure that may be transient is retried: connection errors, timeouts,
truncated bodies and HTTP 429/500/502/503/504, with exponential backoff and
jitter, honouring `Retry-After`. Errors are raised outside any `except`
block so that no httpx exception (which holds the request, and so the
Authorization header) ends up in `__context__`.
"""

import itertools
import json
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version

import httpx

from .credentials import resolve_base_url, resolve_credentials
from .errors import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from .references import References
from .resources import (
    Classifications,
    Collection,
    Jobs,
    Metadata,
    Projects,
    Samples,
    Tags,
    Users,
    model_for,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0  # seconds; also the most a Retry-After header can make us wait
INSTANCE_PATH = re.compile(r"/api/v1/([a-z_]+)/([^/]+)")

logger = logging.getLogger(__name__)


@dataclass
class _Failure:
    """Why an attempt produced no complete response."""

    reason: str
    truncated: bool = False


class _BearerAuth(httpx.Auth):
    def __init__(self, token):
        self._header = f"Bearer {token}"

    def auth_flow(self, request):
        request.headers["Authorization"] = self._header
        yield request


class Api:
    """A One Codex API client: `Api().Samples.get("1d9491c5c31345b6").metadata.name`.

    Credentials come from the arguments, then `~/.onecodex`, then the
    environment (`ONE_CODEX_API_KEY`, `ONE_CODEX_BEARER_TOKEN`); the server from
    `base_url`, then `ONE_CODEX_API_BASE`. Objects are cached for the life of
    the `Api`, so one instance gives a consistent snapshot for one report.
    """

    def __init__(
        self,
        api_key=None,
        bearer_token=None,
        base_url=None,
        *,
        timeout=30.0,
        retries=3,
        backoff_factor=0.5,
        per_page=100,
        transport=None,
    ):
        self._credentials = resolve_credentials(api_key, bearer_token)
        self.base_url = resolve_base_url(base_url)
        if not self.base_url.startswith(("https://", "http://")):
            raise ApiConnectionError(
                f"cannot use {self.base_url!r} as the One Codex API address: it must start with https:// or http://"
            )
        if self._credentials is None:
            raise AuthenticationError(
                "no One Codex credentials: pass api_key=..., set ONE_CODEX_API_KEY, or run `onecodex login`"
            )
        self.retries = retries
        self.backoff_factor = backoff_factor
        self.per_page = per_page
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=_auth(self._credentials),
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": _user_agent()},
        )
        self._references = References(self)
        self.Samples = Collection(self, Samples)
        self.Metadata = Collection(self, Metadata)
        self.Tags = Collection(self, Tags)
        self.Projects = Collection(self, Projects)
        self.Classifications = Collection(self, Classifications)
        self.Jobs = Collection(self, Jobs)
        self.Users = Collection(self, Users)

    def close(self):
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return f"<Api {self.base_url} ({self._credentials.kind})>"

    def child_environment(self):
        """Environment variables that point a child process (a kernel) at this same API.

        The returned dict holds the credential: pass it to the child, never print it.
        """
        env = {"ONE_CODEX_API_BASE": self.base_url}
        if self._credentials.api_key:
            env["ONE_CODEX_API_KEY"] = self._credentials.api_key
        else:
            env["ONE_CODEX_BEARER_TOKEN"] = self._credentials.bearer_token
        return env

    def _get_json(self, path, params=None):
        return self._decode(self._request(path, params), path)

    def _list(self, resource, where, limit=None, per_page=None):
        """All rows of a listing, page by page until `X-Total-Count` (or an empty page)."""
        path = f"/api/v1/{resource}"
        per_page = min(per_page or self.per_page, limit or float("inf"))
        params = {"per_page": per_page}
        if where:
            params["where"] = json.dumps(where, separators=(",", ":"))
        rows = []
        for page in itertools.count(1):
            response = self._request(path, {**params, "page": page})
            body = self._decode(response, path)
            if not isinstance(body, list):
                raise InvalidResponseError(f"GET {path} on {self.base_url} returned an object, not a list")
            rows.extend(body)
            total = _int_header(response, "X-Total-Count")
            if (
                not body
                or (limit and len(rows) >= limit)
                or (total is not None and len(rows) >= total)
                or (total is None and len(body) < per_page)
            ):
                return rows[:limit] if limit else rows

    def _request(self, path, params=None):
        """A successful response, after retrying what may be transient; else a typed error."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            outcome = self._attempt(path, params)
            if isinstance(outcome, httpx.Response) and outcome.status_code not in RETRY_STATUSES:
                break
            if attempt < attempts:
                delay = self._delay(attempt, outcome)
                logger.info(
                    "retrying GET %s in %.2fs after %s (attempt %d of %d)",
                    path,
                    delay,
                    _describe(outcome),
                    attempt + 1,
                    attempts,
                )
                time.sleep(delay)
        if isinstance(outcome, _Failure):
            if outcome.truncated:
                raise InvalidResponseError(
                    f"incomplete response to GET {path} from {self.base_url} "
                    f"after {attempts} attempts: {outcome.reason}"
                )
            raise ApiConnectionError(
                f"could not reach {self.base_url} after {attempts} attempts: {outcome.reason}"
            )
        if outcome.status_code >= 400:
            raise self._status_error(outcome, path, attempts)
        return outcome

    def _attempt(self, path, params):
        """One GET: the response with its body read, or a `_Failure` saying why not."""
        started = time.monotonic()
        try:
            with self._http.stream("GET", path, params=params) as response:
                try:
                    response.read()
                except httpx.TimeoutException:
                    return _Failure("timed out while reading the response")
                except httpx.TransportError as exc:
                    return _Failure(str(exc) or type(exc).__name__, truncated=True)
        except httpx.TimeoutException:
            return _Failure("timed out")
        except httpx.TransportError as exc:
            return _Failure(str(exc) or type(exc).__name__)
        logger.debug(
            "GET %s page=%s -> %d in %.0f ms",
            path,
            (params or {}).get("page", "-"),
            response.status_code,
            1000 * (time.monotonic() - started),
        )
        return response

    def _delay(self, attempt, outcome):
        """Seconds to wait before the next attempt: `Retry-After` if given, else backoff with jitter."""
        retry_after = _retry_after(outcome) if isinstance(outcome, httpx.Response) else None
        if retry_after is not None:
            return min(retry_after, MAX_BACKOFF)
        ceiling = min(MAX_BACKOFF, self.backoff_factor * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _decode(self, response, path):
        try:
            body = response.json()
        except ValueError:
            body = _INVALID
        if body is _INVALID:
            kind = response.headers.get("Content-Type", "no content type")
            raise InvalidResponseError(
                f"GET {path} on {self.base_url} returned a body that is not JSON ({kind})"
            )
        return body

    def _status_error(self, response, path, attempts):
        status = response.status_code
        detail = self._server_message(response)
        if status == 401:
            return AuthenticationError(
                f"{self.base_url} rejected the {self._credentials.kind} (HTTP 401): pass a valid api_key= "
                f"or set ONE_CODEX_API_KEY, and check that the key belongs to this server"
            )
        if status == 403:
            return AuthenticationError(
                f"{self.base_url} refused access to GET {path} (HTTP 403): check that this "
                f"{self._credentials.kind} belongs to an account that can see it"
            )
        if status == 404:
            match = INSTANCE_PATH.match(path)
            if match:
                return NotFoundError(model_for(match.group(1)).singular, match.group(2))
            return NotFoundError("resource", path)
        if status == 429:
            return RateLimitError(
                f"{self.base_url} is rate limiting requests (HTTP 429) after {attempts} attempts"
            )
        if status >= 500:
            return ServerError(
                f"{self.base_url} failed GET {path} with HTTP {status} after {attempts} attempts{detail}"
            )
        return BadRequestError(f"{self.base_url} refused GET {path} with HTTP {status}{detail}")

    def _server_message(self, response):
        """ ": <message>" from a JSON error body, shortened and scrubbed of credentials."""
        try:
            message = response.json().get("message")
        except (ValueError, AttributeError):
            message = None
        if not isinstance(message, str) or not message.strip():
            return ""
        message = " ".join(message.split())[:200]
        for secret in (self._credentials.api_key, self._credentials.bearer_token):
            if secret:
                message = message.replace(secret, "***")
        return f": {message}"


_INVALID = object()


def _auth(credentials):
    if credentials.api_key:
        return httpx.BasicAuth(credentials.api_key, "")
    return _BearerAuth(credentials.bearer_token)


def _user_agent():
    try:
        return f"ocx-reports/{version('ocx-reports')}"
    except PackageNotFoundError:
        return "ocx-reports"


def _describe(outcome):
    return outcome.reason if isinstance(outcome, _Failure) else f"HTTP {outcome.status_code}"


def _int_header(response, name):
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def _retry_after(response):
    """`Retry-After` in seconds, from either of its forms (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
