"""The errors the One Codex client raises.

One small hierarchy, so callers (the exporters, the CLI) can catch
`OneCodexError` and print `str(error)` as the whole user-facing message: every
message is one line, names what failed and what to do, and never contains a
credential. Errors are raised without an attached httpx exception (no
`__cause__`/`__context__`), because httpx exceptions carry the request and so
its Authorization header.
"""


class OneCodexError(Exception):
    """Base class: anything that went wrong talking to the One Codex API."""


class AuthenticationError(OneCodexError):
    """No credentials, or the server rejected them (HTTP 401/403)."""


class NotFoundError(OneCodexError):
    """An ID that the server does not know (HTTP 404), or that cannot be an ID."""

    def __init__(self, resource, resource_id, detail=None):
        self.resource = resource
        self.resource_id = resource_id
        message = f"{resource} {resource_id} not found"
        super().__init__(f"{message}: {detail}" if detail else message)


class BadRequestError(OneCodexError):
    """The server refused the request as invalid (another 4xx status)."""


class RateLimitError(OneCodexError):
    """HTTP 429 persisted through every retry."""


class ServerError(OneCodexError):
    """HTTP 5xx persisted through every retry."""


class InvalidResponseError(OneCodexError):
    """The body was not the JSON expected (or malformed for the objects it holds), or it arrived truncated."""


class ResponseTooLargeError(InvalidResponseError):
    """The body was larger than `Api(max_response_bytes=...)`; reading stopped there."""


class ApiConnectionError(OneCodexError):
    """The server could not be reached, or timed out, on every attempt."""


class DeadlineExceededError(ApiConnectionError):
    """A request (all its attempts and the waits between them) ran past `Api(deadline=...)`."""
