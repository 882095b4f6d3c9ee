"""The HTML report on screen: chart text in the report font (read back from Chromium), fonts
subset to the characters used as WOFF2 (the typical report under 300 KB), and tables that
scroll sideways on a phone instead of widening the page."""

import base64
import io
import json
import re
from html import unescape

import pytest
from browser import Beacon, open_page, without_csp
from fontTools.ttLib import TTFont
from helpers import code, export_html, markdown, new_output, notebook

from ocx_reports import render
from ocx_reports.demo import DEMO_MARK, DEMO_PROJECT, DEMO_URL_ENV, example_notebook
from ocx_reports.exporters.page import assets, fontmetrics
from ocx_reports.mockserver import DEMO_API_KEY, MockServer

#: Reads the page once its fonts are in: each chart text's drawn length, size and weight, and
#: whether the page is wider than the window. The report itself runs no script (its policy).
MEASURE = """<script>
addEventListener("load", () => document.fonts.ready.then(() => {
  const texts = ".jp-RenderedSVG svg text, .ocx-cover-logo svg tspan";
  const rows = [...document.querySelectorAll(texts)].filter(t => t.textContent.trim()).map(t => {
    const s = getComputedStyle(t);
    return [t.textContent, t.getComputedTextLength(), parseFloat(s.fontSize), s.fontWeight, parseFloat(s.letterSpacing) || 0];
  });
  const boxes = [...document.querySelectorAll(".ocx-table-scroll")].map(b => [b.scrollWidth, b.clientWidth]);
  const found = JSON.stringify({rows, boxes, page: document.documentElement.scrollWidth, window: innerWidth});
  if (parent !== window) { parent.postMessage(found, "*"); return; }
  const out = document.createElement("pre");
  out.id = "ocx-measured";
  out.textContent = found;
  document.body.append(out);
}));
</script>"""
#: A phone's screen: the report in a frame 375 CSS px wide (headless Chromium's windows are at
#: least 500 wide), which hands its measures to this page.
PHONE = """<!DOCTYPE html><html><body style="margin: 0">
<iframe src="measured.html" style="width: 375px; height: 800px; border: 0"></iframe>
<script>addEventListener("message", (event) => {
  const out = document.createElement("pre"); out.id = "ocx-measured"; out.textContent = event.data; document.body.append(out);
});</script></body></html>"""
FACES = {"400": "SourceSansPro-Regular.ttf", "600": "SourceSansPro-Semibold.ttf", "700": "SourceSansPro-Bold.ttf"}


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory):
    """The demo's HTML report: the example notebook run in a kernel against the demo API."""
    from ocx_reports.api import Api
    from ocx_reports.context import fetch_report_context

    path = example_notebook()
    nb = render.read_notebook(path)
    with MockServer() as server, Api(api_key=DEMO_API_KEY, base_url=server.url) as api:
        render.execute(nb, tmp_path_factory.mktemp("demo-html"), env={DEMO_URL_ENV: server.url}, notebook=path)
        context = fetch_report_context(api, project=DEMO_PROJECT)
    return render.export(nb, "html", path, context=context, project=DEMO_PROJECT, watermark=DEMO_MARK).decode()


def measured(html: str, tmp_path, phone: bool = False) -> dict:
    """What ``MEASURE`` finds in the report ``html`` opened in Chromium, on a phone's width if ``phone``."""
    page = tmp_path / "measured.html"
    page.write_text(without_csp(html).replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    if phone:
        (tmp_path / "phone.html").write_text(PHONE, encoding="utf-8")
    beacon = Beacon()
    try:
        dom = open_page(tmp_path / "phone.html" if phone else page, beacon, budget_ms=5000)
    finally:
        beacon.close()
    assert beacon.requests == []
    return json.loads(unescape(re.search(r'<pre id="ocx-measured">(.*?)</pre>', dom, re.S).group(1)))


def _width(text: str, size: float, weight: str, spacing: float = 0) -> float:
    """``text``'s advance width at ``size`` in Source Sans Pro's ``weight``, unkerned, with
    ``spacing`` after each character."""
    advances = fontmetrics.advances(assets.font_dir() / FACES[weight])
    return sum(advances.get(char, 0.5) for char in text) * size + spacing * len(text)


def test_chart_and_logo_text_is_drawn_in_the_report_font(demo_html, tmp_path):
    """Chromium draws every text of the demo's charts (Altair and matplotlib) and of its logo
    as wide as Source Sans Pro sets it; in an <img> it fell back to the system's sans-serif
    (DejaVu Sans here, about a fifth wider)."""
    rows = measured(demo_html, tmp_path)["rows"]
    assert len(rows) > 40 and {"ocx", "reports"} <= {text for text, *_ in rows}  # both figures' labels, the logo
    drawn = sum(length for _, length, *_ in rows)
    expected = sum(_width(text, size, weight, spacing) for text, _, size, weight, spacing in rows)
    assert drawn == pytest.approx(expected, rel=0.02)
    for text, length, size, weight, spacing in rows:
        if len(text) > 2:
            assert length == pytest.approx(_width(text, size, weight, spacing), rel=0.05), text


def test_the_typical_html_report_is_small_and_its_fonts_have_every_character_it_shows(demo_html):
    assert len(demo_html.encode()) < 300_000
    faces = re.findall(
        r'src: url\("data:font/woff2;base64,([^"]+)"\) format\("woff2"\); font-weight: (\d+); font-style: (\w+)', demo_html
    )
    used = {("400", "normal"), ("400", "italic"), ("600", "normal"), ("700", "normal"), ("700", "italic")}
    assert {(weight, style) for _, weight, style in faces} == used  # the demo has italic text
    body = demo_html.split("<body", 1)[1]
    shown = set(unescape(re.sub(r"<[^>]*>", "", re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S))))
    shown -= set("\n\t\r")
    assert {"—", "·", "’"} & shown  # the demo's own typography is in the subset too
    for data, weight, style in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff2"
        missing = {char for char in shown if ord(char) not in font.getBestCmap()}
        assert not missing, (weight, style, missing)
        assert len(font.getGlyphOrder()) < 300  # a subset, not the face's 1,900 glyphs


def test_tables_scroll_sideways_on_a_phone(demo_html, tmp_path):
    found = measured(demo_html, tmp_path, phone=True)
    assert found["window"] == 375
    assert found["page"] <= found["window"]  # the page itself never scrolls sideways
    assert any(scroll > width for scroll, width in found["boxes"])  # the custom metadata scrolls in its box


def test_each_outermost_table_sits_in_a_box_that_scrolls_on_screens_only():
    tables = "<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table><p>between</p><table><tr><td>2</td></tr></table>"
    html = export_html(notebook(code(outputs=[new_output("display_data", data={"text/html": tables})])))
    body = html.split('<main class="ocx-body">', 1)[1]
    assert body.count('<div class="ocx-table-scroll"><table') == 2 and body.count("<table") == 3
    screen = re.search(r"@media screen \{(.*?)\n\}", assets.TEMPLATES_DIR.joinpath("onecodex", "onecodex.css").read_text(), re.S)
    assert ".ocx-table-scroll { overflow-x: auto;" in screen.group(1)  # print media: a plain block


def _figure(svg: str):
    return new_output("display_data", data={"image/svg+xml": svg})


def test_svg_figures_are_written_in_with_ids_of_their_own():
    """Two figures using the same ids (matplotlib's clip paths, say) each keep their own;
    a figure without text stays an image; the figure's style sheet applies within it only."""
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='40pt' height='20pt' viewBox='0 0 40 20'>"
           "<style>*{stroke-linecap: butt}</style><defs><clipPath id='p1'><rect width='10' height='10'/></clipPath></defs>"
           "<g clip-path='url(#p1)'><text x='2' y='12'>{label}</text></g></svg>")
    shapes = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='5' height='5'/></svg>"
    outputs = [_figure(svg.replace("{label}", "A")), _figure(svg.replace("{label}", "B")), _figure(shapes)]
    html = export_html(notebook(code(outputs=outputs), markdown("# After")))
    body = html.split('<main class="ocx-body">', 1)[1]  # after the logo's (the header's and the cover's)
    figures = re.findall(r'<svg [^>]*id="(ocx-svg-\d+)"[^>]*>.*?</svg>', html, re.S)
    inline = re.findall(r'(<svg [^>]*id="(ocx-svg-\d+)"[^>]*>)(.*?)</svg>', body, re.S)
    charts = [(root, scope, inner) for root, scope, inner in inline if "<text" in inner]
    assert len(charts) == 2 and len(set(figures)) == len(figures)
    for root, scope, inner in charts:
        assert f'id="{scope}-p1"' in inner and f'clip-path="url(#{scope}-p1)"' in inner
        assert f"#{scope} * {{" in inner and 'role="img"' in root
    assert html.count("data:image/svg+xml;base64,") >= 1 and "<rect width=\"5\"" not in html  # shapes only: an <img>
