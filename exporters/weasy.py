"""HTML -> PDF with WeasyPrint, reading only what the URL policy allows.

Imported lazily by the PDF exporter: WeasyPrint and its font machinery take
a noticeable share of a small export's time, and nbconvert builds every
registered exporter just to list them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .urlpolicy import URLPolicy

# One font configuration per process: WeasyPrint rebuilds fontconfig state
# for each new one, and the report fonts never change between exports.
_FONT_CONFIG = None


def font_config() -> FontConfiguration:
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


class PolicyURLFetcher(URLFetcher):
    """Fetches ``data:`` URIs and allowed local files; refuses and logs the rest."""

    def __init__(self, policy: URLPolicy):
        super().__init__(allowed_protocols=("data", "file"))
        self.policy = policy

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme
        if scheme != "data" and (scheme != "file" or self.policy.local_path(url) is None):
            self.policy.refuse(url, "the PDF renderer only reads the report's own files")
            raise ValueError(f"refused by the report's URL policy: {url[:80]}")
        return super().fetch(url, headers)


def render_pdf(html: str, policy: URLPolicy) -> bytes:
    """Lay out ``html`` and return the PDF bytes (deterministic for the same input)."""
    document = HTML(
        string=html,
        base_url=policy.notebook_dir.as_uri() + "/",
        url_fetcher=PolicyURLFetcher(policy),
    ).render(font_config=font_config())
    return document.write_pdf()
