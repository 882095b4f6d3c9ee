"""nbconvert exporters for One Codex reports (``onecodex_html``, ``onecodex_pdf``)."""

from .html import OneCodexHTMLExporter
from .pdf import OneCodexPDFExporter

__all__ = ["OneCodexHTMLExporter", "OneCodexPDFExporter"]
