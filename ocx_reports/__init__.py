"""ocx-reports: branded, print-quality One Codex reports from Jupyter notebooks."""

__version__ = "0.1.0"


def __getattr__(name):
    # The API client pulls in httpx; import it only when someone asks for it.
    if name == "Api":
        from .api import Api

        return Api
    raise AttributeError(f"module 'ocx_reports' has no attribute {name!r}")
