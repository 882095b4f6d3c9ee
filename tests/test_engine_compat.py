"""The engine's compatibility layer: every adaptation of a dependency's internals is fenced.

An upstream release that changes what an adaptation relies on must never print blank rows,
wrong page numbers or empty charts: the layout's self-test (or its runtime checks) finds the
adaptation not working, and the export falls back to WeasyPrint's own behaviour for that
feature with one warning. Each upstream change is simulated before the adaptations load, in
a process of its own, and keeps the names the shape checks look at, so that only the
self-test can catch it. And the stock engine (every adaptation off) prints the same report.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import (
    code, engine_checked, export_pdf, html_output, in_new_python, markdown, new_output, notebook, pdf_pages_text,
)

from ocx_reports.exporters.engine import compat
from ocx_reports.exporters.engine.compat import FEATURES
from ocx_reports.exporters.layout import svgforms

TESTS = Path(__file__).resolve().parent
CHART_TITLE = "Engine check composition"

#: A copy of ``function`` that calls ``new`` wherever it called the module global ``old``.
_RENAMED = """
import types

def renamed(function, old, new):
    names = tuple(new if name == old else name for name in function.__code__.co_names)
    copy = types.FunctionType(function.__code__.replace(co_names=names), function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy
"""

#: Per adaptation: an upstream change that leaves the name the adaptation patches in place
#: (so its shape check passes) but no longer calls it, or no longer fills what it reads.
UPSTREAM_CHANGES = {
    "table_lines": """
        import weasyprint.draw as draw
        draw.draw_block_level_v2 = renamed(draw.draw_block_level, "draw_block_level", "draw_block_level_v2")
        draw.draw_stacking_context = renamed(draw.draw_stacking_context, "draw_block_level", "draw_block_level_v2")
    """,
    "page_frame": """
        import weasyprint.document as document, weasyprint.layout as layout
        layout.make_margin_boxes_v2 = layout.make_margin_boxes
        document.layout_document = renamed(layout.layout_document, "make_margin_boxes", "make_margin_boxes_v2")
    """,
    "page_limit": """
        import weasyprint.document as document, weasyprint.layout as layout
        layout.make_all_pages_v2 = layout.make_all_pages
        document.layout_document = renamed(layout.layout_document, "make_all_pages", "make_all_pages_v2")
    """,
    "chart_forms": """
        import weasyprint.document as document
        cached = document.original_get_image_from_uri
        document.original_get_image_from_uri = lambda *args, cache, **kw: cached(*args, cache={}, **kw)
    """,
}

#: Exports a report with a long plain table, a chart and enough prose for several chunks,
#: then one at a page limit; prints what a test needs as JSON.
_EXPORT = """
import io, json, logging, sys
sys.path.insert(0, {tests!r})
from helpers import code, html_output, markdown, new_output, notebook
from pypdf import PdfReader
from ocx_reports.exporters import OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError
from ocx_reports.exporters.layout import paginate

paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 200, 1500  # chunks even for this short report
warnings = []
handler = logging.Handler()
handler.emit = lambda record: warnings.append(record.getMessage()) if record.levelno >= logging.WARNING else None
logging.getLogger().addHandler(handler)
rows = "".join(f"<tr><th>{{r}}</th><td>S{{r:03d}}</td><td>{{r * 7}}</td></tr>" for r in range(120))
table = f'<table class="dataframe"><thead><tr><th></th><th>sample</th><th>reads</th></tr></thead><tbody>{{rows}}</tbody></table>'
chart = {{"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": {title!r}, "mark": "bar",
         "data": {{"values": [{{"a": "x", "b": 1}}, {{"a": "y", "b": 2}}]}},
         "encoding": {{"x": {{"field": "a", "type": "nominal"}}, "y": {{"field": "b", "type": "quantitative"}}}}}}
cells = [markdown("# Engine check")]
for section in range(6):
    cells.append(markdown(f"## Section {{section}}\\n\\n" + f"Paragraph {{section}} words. " * 150))
cells.append(code(outputs=[new_output("display_data", data={{"application/vnd.vegalite.v5+json": chart}})]))
cells.append(code(outputs=[html_output(table)]))
nb = notebook(*cells)
pdf, resources = OneCodexPDFExporter(workers=2).from_notebook_node(nb)
try:
    OneCodexPDFExporter(workers=2, max_pages=2).from_notebook_node(nb)
    limited = None
except ReportError as exc:
    limited = str(exc)
print(json.dumps({{
    "pages": [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages],
    "chunks": resources["pdf_chunks"], "limited": limited,
    "warnings": [w for w in warnings if "PDF engine" in w],
}}))
"""


def _export_after(change: str, tmp_path: Path, env: dict | None = None) -> dict:
    script = _RENAMED + textwrap.dedent(change) + _EXPORT.format(tests=str(TESTS), title=CHART_TITLE)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_complete(found: dict) -> None:
    """Every row of the table, the chart's text, and "Page i of N" on every page i."""
    pages = found["pages"]
    text = "\n".join(pages)
    assert all(f"S{r:03d}" in text for r in range(120)), "table rows missing"
    assert re.sub(r"\s+", "", CHART_TITLE) in re.sub(r"\s+", "", text), "chart text missing"
    assert all(f"Page {i} of {len(pages)}" in page for i, page in enumerate(pages, start=1)), "page numbers"
    assert found["limited"] is not None and "past 2 pages" in found["limited"], "max_pages not enforced"


@pytest.mark.adapted
@pytest.mark.parametrize("adaptation", list(UPSTREAM_CHANGES))
def test_an_upstream_change_the_self_test_catches_falls_back_to_stock_with_one_warning(adaptation, tmp_path):
    found = _export_after(UPSTREAM_CHANGES[adaptation], tmp_path)
    _assert_complete(found)
    assert len(found["warnings"]) == 1, found["warnings"]
    assert FEATURES[adaptation][0] in found["warnings"][0] and "WeasyPrint 70.0" in found["warnings"][0]
    if adaptation == "page_frame":
        assert found["chunks"] == 1  # laid out in one piece: WeasyPrint numbers the pages
    else:
        assert found["chunks"] > 1


@pytest.mark.adapted
def test_the_same_report_with_no_upstream_change_uses_every_adaptation_silently(tmp_path):
    found = _export_after("", tmp_path)
    _assert_complete(found)
    assert found["warnings"] == [] and found["chunks"] > 1


@pytest.mark.adapted
def test_check_command_lists_every_adaptation_installed_with_its_checked_releases():
    result = subprocess.run(
        [sys.executable, "-m", "ocx_reports.exporters.engine.compat", "--check"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split()[2]: line for line in result.stdout.splitlines()[1:] if not line.startswith(" ")}
    assert set(FEATURES) <= set(listed) and {"simple_c_types", "character_runs", "lean_ua"} <= set(listed)
    assert all(" installed " in line and "checked against" in line for line in listed.values()), result.stdout
    assert "installed  checked against 70.0" in listed["table_lines"]


def test_check_command_fails_naming_the_adaptation_an_upstream_change_breaks(tmp_path):
    """What moving a pin starts with: the check names the adaptation and why, and fails."""
    simulate = tmp_path / "sitecustomize.py"
    simulate.write_text(_RENAMED + textwrap.dedent(UPSTREAM_CHANGES["table_lines"]))
    result = subprocess.run(
        [sys.executable, "-m", "ocx_reports.exporters.engine.compat", "--check"], capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path), compat.STOCK_ENGINE_ENV: ""},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if " table_lines " in line)
    assert " failed " in line
    assert "drew 0 of 5 table rows" in result.stdout


# -- runtime guards: the self-test passed, then the layout finds an adaptation not working --


@pytest.fixture
def fresh_verdicts(monkeypatch):
    """A failure found here stays in this test: the process's record of adaptations is restored."""
    engine_checked()
    monkeypatch.setattr(compat, "_states", dict(compat.states()))
    monkeypatch.setattr(compat, "_told", set())


def _table_notebook(rows: int = 80):
    body = "".join(f"<tr><th>{r}</th><td>S{r:03d}</td><td>{r * 7}</td></tr>" for r in range(rows))
    table = f'<table class="dataframe"><thead><tr><th></th><th>sample</th><th>reads</th></tr></thead><tbody>{body}</tbody></table>'
    return notebook(markdown("# Rows"), code(outputs=[html_output(table)]))


#: The self-test passes in this process, then the adapted painter is no longer called (as if
#: a release changed it since): the layout service forked at the export inherits both, and
#: its chunk process finds rows it did not draw. Prints what the export came to as JSON.
_ROWS_NOT_DRAWN = """
import inspect, json, logging
import weasyprint.draw
from helpers import engine_checked, export_pdf, pdf_pages_text
from test_engine_compat import _table_notebook
from ocx_reports.exporters.engine import compat

engine_checked()
draw = weasyprint.draw
draw.draw_block_level = inspect.getclosurevars(draw.draw_block_level).nonlocals["draw_block_level"]
warnings = []
handler = logging.Handler()
handler.emit = lambda record: warnings.append(record.getMessage())
logging.getLogger().addHandler(handler)
text = "\\n".join(pdf_pages_text(export_pdf(_table_notebook())))
print(json.dumps({
    "rows": all(f"S{r:03d}" in text for r in range(80)), "status": compat.states()["table_lines"].status,
    "warned": [message for message in warnings if "PDF engine" in message],
}))
"""


@pytest.mark.adapted
def test_rows_the_layout_did_not_draw_fall_back_to_cells_with_one_warning():
    result = in_new_python(_ROWS_NOT_DRAWN)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)
    assert found["rows"] and found["status"] == compat.FAILED
    assert len(found["warned"]) == 1 and FEATURES["table_lines"][0] in found["warned"][0], found["warned"]


@pytest.mark.adapted
def test_a_chart_stand_in_the_layout_found_no_form_for_is_drawn_by_weasyprint(
    fresh_verdicts, monkeypatch, caplog, layout_in_this_process
):
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": CHART_TITLE, "mark": "bar",
        "data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]},
        "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
    }
    monkeypatch.setattr(svgforms, "convert_all", lambda images, ready: {})  # found none of the images
    nb = notebook(code(outputs=[new_output("display_data", data={"application/vnd.vegalite.v5+json": chart})]))
    text = re.sub(r"\s+", "", "".join(pdf_pages_text(export_pdf(nb))))
    assert re.sub(r"\s+", "", CHART_TITLE) in text
    warned = [r.getMessage() for r in caplog.records if "PDF engine" in r.getMessage()]
    assert len(warned) == 1 and FEATURES["chart_forms"][0] in warned[0]


# -- the stock engine --------------------------------------------------------------------------


def test_stock_engine_prints_the_example_report_with_the_same_text_and_pages(tmp_path):
    """``ocx-reports demo`` (the example notebook, run) with every adaptation and with none: the
    same pages with the same text (on a page with figures in another order: WeasyPrint draws
    a chart's SVG in its own order, rotated labels letter by letter)."""
    from collections import Counter

    def demo(name: str, env: dict) -> list[str]:
        import pdfplumber

        out = tmp_path / name / "demo.pdf"
        result = subprocess.run(
            [sys.executable, "-m", "ocx_reports.cli", "demo", "-o", str(out)], cwd=tmp_path, capture_output=True,
            text=True, timeout=300, env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600", **env},
        )
        assert result.returncode == 0, result.stderr
        with pdfplumber.open(out) as pdf:
            return [page.extract_text() for page in pdf.pages]

    adapted = demo("adapted", {compat.STOCK_ENGINE_ENV: ""})
    stock = demo("stock", {compat.STOCK_ENGINE_ENV: "1"})
    assert len(stock) == len(adapted) >= 3
    assert [Counter(re.sub(r"\s+", "", page)) for page in stock] == [Counter(re.sub(r"\s+", "", page)) for page in adapted]
    plain = [number for number, page in enumerate(adapted) if "Figure" not in page]
    assert len(plain) >= 3 and all(stock[number].split() == adapted[number].split() for number in plain)


def test_stock_engine_option_lays_the_report_out_in_one_piece_with_cells(monkeypatch):
    from ocx_reports.exporters import OneCodexPDFExporter
    from ocx_reports.exporters.page import tables

    seen = []
    rewrite = tables.TablePolicy.__call__
    monkeypatch.setattr(tables.TablePolicy, "__call__", lambda self, html: seen.append(self.as_lines) or rewrite(self, html))
    monkeypatch.delenv(compat.STOCK_ENGINE_ENV, raising=False)
    assert OneCodexPDFExporter().stock_engine is False
    pdf, resources = OneCodexPDFExporter(stock_engine=True, workers=4).from_notebook_node(_table_notebook(300))
    assert seen == [False] and resources["pdf_chunks"] == 1
    text = "\n".join(pdf_pages_text(pdf))
    assert "S299" in text and "Page 1 of" in text
    monkeypatch.setenv(compat.STOCK_ENGINE_ENV, "1")
    assert OneCodexPDFExporter().stock_engine is True


def test_the_exporter_loads_no_pdf_engine_to_be_listed():
    """The compat layer adds nothing heavy to importing the exporters."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys, ocx_reports.exporters.engine.compat, ocx_reports.exporters; "
         "print([m for m in ('weasyprint', 'cffi', 'tinyhtml5', 'pikepdf') if m in sys.modules])"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "[]", result.stderr
