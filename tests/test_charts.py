"""Charts print as sharp vectors from chart JSON alone, never touch the network, and are cached."""

from __future__ import annotations

import base64
import copy
import io
import logging
import re
import subprocess
import sys

import pytest
from helpers import (
    code,
    engine_checked,
    export_html,
    export_pdf,
    exports_at_once,
    html_svgs,
    markdown,
    new_output,
    notebook,
    pdf_pages_text,
)

from ocx_reports.charts import specs, workers
from ocx_reports.exporters.errors import ReportError
from ocx_reports.exporters.layout import service, svgforms
from ocx_reports.exporters.page import assets
from ocx_reports.exporters.preprocessors import charts

VALUES = [
    {"sample": f"S{i}", "taxon": taxon, "abundance": (i * 7 + j * 3) % 11 + 1}
    for i in range(6)
    for j, taxon in enumerate(["Bacteroides", "Prevotella", "Faecalibacterium"])
]
AXES = {"x": {"field": "sample", "type": "nominal"}, "y": {"field": "abundance", "type": "quantitative"}}


def vegalite(version: str, **spec) -> dict:
    return {"$schema": f"https://vega.github.io/schema/vega-lite/{version}.json", "data": {"values": VALUES}, **spec}


def titled(x: str, y: str, **extra) -> dict:
    return {"x": {**AXES["x"], "title": x}, "y": {**AXES["y"], "title": y}, **extra}


def chart_output(mimetype: str, spec) -> dict:
    return new_output("display_data", data={mimetype: spec, "text/plain": "<VegaLite chart>"})


VL4, VL5, VL6 = (f"application/vnd.vegalite.v{n}+json" for n in (4, 5, 6))
#: (mimetype, spec, axis titles): one per chart kind the issue names; titles are unique.
GALLERY = [
    (VL4, vegalite("v4.17.0", mark="bar", encoding=titled("Bar sample", "Bar abundance")), ("Bar sample", "Bar abundance")),
    (
        VL5,
        vegalite("v5.17.0", mark="rect", encoding={
            "x": {"field": "sample", "type": "nominal", "title": "Heat sample"},
            "y": {"field": "taxon", "type": "nominal", "title": "Heat taxon"},
            "color": {"field": "abundance", "type": "quantitative"},
        }),
        ("Heat sample", "Heat taxon"),
    ),
    (
        VL6,
        vegalite("v6", mark="boxplot", encoding={
            "x": {"field": "taxon", "type": "nominal", "title": "Box taxon"},
            "y": {"field": "abundance", "type": "quantitative", "title": "Box abundance"},
        }),
        ("Box taxon", "Box abundance"),
    ),
    (
        VL5,
        vegalite("v5", encoding=titled("Layer sample", "Layer abundance"),
                 layer=[{"mark": "bar"}, {"mark": {"type": "rule", "color": "red"}, "encoding": {"y": {"aggregate": "mean", "field": "abundance"}}}]),
        ("Layer sample", "Layer abundance"),
    ),
    (
        VL6,
        vegalite("v6", mark="point", encoding=titled("Facet sample", "Facet abundance", column={"field": "taxon", "type": "nominal"})),
        ("Facet sample", "Facet abundance"),
    ),
    (
        VL5,
        vegalite("v5", hconcat=[
            {"mark": "bar", "encoding": titled("Left sample", "Left abundance")},
            {"mark": "line", "encoding": titled("Right sample", "Right abundance")},
        ]),
        ("Left sample", "Right abundance"),
    ),
    (
        VL6,
        vegalite("v6", mark="point", params=[{"name": "brush", "select": "interval"}],
                 encoding=titled("Brush sample", "Brush abundance",
                                 color={"condition": {"param": "brush", "value": "#16425b"}, "value": "#c9d6dd"})),
        ("Brush sample", "Brush abundance"),
    ),
    (
        VL5,
        vegalite("v5", mark="bar", width=1400, encoding=titled("Wide sample", "Wide abundance")),
        ("Wide sample", "Wide abundance"),
    ),
]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


#: The two ways SVG images reach the PDF: as PDF forms (a chart whose PDF is ready always;
#: other SVGs when a document holds enough to pay for loading the converter, its
#: MIN_SVG_BYTES), or drawn by WeasyPrint (when no PDF could be made).
SVG_DRAWING = ["drawn by WeasyPrint", "converted to PDF forms"]


def draw_svgs(patch, how: str) -> None:
    """Make the layout draw every SVG image itself, or place every one as a PDF form."""
    if how == "drawn by WeasyPrint":
        engine_checked()  # with chart forms working, before they are turned off here
        patch.setattr(charts, "form_stand_in", lambda key, svg: None)  # the report keeps each chart's SVG
        patch.setattr(svgforms, "convert_all", lambda images, ready: {})
    else:
        patch.setattr(svgforms, "MIN_SVG_BYTES", 0)


@pytest.fixture(scope="module", params=SVG_DRAWING)
def gallery_pdf(request) -> bytes:
    """The gallery's PDF, its SVGs drawn both ways."""
    cells = [code("chart", outputs=[chart_output(mimetype, spec)]) for mimetype, spec, _ in GALLERY]
    with pytest.MonkeyPatch.context() as patch:
        draw_svgs(patch, request.param)
        try:
            return export_pdf(notebook(*cells))
        finally:  # a layout service forked under these patches keeps them: the next export starts anew
            service.stop_all()


def test_chart_json_alone_prints_every_chart_as_vector_text_inside_the_page(gallery_pdf):
    import pdfplumber
    from pypdf import PdfReader

    pages = [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(gallery_pdf)).pages]
    for _, _, titles in GALLERY:
        on = [i for i, text in enumerate(pages) if all(squeeze(t) in text for t in titles)]
        assert on, f"axis titles {titles} missing from the PDF text"
    with pdfplumber.open(io.BytesIO(gallery_pdf)) as pdf:
        for page in pdf.pages:
            assert not page.images, "a chart was embedded as a raster image"
            assert page.curves or page.rects, "no vector paths on the page"
            for char in page.chars:
                assert 0 <= char["x0"] and char["x1"] <= page.width and 0 <= char["top"] and char["bottom"] <= page.height
            chart_fonts = {c["fontname"].split("+")[-1] for c in page.chars if c["text"] in "SB"}
            assert any(name.startswith("Source-Sans") for name in chart_fonts)


@pytest.mark.adapted
def test_svg_forms_keep_chart_words_apart_and_export_byte_identical(monkeypatch, layout_in_this_process):
    from pypdf import PdfReader

    monkeypatch.setattr(svgforms, "MIN_SVG_BYTES", 0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    nb = notebook(*(code("chart", outputs=[chart_output(m, s)]) for m, s, _ in GALLERY[:3]))
    first, second = export_pdf(nb), export_pdf(nb)
    assert first == second
    page = PdfReader(io.BytesIO(first)).pages[0]
    forms = [name for name in page["/Resources"]["/XObject"] if name.startswith("/ocxsvg")]
    assert len(forms) == 4  # the three charts and the header logo
    profiles = {form["/Resources"]["/ColorSpace"].raw_get("/cs0")[1].idnum for form in map(page["/Resources"]["/XObject"].get, forms)}
    assert len(profiles) == 1  # every converted image carries the same colour profile: stored once
    text = page.extract_text()
    assert "Bar sample" in text and "Heat taxon" in text  # WeasyPrint's own SVG text runs words together


def test_svg_that_refers_outside_itself_or_cannot_convert_is_left_to_weasyprint():
    inside = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    outside = inside.replace(b"<rect", b'<image href="file:///etc/hostname" width="5" height="5"/><rect')
    styled = inside.replace(b"<rect", b"<style>@import url(http://127.0.0.1:9/x.css);</style><rect")
    empty = inside.replace(b'width="10" height="10"><rect', b'width="0" height="0"><rect')
    assert svgforms.convert(inside) is not None
    for fragment in (b'fill="url(#paint)"', b"fill=\"url('#paint')\""):
        assert svgforms.convert(inside.replace(b"<rect", b"<rect " + fragment)) is not None
    for refers_outside in (outside, styled):  # WeasyPrint's URL fetcher applies the report's policy
        assert svgforms.convert(refers_outside) is None
    assert svgforms.convert(empty) is None


def test_wide_chart_is_scaled_to_the_printable_width_and_warns_about_tiny_text(caplog):
    wide = next(spec for _, spec, titles in GALLERY if titles[0] == "Wide sample")
    with caplog.at_level(logging.WARNING):
        html = export_html(notebook(code("c", outputs=[chart_output(VL5, wide)])))
    assert "ocx-chart-static" in html
    assert any("cell 1" in r.getMessage() and "prints at" in r.getMessage() for r in caplog.records)


def test_vegalite_versions_follow_schema_and_v4_falls_back_to_oldest_v5():
    shipped = ["5.8", "5.14", "5.21", "6.1", "6.4"]
    assert specs.vegalite_version(4, "https://vega.github.io/schema/vega-lite/v4.17.0.json", shipped) == "5.8"
    assert specs.vegalite_version(5, "https://vega.github.io/schema/vega-lite/v5.14.1.json", shipped) == "5.14"
    assert specs.vegalite_version(5, "https://vega.github.io/schema/vega-lite/v5.2.0.json", shipped) == "5.21"
    assert specs.vegalite_version(6, "", shipped) == "6.4"
    assert specs.vegalite_version(7, "", shipped) == "6.4"


def test_bad_and_remote_charts_show_a_placeholder_and_never_fetch(counting_server, caplog):
    base, log = counting_server
    remote = {"data": {"url": f"{base}/abundance.csv"}, "mark": "bar", "encoding": AXES}
    vega_remote = {"$schema": "https://vega.github.io/schema/vega/v5.json", "data": [{"name": "t", "url": f"{base}/v.csv"}]}
    nb = notebook(
        code("ok", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES))]),
        code("invalid", outputs=[chart_output(VL5, {"data": {"values": VALUES}, "mark": "no-such-mark"})]),
        code("remote", outputs=[chart_output(VL5, remote)]),
        code("vega remote", outputs=[chart_output("application/vnd.vega.v5+json", vega_remote)]),
        code("not json", outputs=[chart_output(VL6, "{not json")]),
    )
    with caplog.at_level(logging.WARNING):
        pdf = export_pdf(nb)
        html = export_html(nb)
    assert not log.exists(), f"the export made network requests: {log.read_text()}"
    assert html.count('class="ocx-not-shown"') == 4
    assert "abundance.csv" in html
    warned = " ".join(r.getMessage() for r in caplog.records)
    for cell in ("cell 2", "cell 3", "cell 4", "cell 5"):
        assert f"{cell} (In [1]): the chart cannot be drawn" in warned
    from helpers import pdf_pages_text

    assert "Chart not shown" in " ".join(pdf_pages_text(pdf))


def test_strict_charts_fails_naming_the_cell():
    nb = notebook(
        code("ok", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES))]),
        code("bad", outputs=[chart_output(VL5, {"mark": "no-such-mark"})]),
    )
    with pytest.raises(ReportError, match=r"cell 2 .*chart cannot be drawn"):
        export_html(nb, strict_charts=True)


def test_a_chart_that_fails_while_the_report_renders_is_drawn_once_and_shows_its_placeholder(conversions, caplog):
    bad = {"data": {"values": VALUES}, "mark": "no-such-mark"}
    nb = notebook(
        code("ok", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=titled("Fine x", "Fine y")))]),
        code("bad", outputs=[chart_output(VL5, bad)]),
    )
    with caplog.at_level(logging.WARNING):
        html = export_html(nb)
    assert len(conversions) == 2  # the report is rendered again, but nothing is drawn again
    assert html.count('class="ocx-not-shown"') == 1 and html.count('class="ocx-chart-static"') == 1
    embedded = html_svgs(html)
    assert embedded and not [svg for svg in embedded if "data-ocx-drawing" in svg]  # no stand-in left
    warnings = [r.getMessage() for r in caplog.records if "cannot be drawn" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("cell 2 (In [1]): the chart cannot be drawn")


@pytest.fixture
def conversions(monkeypatch):
    """Count the charts sent to a chart worker process to be drawn."""
    drawn = []
    real = workers._Worker.draw

    def counting(worker, chart, pdf):
        drawn.append(chart)
        return real(worker, chart, pdf)

    monkeypatch.setattr(workers._Worker, "draw", counting)
    return drawn


def test_cache_hits_skip_conversion(tmp_path, conversions):
    bar = vegalite("v5", mark="bar", encoding=AXES)
    other = copy.deepcopy(bar) | {"mark": "point"}
    nb = notebook(*(code("c", outputs=[chart_output(VL5, spec)]) for spec in (bar, bar, other)))
    cache_dir = tmp_path / "charts"

    from ocx_reports.exporters import OneCodexHTMLExporter

    exporter = OneCodexHTMLExporter(chart_cache_dir=str(cache_dir))
    first, _ = exporter.from_notebook_node(copy.deepcopy(nb))
    assert len(conversions) == 2  # the repeated chart is drawn once
    exporter.from_notebook_node(copy.deepcopy(nb))
    assert len(conversions) == 2  # same exporter: memory cache
    assert len(list(cache_dir.glob("*.svg"))) == 2
    again = export_html(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
    assert len(conversions) == 2  # new exporter, same directory: disk cache
    assert len(html_svgs(again, "ocx-chart-static")) == len(html_svgs(first, "ocx-chart-static")) == 3


@pytest.mark.adapted
def test_pdf_report_places_the_pdf_each_chart_worker_made_and_caches_it(
    tmp_path, monkeypatch, conversions, layout_in_this_process
):
    """The layout converts no chart itself: the workers did, cold, and the cache has them warm."""
    import vl_convert
    from pypdf import PdfReader

    monkeypatch.setattr(svgforms, "MIN_SVG_BYTES", 0)

    here, svg_to_pdf = [], vl_convert.svg_to_pdf
    monkeypatch.setattr(vl_convert, "svg_to_pdf", lambda svg: here.append(svg) or svg_to_pdf(svg))
    nb = notebook(*(code("chart", outputs=[chart_output(m, s)]) for m, s, _ in GALLERY[:3]))
    cache_dir = tmp_path / "charts"
    export_html(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
    assert len(conversions) == 3 and not list(cache_dir.glob("*.pdf.b64"))  # HTML reports need no PDF
    cache_dir = tmp_path / "pdf-charts"
    for run in ("cold", "warm"):
        pdf = export_pdf(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
        assert len(conversions) == 6, run  # the warm export draws nothing
        assert len(list(cache_dir.glob("*.pdf.b64"))) == 3
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        forms = [name for name in page["/Resources"]["/XObject"] if name.startswith("/ocxsvg")]
        assert len(forms) == 4, run  # the three charts and the header logo
        assert "Bar sample" in page.extract_text()
        assert here and not [svg for svg in here if 'class="marks"' in svg], run  # only the logo: no Vega chart


@pytest.mark.adapted
def test_pdf_report_html_carries_a_sized_stand_in_for_each_chart_and_prints_the_same(
    monkeypatch, conversions, layout_in_this_process
):
    """The layout gets, for each chart whose PDF is ready, an empty SVG of its size instead
    of its SVG (parsed, decoded and hashed by every layout process before), and the page
    is the same: every character of the charts at the same place, at the same size."""
    import pdfplumber

    monkeypatch.setattr(svgforms, "MIN_SVG_BYTES", 0)
    seen, convert_all = [], svgforms.convert_all
    monkeypatch.setattr(
        svgforms, "convert_all", lambda images, ready: seen.extend(map(svgforms.svg_source, images)) or convert_all(images, ready)
    )
    nb = notebook(*(code("chart", outputs=[chart_output(m, s)]) for m, s, _ in GALLERY[:4]))

    def chars(pdf: bytes) -> list[tuple]:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            return [(c["text"], round(c["x0"], 2), round(c["top"], 2), round(c["size"], 2)) for p in document.pages for c in p.chars]

    with_stand_ins = export_pdf(copy.deepcopy(nb))
    charts_seen = [svg for svg in seen if b"data-ocx-chart" in svg]
    assert len(charts_seen) == 4 and all(len(svg) < 300 and b"<text" not in svg for svg in charts_seen)
    seen.clear()
    monkeypatch.setattr(charts, "form_stand_in", lambda key, svg: None)
    with_svgs = export_pdf(copy.deepcopy(nb))
    assert len([svg for svg in seen if b'class="marks"' in svg]) == 4  # the charts' own SVGs
    assert chars(with_stand_ins) == chars(with_svgs)
    assert "Barsample" in squeeze("".join(c[0] for c in chars(with_stand_ins)))


@pytest.mark.adapted
def test_chart_text_is_embedded_from_the_truetype_faces():
    """The chart workers' converter reads the report font's TrueType files only (faster
    than the package's OpenType/CFF ones, see ``assets.chart_font_dir``): each chart's
    text is in TrueType subsets, where the converter used to mix the two kinds."""
    from pypdf import PdfReader

    nb = notebook(*(code("chart", outputs=[chart_output(m, s)]) for m, s, _ in GALLERY[:4]))
    page = PdfReader(io.BytesIO(export_pdf(nb))).pages[0]
    kinds = set()
    for name, form in page["/Resources"]["/XObject"].items():
        if name.startswith("/ocxsvg") and "/Font" in form["/Resources"]:
            for font in form["/Resources"]["/Font"].values():
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                kinds |= {key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descendant["/FontDescriptor"]}
    assert kinds == {"/FontFile2"}
    assert all(path.suffix == ".ttf" for path in assets.chart_font_dir().iterdir())


@pytest.mark.adapted
def test_chart_font_links_come_back_where_a_cleaner_removed_them():
    """A temporary-file cleaner may empty the links folder under a long-lived process: a
    chart worker started after that still draws its chart's text in the report font."""
    import shutil

    from pypdf import PdfReader

    links = assets.chart_font_dir()
    shutil.rmtree(links)
    for worker in workers._workers:  # the next export starts new ones
        worker.stop()
    workers._workers.clear()
    nb = notebook(code("chart", outputs=[chart_output(*GALLERY[0][:2])]))
    page = PdfReader(io.BytesIO(export_pdf(nb))).pages[0]
    assert all(squeeze(t) in squeeze(page.extract_text()) for t in GALLERY[0][2])
    forms = [form for name, form in page["/Resources"]["/XObject"].items() if name.startswith("/ocxsvg")]
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1] for form in forms for font in form["/Resources"]["/Font"].values()}
    assert fonts and all(name.startswith("SourceSansPro-") for name in fonts), fonts
    assert assets.chart_font_dir() == links


@pytest.mark.adapted
def test_pdf_report_places_kernel_drawn_svgs_as_forms_converted_in_the_background(tmp_path, monkeypatch, conversions):
    """An SVG the kernel drew (a chart saved with its SVG, a matplotlib figure) is converted
    by a chart worker while the exporter loads WeasyPrint, not drawn by the layout in
    Python, however little SVG the report has; the cache keeps the conversion."""
    import vl_convert
    from pypdf import PdfReader

    svg = vl_convert.vegalite_to_svg(vegalite("v5", mark="bar", encoding=AXES, title="Kernel drawn"))
    here = []
    monkeypatch.setattr(vl_convert, "svg_to_pdf", here.append)  # the layout converts nothing itself
    nb = notebook(code("chart", outputs=[new_output("display_data", data={"image/svg+xml": svg, "text/plain": "c"})]))
    cache_dir = tmp_path / "charts"
    for run in ("cold", "warm"):
        pdf = export_pdf(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
        assert [type(job).__name__ for job in conversions] == ["Figure"], run  # converted once, then cached
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        assert [name for name in page["/Resources"]["/XObject"] if name.startswith("/ocxsvg")], run
        assert "Kernel drawn" in page.extract_text()
    assert not here
    assert any("Kernel drawn" in svg for svg in html_svgs(export_html(copy.deepcopy(nb))))
    assert len(conversions) == 1  # the HTML report converts nothing


@pytest.mark.adapted
def test_pdf_report_html_carries_a_sized_stand_in_for_each_kernel_drawn_svg_too(monkeypatch, layout_in_this_process):
    """A kernel-drawn SVG whose PDF is ready reaches the layout as an empty SVG of its size, like
    a drawn chart (a matplotlib figure with its XML declaration and doctype included), and
    prints the same. (nbconvert's ``skip_svg_encoding``, which would write it inline for the
    sanitizer to remove, does not apply to the report.)"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pdfplumber
    import vl_convert

    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text, not paths
    figure, axes = plt.subplots(figsize=(4, 2))
    axes.bar(["alpha", "beta"], [3, 5])
    axes.set_title("Matplotlib drawn")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    svgs = [vl_convert.vegalite_to_svg(vegalite("v5", mark="bar", encoding=AXES, title="Vega drawn")), buffer.getvalue()]
    assert svgs[1].startswith("<?xml")
    nb = notebook(*(code("f", outputs=[new_output("display_data", data={"image/svg+xml": s, "text/plain": "f"})]) for s in svgs))
    seen, convert_all = [], svgforms.convert_all
    monkeypatch.setattr(
        svgforms, "convert_all", lambda images, ready: seen.extend(map(svgforms.svg_source, images)) or convert_all(images, ready)
    )

    def chars(pdf: bytes) -> list[tuple]:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            return [(c["text"], round(c["x0"], 2), round(c["top"], 2), round(c["size"], 2)) for p in document.pages for c in p.chars]

    with_stand_ins = export_pdf(copy.deepcopy(nb))
    figures_seen = [svg for svg in seen if b"data-ocx-chart" in svg]
    assert len(figures_seen) == 2 and all(len(svg) < 400 for svg in figures_seen)
    assert not [svg for svg in seen if len(svg) > 5000]  # neither figure's own SVG
    seen.clear()
    inlined = export_pdf(copy.deepcopy(nb), skip_svg_encoding=True)
    monkeypatch.setattr(charts, "form_stand_in", lambda key, svg: None)
    with_svgs = export_pdf(copy.deepcopy(nb))
    assert chars(with_stand_ins) == chars(with_svgs)
    for pdf in (with_stand_ins, inlined):
        text = squeeze("".join(c[0] for c in chars(pdf)))
        assert "Vegadrawn" in text and "Matplotlibdrawn" in text


@pytest.mark.adapted
def test_damaged_cached_chart_pdfs_are_passed_over(tmp_path, monkeypatch, conversions, caplog, layout_in_this_process):
    """A damaged cache file costs a conversion in the layout, never the export or a
    warning of the PDF reader's."""
    import base64

    from pypdf import PdfReader

    monkeypatch.setattr(svgforms, "MIN_SVG_BYTES", 0)
    nb = notebook(*(code("chart", outputs=[chart_output(m, s)]) for m, s, _ in GALLERY[:4]))
    cache_dir = tmp_path / "charts"
    export_pdf(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
    damage = [
        "not base64 @@",
        base64.b64encode(b"<html>not a PDF</html>").decode(),
        base64.b64encode(b"%PDF-1.7 cut").decode(),
        base64.b64encode(b"%PDF-1.7\n1 0 obj (no pages) endobj\n%%EOF\n").decode(),  # looks whole, has no page
    ]
    for path, text in zip(sorted(cache_dir.glob("*.pdf.b64")), damage, strict=True):
        path.write_text(text)
    with caplog.at_level(logging.WARNING):
        pdf = export_pdf(copy.deepcopy(nb), chart_cache_dir=str(cache_dir))
    assert len(conversions) == 4  # the warm export still draws nothing
    assert not [r for r in caplog.records if r.name.startswith("pypdf")], caplog.text
    text = squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert all(squeeze(t) in text for _, _, titles in GALLERY[:4] for t in titles)


def test_existing_svg_is_used_and_priority_trait_can_prefer_the_json(conversions):
    marker = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><title>kernel-made</title></svg>'
    output = new_output("display_data", data={VL5: vegalite("v5", mark="bar", encoding=AXES), "image/svg+xml": marker})
    nb = notebook(code("c", outputs=[output]))
    import base64

    encoded = base64.b64encode(marker.encode()).decode()
    assert encoded in export_html(copy.deepcopy(nb))
    assert not conversions
    redrawn = export_html(copy.deepcopy(nb), figure_priority=[VL5, "image/svg+xml"])
    assert encoded not in redrawn and len(conversions) == 1


def test_matplotlib_svg_is_preferred_over_png_and_png_fits_the_page():
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_xlabel("Matplotlib days")
    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(svg, format="svg")
    fig.savefig(png, format="png", dpi=150)  # 1800 px wide: wider than the page
    plt.close(fig)
    png_b64 = base64.b64encode(png.getvalue()).decode()
    both = new_output("display_data", data={"image/png": png_b64, "image/svg+xml": svg.getvalue()})
    html = export_html(notebook(code("c", outputs=[both])))
    assert html_svgs(html) and "data:image/png" not in html

    import pdfplumber

    only_png = new_output("display_data", data={"image/png": png_b64})
    pdf = export_pdf(notebook(code("c", outputs=[only_png])))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        (image,) = page.images
        assert image["srcsize"] == (1800, 450)  # embedded at its own resolution
        assert 0 <= image["x0"] and image["x1"] <= page.width - 0.75 * 72 + 1  # scaled into the margins
        assert image["width"] / image["height"] == pytest.approx(4, rel=0.01)


def test_html_report_has_no_external_references_static_or_interactive():
    nb = notebook(code("c", outputs=[chart_output(VL6, vegalite("v6", mark="bar", encoding=AXES))]))
    static = export_html(copy.deepcopy(nb))
    assert "<script" not in static
    live = export_html(copy.deepcopy(nb), interactive_charts=True)
    assert "script.ocx-chart-spec" in live and 'class="ocx-chart-spec"' in live and "ocx-chart-static" in live
    for html in (static, live):
        outside_scripts = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", outside_scripts)
        assert not re.search(r"<script[^>]*\bsrc=", html)
        assert not re.search(r"<link\b", html)


def test_pdf_ignores_interactive_charts():
    nb = notebook(code("c", outputs=[chart_output(VL6, vegalite("v6", mark="bar", encoding=AXES))]))
    from ocx_reports.exporters import OneCodexPDFExporter

    exporter = OneCodexPDFExporter(interactive_charts=True)
    exporter.from_notebook_node(nb)
    assert exporter._charts.interactive_charts is False


def test_charts_are_drawn_by_worker_processes_one_more_per_batch(monkeypatch, conversions):
    import vl_convert

    def in_this_process(*args, **kwargs):
        pytest.fail("a chart was drawn in the exporter process")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", in_this_process)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers, "_workers", [])
    lone = vegalite("v5", mark="bar", encoding=AXES, title="Lone chart")
    assert 'aria-label="Lone chart"' in export_html(notebook(code("c", outputs=[chart_output(VL5, lone)])))
    assert len(workers._workers) == 1
    specs = [vegalite("v5", mark="bar", encoding=AXES, title=f"Worker chart {i}") for i in range(2 * workers.CHARTS_PER_WORKER)]
    html = export_html(notebook(*(code("c", outputs=[chart_output(VL5, s)]) for s in specs)))
    assert html.count('aria-label="Worker chart ') == len(specs)
    assert len(workers._workers) == 2
    assert len(conversions) == 1 + len(specs)


def test_altair_is_not_imported_by_the_package_or_exporters():
    check = "import sys, ocx_reports, ocx_reports.exporters.pdf; assert 'altair' not in sys.modules and 'vl_convert' not in sys.modules"
    subprocess.run([sys.executable, "-c", check], check=True)


def test_chart_worker_starts_without_altair_or_nbconvert():
    """The worker lives in ``ocx_reports.charts``, the package whose public names (``enable``,
    the theme) need Altair: starting it, as an export does, loads neither Altair nor nbconvert."""
    worker = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ocx_reports.charts.drawing", str(assets.chart_font_dir())],
        input="", capture_output=True, text=True, check=True,
    )
    imported = {line.split("|")[-1].strip() for line in worker.stderr.splitlines() if line.startswith("import time:")}
    assert "ocx_reports.charts.drawing" in imported or "ocx_reports.charts.fonts" in imported
    assert not {"altair", "nbconvert", "ocx_reports.exporters"} & imported


def test_chart_package_loads_altair_when_its_public_names_are_first_used():
    check = (
        "import sys, ocx_reports.charts as charts\n"
        "assert 'altair' not in sys.modules\n"
        "from ocx_reports.charts import enable, PALETTE, NAME\n"
        "assert 'altair' in sys.modules and callable(enable) and PALETTE[0] == '#16425b'\n"
        "import altair as alt\n"
        "assert NAME in alt.theme.names() and NAME in alt.renderers.names()\n"
        "assert charts.theme()['config']['font'].startswith('Source Sans Pro')\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


def test_enable_brands_altair_charts_and_adds_svg_to_the_bundle():
    import altair as alt
    import pandas as pd

    import ocx_reports.charts as ocx_charts

    before = alt.theme.active, alt.renderers.active
    try:
        ocx_charts.enable()
        frame = pd.DataFrame(VALUES)
        chart = alt.Chart(frame).mark_bar().encode(x=alt.X("sample", title="Altair sample"), y="abundance", color="taxon")
        bundle, _ = chart._repr_mimebundle_()
        spec = bundle[ocx_charts.MIMETYPE]
        assert spec["config"]["font"].startswith("Source Sans Pro,")
        assert spec["config"]["range"]["category"][:2] == ["#16425b", "#2f9c95"]
        svg = bundle["image/svg+xml"]
        assert 'font-family="Source Sans Pro, ' in svg and "Altair sample" in svg and "#16425b" in svg
    finally:
        alt.theme.enable(before[0])
        alt.renderers.enable(before[1])


def test_export_starts_drawing_charts_first_and_preprocessing_reuses_that_drawing(monkeypatch):
    """The PDF export takes its layout service first (a new one sets WeasyPrint up meanwhile;
    one forked later could catch the chart feeders' threads); then the chart workers' engines
    start while the exporter copies the notebook, and the report renders and its tables are
    rewritten before the export waits for the charts."""
    from nbconvert.exporters import templateexporter

    from ocx_reports.exporters.layout import service
    from ocx_reports.exporters.page import tables
    from ocx_reports.exporters.preprocessors.error_outputs import ErrorOutputPreprocessor

    events = []
    real_drawing, real_errors, real_held = workers.Drawing.__init__, ErrorOutputPreprocessor.preprocess, service.held
    real_wait, real_base64 = workers.Drawing.wait, templateexporter.default_filters["text_base64"]
    monkeypatch.setattr(workers.Drawing, "__init__", lambda self, todo, pdf: events.append(len(todo)) or real_drawing(self, todo, pdf))
    monkeypatch.setattr(ErrorOutputPreprocessor, "preprocess", lambda self, *a: events.append("preprocess") or real_errors(self, *a))
    monkeypatch.setattr(service, "held", lambda *a: events.append("layout service") or real_held(*a))
    monkeypatch.setattr(workers.Drawing, "wait", lambda self: events.append("wait") or real_wait(self))
    real_tables = tables.TablePolicy.__call__
    monkeypatch.setattr(tables.TablePolicy, "__call__", lambda self, html: events.append("tables") or real_tables(self, html))
    monkeypatch.setitem(  # the template embedding a chart's SVG
        templateexporter.default_filters, "text_base64", lambda text: events.append("render") or real_base64(text)
    )
    specs = [vegalite("v5", mark="bar", encoding=AXES, title=f"Early chart {i}") for i in range(3)]
    nb = notebook(*(code("c", outputs=[chart_output(VL5, s)]) for s in specs + specs[:1]))
    pdf = export_pdf(nb)
    # One drawing of the three distinct charts, before anything else; the report renders
    # (with stand-ins) while they are drawn, and only then does the export wait for them.
    assert events == ["layout service", 3, "preprocess", "render", "render", "render", "render", "tables", "wait"]
    text = squeeze(" ".join(pdf_pages_text(pdf)))
    assert all(f"Earlychart{i}" in text for i in range(3))
    events.clear()
    export_pdf(notebook(markdown("No charts here.")))
    assert events == ["layout service", "preprocess", "tables"]  # nothing to wait for


VEGA_BAR = {
    "$schema": "https://vega.github.io/schema/vega/v5.json",
    "width": 300, "height": 150,
    "title": "Vega abundance",
    "data": [{"name": "table", "values": VALUES[:6]}],
    "scales": [
        {"name": "x", "type": "band", "domain": {"data": "table", "field": "sample"}, "range": "width"},
        {"name": "y", "domain": {"data": "table", "field": "abundance"}, "range": "height"},
    ],
    "axes": [{"orient": "bottom", "scale": "x", "title": "Vega sample"}, {"orient": "left", "scale": "y"}],
    "marks": [{
        "type": "rect", "from": {"data": "table"},
        "encode": {"enter": {
            "x": {"scale": "x", "field": "sample"}, "width": {"scale": "x", "band": 1},
            "y": {"scale": "y", "field": "abundance"}, "y2": {"scale": "y", "value": 0},
        }},
    }],
}


@pytest.mark.parametrize("drawing", SVG_DRAWING)
def test_vega_specs_print_in_the_report_font(drawing, monkeypatch):
    import pdfplumber

    draw_svgs(monkeypatch, drawing)
    pdf = export_pdf(notebook(code("vega", outputs=[chart_output("application/vnd.vega.v5+json", VEGA_BAR)])))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    assert "Vegasample" in squeeze("".join(c["text"] for c in chars))
    chart_fonts = {c["fontname"].split("+")[-1] for c in chars if c["text"] in "Vgs"}
    assert chart_fonts and all("Source" in name.replace("-", "") for name in chart_fonts), chart_fonts


@pytest.fixture
def crashing_chart(monkeypatch):
    """Fresh chart workers, one of which dies when asked to draw the chart titled "Crashing chart"."""
    real = workers._Worker.draw

    def crash(worker, chart, pdf):
        if getattr(chart, "spec", {}).get("title") != "Crashing chart":
            return real(worker, chart, pdf)
        with worker.lock:  # the converter dies on this chart
            worker.process.kill()
            worker.process.wait()
        raise OSError("no reply")

    monkeypatch.setattr(workers._Worker, "draw", crash)
    monkeypatch.setattr(workers, "_workers", [])


def test_a_chart_that_stops_its_converter_fails_alone(crashing_chart, caplog):
    titles = ["Before chart", "Crashing chart", "After chart"]
    nb = notebook(*(code("c", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES, title=t))]) for t in titles))
    with caplog.at_level(logging.WARNING):
        html = export_html(nb)
    assert 'aria-label="Before chart"' in html and 'aria-label="After chart"' in html
    assert 'aria-label="Crashing chart"' not in html and "Chart not shown" in html
    assert "cell 2" in caplog.text and "stopped while drawing it" in caplog.text


@pytest.mark.adapted
def test_pdf_report_rendered_again_after_a_failed_chart_still_places_the_others_as_forms(crashing_chart):
    """The report renders again to show the failed chart's placeholder; the charts that were
    drawn, and an SVG the kernel drew, keep their converted forms."""
    import vl_convert
    from pypdf import PdfReader

    kernel_svg = vl_convert.vegalite_to_svg(vegalite("v5", mark="bar", encoding=AXES, title="Kernel drawn"))
    cells = [
        code("c", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES, title=title))])
        for title in ("Before chart", "Crashing chart")
    ]
    cells.append(code("k", outputs=[new_output("display_data", data={"image/svg+xml": kernel_svg, "text/plain": "k"})]))
    pdf = PdfReader(io.BytesIO(export_pdf(notebook(*cells))))
    assert "Chart not shown" in " ".join(page.extract_text() for page in pdf.pages)
    forms = [name for name in pdf.pages[0]["/Resources"]["/XObject"] if name.startswith("/ocxsvg")]
    assert len(forms) == 2  # "Before chart" and the kernel's SVG


def test_a_chart_that_failed_is_tried_again_in_the_next_export(crashing_chart, monkeypatch):
    """A batch build reuses one exporter: a converter crash must not fail that chart for good."""
    from ocx_reports.exporters import OneCodexHTMLExporter

    exporter = OneCodexHTMLExporter()
    nb = notebook(code("c", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES, title="Crashing chart"))]))
    first, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": "."}})
    assert "Chart not shown" in first
    monkeypatch.undo()  # the converter no longer crashes
    second, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": "."}})
    assert 'aria-label="Crashing chart"' in second and "Chart not shown" not in second


def test_charts_fail_with_a_reason_when_no_converter_process_can_start(crashing_chart, monkeypatch, caplog):
    """The first worker starts and is then stopped by a crashing chart; no replacement can start."""
    real_init = workers._Worker.__init__
    spawned = []

    def start_once(worker, font_dir):
        if spawned:
            raise OSError("no processes left")
        spawned.append(worker)
        real_init(worker, font_dir)

    monkeypatch.setattr(workers._Worker, "__init__", start_once)
    titles = ["Crashing chart", "Stranded chart"]
    nb = notebook(*(code("c", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES, title=t))]) for t in titles))
    with caplog.at_level(logging.WARNING):
        html = export_html(nb)
    assert html.count("Chart not shown") == 2
    assert "stopped while drawing it" in caplog.text and "could not be started" in caplog.text
    monkeypatch.setattr(workers, "_workers", [])
    with caplog.at_level(logging.WARNING):
        assert "Chart not shown" in export_html(notebook(code("c", outputs=[chart_output(VL5, vegalite("v5", mark="bar", encoding=AXES))])))
    assert caplog.text.count("could not be started") == 2


def test_exports_in_threads_at_once_each_show_their_own_charts(tmp_path, monkeypatch):
    """A Dask worker may run several builds at once in threads: each has its own exporter,
    and they share the chart workers."""
    from ocx_reports import render

    def build(name):
        spec = vegalite("v5", mark="bar", encoding=titled(f"{name} samples", f"{name} reads"))
        nb = notebook(*(code("c", outputs=[chart_output(VL5, {**spec, "title": f"{name} {i}"})]) for i in range(3)))
        return render.export(nb, "html", tmp_path / f"{name}.ipynb").decode()

    results = exports_at_once(monkeypatch, build)
    for name, other in (("Alpha", "Beta"), ("Beta", "Alpha")):
        charts_shown = " ".join(svg for svg in html_svgs(results[name]) if "data-ocx-drawing" not in svg)
        assert all(f"{name} {i}" in charts_shown for i in range(3))
        assert f"{other} samples" not in charts_shown
