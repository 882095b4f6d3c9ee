"""nbconvert extended through its public surface, and the private hooks left fenced (issue 20, item 3).

The exporters use no nbconvert private name outside ``engine/compat/nbconvert.py``. Each
adaptation there runs only on the nbconvert it was checked against: simulated here by
changing nbconvert's method (its source then differs), the export runs nbconvert's own code
and still gives the report, with one debug line; ``$OCX_REPORTS_STOCK_ENGINE=1`` turns every
adaptation off, for the HTML and the PDF.
"""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import nbformat
import pytest
from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.exporters.exporter import Exporter

from ocx_reports.exporters import OneCodexHTMLExporter
from ocx_reports.exporters.engine.compat import nbconvert as compat
from ocx_reports.exporters.errors import ReportError

EXPORTERS = Path(compat.__file__).resolve().parents[2]
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
ADAPTATIONS = ("preprocess", "render", "template_cache")


def report_notebook():
    return notebook(
        markdown("# Quarterly reads\n\nThe samples, counted."),
        code("print(1)", outputs=[new_output("stream", name="stdout", text="reads counted\n")]),
        code("img", outputs=[new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]),
        code("tbl", outputs=[new_output("execute_result", execution_count=1, data={
            "text/html": "<table><tr><th>sample</th></tr><tr><td>S1</td></tr></table>", "text/plain": "t"})]),
        language_info={"name": "python", "pygments_lexer": "ipython3"},
    )


@pytest.fixture(autouse=True)
def adapted(monkeypatch):
    """Each test says whether it runs stock, whatever the suite's environment says."""
    monkeypatch.delenv(compat.STOCK_ENGINE_ENV, raising=False)


@pytest.fixture
def debug_lines(caplog):
    """The adaptations' debug lines logged during the test."""
    caplog.set_level(logging.DEBUG)
    compat.mismatch.cache_clear()  # the shape is checked again against this test's nbconvert
    yield lambda: [r.getMessage() for r in caplog.records if r.getMessage().startswith("nbconvert adaptation")]
    compat.mismatch.cache_clear()


def nbconvert_private_names() -> set[str]:
    """Names nbconvert's exporter classes and instances hold with a leading underscore (their
    private surface), beyond traitlets'."""
    from traitlets.config import LoggingConfigurable

    names = {name for cls in (Exporter, TemplateExporter, HTMLExporter) for name in vars(cls)}
    names |= set(vars(HTMLExporter())) - set(vars(LoggingConfigurable()))
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def trait_handler(function: ast.FunctionDef) -> bool:
    """A traitlets ``@default``/``@observe``/``@validate`` method: found by its decorator, not
    its name, so a name it shares with nbconvert's is no override."""
    return any(
        isinstance(d, ast.Call) and getattr(d.func, "id", None) in ("default", "observe", "validate")
        for d in function.decorator_list
    )


def test_the_exporters_use_no_private_nbconvert_name_outside_the_compat_module():
    private = nbconvert_private_names()
    assert {"_preprocess", "_init_resources", "_create_environment", "_init_preprocessors", "_nb_metadata"} <= private
    used = {}
    for path in EXPORTERS.rglob("*.py"):
        if "compat" in path.relative_to(EXPORTERS).parts:
            continue
        tree = ast.parse(path.read_text())
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and not trait_handler(n)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if names & private:
            used[str(path.relative_to(EXPORTERS))] = sorted(names & private)
        assert "TemplateExporter" not in names, path  # calling past HTMLExporter is compat's to do
    assert used == {}


def test_today_s_nbconvert_runs_every_adaptation(debug_lines):
    assert all(compat.mismatch(name) is None for name in ADAPTATIONS), [compat.mismatch(n) for n in ADAPTATIONS]
    html = export_html(report_notebook())
    assert "reads counted" in html and debug_lines() == []
    assert "No description has been provided" not in html and 'tabindex="0"' not in html


def test_the_report_is_nbconvert_s_own_html_without_its_beautifulsoup_pass(monkeypatch):
    """The one thing the ``render`` adaptation leaves out: nbconvert's pass over the page
    (alt text, tabindex, BeautifulSoup's serialisation). Applied to the adapted report,
    that pass gives exactly the stock engine's report."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    # The HTML report's screen pass (page.screen: figures written into the page) comes after
    # nbconvert's pass on the stock engine too, and is left out of both reports here.
    monkeypatch.setattr(OneCodexHTMLExporter, "_for_screen", lambda self, html, export: html)
    nb = report_notebook()
    adapted = export_html(nb)
    monkeypatch.setenv(compat.STOCK_ENGINE_ENV, "1")
    stock = export_html(nb)
    assert stock != adapted and "No description has been provided for this image" in stock

    monkeypatch.setattr(TemplateExporter, "from_notebook_node", lambda self, nb, resources=None, **kw: (adapted, {}))
    passed_over, _ = HTMLExporter.from_notebook_node(OneCodexHTMLExporter(), nb)
    assert passed_over == stock


def changed(monkeypatch, cls, name):
    """Replace ``cls.name`` by a wrapper of another signature, as a new nbconvert might: the
    same work, another source. Returns the list of calls it gets."""
    original, calls = getattr(cls, name), []

    def wrapper(self, nb, resources=None, *, new_option=None, **kw):
        calls.append(name)
        return original(self, nb, resources, **kw)

    monkeypatch.setattr(cls, name, wrapper)
    return calls


def test_a_changed_preprocess_hook_runs_nbconvert_s_own_with_one_debug_line(monkeypatch, debug_lines):
    calls = changed(monkeypatch, Exporter, "_preprocess")
    html = export_html(report_notebook())
    assert calls == ["_preprocess"]
    assert "reads counted" in html and "Quarterly reads" in html
    assert debug_lines() == [
        "nbconvert adaptation 'preprocess' is off, nbconvert's own code runs: Exporter._preprocess is not the one "
        f"checked (digest {compat.source_digest(Exporter._preprocess)})"
    ]


def test_a_removed_preprocess_hook_leaves_nbconvert_s_preprocessing_alone(monkeypatch):
    """nbconvert renames the hook: it calls its own, and never ours."""
    original = Exporter._preprocess
    monkeypatch.setattr(Exporter, "_run_preprocessors", original, raising=False)
    monkeypatch.setattr(
        Exporter, "from_notebook_node",
        lambda self, nb, resources=None, **kw: self._run_preprocessors(nb, self._init_resources(resources)),
    )
    monkeypatch.delattr(Exporter, "_preprocess")
    monkeypatch.setattr(compat, "lean_preprocess", lambda *a: pytest.fail("the adapted hook ran"))
    html = export_html(report_notebook())
    assert "reads counted" in html and "Quarterly reads" in html


def test_a_changed_render_runs_nbconvert_s_own_with_one_debug_line(monkeypatch, debug_lines):
    calls = changed(monkeypatch, HTMLExporter, "from_notebook_node")
    html = export_html(report_notebook())
    assert calls == ["from_notebook_node"]
    assert "reads counted" in html and "No description has been provided for this image" in html
    assert [line.split(":")[0] for line in debug_lines()] == ["nbconvert adaptation 'render' is off, nbconvert's own code runs"]


def test_a_removed_render_method_runs_the_template_exporter_s(monkeypatch, debug_lines):
    monkeypatch.delattr(HTMLExporter, "from_notebook_node")
    html = export_html(report_notebook())
    assert "reads counted" in html and "sample" in html
    assert len(debug_lines()) == 1 and "HTMLExporter.from_notebook_node is not the one checked" in debug_lines()[0]


def test_without_jinja_s_pass_arg_marks_templates_compile_uncached(monkeypatch, debug_lines):
    import jinja2

    monkeypatch.setattr(jinja2, "pass_context", lambda f: f)
    exporter = OneCodexHTMLExporter()
    html, _ = exporter.from_notebook_node(report_notebook())
    assert "reads counted" in html and exporter.environment.bytecode_cache is None
    assert len(debug_lines()) == 1 and "jinja_pass_arg" in debug_lines()[0]


def test_stock_engine_exports_html_and_pdf_with_nbconvert_s_own_code(monkeypatch, debug_lines, layout_in_this_process):
    monkeypatch.setenv(compat.STOCK_ENGINE_ENV, "1")
    monkeypatch.setattr(compat, "lean_preprocess", lambda *a: pytest.fail("an adaptation ran"))
    exporter = OneCodexHTMLExporter()
    html, _ = exporter.from_notebook_node(report_notebook())
    assert "reads counted" in html and "<td>S1</td>" in html and exporter.environment.bytecode_cache is None
    assert len(debug_lines()) == len(ADAPTATIONS)
    text = " ".join(pdf_pages_text(export_pdf(report_notebook())))
    assert "Quarterly reads" in text and "reads counted" in text and "S1" in text


@pytest.mark.parametrize("value", ["", "0", "off"])
def test_stock_engine_variable_set_off_keeps_the_adaptations(monkeypatch, debug_lines, value):
    monkeypatch.setenv(compat.STOCK_ENGINE_ENV, value)
    export_html(report_notebook())
    assert debug_lines() == []


def test_stock_engine_refuses_a_notebook_that_breaks_the_schema_in_one_line(monkeypatch):
    """nbconvert's own preprocessing validates the notebook and raises; the adapted export
    logs it and goes on (``test_nbconvert_cli``)."""
    nb = report_notebook()
    nb.cells[1].metadata["tags"] = ["a,b"]  # a tag may not hold a comma
    assert "Quarterly reads" in export_html(nb)
    monkeypatch.setenv(compat.STOCK_ENGINE_ENV, "1")
    with pytest.raises(ReportError, match=r"^the notebook breaks the notebook format at cells\[1\]\.metadata\.tags\[0\]: "
                                          r"'a,b' does not match .*OCX_REPORTS_STOCK_ENGINE.*: fix the notebook there$"):
        export_html(nb)


def test_a_failed_execute_is_one_line_naming_the_cell_whichever_preprocessing_runs(monkeypatch):
    """The one-line error of ``--execute`` comes from the execute preprocessor itself now."""
    from nbclient.exceptions import CellExecutionError

    def fails(self, nb, resources=None, km=None):
        nb.cells[1].outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
        raise CellExecutionError("traceback", "ZeroDivisionError", "division by zero")

    monkeypatch.setattr("nbconvert.preprocessors.ExecutePreprocessor.preprocess", fails)
    for stock in ("0", "1"):
        monkeypatch.setenv(compat.STOCK_ENGINE_ENV, stock)
        exporter = OneCodexHTMLExporter(config={"ExecutePreprocessor": {"enabled": True}})
        with pytest.raises(ReportError, match=r"^executing the notebook failed: cell 2 .*ZeroDivisionError"):
            exporter.from_notebook_node(report_notebook())


def test_nbconvert_s_execute_preprocessor_is_swapped_for_the_report_s():
    listed = OneCodexHTMLExporter().default_preprocessors
    assert "ocx_reports.exporters.preprocessors.execution.ReportExecutePreprocessor" in listed
    assert "nbconvert.preprocessors.ExecutePreprocessor" not in listed


def test_a_user_preprocessor_runs_before_the_report_s(tmp_path):
    """Registered after nbconvert's own, the user's (``preprocessors``) and the template's, as
    before: a user's preprocessor that tags a cell hides it."""
    seen = []

    def tag(nb, resources):
        seen.append(len(nb.cells))
        nb.cells[1].metadata["tags"] = ["remove-cell"]
        return nb, resources

    html, _ = OneCodexHTMLExporter(preprocessors=[tag]).from_notebook_node(report_notebook())
    assert seen == [4] and "reads counted" not in html and "Quarterly reads" in html


def test_svg_figures_and_html_stay_clean_whatever_nbconvert_s_options_say(caplog):
    """nbconvert's skip_svg_encoding would write a figure's SVG into the page as it is; the
    report writes in only what its sanitizer leaves of a figure with text, and keeps one
    without text an image."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><script>y()</script><text y="9">drawn words</text></svg>'
    shapes = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="5" height="5"/></svg>'
    nb = notebook(code("f", outputs=[new_output("display_data", data={"image/svg+xml": svg, "text/plain": "f"})]),
                  code("s", outputs=[new_output("display_data", data={"image/svg+xml": shapes, "text/plain": "s"})]),
                  code("h", outputs=[new_output("display_data", data={"text/html": "<b>bold</b><script>x()</script>"})]))
    html = export_html(nb, skip_svg_encoding=True, sanitize_html=False)
    assert re.search(r'<svg [^>]*id="ocx-svg-\d+"[^>]*><text y="9">drawn words</text></svg>', html) and "y()" not in html
    assert re.search(r'<img[^>]+src="data:image/svg\+xml;base64,', html) and "<rect" not in html
    assert "<b>bold</b>" in html and "x()" not in html
    assert "skip_svg_encoding is ignored" in caplog.text and "sanitize_html=False is ignored" in caplog.text


def test_a_widget_with_saved_state_still_shows_its_notice():
    """nbconvert's widget filter (registered per notebook by the method the report skips) would
    show a widget whose state the notebook saved; the report shows its notice instead."""
    view = {"model_id": "4f0c", "version_major": 2, "version_minor": 0}
    nb = notebook(code("w", outputs=[new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": view, "text/plain": "IntSlider(value=3)"})]))
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"4f0c": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                           "model_module_version": "2.0.0", "state": {"value": 3}}},
        "version_major": 2, "version_minor": 0}}
    nbformat.validate(nb)
    html = export_html(nb)
    assert "Widget not shown" in html and "IntSlider(value=3)" not in html and "widget-view" in html


def test_checked_nbconvert_versions_include_the_installed_one():
    """A CI run on an nbconvert outside the checked range says so here, not by a slower export."""
    from importlib.metadata import version

    def release(text):
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3])

    low, high = map(release, compat.CHECKED)
    assert low <= release(version("nbconvert")) <= high, "check the adaptations against it (see compat/nbconvert.py)"


def test_a_markdown_parser_that_no_longer_reports_code_leaves_placeholders_unrendered(monkeypatch, caplog):
    """Placeholders find the code and math in a cell with nbconvert's own markdown parser,
    through its renderer's method names. If a release renamed them, braces in code would be
    taken for placeholders: the parse is checked on a sample first, and where it fails no
    placeholder renders (braces print as written), with one warning."""
    from nbconvert.filters import markdown_mistune

    nb = notebook(markdown("{{ 6*7 }} and `{{ 7*7 }}`"), markdown("# Report"))
    def body(html):
        return html[html.index('<main class="ocx-body">'):]

    rendered = body(export_html(nb, markdown_placeholders="on"))
    assert "42 and <code>{{ 7*7 }}</code>" in rendered and compat.mismatch("markdown") is None

    class Renamed(markdown_mistune.MarkdownWithMath):  # a parser whose renderer methods moved
        def render(self, source):
            return ""

    monkeypatch.setattr(markdown_mistune, "MarkdownWithMath", Renamed)
    compat.mismatch.cache_clear()
    try:
        html = body(export_html(nb, markdown_placeholders="on"))
    finally:
        compat.mismatch.cache_clear()
    assert "<p>{{ 6*7 }} and <code>{{ 7*7 }}</code></p>" in html and "42" not in html
    warned = [r.getMessage() for r in caplog.records if "placeholders are not rendered" in r.getMessage()]
    assert len(warned) == 1 and "codespan, fenced, inlinemath, displaymath, environment" in warned[0]
