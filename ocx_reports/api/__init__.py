"""A small One Codex API client for reports: `Api`, its resources and its errors.

Names follow the official `onecodex` client (`Api`, `api.Samples.get`,
`api.Samples.where`, `api.Classifications.get(id).results()`), so notebooks
written for it read the same here.

The names load on first use: the exporters read credentials and redact them
from every report (``credentials``, ``redaction``) without loading the HTTP
client, which only reports about a project or samples need.
"""

import importlib

#: Each public name and the module that defines it.
_HOMES = {
    "Api": "client",
    "redact": "redaction",
    **dict.fromkeys(
        (
            "ApiConnectionError", "AuthenticationError", "BadRequestError", "DeadlineExceededError",
            "InvalidResponseError", "NotFoundError", "OneCodexError", "RateLimitError",
            "ResponseTooLargeError", "ServerError",
        ),
        "errors",
    ),
    **dict.fromkeys(
        ("Classifications", "Jobs", "Metadata", "Projects", "Resource", "Samples", "Tags", "Users"), "resources"
    ),
}

__all__ = sorted(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
