"""What a report may load: nothing from the network, nothing outside the notebook's folder."""

import http.server
import re
import threading

import pytest
from helpers import code, export_html, export_pdf, html_output, markdown, new_output, notebook, pdf_pages_text


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server, path):
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_remote_images_and_stylesheets_are_never_requested(counting_server, caplog):
    style = new_output(
        "display_data",
        data={"text/css": f'<style>@import url("{_url(counting_server, "/style.css")}");'
              f'body {{ background: url("{_url(counting_server, "/bg.png")}"); }}</style>'},
        metadata={"onecodex": "head.style"},
    )
    nb = notebook(
        markdown(f"![remote chart]({_url(counting_server, '/chart.png')})"),
        code(outputs=[html_output(f'<img src="{_url(counting_server, "/raw.png")}">'), style]),
    )
    export_pdf(nb)
    html = export_html(nb)
    assert counting_server.hits == []
    assert "/chart.png" not in html and "/raw.png" not in html
    assert "chart.png" in caplog.text and "never fetch" in caplog.text


def test_files_outside_the_notebook_folder_are_not_embedded(tmp_path, caplog):
    nb = notebook(
        markdown("![passwd](file:///etc/passwd)\n\n![up](../../../../etc/hostname)"),
        code(outputs=[html_output('<img src="file:///etc/passwd">')]),
    )
    html = export_html(nb, path=tmp_path)
    pdf = export_pdf(nb, path=tmp_path)
    assert "root:" not in html
    assert b"root:" not in pdf
    assert "/etc/passwd" in caplog.text


def test_local_images_next_to_the_notebook_are_inlined(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="5" cx="5" cy="5"/></svg>'
    )
    html = export_html(notebook(markdown("![site map](figures/map.svg)")), path=tmp_path)
    assert 'src="data:image/svg+xml;base64,' in html
    assert "figures/map.svg" not in html


def test_html_report_has_no_external_references():
    altair_like = html_output(
        '<div id="vis"></div><script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
        '<script>vegaEmbed("#vis", {})</script><link rel="stylesheet" href="https://example.org/x.css">'
        '<iframe src="https://example.org"></iframe><p onclick="steal()">Caption</p>'
    )
    html = export_html(notebook(markdown("# Title"), code(outputs=[altair_like])))
    assert "<script" not in html
    assert "<link" not in html and "<iframe" not in html and "onclick" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "Caption" in html
    assert "@font-face" in html and "data:font/otf;base64," in html


def test_markdown_scripts_are_dropped_but_text_kept():
    nb = notebook(markdown("Safe text <script>alert(1)</script> **bold**"))
    html = export_html(nb)
    assert "alert(1)" not in html
    assert "Safe text" in " ".join(pdf_pages_text(export_pdf(nb)))
