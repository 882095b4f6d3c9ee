"""One exporter exports many notebooks: ``ocx-reports build`` keeps one per worker thread, and a
notebook server one per process. Whatever an export writes as it goes (its URL policy, its
charts, its tables' notes, its engine) is that export's own (``exporters.export.Export``): an
export that fails midway leaves nothing behind for the next, and exports running at once in
threads do not see each other's.
"""

from __future__ import annotations

import copy
import io
import re

import pytest
from helpers import code, exports_at_once, html_output, markdown, new_output, notebook, pdf_pages_text
from pypdf import PdfReader

from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError

#: What an exporter keeps on purpose between exports: nbconvert's own record of the notebooks
#: it exported, and the chart preprocessor's caches (see ``ChartPreprocessor.__init__``).
KEPT = {"_nb_metadata", "_caches", "_readable_pdfs"}


def _bar(title: str) -> dict:
    return new_output("display_data", data={"application/vnd.vegalite.v5+json": {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": title, "mark": "bar",
        "data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]},
        "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
    }})


def _kernel_svg(text: str) -> dict:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60" viewBox="0 0 300 60">'
           f'<text x="10" y="40" font-size="24">{text}</text></svg>')
    return new_output("display_data", data={"image/svg+xml": svg})


def _table(name: str, rows: int) -> dict:
    body = "".join(f"<tr><td>{name}{r:03d}</td><td>{r}</td></tr>" for r in range(rows))
    return html_output(f"<table><thead><tr><th>sample</th><th>reads</th></tr></thead><tbody>{body}</tbody></table>")


#: How an export stops midway (see ``_report``), and its error.
FAILURES = {
    "while preprocessing": "raised ValueError: boom",
    "while rendering": "nests elements more than 30 deep",
}


def _report(folder, name: str, fails: str | None = None):
    """A report of ``name`` in ``folder``: an image next to it, a chart, a kernel-drawn SVG and
    a table past ``max_table_rows``. Then, if it ``fails`` "while preprocessing", an error
    output, which stops the export once its charts began drawing; "while rendering", HTML
    that nests past ``max_nesting_depth``, which stops it as the template renders it, the
    charts shown as stand-ins, the table cut and its note numbered."""
    folder.mkdir()
    (folder / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40">'
        f'<text x="4" y="28" font-size="20">{name} folder mark</text></svg>'
    )
    cells = [
        markdown(f"# {name} report\n\n![the mark](mark.svg)"),
        code(outputs=[_bar(f"{name} chart")]),
        code(outputs=[_kernel_svg(f"{name} drawing")]),
        code(outputs=[_table(name, 12)]),
    ]
    if fails == "while preprocessing":
        cells.append(code(outputs=[new_output("error", ename="ValueError", evalue="boom", traceback=[])]))
    elif fails == "while rendering":
        cells.append(code(outputs=[html_output("<div>" * 40 + "deep" + "</div>" * 40)]))
    resources = {"metadata": {"path": str(folder), "name": name}}
    return notebook(*cells), resources


def _attached(pdf: bytes) -> dict[str, str]:
    """The files attached to the PDF's pages (the long tables' CSVs), by name."""
    return {
        annot["/FS"]["/F"]: annot["/FS"]["/EF"]["/F"].get_object().get_data().decode()
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annot in (a.get_object() for a in page.get("/Annots", []))
        if annot["/Subtype"] == "/FileAttachment"
    }


def _state(exporter) -> dict:
    """What the exporter and its report preprocessors hold, but for what they keep on purpose:
    each attribute's object, and a copy of what a container holds."""
    held = {}
    for owner in (exporter, *(p for p in exporter._preprocessors if type(p).__module__.startswith("ocx_reports."))):
        for name, value in vars(owner).items():
            if name not in KEPT:
                contents = copy.copy(value) if isinstance(value, (dict, list, set)) else None
                held[f"{type(owner).__name__}.{name}"] = (id(value), contents)
    return held


@pytest.mark.parametrize("fails", FAILURES)
@pytest.mark.parametrize("exporter_class", [OneCodexHTMLExporter, OneCodexPDFExporter])
def test_an_export_good_or_failed_leaves_nothing_on_the_exporter(exporter_class, fails, tmp_path):
    exporter = exporter_class(max_table_rows=5, max_nesting_depth=30)
    exporter.from_notebook_node(*_report(tmp_path / "first", "First"))  # nbconvert's caches fill
    before = _state(exporter)
    with pytest.raises(ReportError, match=FAILURES[fails]):
        exporter.from_notebook_node(*_report(tmp_path / "alpha", "Alpha", fails))
    exporter.from_notebook_node(*_report(tmp_path / "beta", "Beta"))
    after = _state(exporter)
    assert after == before, sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@pytest.mark.parametrize("fails", FAILURES)
def test_a_failed_export_leaves_nothing_in_the_next_report_of_one_exporter(fails, tmp_path):
    exporter = OneCodexPDFExporter(max_table_rows=5, max_nesting_depth=30)
    with pytest.raises(ReportError, match=FAILURES[fails]):
        exporter.from_notebook_node(*_report(tmp_path / "alpha", "Alpha", fails))
    pdf, resources = exporter.from_notebook_node(*_report(tmp_path / "beta", "Beta"))
    text = re.sub(r"\s+", "", "".join(pdf_pages_text(pdf)))
    for shown in ("Betareport", "Betafoldermark", "Betachart", "Betadrawing", "Beta000", "Beta004"):
        assert shown in text
    assert "Alpha" not in text and "Beta005" not in text
    attached = _attached(pdf)
    assert list(attached) == ["table-1.csv"]  # the tables' notes are numbered anew
    assert "Beta011" in attached["table-1.csv"] and "Alpha" not in attached["table-1.csv"]
    assert not any(key.startswith("ocx") for key in resources)  # the export's state is not handed out


def test_exports_at_once_in_threads_each_show_their_own_folder_charts_and_tables(tmp_path, monkeypatch):
    """A Dask worker runs builds at once in threads, each with its exporter (ocx_reports.render):
    both render while the other's charts are still drawing."""
    from ocx_reports import render

    def build(name):
        nb, _ = _report(tmp_path / name, name)
        return render.export(nb, "pdf", tmp_path / name / "report.ipynb", max_table_rows=5)

    results = exports_at_once(monkeypatch, build)
    for name, other in (("Alpha", "Beta"), ("Beta", "Alpha")):
        text = re.sub(r"\s+", "", "".join(pdf_pages_text(results[name])))
        for shown in ("foldermark", "chart", "drawing", "000"):
            assert f"{name}{shown}" in text
        assert other not in text
        csv = _attached(results[name])["table-1.csv"]
        assert f"{name}011" in csv and other not in csv

