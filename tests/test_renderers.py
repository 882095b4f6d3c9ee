"""Real notebooks print right: charts from every renderer, a notice for whatever a report
cannot show, and no object reprs.

Outputs come from the real tools where we have them: a kernel runs Altair with its default
(html) renderer and the others it ships, and matplotlib, through nbclient. Altair 4's html
renderer is its templates' output for a chart, kept here as text (Altair 5.5's templates are
the same as 6's); Plotly, Bokeh and widget outputs are hand-made bundles of the forms those
libraries write.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import logging
import re
import subprocess
import sys
from html import unescape

import pytest
from helpers import code, export_html, export_pdf, html_svgs, new_output, notebook, pdf_pages_text, write

from ocx_reports.exporters.errors import ReportError

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: Where the chart with URL data points; tests swap in a counting server's address.
NOWHERE = "http://127.0.0.1:1"


def vega_bar(schema: str, x_title: str) -> dict:
    """A Vega (not Vega-Lite) bar chart with its data inline."""
    return {
        "$schema": f"https://vega.github.io/schema/vega/{schema}.json",
        "width": 240, "height": 120,
        "data": [{"name": "table", "values": [{"sample": "S1", "reads": 3}, {"sample": "S2", "reads": 5}]}],
        "scales": [
            {"name": "x", "type": "band", "domain": {"data": "table", "field": "sample"}, "range": "width"},
            {"name": "y", "domain": {"data": "table", "field": "reads"}, "range": "height"},
        ],
        "axes": [{"orient": "bottom", "scale": "x", "title": x_title}, {"orient": "left", "scale": "y", "title": "Vega reads"}],
        "marks": [{
            "type": "rect", "from": {"data": "table"},
            "encode": {"enter": {
                "x": {"scale": "x", "field": "sample"}, "width": {"scale": "x", "band": 1},
                "y": {"scale": "y", "field": "reads"}, "y2": {"scale": "y", "value": 0},
            }},
        }],
    }


SETUP = """
import json
import altair as alt, pandas as pd
from IPython.display import display
frame = pd.DataFrame({"sample": ["S1", "S2", "S3"], "reads": [3, 5, 2]})
def bar(x, y, data=frame):
    return alt.Chart(data).mark_bar().encode(x=alt.X("sample:N", title=x), y=alt.Y("reads:Q", title=y))
"""
#: (source, axis titles drawn) of the chart cells, as users write them.
CHART_CELLS = [
    ('bar("Default sample", "Default reads")', ("Default sample", "Default reads")),
    ('alt.renderers.enable("html", template="standard")\nbar("Standard sample", "Standard reads")',
     ("Standard sample", "Standard reads")),
    ('alt.renderers.enable("olli" if "olli" in alt.renderers.names() else "default")\nbar("Olli sample", "Olli reads")',
     ("Olli sample", "Olli reads")),
    ('alt.renderers.enable("mimetype")\nbar("Mime sample", "Mime reads")', ("Mime sample", "Mime reads")),
    *(
        (f"display({{{mimetype!r}: json.loads({json.dumps(json.dumps(vega_bar(schema, title)))})}}, raw=True)", (title,))
        for mimetype, schema, title in (
            ("application/vnd.vega.v5+json", "v5", "Vega5 sample"),
            ("application/vnd.vega.v6+json", "v6", "Vega6 sample"),
            ("application/vnd.vega.v6.json", "v6", "Vegadot sample"),  # Altair 6.3's spelling
        )
    ),
]
URL_CELL = f'alt.renderers.enable("default")\nbar("Url sample", "Url reads", data="{NOWHERE}/abundance.csv")'
MATPLOTLIB_CELLS = [
    "import matplotlib, matplotlib.pyplot as plt\nplt.plot([1, 3, 2])",
    'fig, ax = plt.subplots()\nax.plot([1, 2], label="first")\nax.set_title("Matplotlib title")',
    "ax.legend()",
    "fig, ax = plt.subplots()",
    "plt.gca()",
    "plt.subplots(1, 2)",
    "matplotlib.get_backend()",
    "print([plt.Line2D([0], [0])])",
    "frame",
    "41 + 1",
]
#: What a plotting call returns, which the report leaves out.
OBJECT_REPRS = ("Line2D at 0x", "Text(0.5, 1.0, 'Matplotlib title')", "Legend at 0x", "<Axes: >", "Figure size", "module://")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The cells above, run in a real kernel (ocx_reports.render, as demo and build run them)."""
    from ocx_reports import render

    sources = [SETUP, *(source for source, _ in CHART_CELLS), URL_CELL, *MATPLOTLIB_CELLS]
    nb = notebook(*(code(source) for source in sources), kernelspec=KERNEL)
    return render.execute(nb, tmp_path_factory.mktemp("kernel"))


def cells(nb, first: int, count: int):
    """A notebook of ``count`` of ``nb``'s cells from ``first`` (0-based)."""
    return notebook(*copy.deepcopy(nb.cells[first:first + count]))


def chart_cells(nb):
    return cells(nb, 1, len(CHART_CELLS))


def url_cell(nb, base: str):
    part = cells(nb, 1 + len(CHART_CELLS), 1)
    (output,) = part.cells[0].outputs
    output.data["text/html"] = output.data["text/html"].replace(NOWHERE, base)
    return part


def matplotlib_cells(nb):
    return cells(nb, 2 + len(CHART_CELLS), len(MATPLOTLIB_CELLS))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def static_svgs(html: str) -> list[str]:
    return html_svgs(html, 'class="ocx-chart-static"')


def assert_vector_charts(pdf: bytes, titles) -> None:
    """Every title in the PDF's text; the pages drawn with vector paths, no raster image."""
    import pdfplumber

    text = squeeze(" ".join(pdf_pages_text(pdf)))
    for title in titles:
        assert squeeze(title) in text, f"{title!r} missing from the PDF"
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            assert not page.images, "a chart was embedded as a raster image"
            assert page.curves or page.rects


def test_the_kernel_outputs_are_the_forms_the_issue_names(executed):
    """The fixture holds what users' notebooks hold: Altair's html renderer's script, its
    misspelled v6 key, Vega's; and matplotlib's object reprs."""
    outputs = [cell.outputs for cell in executed.cells]
    default, standard, olli, mime, *vega = outputs[1 : 1 + len(CHART_CELLS)]
    for html_chart in (default, standard, olli):
        assert list(html_chart[0].data) == ["text/html", "text/plain"] and "vegaEmbed(" in html_chart[0].data["text/html"]
    assert "var spec = {" in standard[0].data["text/html"] and "})({" in default[0].data["text/html"]
    import altair

    if altair.__version__.startswith("6."):
        assert "application/vnd.vegalite.v6+json" in mime[0].data  # sent as ….v6.json, kept by the client
    # the last was sent as application/vnd.vega.v6.json, which the client respelled
    assert [list(o[0].data) for o in vega] == [["application/vnd.vega.v5+json"], *[["application/vnd.vega.v6+json"]] * 2]
    shown = " ".join(str(o.get("data", {}).get("text/plain", "")) for cell in outputs[-len(MATPLOTLIB_CELLS):] for o in cell)
    for junk in OBJECT_REPRS:
        assert junk in shown


def test_charts_from_every_renderer_print_as_vector_charts(executed):
    pdf = export_pdf(chart_cells(executed))
    assert_vector_charts(pdf, [title for _, titles in CHART_CELLS for title in titles])
    assert "Chart not shown" not in " ".join(pdf_pages_text(pdf))


@pytest.mark.parametrize("interactive", [False, True], ids=["static", "interactive_charts"])
def test_html_report_shows_each_chart_as_its_static_svg_and_no_script_of_the_notebook(executed, caplog, interactive):
    with caplog.at_level(logging.WARNING):
        html = export_html(chart_cells(executed), interactive_charts=interactive)
    svgs = static_svgs(html)
    assert len(svgs) == len(CHART_CELLS)
    for (_, titles), svg in zip(CHART_CELLS, svgs, strict=True):
        assert all(title in svg for title in titles), titles
    assert "vegaEmbed(outputDiv" not in html and "altair-viz-" not in html
    if interactive:
        assert html.count('class="ocx-chart-spec"') == len(CHART_CELLS)  # each drawn live, as vegalite outputs are
    else:
        assert "<script" not in html
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_html_chart_with_url_data_shows_its_notice_and_fetches_nothing(executed, counting_server, caplog):
    base, log = counting_server
    nb = url_cell(executed, base)
    with caplog.at_level(logging.WARNING):
        pdf = export_pdf(nb)
        html = export_html(nb)
    assert not log.exists(), f"the export made network requests: {log.read_text()}"
    assert "Chart not shown" in " ".join(pdf_pages_text(pdf))
    assert html.count('class="ocx-not-shown"') == 1 and "abundance.csv" in html and "<script" not in html
    warned = [r.getMessage() for r in caplog.records if "cannot be drawn" in r.getMessage()]
    assert len(warned) == 2 and all(w.startswith("cell 1 (In [") for w in warned)  # once per export


ALTAIR_4_UNIVERSAL = """
<div id="altair-viz-4f0c"></div>
<script type="text/javascript">
  var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;
  (function(spec, embedOpt){
    let outputDiv = document.currentScript.previousElementSibling;
    if (outputDiv.id !== "altair-viz-4f0c") {
      outputDiv = document.getElementById("altair-viz-4f0c");
    }
    const paths = {
      "vega": "https://cdn.jsdelivr.net/npm//vega@5?noext",
      "vega-lib": "https://cdn.jsdelivr.net/npm//vega-lib?noext",
      "vega-lite": "https://cdn.jsdelivr.net/npm//vega-lite@4.17.0?noext",
      "vega-embed": "https://cdn.jsdelivr.net/npm//vega-embed@6?noext",
    };

    function maybeLoadScript(lib, version) {
      var key = `${lib.replace("-", "")}_version`;
      return (VEGA_DEBUG[key] == version) ?
        Promise.resolve(paths[lib]) :
        new Promise(function(resolve, reject) {
          var s = document.createElement('script');
          document.getElementsByTagName("head")[0].appendChild(s);
          s.async = true;
          s.onload = () => {
            VEGA_DEBUG[key] = version;
            return resolve(paths[lib]);
          };
          s.onerror = () => reject(`Error loading script: ${paths[lib]}`);
          s.src = paths[lib];
        });
    }

    function showError(err) {
      outputDiv.innerHTML = `<div class="error" style="color:red;">${err}</div>`;
      throw err;
    }

    function displayChart(vegaEmbed) {
      vegaEmbed(outputDiv, spec, embedOpt)
        .catch(err => showError(`Javascript Error: ${err.message}<br>This usually means there's a typo in your chart specification. See the javascript console for the full traceback.`));
    }

    if(typeof define === "function" && define.amd) {
      requirejs.config({paths});
      require(["vega-embed"], displayChart, err => showError(`Error loading script: ${err.message}`));
    } else {
      maybeLoadScript("vega", "5")
        .then(() => maybeLoadScript("vega-lite", "4.17.0"))
        .then(() => maybeLoadScript("vega-embed", "6"))
        .catch(showError)
        .then(() => displayChart(vegaEmbed));
    }
  })(@SPEC@, @OPTIONS@);
</script>
"""
ALTAIR_4_STANDARD_REQUIREJS = """
  <style>
    .error {
        color: red;
    }
  </style>
  <div id="altair-viz-4f0d"></div>
  <script>
    requirejs.config({
        "paths": {
            "vega": "https://cdn.jsdelivr.net/npm//vega@5?noext",
            "vega-lib": "https://cdn.jsdelivr.net/npm//vega-lib?noext",
            "vega-lite": "https://cdn.jsdelivr.net/npm//vega-lite@4.17.0?noext",
            "vega-embed": "https://cdn.jsdelivr.net/npm//vega-embed@6?noext",
        }
    });
    
    require(['vega-embed'],function(vegaEmbed) {
      var spec = @SPEC@;
      var embedOpt = @OPTIONS@;

      function showError(el, error){
          el.innerHTML = ('<div class="error" style="color:red;">'
                          + '<p>JavaScript Error: ' + error.message + '</p>'
                          + "<p>This usually means there's a typo in your chart specification. "
                          + "See the javascript console for the full traceback.</p>"
                          + '</div>');
          throw error;
      }
      const el = document.getElementById('altair-viz-4f0d');
      vegaEmbed("#altair-viz-4f0d", spec, embedOpt)
        .catch(error => showError(el, error));
    });

  </script>
"""


def vegalite_bar(version: str, x_title: str, y_title: str) -> dict:
    return {
        "$schema": f"https://vega.github.io/schema/vega-lite/{version}.json",
        "data": {"name": "data-1"},
        "datasets": {"data-1": [{"sample": "S1", "reads": 3}, {"sample": "S2", "reads": 5}]},
        "mark": "bar",
        "encoding": {"x": {"field": "sample", "type": "nominal", "title": x_title},
                     "y": {"field": "reads", "type": "quantitative", "title": y_title}},
    }


def altair_html(template: str, spec: dict, options=None) -> dict:
    html = template.replace("@SPEC@", json.dumps(spec)).replace("@OPTIONS@", json.dumps(options or {"mode": "vega-lite"}))
    return new_output("execute_result", data={"text/html": html, "text/plain": "alt.Chart(...)"}, execution_count=1)


def test_altair_4_and_5_html_outputs_print_their_charts():
    from altair.utils.html import spec_to_html

    v5 = vegalite_bar("v5.20.1", "Five sample", "Five reads")
    outputs = [
        altair_html(ALTAIR_4_UNIVERSAL, vegalite_bar("v4.17.0", "Four sample", "Four reads")),
        altair_html(ALTAIR_4_STANDARD_REQUIREJS, vegalite_bar("v4.8.1", "Required sample", "Required reads")),
        # Altair 5.5 renders this same template; this Altair renders it for a v5 spec.
        new_output("display_data", data={"text/html": spec_to_html(
            v5, "vega-lite", "5", "6", "5.20.1", output_div="altair-viz-5", fullhtml=False, template="universal")}),
        altair_html(ALTAIR_4_UNIVERSAL, vega_bar("v5", "Vegamode sample"), {"mode": "vega"}),
    ]
    nb = notebook(*(code("chart", outputs=[output]) for output in outputs))
    pdf = export_pdf(copy.deepcopy(nb))
    assert_vector_charts(pdf, ["Four sample", "Four reads", "Required sample", "Five sample", "Five reads", "Vegamode sample"])
    assert len(static_svgs(export_html(nb))) == 4


@pytest.mark.parametrize(
    "html",
    [
        ALTAIR_4_UNIVERSAL.replace("@SPEC@", "[1, 2]"),  # not an object
        ALTAIR_4_UNIVERSAL.replace("@SPEC@", '{"mark": "bar"'),  # cut short
        ALTAIR_4_UNIVERSAL.replace("@SPEC@", '{"a": ' * 100_000 + "1" + "}" * 100_000),  # deeper than the decoder goes
        ALTAIR_4_UNIVERSAL.replace("@OPTIONS@", '{"mode": "vega-lite"} + x').replace("@SPEC@", '{"mark": "bar"}'),
        ALTAIR_4_UNIVERSAL.replace("@OPTIONS@", '{"mode": "javascript"}').replace("@SPEC@", '{"mark": "bar"}'),
        ALTAIR_4_STANDARD_REQUIREJS.replace("@SPEC@", "loadSpec()"),  # not data
    ],
    ids=["array", "cut", "deep", "expression", "mode", "call"],
)
def test_html_that_does_not_read_as_a_chart_gets_the_notice_of_a_script(html, caplog):
    output = new_output("display_data", data={"text/html": html.replace("@OPTIONS@", "{}"), "text/plain": "alt.Chart(...)"})
    with caplog.at_level(logging.WARNING):
        text = " ".join(pdf_pages_text(export_pdf(notebook(code("odd", outputs=[output])))))
    assert "Interactive output not shown" in text and "alt.Chart" not in text
    assert "cell 1 (In [1]): a report cannot show HTML drawn by its script (text/html)" in caplog.text


def test_altair_mimetype_renderer_under_nbconvert_execute_prints_its_chart(tmp_path):
    """Altair 6.3 sends application/vnd.vegalite.v6.json: nbclient's output check refused it,
    and the export ended in a long traceback and "Kernel died"."""

    nb = notebook(code(SETUP + 'alt.renderers.enable("mimetype")'), code('bar("Executed sample", "Executed reads")'),
                  kernelspec=KERNEL)
    write(nb, tmp_path / "report.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", "--execute", "--ExecutePreprocessor.timeout=120",
         "report.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Kernel died" not in result.stderr
    text = squeeze(" ".join(pdf_pages_text((tmp_path / "report.pdf").read_bytes())))
    assert "Executedsample" in text and "Executedreads" in text
    assert "RendererRegistry" not in text  # what alt.renderers.enable() returns


def test_saved_notebook_with_the_misspelled_key_exports_its_chart_without_a_schema_error(executed, tmp_path, caplog):
    """A frontend that kept Altair 6.3's key saves it in the file as it came."""
    from ocx_reports.exporters import OneCodexHTMLExporter

    nb = cells(executed, 4, 1)  # the mimetype renderer's chart
    (output,) = nb.cells[0].outputs
    key = next(m for m in output.data if m.startswith("application/vnd.vegalite."))
    output.data = {key.replace("+json", ".json"): output.data[key], "text/plain": "c"}
    (tmp_path / "saved.ipynb").write_text(json.dumps(nb))
    with caplog.at_level(logging.INFO):
        html, _ = OneCodexHTMLExporter().from_filename(str(tmp_path / "saved.ipynb"))
    assert "Notebook JSON is invalid" not in caplog.text
    (svg,) = static_svgs(html)
    assert "Mime sample" in svg


def test_matplotlib_results_that_are_only_object_reprs_are_left_out(executed):
    import pdfplumber

    nb = matplotlib_cells(executed)
    html = unescape(export_html(copy.deepcopy(nb)))
    pdf = export_pdf(copy.deepcopy(nb))
    text = " ".join(pdf_pages_text(pdf))
    for shown in (html, text):
        for junk in OBJECT_REPRS:
            assert junk not in shown
        assert "Line2D object at 0x" in shown  # printed: what the author meant to show
        assert "42" in shown and "S3" in shown  # a value, and a DataFrame
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert sum(len(page.images) for page in document.pages) == 5  # every figure
    kept = unescape(export_html(copy.deepcopy(nb), drop_object_reprs=False))
    assert all(junk in kept for junk in OBJECT_REPRS)


def bundle(data, output_type="display_data", **metadata):
    if output_type == "execute_result":
        return new_output(output_type, data=data, metadata=metadata, execution_count=1)
    return new_output(output_type, data=data, metadata=metadata)


PLOTLY_JSON = {"data": [{"type": "bar", "x": ["S1", "S2"], "y": [3, 5]}], "layout": {"title": {"text": "Plotly reads"}}}
#: (bundle, notice title, words the reader must not see): as the libraries write them.
UNSHOWABLE = [
    (bundle({"application/vnd.jupyter.widget-view+json": {"model_id": "4f0c", "version_major": 2, "version_minor": 0},
             "text/plain": "HBox(children=(IntSlider(value=3),))"}, "execute_result"),
     "Widget not shown", "HBox(children"),
    (bundle({"application/vnd.plotly.v1+json": PLOTLY_JSON, "text/plain": f"Figure({PLOTLY_JSON!r})",
             "text/html": '<div>  <div id="4f0d" class="plotly-graph-div" style="height:525px; width:100%;"></div>  '
                          '<script type="text/javascript">require(["plotly"], function(Plotly) { Plotly.newPlot("4f0d", '
                          f'{json.dumps(PLOTLY_JSON["data"])}) }});</script> </div>'}),
     "Plotly figure not shown", "Figure({"),
    (bundle({"application/javascript": "(function(root) { root.Bokeh = {}; })(window);",
             "application/vnd.bokehjs_load.v0+json": "(function(root) { root.Bokeh = {}; })(window);",
             "text/html": '<div class="bk-root">\n <a href="https://bokeh.org" target="_blank" class="bk-logo"></a>\n'
                          ' <span id="p1001">Loading BokehJS ...</span>\n</div>'}),
     "Bokeh loader not shown", "Loading BokehJS"),
    (bundle({"text/html": '<div id="p1002" data-root-id="p1003" style="display: contents;"></div>\n'
                          '<script type="text/javascript">(function(root) { embed("p1003"); })(window);</script>',
             "application/vnd.bokehjs_exec.v0+json": ""}, **{"application/vnd.bokehjs_exec.v0+json": {"id": "p1003"}}),
     "Bokeh figure not shown", "p1003"),
    (bundle({"application/javascript": "element.text('scripted words')", "text/plain": "<IPython.core.display.Javascript object>"}),
     "JavaScript output not shown", "Javascript object"),
    (bundle({"text/html": "<div id='x'></div><script>draw('x', 'scripted words')</script>",
             "text/plain": "<IPython.core.display.HTML object>"}),
     "Interactive output not shown", "HTML object"),
    (bundle({"application/x-ocx-unknown": "payload words", "text/plain": "<Unknown object>"}),
     "Output not shown", "Unknown object"),
]


def test_outputs_a_report_cannot_show_leave_a_notice_naming_them_and_one_warning_per_cell(caplog, recwarn):
    mermaid = bundle({"text/vnd.mermaid": "graph TD; Reads-->Samples", "text/plain": "<Mermaid object>"})
    nb = notebook(
        *(code("out", outputs=[output]) for output, _, _ in UNSHOWABLE),
        code("two", outputs=[copy.deepcopy(UNSHOWABLE[0][0]), copy.deepcopy(UNSHOWABLE[1][0])]),
        code("mermaid", outputs=[mermaid]),
    )
    with caplog.at_level(logging.WARNING):
        html = export_html(copy.deepcopy(nb))
    text = " ".join(pdf_pages_text(export_pdf(copy.deepcopy(nb))))
    for shown in (unescape(html), text):
        for output, title, junk in UNSHOWABLE:
            assert title in shown
            assert junk not in shown
            mimetype = next(m for m in ("application/vnd.jupyter.widget-view+json", "application/vnd.plotly.v1+json",
                                        "application/vnd.bokehjs_load.v0+json", "application/vnd.bokehjs_exec.v0+json",
                                        "application/javascript", "application/x-ocx-unknown", "text/html")
                            if m in output["data"])
            assert squeeze(mimetype) in squeeze(shown)
        assert "scripted words" not in shown and "payload words" not in shown
        assert "Mermaid diagram, shown as its source" in shown and "Reads-->Samples" in shown
    assert html.count('class="ocx-not-shown"') == len(UNSHOWABLE) + 3
    assert "<script" not in html
    messages = [r.getMessage() for r in caplog.records if "a report cannot show" in r.getMessage()]
    assert len(messages) == 2 * (len(UNSHOWABLE) + 2)  # one per cell, in each export
    for number in range(1, len(UNSHOWABLE) + 3):
        assert sum(m.startswith(f"cell {number} (In [1]): ") for m in messages) == 2
    assert "2 notices are printed" in " ".join(messages)
    assert not [w for w in recwarn if "not able to be represented" in str(w.message)]


def test_a_form_the_report_can_show_wins_without_a_notice(caplog):
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")).decode()
    nb = notebook(
        code("plotly with its image", outputs=[bundle({"application/vnd.plotly.v1+json": PLOTLY_JSON, "image/png": png})]),
        code("script and content", outputs=[bundle({"application/javascript": "draw()", "text/html": "<p>Static words</p>"})]),
        code("table with its schema", outputs=[bundle({"application/vnd.dataresource+json": {"data": []},
                                                        "text/html": "<table><tr><td>Cell words</td></tr></table>"})]),
        code("removed", outputs=[copy.deepcopy(UNSHOWABLE[0][0])], tags=["remove-output"]),
    )
    with caplog.at_level(logging.WARNING):
        html = export_html(nb)
    assert "Static words" in html and "Cell words" in html and "data:image/png;base64," in html
    assert 'class="ocx-not-shown"' not in html and "cannot show" not in caplog.text


def test_strict_charts_still_fails_on_a_chart_of_an_html_output():
    spec = vegalite_bar("v5.20.1", "x", "y") | {"mark": "no-such-mark"}
    with pytest.raises(ReportError, match=r"cell 1 .*chart cannot be drawn"):
        export_html(notebook(code("c", outputs=[altair_html(ALTAIR_4_UNIVERSAL, spec)])), strict_charts=True)


def test_object_repr_rule_keeps_anything_else():
    from ocx_reports.exporters.preprocessors.objectreprs import only_object_reprs

    for junk in (
        "[<matplotlib.lines.Line2D at 0x7f3a1c>,\n <matplotlib.lines.Line2D at 0x7f3a2d>]",
        "<AxesSubplot:title={'center':'a > b'}>",
        "[Text(0, 0, 'S1'), Text(1, 0, 'S2')]",
        "<BarContainer object of 3 artists>",
        "<__main__.Sample object at 0x7f00>",
        "array([[<Axes: >, <Axes: >],\n       [<Axes: >, <Axes: >]], dtype=object)",
    ):
        assert only_object_reprs(junk), junk
    for value in (
        "[]", "42", "'hello'", "(array([1., 2.]), array([0, 1, 2]), <BarContainer object of 2 artists>)",
        "[<Axes: >, 3]", "<Axes: > and more", "[" * 50 + "<Axes: >" + "]" * 50, "(" * 100_000,
    ):
        assert not only_object_reprs(value), value
    printed = notebook(code("print", outputs=[new_output("stream", name="stdout", text="<Axes: >\n")]))
    assert "<Axes: >" in unescape(export_html(printed))  # a stream is kept, whatever it prints
