"""A small One Codex API client for reports: `Api`, its resources and its errors.

Names follow the official `onecodex` client (`Api`, `api.Samples.get`,
`api.Samples.where`, `api.Classifications.get(id).results()`), so notebooks
written for it read the same here.
"""

from .client import Api
from .errors import (
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    DeadlineExceededError,
    InvalidResponseError,
    NotFoundError,
    OneCodexError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
)
from .redaction import redact
from .resources import Classifications, Jobs, Metadata, Projects, Resource, Samples, Tags, Users

__all__ = [
    "Api",
    "ApiConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "Classifications",
    "DeadlineExceededError",
    "InvalidResponseError",
    "Jobs",
    "Metadata",
    "NotFoundError",
    "OneCodexError",
    "Projects",
    "RateLimitError",
    "Resource",
    "ResponseTooLargeError",
    "Samples",
    "ServerError",
    "Tags",
    "Users",
    "redact",
]
