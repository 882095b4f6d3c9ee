"""Large inputs end in a report with notes, or in one line naming the cell (issue 18, item 7).

Each limit is shown to trigger with a low setting, and the issue's cases at their size
are exported by a fresh ``jupyter nbconvert`` within 60 s and 1 GiB.
"""

from __future__ import annotations

import logging
import re

import pytest
from helpers import (
    code,
    export_html,
    export_measured,
    export_pdf,
    html_output,
    markdown,
    new_output,
    notebook,
    one_line_error,
    pdf_pages_text,
)

from ocx_reports.exporters import OneCodexHTMLExporter
from ocx_reports.exporters.errors import ReportError

SECONDS, MIB = 60, 1024  # the budget for each case


def within_budget(seconds: float, peak_mib: float) -> None:
    assert seconds < SECONDS and peak_mib < MIB, f"{seconds:.1f} s, {peak_mib:.0f} MiB"


def table(rows: int, columns: int = 3) -> str:
    head = "".join(f"<th>Column {c}</th>" for c in range(columns))
    body = "".join("<tr>" + "".join(f"<td>r{r}c{c}</td>" for c in range(columns)) + "</tr>" for r in range(rows))
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def stream(text: str, name: str = "stdout"):
    return new_output("stream", name=name, text=text)


# -- tables -------------------------------------------------------------------


def test_html_report_prints_max_table_rows_and_says_how_many_were_left_out():
    html = export_html(notebook(code(outputs=[html_output(table(120) + "<p>120 rows × 3 columns</p>")])), max_table_rows=20)
    assert "r19c0" in html and "r20c0" not in html and "r119c0" not in html
    assert "Showing the first 20 of 120 rows; the other 100 are left out of this report" in html
    assert "120 rows × 3 columns" in html  # what follows the table stays
    assert "data:text/csv" not in html  # the CSV is the PDF's attachment


def test_tables_are_cut_as_the_notebook_wrote_them_before_the_sanitizer():
    rows = "".join(f"<TR><TD>row {r}</TD></TR>" for r in range(50))
    html = export_html(notebook(code(outputs=[html_output(f"<TABLE border=1>{rows}</TABLE><p>after</p>")])), max_table_rows=10)
    assert "row 9<" in html and "row 10<" not in html
    assert "Showing the first 10 of 50 rows" in html and "after" in html


@pytest.mark.slow
def test_a_500k_row_table_prints_its_first_rows_within_the_budget(tmp_path):
    nb = notebook(code(outputs=[html_output(table(500_000))]))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_html")
    assert result.returncode == 0, result.stderr[-2000:]
    within_budget(seconds, peak)
    html = (tmp_path / "report.html").read_text()
    assert "r4999c0" in html and "r5000c0" not in html
    assert "Showing the first 5,000 of 500,000 rows; the other 495,000 are left out" in html


# -- text outputs -------------------------------------------------------------

_LINES = "".join(f"line {i}\n" for i in range(1000))


@pytest.mark.parametrize(
    "output",
    [stream(_LINES), stream(_LINES, "stderr"), new_output("execute_result", data={"text/plain": _LINES}, execution_count=1)],
    ids=["stdout", "stderr", "text/plain result"],
)
def test_long_text_outputs_show_their_first_and_last_lines_with_a_note(output):
    html = export_html(notebook(code(outputs=[output])), max_stream_lines=10, show_stderr=True)
    shown = [int(n) for n in re.findall(r"line (\d+)", html)]
    assert shown == [0, 1, 2, 3, 4, 995, 996, 997, 998, 999]
    assert "990 lines left out: a report shows the first 5 and the last 5 lines of an output (max_stream_lines)" in html


@pytest.mark.slow
def test_a_24_mb_line_of_output_prints_its_ends_within_the_budget(tmp_path):
    nb = notebook(code(outputs=[stream("A" + "x" * 24_000_000 + "Z")]))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    assert result.returncode == 0, result.stderr[-2000:]
    within_budget(seconds, peak)
    text = " ".join(pdf_pages_text((tmp_path / "report.pdf").read_bytes()))
    assert "23,950,002 characters left out" in text and "(max_stream_chars)" in text
    assert text.index("Axxx") < text.index("left out") < text.index("xxxZ")


@pytest.mark.slow
def test_a_100k_line_log_prints_within_the_budget(tmp_path):
    nb = notebook(code(outputs=[stream("".join(f"step {i} done\n" for i in range(100_000)))]))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    assert result.returncode == 0, result.stderr[-2000:]
    within_budget(seconds, peak)
    text = " ".join(pdf_pages_text((tmp_path / "report.pdf").read_bytes()))
    assert "step 199 done" in text and "step 99800 done" in text and "step 5000 done" not in text
    assert "99,600 lines left out" in text


# -- math -----------------------------------------------------------------------


def test_a_formula_past_max_formula_chars_is_shown_as_its_shortened_source(caplog):
    formula = "+".join(f"x_{{{i}}}" for i in range(400))  # 3,089 characters
    with caplog.at_level(logging.WARNING):
        html = export_html(notebook(markdown(f"Sum: $${formula}$$ done.")))
    assert '<img class="ocx-math' not in html and 'class="ocx-math-error"' in html
    assert "x_{0}+x_{1}+" in html and "x_{399}$$" in html and "[2,893 characters]" in html  # its ends shown
    warnings = [r.getMessage() for r in caplog.records if "cannot draw the formula" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("cell 1:") and "3,089 characters, more than max_formula_chars = 1,000" in warnings[0]


def test_formulas_past_max_math_chars_are_shown_as_source_with_one_warning(caplog):
    text = " ".join(f"$y_{{{i}}}$" for i in range(30))  # y_{0} to y_{9}: 50 characters
    with caplog.at_level(logging.WARNING):
        html = export_html(notebook(markdown(text)), max_math_chars=50)
    assert len(re.findall(r'<img class="ocx-math', html)) == 10
    assert "$y_{10}$ $y_{11}$" in html and "$y_{29}$" in html  # the rest as text, as written
    warnings = [r.getMessage() for r in caplog.records if "shown as their source" in r.getMessage()]
    assert warnings == ["20 formulas are shown as their source: the report draws 50 characters of math (max_math_chars)"]


@pytest.mark.slow
def test_a_5_mb_formula_and_100k_deep_braces_finish_within_the_budget(tmp_path):
    deep = "$" + "{" * 100_000 + "x" + "}" * 100_000 + "$"  # a text/latex output: no placeholders there
    nb = notebook(
        markdown("$$" + "+".join(f"x_{{{i}}}" for i in range(600_000)) + "$$"),
        code(outputs=[new_output("display_data", data={"text/latex": deep, "text/plain": "deep"})]),
    )
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    assert result.returncode == 0, result.stderr[-2000:]
    within_budget(seconds, peak)
    assert "cell 1: cannot draw the formula" in result.stderr and "cell 2 (In [1]): cannot draw the formula" in result.stderr


@pytest.mark.slow
def test_50k_formulas_finish_within_the_budget(tmp_path):
    nb = notebook(markdown(" ".join(f"$x_{{{i}}}$" for i in range(50_000))))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_html")
    assert result.returncode == 0, result.stderr[-2000:]
    within_budget(seconds, peak)
    assert "formulas are shown as their source" in result.stderr


# -- CSS, size and depth of HTML ----------------------------------------------


@pytest.mark.slow
def test_20k_css_rules_stop_the_export_in_one_line_naming_the_cell(tmp_path):
    rules = "".join(f"div:not(.c{i}) {{ color: red; }}\n" for i in range(20_000))
    nb = notebook(markdown("# Report"), code(outputs=[html_output(f"<style>{rules}</style><p>styled</p>")]))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    line = one_line_error(result)
    assert "cell 2" in line and "20,000 rules" in line and "max_css_rules" in line
    within_budget(seconds, peak)
    assert not (tmp_path / "report.pdf").exists()


def test_css_rules_are_counted_across_outputs_markdown_and_set_style():
    style = new_output("display_data", data={"text/css": "<style>.a { color: red } .b { color: blue }</style>"},
                       metadata={"onecodex": "head.style"})
    nb = notebook(
        markdown("<style>.c { color: green }</style> text"),
        code(outputs=[style]),
        code(outputs=[html_output("<style>.d { color: gray }</style>x")]),
    )
    export_html(nb, max_css_rules=4)
    with pytest.raises(ReportError, match=r"^cell 3 \(In \[1\]\): the notebook's CSS reaches 4 rules here"):
        export_html(nb, max_css_rules=3)


@pytest.mark.slow
@pytest.mark.parametrize("to", ["onecodex_html", "onecodex_pdf"])
def test_10k_nested_divs_stop_the_export_in_one_line_naming_the_cell(tmp_path, to):
    nb = notebook(markdown("# Report"), code(outputs=[html_output("<div>" * 10_000 + "deep" + "</div>" * 10_000)]))
    result, seconds, peak = export_measured(nb, tmp_path, to)
    line = one_line_error(result)
    assert "cell 2" in line and "nests elements more than 100 deep" in line and "max_nesting_depth" in line
    within_budget(seconds, peak)


def test_markdown_nesting_is_checked_too_and_what_the_limit_allows_lays_out():
    deep = "<div>" * 90 + "ninety deep" + "</div>" * 90
    assert "ninety deep" in " ".join(pdf_pages_text(export_pdf(notebook(markdown(deep)))))
    with pytest.raises(ReportError, match=r"^cell 2: its HTML nests elements more than 50 deep"):
        export_html(notebook(markdown("fine"), markdown(deep)), max_nesting_depth=50)


def test_an_output_with_more_tags_than_max_html_tags_stops_naming_the_cell():
    nb = notebook(code(outputs=[html_output("<b>x</b>" * 100)]))
    export_html(nb, max_html_tags=200)
    with pytest.raises(ReportError, match=r"^cell 1 \(In \[1\]\): its HTML has 200 tags.*max_html_tags"):
        export_html(nb, max_html_tags=199)


def test_compiled_templates_are_cached_apart_for_filters_that_take_the_context(monkeypatch):
    """clean_html takes the template's context (to name the cell): templates compiled
    when it did not would call it without, so their cache files must not be reused."""
    monkeypatch.delenv("OCX_REPORTS_STOCK_ENGINE", raising=False)  # the stock engine keeps no cache

    class Plain(OneCodexHTMLExporter):
        def default_filters(self):
            yield from super().default_filters()
            yield "clean_html", lambda html: html

    ours, plain = OneCodexHTMLExporter(), Plain()
    for exporter in (ours, plain):
        exporter.from_notebook_node(notebook(markdown("Text")))
    assert ours.environment.bytecode_cache.pattern != plain.environment.bytecode_cache.pattern
