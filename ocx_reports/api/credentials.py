"""Where the client's credentials and server address come from.

The order follows the official One Codex client so that an analyst's existing
setup (`onecodex login`, or the environment in CI) just works: an explicit
argument, then the `~/.onecodex` file, then the environment.
"""

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_URL = "https://app.onecodex.com"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Credentials:
    """One way to authenticate; `repr` names the kind, never the secret."""

    api_key: str | None = None
    bearer_token: str | None = None

    @property
    def kind(self):
        return "API key" if self.api_key else "bearer token"

    def __repr__(self):
        return f"<Credentials {self.kind}>"


def resolve_credentials(api_key=None, bearer_token=None):
    """Return the `Credentials` to use, or None when there are none anywhere.

    An API key wins over a bearer token found at the same level, as in the
    official client.
    """
    if api_key and bearer_token:
        raise ValueError("pass either api_key or bearer_token, not both")
    if api_key or bearer_token:
        return Credentials(api_key=api_key, bearer_token=bearer_token)
    file_key = _api_key_from_file(Path.home() / ".onecodex")
    if file_key:
        return Credentials(api_key=file_key)
    if os.environ.get("ONE_CODEX_API_KEY"):
        return Credentials(api_key=os.environ["ONE_CODEX_API_KEY"])
    if os.environ.get("ONE_CODEX_BEARER_TOKEN"):
        return Credentials(bearer_token=os.environ["ONE_CODEX_BEARER_TOKEN"])
    return None


def known_secrets():
    """Every credential this process could find, wherever it is kept: what no output may show."""
    found = (
        _api_key_from_file(Path.home() / ".onecodex"),
        os.environ.get("ONE_CODEX_API_KEY"),
        os.environ.get("ONE_CODEX_BEARER_TOKEN"),
    )
    return tuple(secret for secret in found if isinstance(secret, str) and secret)


def resolve_base_url(base_url=None):
    """The API root without a trailing slash: argument, `ONE_CODEX_API_BASE`, default."""
    url = base_url or os.environ.get("ONE_CODEX_API_BASE") or DEFAULT_BASE_URL
    return url.rstrip("/")


def _api_key_from_file(path):
    """The `api_key` in a `onecodex login` credentials file, if there is one.

    A file that is missing, unreadable or lacks the key is not an error: the
    environment may still provide credentials.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.warning("ignoring %s: it is not a readable JSON credentials file", path)
        return None
    return data.get("api_key") if isinstance(data, dict) else None
