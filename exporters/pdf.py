"""``jupyter nbconvert --to onecodex_pdf``: the HTML report, laid out by WeasyPrint."""

from __future__ import annotations

from traitlets import default

from .html import OneCodexHTMLExporter


class OneCodexPDFExporter(OneCodexHTMLExporter):
    """Executed notebook -> branded PDF report, with no browser or LaTeX."""

    export_from_notebook = "One Codex PDF Report"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("embed_fonts")
    def _embed_fonts_default(self):
        # WeasyPrint reads the font files directly; embedding them in the
        # intermediate HTML would only add parsing work.
        return False

    def from_notebook_node(self, nb, resources=None, **kw):
        from .weasy import render_pdf

        html, resources = super().from_notebook_node(nb, resources, **kw)
        pdf = render_pdf(html, self._policy)
        resources["output_extension"] = ".pdf"
        return pdf, resources
