"""Build notebooks in memory and export them, the way a user's nbconvert run would."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter

__all__ = [
    "code",
    "markdown",
    "notebook",
    "html_output",
    "export_html",
    "export_pdf",
    "pdf_pages_text",
    "new_output",
]


def notebook(*cells, **metadata):
    nb = new_notebook(cells=list(cells))
    nb.metadata.update(metadata)
    return nb


def markdown(source, tags=()):
    cell = new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(source="", outputs=(), tags=(), **metadata):
    cell = new_code_cell(source, outputs=list(outputs), execution_count=1)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    return cell


def html_output(html, **metadata):
    return new_output("display_data", data={"text/html": html}, metadata=metadata)


def _resources(path: Path | None):
    if path is None:
        return None
    return {"metadata": {"path": str(path), "name": "report"}}


def export_html(nb, path: Path | None = None, **traits) -> str:
    html, _ = OneCodexHTMLExporter(**traits).from_notebook_node(nb, resources=_resources(path))
    return html


def export_pdf(nb, path: Path | None = None, **traits) -> bytes:
    pdf, _ = OneCodexPDFExporter(**traits).from_notebook_node(nb, resources=_resources(path))
    return pdf


def pdf_pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def write(nb, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path
