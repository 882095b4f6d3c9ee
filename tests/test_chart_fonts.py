"""Chart and figure text prints whatever font it asks for, and too-small text is warned of on every path."""

from __future__ import annotations

import base64
import io
import logging
import re

import pytest
from helpers import code, export_html, export_pdf, new_output, notebook

from ocx_reports.charts.fonts import FONT_FAMILY

VL5 = "application/vnd.vegalite.v5+json"
TAXA = ["Bacteroides", "Prevotella", "Akkermansia"]
VALUES = [{"sample": f"S{i}", "taxon": taxon, "abundance": (i * 5 + j * 3) % 7 + 1} for i in range(5) for j, taxon in enumerate(TAXA)]
#: The One Codex client's Altair theme: its fonts, as ``onecodex.viz.onecodex_theme`` sets them.
CLIENT_FONT = "Fira Sans, Helvetica"
CLIENT_THEME = {
    "axis": {"labelFont": CLIENT_FONT, "labelFontSize": 12, "titleFont": CLIENT_FONT, "titleFontSize": 12, "grid": False},
    "legend": {"labelFont": CLIENT_FONT, "labelFontSize": 12, "titleFont": CLIENT_FONT, "titleFontSize": 12},
    "title": {"font": CLIENT_FONT},
    "view": {"width": 400, "height": 400, "strokeWidth": 0},
    "background": "white",
}
#: Every word a chart of ``themed_spec`` prints: title, axis titles and labels, legend title and labels.
CHART_WORDS = ["Themed abundance", "Sample name", "Read share", "Taxon", *TAXA, *(f"S{i}" for i in range(5))]


def themed_spec(**config) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Themed abundance",
        "data": {"values": VALUES},
        "mark": "bar",
        "encoding": {
            "x": {"field": "sample", "type": "nominal", "title": "Sample name"},
            "y": {"field": "abundance", "type": "quantitative", "title": "Read share"},
            "color": {"field": "taxon", "type": "nominal", "title": "Taxon"},
        },
        "config": config or CLIENT_THEME,
    }


def kernel_svg(spec: dict) -> str:
    """The SVG a kernel draws of a chart with Altair's ``svg`` renderer: vl-convert, as is."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def enable_svg(spec: dict) -> str:
    """The SVG ``ocx_reports.charts.enable()``'s renderer adds to a chart's output in the kernel."""
    import ocx_reports.charts as ocx_charts

    bundle, _ = ocx_charts.renderer(spec)
    return bundle["image/svg+xml"]


def matplotlib_svg(figsize=(5, 3.5)) -> str:
    """A matplotlib figure saved as the inline backend saves it, text kept as text
    (``svg.fonttype = 'none'``: in DejaVu Sans, and one label in monospace)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure = Figure(figsize=figsize)
        axes = figure.subplots()
        axes.plot([1, 2, 3], [3, 1, 2], label="Plotted line")
        axes.set_title("Figure title")
        axes.set_xlabel("Horizontal label")
        axes.set_ylabel("Vertical label")
        axes.text(1.5, 2.5, "Fixed width note", family="monospace")
        axes.legend()
        out = io.StringIO()
        figure.savefig(out, format="svg", bbox_inches="tight")
    return out.getvalue()


MATPLOTLIB_WORDS = ["Figure title", "Horizontal label", "Vertical label", "Plotted line", "Fixed width note"]
#: Generic families, no family at all, and families set in a style sheet, a ``font``
#: shorthand and a ``style`` attribute with an entity-quoted name.
GENERIC_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="420" height="210">
<style>.sheet { font: italic 16px "Courier New", monospace; }</style>
<text x="10" y="25" font-family="monospace" font-size="16">Generic monospace</text>
<text x="10" y="50" font-family="sans-serif" font-size="16">Generic sansserif</text>
<text x="10" y="75" font-family="serif" font-size="16">Generic serif</text>
<text x="10" y="100" font-family="cursive" font-size="16">Generic cursive</text>
<text x="10" y="125" font-size="16">Named nowhere</text>
<text x="10" y="150" class="sheet">Style sheet shorthand</text>
<text x="10" y="175" style="font-family: &quot;Arial&quot;; font-size: 16px; font-weight: bold">Style attribute</text>
<text x="10" y="200" font-family="Helvetica" font-size="16">Named <tspan font-family="DejaVu Sans">inner span</tspan></text>
</svg>"""
GENERIC_WORDS = [
    "Generic monospace", "Generic sansserif", "Generic serif", "Generic cursive", "Named nowhere",
    "Style sheet shorthand", "Style attribute", "Named inner span",
]


def svg_output(svg: str, **data) -> dict:
    return new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>", **data})


#: Each way a chart or figure whose fonts the report does not have reaches the report.
FIGURES = {
    "chart JSON themed by the One Codex client": lambda: (
        new_output("display_data", data={VL5: themed_spec(), "text/plain": "<VegaLite chart>"}), CHART_WORDS
    ),
    "kernel-drawn SVG of that chart (Altair's svg renderer)": lambda: (
        svg_output(kernel_svg(themed_spec()), **{VL5: themed_spec()}), CHART_WORDS
    ),
    "kernel-drawn SVG of that chart (ocx_reports.charts.enable())": lambda: (
        svg_output(enable_svg(themed_spec()), **{VL5: themed_spec()}), CHART_WORDS
    ),
    "matplotlib SVG in DejaVu Sans": lambda: (svg_output(matplotlib_svg()), MATPLOTLIB_WORDS),
    "SVG in generic families": lambda: (svg_output(GENERIC_SVG), GENERIC_WORDS),
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("figure", FIGURES)
def test_every_title_axis_and_legend_label_prints_in_the_report_font(figure):
    import pdfplumber

    output, words = FIGURES[figure]()
    pdf = export_pdf(notebook(code("figure", outputs=[output])))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [char for page in document.pages for char in page.chars]
    text = squeeze("".join(char["text"] for char in chars))
    missing = [word for word in words if squeeze(word) not in text]
    assert not missing, f"not in the PDF: {missing}"
    fonts = {char["fontname"].split("+")[-1] for char in chars}
    assert all("SourceSansPro" in name.replace("-", "") for name in fonts), fonts


def html_figures(html: str) -> list[str]:
    """The SVG of each figure output in the HTML report (not the logo's): written into the page
    if it has text, else an image."""
    found = re.findall(r'data-mime-type="image/svg\+xml">\s*(?:<img[^>]*?src="data:image/svg\+xml;base64,([^"]+)"|(<svg\b.*?</svg>))', html, re.S)
    return [base64.b64decode(data).decode() if data else inline for data, inline in found]


@pytest.mark.parametrize("figure", FIGURES)
def test_html_figures_name_the_report_font_then_fallbacks(figure):
    output, words = FIGURES[figure]()
    (svg,) = html_figures(export_html(notebook(code("figure", outputs=[output]))))
    text = squeeze(re.sub(r"<[^>]+>", "", svg))
    assert all(squeeze(word) in text for word in words)
    families = re.findall(r'font-family="([^"]*)"', svg) + re.findall(r"font-family:\s*([^;\"'}]*)", svg)
    families += [value.split("px ", 1)[1] for value in re.findall(r"\bfont:\s*([^;\"'}]*)", svg)]
    assert families and {family.strip() for family in families} == {FONT_FAMILY}
    assert FONT_FAMILY.endswith("Helvetica Neue, Arial, sans-serif")
    assert re.search(r"<svg\b[^>]*font-family=", svg)  # for text that names no family


def test_a_chart_in_another_font_is_laid_out_with_the_report_font_it_prints_in():
    """vl-convert measures text in a font it lacks as a row of zeros in Liberation Sans:
    the chart is drawn in the report font instead, so its layout fits the printed labels."""
    from ocx_reports.charts.drawing import register_fonts, to_svg
    from ocx_reports.charts.specs import chart_for
    from ocx_reports.exporters.page import assets

    register_fonts(str(assets.font_dir()))
    report_font = {
        group: {key: value for key, value in settings.items() if key not in ("font", "labelFont", "titleFont")}
        for group, settings in CLIENT_THEME.items()
        if isinstance(settings, dict)
    }
    themed = to_svg(chart_for(VL5, themed_spec()))
    assert themed == to_svg(chart_for(VL5, themed_spec(**report_font, background="white")))
    assert "Fira" not in themed


def wide_chart_outputs(width: int) -> list[dict]:
    """Two kernel-drawn charts ``width`` px wide, as ``ocx_reports.charts.enable()`` makes them."""
    import altair as alt
    import pandas as pd

    import ocx_reports.charts as ocx_charts

    before = alt.theme.active, alt.renderers.active
    try:
        ocx_charts.enable()
        outputs = []
        for title in ("Wide one", "Wide two"):
            chart = alt.Chart(pd.DataFrame(VALUES), title=title).mark_bar().encode(x="sample", y="abundance")
            bundle, metadata = chart.properties(width=width)._repr_mimebundle_()
            assert "image/svg+xml" in bundle
            outputs.append(new_output("display_data", data=bundle, metadata=metadata))
        return outputs
    finally:
        alt.theme.enable(before[0])
        alt.renderers.enable(before[1])


def small_text_warnings(caplog, nb) -> list[str]:
    with caplog.at_level(logging.WARNING):
        export_pdf(nb)
    return [r.getMessage() for r in caplog.records if "smallest text prints at" in r.getMessage()]


def test_kernel_drawn_wide_chart_warns_once_per_cell_of_its_tiny_text(caplog):
    nb = notebook(code("normal", outputs=wide_chart_outputs(400)), code("wide", outputs=wide_chart_outputs(1600)))
    (warning,) = small_text_warnings(caplog, nb)  # one for the cell, not one per chart
    size = float(re.search(r"prints at ([\d.]+) pt", warning).group(1))
    assert warning.startswith("cell 2 (In [1]):") and 3.0 < size < 4.0, warning
    assert "narrower" in warning


def test_matplotlib_svg_with_tiny_text_warns_and_one_that_fits_does_not(caplog):
    wide, fitting = matplotlib_svg(figsize=(30, 3)), matplotlib_svg()
    nb = notebook(code("fits", outputs=[svg_output(fitting)]), code("wide", outputs=[svg_output(wide)]))
    (warning,) = small_text_warnings(caplog, nb)
    assert warning.startswith("cell 2 (In [1]):"), warning
