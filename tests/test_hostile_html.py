"""Hostile notebooks: the HTML report runs no script and loads nothing, in a real browser.

Each vector tries to run a script that marks the page (``data-pwned-N``) and to load a URL
from a recording proxy. The report is opened as written, and once more with its
Content-Security-Policy removed, so the sanitizer is shown to hold on its own. The PDF
export of the same notebook must not fetch anything either.
"""

import base64
import re
from html import unescape
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import nbformat
import pytest
from browser import CSP_META, Beacon, open_page, without_csp
from helpers import code, export_html, export_pdf, html_output, markdown, new_output, notebook

from ocx_reports import report
from ocx_reports.exporters.engine.compat import stock_from_env

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
).decode()


def pwn(n: int) -> str:
    return f"document.documentElement.setAttribute('data-pwned-{n}', '1')"


def vectors(beacon: str):
    """(name, cell) pairs: every way we know for notebook content to reach the page."""
    def helper(shown):
        data, metadata = shown._repr_mimebundle_()
        return new_output("display_data", data=data, metadata=metadata)

    def bundle(data, **metadata):
        return new_output("display_data", data=data, metadata=metadata)

    yield "style slot", code(outputs=[bundle({"text/css": f"</style><script>{pwn(1)}</script><style>"},
                                             onecodex="head.style")])
    yield "set_style", code(outputs=[helper(report.set_style(
        f"</style><script>{pwn(2)}</script><link rel=stylesheet href='{beacon}/2.css'>"))])
    yield "png width", code(outputs=[bundle({"image/png": "x"}, **{"image/png": {"width": f"1 onerror={pwn(3)}"}})])
    yield "mermaid", code(outputs=[bundle({"text/vnd.mermaid": f"<img src=x onerror=\"{pwn(4)}\"><script>{pwn(4)}</script>"})])
    yield "css url and import", code(outputs=[html_output(
        f"<style>@import url({beacon}/5a.css); @import '{beacon}/5b.css';"
        f" p {{ background: url({beacon}/5c.png) }} q {{ background: \\75 rl({beacon}/5d.png) }}"
        f" @font-face {{ font-family: X; src: url({beacon}/5e.woff) }} b {{ font-family: X }}"
        f" i {{ background-image: image-set('{beacon}/5f.png' 1x) }}</style>"
        f"<p style=\"background-image: url('{beacon}/5g.png')\">styled</p><q>q</q><b>b</b><i>i</i>")])
    yield "filenames", code(outputs=[bundle({"image/png": PNG}, filenames={"image/png": f"{beacon}/6.png"})])
    yield "forged chart", code(outputs=[bundle(
        {"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"},
        ocx_chart={"alt": "x", "vega": {"$schema": "https://vega.github.io/schema/vega/v5.json",
                                         "data": [{"name": "d", "url": f"{beacon}/7.json"}]}})])
    yield "markdown html", markdown(
        f"<script>{pwn(8)}</script><img src='{beacon}/8a.png'><img src=x onerror=\"{pwn(8)}\">"
        f"<iframe src='{beacon}/8b'></iframe><object data='{beacon}/8c'></object>"
        f"<svg><image href='{beacon}/8d.png'/><script>{pwn(8)}</script></svg>"
        f"<video poster='{beacon}/8e.png'></video><link rel=stylesheet href='{beacon}/8f.css'>"
        f"<meta http-equiv=refresh content='0;url={beacon}/8g'><base href='{beacon}/8h/'>"
        f"<a rel=attachment href='.onecodex'>key</a><form action='{beacon}/8i'><button>x</button></form>"
        f"<table background='{beacon}/8j.png'><tr><td>t</td></tr></table>")
    yield "html output", code(outputs=[html_output(
        f"<body onload=\"{pwn(9)}\"><img src=x onerror=\"{pwn(9)}\"><details open ontoggle=\"{pwn(9)}\">"
        f"</details><a href=\"javascript:{pwn(9)}\">link</a><img srcset='{beacon}/9.png 1x'>")])
    yield "javascript output", code(outputs=[bundle({"application/javascript": pwn(10)})])
    yield "widget", code(outputs=[bundle({"application/vnd.jupyter.widget-view+json": {
        "model_id": f"</script><script>{pwn(11)}</script>", "version_major": 2, "version_minor": 0}})])
    yield "latex", code(outputs=[bundle({"text/latex": f"<script>{pwn(12)}</script>"})])
    yield "svg output", code(outputs=[bundle({"image/svg+xml":
        f"<svg xmlns='http://www.w3.org/2000/svg'><script>{pwn(13)}</script>"
        f"<image href='{beacon}/13.png' width='5' height='5'/></svg>"})])
    yield "svg figure with text, written into the page", code(outputs=[bundle({"image/svg+xml":
        f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='60' height='20'"
        f" onload=\"{pwn(21)}\"><style>@import url({beacon}/21a.css); text {{ fill: url({beacon}/21b.svg#g) }}"
        f" @font-face {{ font-family: Y; src: url({beacon}/21c.woff) }}</style><script>{pwn(21)}</script>"
        f"<text x='1' y='9' onclick=\"{pwn(21)}\" style='font-family: Y'>Shannon</text>"
        f"<a href=\"javascript:{pwn(21)}\"><text y='18'>link</text></a><use href='{beacon}/21d.svg#x'/>"
        f"<image xlink:href='{beacon}/21e.png' width='5' height='5'/><image href='data:image/svg+xml,<svg/>'/>"
        f"<foreignObject><img src=x onerror=\"{pwn(21)}\"></foreignObject>"
        f"<animate attributeName='href' to='javascript:{pwn(21)}'/><set attributeName='onclick' to='{pwn(21)}'/></svg>"})])
    extracted = code(outputs=[bundle({"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>"})])
    extracted.outputs[0]["svg_filename"] = f"{beacon}/20.svg"  # as nbconvert's ExtractOutputPreprocessor sets
    yield "extracted file names", extracted
    yield "logo and header", code(outputs=[
        helper(report.set_logo(f"{beacon}/14a.png", style=f"background: url({beacon}/14b.png)")),
        helper(report.set_center_header(f"<img src='{beacon}/14c.png'><script>{pwn(14)}</script>",
                                        style=f"background: url({beacon}/14d.png)")),
        helper(report.cover_sheet(f"<script>{pwn(14)}</script>T", f"<img src='{beacon}/14e.png'>", "", "")),
    ])
    yield "legend and title", code(outputs=[
        helper(report.title(f"<img src=x onerror=\"{pwn(15)}\">Title")),
        helper(report.legend(f"<script>{pwn(15)}</script>Legend", style=f"background:url({beacon}/15.png)")),
    ])
    if not stock_from_env():  # nbconvert's own preprocessing refuses a notebook that breaks the schema
        cell = code(outputs=[bundle({"text/plain": "tagged"})], tags=[f"\"><script>{pwn(16)}</script>"])
        cell["execution_count"] = f"<script>{pwn(16)}</script>"
        yield "tags and prompts", cell
    yield "markdown output", code(outputs=[bundle({"text/markdown": f"<script>{pwn(17)}</script>![x]({beacon}/17.png)"})])
    yield "raw html cell", nbformat.v4.new_raw_cell(f"<script>{pwn(18)}</script><img src='{beacon}/18.png'>",
                                                    metadata={"raw_mimetype": "text/html"})


def hostile_notebook(beacon: Beacon):
    nb = notebook(markdown("# Hostile"))
    nb.cells.extend(cell for _, cell in vectors(beacon.url))  # not all of it is a valid notebook
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0, "x": f"</script><script>{pwn(19)}</script>"}}
    return nb


def assert_inert(dom: str, beacon: Beacon):
    assert beacon.requests == []
    root = re.search(r"<html[^>]*>", dom).group(0)  # where a script that ran leaves its mark
    assert "data-pwned" not in root, root


@pytest.fixture
def beacon():
    server = Beacon()
    yield server
    server.close()


@pytest.mark.parametrize("interactive", [False, True], ids=["static", "interactive_charts"])
def test_hostile_notebook_runs_no_script_and_loads_nothing_in_a_browser(tmp_path, beacon, interactive):
    html = export_html(hostile_notebook(beacon), tmp_path, allow_errors=True, exclude_input_prompt=False,
                       exclude_output_prompt=False, interactive_charts=interactive)
    assert "<script" not in html  # interactive_charts adds its script only for charts it drew
    for name, page in (("report.html", html), ("no-csp.html", without_csp(html))):
        (tmp_path / name).write_text(page, encoding="utf-8")
        assert_inert(open_page(tmp_path / name, beacon), beacon)


def test_the_report_carries_a_policy_that_forbids_scripts_and_loads(tmp_path, beacon):
    html = export_html(notebook(markdown("# Plain")), tmp_path)
    policy = unescape(CSP_META.search(html).group(1))
    assert "default-src 'none'" in policy and "script-src 'none'" in policy and "img-src data:" in policy
    assert html.index("Content-Security-Policy") < html.index("<style")


def test_interactive_charts_draw_live_under_the_policy_and_load_nothing(tmp_path, beacon):
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "data": {"values": [{"a": "x", "b": 2}, {"a": "y", "b": 3}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}
    chart = new_output("display_data", data={"application/vnd.vegalite.v5+json": spec})
    html = export_html(notebook(code(outputs=[chart])), tmp_path, interactive_charts=True)
    assert html.count("<script>") == 1
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    dom = open_page(tmp_path / "report.html", beacon, budget_ms=5000)
    assert beacon.requests == []
    assert re.search(r'class="[^"]*\bocx-chart ocx-chart-live"', dom)  # drawn by vega-embed


def test_the_pdf_of_a_hostile_notebook_fetches_nothing(tmp_path, beacon, caplog):
    pdf = export_pdf(hostile_notebook(beacon), tmp_path, allow_errors=True)
    assert pdf.startswith(b"%PDF") and beacon.requests == []
    assert "Not loading" in caplog.text


@pytest.fixture(scope="session")
def nbconvert_test_notebooks(tmp_path_factory):
    """nbconvert's own test notebooks, from its source distribution on the package index."""
    folder = tmp_path_factory.mktemp("nbconvert-sdist")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         "-d", str(folder), f"nbconvert=={version('nbconvert')}"],
        check=True, capture_output=True, timeout=300,
    )
    (sdist,) = folder.glob("nbconvert-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.endswith(".ipynb") and "/tests/" in m.name]
        archive.extractall(folder, members=members, filter="data")
    found = sorted(folder.rglob("*.ipynb"))
    assert len(found) >= 20
    return found


@pytest.mark.slow
def test_nbconvert_test_notebooks_run_no_script_and_load_nothing(nbconvert_test_notebooks, tmp_path, beacon):
    for path in nbconvert_test_notebooks:
        nb = nbformat.read(path, as_version=4)
        page = tmp_path / f"{path.parent.parent.name}-{path.stem}.html"
        page.write_text(export_html(nb, path.parent, allow_errors=True), encoding="utf-8")
        dom = open_page(page, beacon, budget_ms=1000)
        assert beacon.requests == [], page.name
        assert "<script" not in dom.split("</head>", 1)[-1], page.name
