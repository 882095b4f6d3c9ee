"""nbconvert exporters for One Codex reports (``onecodex_html``, ``onecodex_pdf``)."""

# From the checkout root this folder is also importable by its own name, as a second copy
# of the package with classes of its own; only one name is allowed.
if __name__ != "ocx_reports.exporters":
    raise ImportError(f"{__name__}/ is the source of ocx_reports.exporters: import ocx_reports.exporters")

from .html import OneCodexHTMLExporter
from .pdf import OneCodexPDFExporter

__all__ = ["OneCodexHTMLExporter", "OneCodexPDFExporter"]
