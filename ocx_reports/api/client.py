"""`Api`: the connection to One Codex, with retries, limits and typed errors.

One httpx `Client` owns the base URL, the credentials, the timeouts and the
transport (tests may pass their own). Only GET requests are made, so every
failure that may be transient is retried: connection errors, timeouts,
truncated bodies and HTTP 429/500/502/503/504, with exponential backoff and
jitter, honouring `Retry-After`.

Responses are untrusted. Each request has a deadline for all its attempts
(`deadline.py` enforces it wherever a read is waiting), bodies are read as a
stream and given up on past `max_response_bytes`, and a body must be JSON in a
content coding we asked for. Every message that leaves the client goes through
`redact`, and errors are raised outside any `except` block so that no httpx
exception (which holds the request, and so the Authorization header) ends up
in `__context__`.
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
from urllib.parse import urlsplit

import httpx

from .credentials import resolve_base_url, resolve_credentials
from .deadline import Connections, Watchdog
from .errors import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    DeadlineExceededError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
)
from .redaction import redact
from .references import References
from .resources import (
    MODELS,
    Classifications,
    Collection,
    Jobs,
    Metadata,
    Projects,
    Samples,
    Tags,
    Users,
    show,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0  # seconds; also the most a Retry-After header can make us wait
DEFAULT_MAX_RESPONSE_BYTES = 64 * 2**20  # 16x the largest results body of a real sample we have seen
# Content codings we ask for and accept. Not br or zstd even when installed: their decoders
# have no output limit, so a small hostile body could expand without bound before we count it
# (a gzip/deflate chunk expands at most ~1000x, so by at most ~64 MiB past the limit).
ACCEPTED_ENCODINGS = ("gzip", "deflate")
INSTANCE_PATH = re.compile(r"/api/v1/([a-z_]+)/([^/]+)")

logger = logging.getLogger(__name__)


@dataclass
class _Failure:
    """Why an attempt produced no complete response; `kind` decides the retry and the error."""

    reason: str
    kind: str = "connection"  # also "truncated" (both retried), "deadline", "too large", "undecodable"

    @property
    def retried(self):
        return self.kind in ("connection", "truncated")


@dataclass
class _Reply:
    """A complete response: its status, headers and body, read within the limits."""

    status_code: int
    headers: httpx.Headers
    body: bytes


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

    Limits, all in seconds or bytes:

    - `timeout` (30): the longest any one network wait may take (connecting,
      sending, or waiting for the next bytes of the response).
    - `deadline` (default `(retries + 1) * timeout`, so 120): the longest one
      request may take in all, from its first attempt to the last byte of the
      response it returns, retries and the waits between them included. An
      attempt still running at the deadline is cut off wherever it waits,
      even a server sending one byte a second; a retry whose wait would end
      past it is not made. `where()` makes one request per page, each with
      its own deadline; `Samples.get` and each batch of links one request.
      Only the system's name lookup (DNS) is outside it.
    - `max_response_bytes` (64 MiB): the largest body accepted, counted as it
      arrives after decompression; a larger one is not read further.

    Each limit fails with a one-line `DeadlineExceededError` or
    `ResponseTooLargeError` naming the request and the option to raise.
    """

    def __init__(
        self,
        api_key=None,
        bearer_token=None,
        base_url=None,
        *,
        timeout=30.0,
        deadline=None,
        max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES,
        retries=3,
        backoff_factor=0.5,
        per_page=100,
        transport=None,
    ):
        self._credentials = resolve_credentials(api_key, bearer_token)
        self.base_url = resolve_base_url(base_url)
        self._url = _without_userinfo(self.base_url)
        if not self.base_url.startswith(("https://", "http://")):
            raise ApiConnectionError(
                self._redact(
                    f"cannot use {show(self._url)} as the One Codex API address: "
                    "it must start with https:// or http://"
                )
            )
        if self._credentials is None:
            raise AuthenticationError(
                "no One Codex credentials: pass api_key=..., set ONE_CODEX_API_KEY, or run `onecodex login`"
            )
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"Api(retries=...) must be a whole number of at least 0, not {retries!r}")
        self.timeout = _positive("timeout", timeout)
        self.retries = retries
        self.deadline = _positive("deadline", (retries + 1) * self.timeout if deadline is None else deadline)
        self.max_response_bytes = int(_positive("max_response_bytes", max_response_bytes))
        self.backoff_factor = backoff_factor
        self.per_page = per_page
        self._connections = Connections()
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=_auth(self._credentials),
            timeout=self.timeout,
            transport=transport,
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ", ".join(ACCEPTED_ENCODINGS),
                "User-Agent": _user_agent(),
            },
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
        return self._redact(f"<Api {self._url} ({self._credentials.kind})>")

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
            reply = self._request(path, {**params, "page": page})
            body = self._decode(reply, path)
            if not isinstance(body, list):
                raise self._malformed(f"GET {path} returned {show(body)}, not a list")
            rows.extend(body)
            total = _int_header(reply, "X-Total-Count")
            if (
                not body
                or (limit and len(rows) >= limit)
                or (total is not None and len(rows) >= total)
                or (total is None and len(body) < per_page)
            ):
                return rows[:limit] if limit else rows

    def _request(self, path, params=None):
        """A successful `_Reply`, retrying what may be transient within the deadline; else a typed error."""
        deadline_at = time.monotonic() + self.deadline
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            outcome = self._attempt(path, params, deadline_at)
            if isinstance(outcome, _Reply) and outcome.status_code not in RETRY_STATUSES:
                break
            if (isinstance(outcome, _Failure) and not outcome.retried) or attempt == attempts:
                break
            delay = self._delay(attempt, outcome)
            if time.monotonic() + delay >= deadline_at:  # no time left for another attempt
                if isinstance(outcome, _Failure):
                    outcome.kind = "deadline"
                break
            logger.info(
                "retrying GET %s in %.2fs after %s (attempt %d of %d)",
                self._redact(path),
                delay,
                self._redact(_describe(outcome)),
                attempt + 1,
                attempts,
            )
            time.sleep(delay)
        if isinstance(outcome, _Failure):
            raise self._failure_error(outcome, path, attempt)
        if outcome.status_code >= 400:
            raise self._status_error(outcome, path, attempt)
        return outcome

    def _attempt(self, path, params, deadline_at):
        """One GET, cut off at `deadline_at`: a `_Reply` with its body, or a `_Failure` saying why not."""
        started = time.monotonic()
        remaining = deadline_at - started
        if remaining <= 0:
            return _Failure("", "deadline")
        with Watchdog(self._connections, remaining) as watchdog:
            try:
                with self._http.stream(
                    "GET",
                    path,
                    params=params,
                    timeout=min(self.timeout, remaining),
                    extensions={"trace": watchdog.trace},
                ) as response:
                    watchdog.watch(response.extensions.get("network_stream"))
                    outcome = self._read(response, deadline_at)
            except httpx.TimeoutException:
                outcome = _Failure("timed out")
            except httpx.TransportError as exc:
                outcome = _Failure(_reason(exc))
            except httpx.RequestError as exc:
                outcome = _Failure(_reason(exc), "undecodable")
        if isinstance(outcome, _Failure):
            if watchdog.expired:  # the error is the watchdog's doing: the deadline is the reason
                outcome = _Failure("", "deadline")
            elif outcome.retried and time.monotonic() >= deadline_at:
                outcome.kind = "deadline"
            return outcome
        logger.debug(
            "GET %s page=%s -> %d in %.0f ms",
            self._redact(path),
            (params or {}).get("page", "-"),
            outcome.status_code,
            1000 * (time.monotonic() - started),
        )
        return outcome

    def _read(self, response, deadline_at):
        """The body, streamed: never more than `max_response_bytes` of it, never past the deadline."""
        codings = {c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",")}
        unknown = sorted(codings - {"", "identity", *ACCEPTED_ENCODINGS})
        if unknown:
            coding = show(unknown[0])
            return _Failure(f"it is in the {coding} content coding, which was not asked for", "undecodable")
        declared = _int_header(response, "Content-Length")
        if declared is not None and declared > self.max_response_bytes:
            return _Failure(f"it declared {declared} bytes", "too large")
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    return _Failure("", "too large")
                if time.monotonic() >= deadline_at:
                    return _Failure("", "deadline")
                chunks.append(chunk)
        except httpx.TimeoutException:
            return _Failure("timed out while reading the response")
        except httpx.DecodingError as exc:
            return _Failure(_reason(exc), "undecodable")
        except httpx.TransportError as exc:
            return _Failure(_reason(exc), "truncated")
        return _Reply(response.status_code, response.headers, b"".join(chunks))

    def _delay(self, attempt, outcome):
        """Seconds to wait before the next attempt: `Retry-After` if given, else backoff with jitter."""
        retry_after = _retry_after(outcome) if isinstance(outcome, _Reply) else None
        if retry_after is not None:
            return min(retry_after, MAX_BACKOFF)
        ceiling = min(MAX_BACKOFF, self.backoff_factor * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _decode(self, reply, path):
        body = _json(reply.body)
        if body is _INVALID:
            kind = " ".join(reply.headers.get("Content-Type", "no content type").split())[:60]
            raise self._error(
                InvalidResponseError, f"GET {path} on {self._url} returned a body that is not JSON ({kind})"
            )
        if body is _TOO_DEEP:
            raise self._malformed(f"GET {path} returned JSON nested too deeply to read")
        return body

    def _failure_error(self, failure, path, attempts):
        tried = _count(attempts, "attempt")
        if failure.kind == "deadline":
            last = f"; last: {failure.reason}" if failure.reason else ""
            return self._error(
                DeadlineExceededError,
                f"GET {path} on {self._url} did not finish within its {self.deadline:g} s deadline "
                f"({tried}{last}): the server is stalled or too slow; try again later, "
                f"or pass a longer deadline= to Api()",
            )
        if failure.kind == "too large":
            return self._error(
                ResponseTooLargeError,
                f"GET {path} on {self._url} sent a body over the {_size(self.max_response_bytes)} limit"
                f"{f' ({failure.reason})' if failure.reason else ''}: if such a response is expected, "
                "pass a larger max_response_bytes= to Api()",
            )
        if failure.kind == "undecodable":
            return self._error(
                InvalidResponseError,
                f"GET {path} on {self._url} returned a body that cannot be read: {failure.reason}",
            )
        if failure.kind == "truncated":
            return self._error(
                InvalidResponseError,
                f"incomplete response to GET {path} from {self._url} after {tried}: {failure.reason}",
            )
        return self._error(ApiConnectionError, f"could not reach {self._url} after {tried}: {failure.reason}")

    def _status_error(self, reply, path, attempts):
        status = reply.status_code
        detail = self._server_message(reply)
        tried = _count(attempts, "attempt")
        if status == 401:
            return self._error(
                AuthenticationError,
                f"{self._url} rejected the {self._credentials.kind} (HTTP 401): pass a valid api_key= "
                f"or set ONE_CODEX_API_KEY, and check that the key belongs to this server",
            )
        if status == 403:
            return self._error(
                AuthenticationError,
                f"{self._url} refused access to GET {path} (HTTP 403): check that this "
                f"{self._credentials.kind} belongs to an account that can see it",
            )
        if status == 404:
            match = INSTANCE_PATH.match(path)
            model = MODELS.get(match.group(1)) if match else None
            if model is not None:
                return self._not_found(model.singular, match.group(2))
            return self._not_found("resource", path)
        if status == 429:
            return self._error(
                RateLimitError, f"{self._url} is rate limiting requests (HTTP 429) after {tried}"
            )
        if status >= 500:
            return self._error(
                ServerError, f"{self._url} failed GET {path} with HTTP {status} after {tried}{detail}"
            )
        return self._error(BadRequestError, f"{self._url} refused GET {path} with HTTP {status}{detail}")

    def _server_message(self, reply):
        """ ": <message>" from a JSON error body, scrubbed of credentials, then shortened."""
        body = _json(reply.body)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return ""
        return f": {self._redact(' '.join(message.split()))[:200]}"

    def _redact(self, text):
        """`text` without this client's credentials in any form (see `redaction.py`)."""
        return redact(text, (self._credentials.api_key, self._credentials.bearer_token))

    def _error(self, error_class, message):
        return error_class(self._redact(message))

    def _not_found(self, singular, resource_id):
        return NotFoundError(singular, self._redact(resource_id))

    def _malformed(self, detail):
        """The error for a response that is JSON but not what a One Codex API sends."""
        return self._error(
            InvalidResponseError,
            f"{detail}; the server at {self._url} sent malformed data: check that it is a One Codex API",
        )


_INVALID = object()
_TOO_DEEP = object()


def _json(body):
    """The parsed body; `_INVALID` if it is not JSON, `_TOO_DEEP` if it nests past the recursion limit."""
    try:
        return json.loads(body)
    except ValueError:  # also UnicodeDecodeError
        return _INVALID
    except RecursionError:
        return _TOO_DEEP


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError(f"Api({name}=...) must be a positive number, not {value!r}")
    return value


def _without_userinfo(url):
    """The URL as shown in messages: without a user name or password in it."""
    netloc = urlsplit(url).netloc
    return url.replace(netloc, netloc.rpartition("@")[2], 1) if "@" in netloc else url


def _reason(exc):
    return str(exc) or type(exc).__name__


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _size(size):
    return f"{size / 2**20:g} MiB" if size % 2**20 == 0 else f"{size} bytes"


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
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, with no claim about the local zone
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
