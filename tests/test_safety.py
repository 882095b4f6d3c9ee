"""What a report may load: nothing from the network, nothing outside the notebook's folder."""

import base64
import http.server
import io
import re
import subprocess
import sys
import threading

import pypdf
import pytest
from helpers import code, export_html, export_pdf, html_output, markdown, new_output, notebook, pdf_pages_text, write


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
    assert "@font-face" in html and "data:font/woff2;base64," in html


def test_markdown_scripts_are_dropped_but_text_kept():
    nb = notebook(markdown("Safe text <script>alert(1)</script> **bold**"))
    html = export_html(nb)
    assert "alert(1)" not in html
    assert "Safe text" in " ".join(pdf_pages_text(export_pdf(nb)))


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
SECRET = "ocx-secret-7f3a9c"


@pytest.fixture
def home_folder(tmp_path):
    """A notebook saved in a home directory, beside the files a home directory holds."""
    (tmp_path / ".onecodex").write_text(f'{{"api_key": "{SECRET}"}}')
    (tmp_path / ".env").write_text(f"ONE_CODEX_API_KEY={SECRET}\n")
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n")
    (tmp_path / ".ssh" / "avatar.png").write_bytes(PNG)  # an image, but in a hidden folder
    (tmp_path / ".hidden.png").write_bytes(PNG)
    (tmp_path / "notes.png").write_text(f"not an image {SECRET}")  # an image by its name only
    (tmp_path / "key.png").symlink_to(tmp_path / ".onecodex")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(PNG)
    (tmp_path / "outside.png").symlink_to(outside)
    (tmp_path / "figure").write_bytes(PNG)  # an image with no extension
    return tmp_path


SECRET_REFS = (".onecodex", ".env", ".ssh/id_rsa", ".ssh/avatar.png", ".hidden.png", "notes.png",
               "key.png", "outside.png", "./.onecodex", "sub/../.onecodex")


def test_only_images_by_content_are_embedded_never_hidden_files_or_links_out(home_folder, caplog):
    images = "".join(f'<img src="{ref}" alt="{ref}">' for ref in SECRET_REFS)
    nb = notebook(
        markdown("".join(f"![{ref}]({ref}) " for ref in SECRET_REFS) + '<img src="figure" alt="figure">'),
        code(outputs=[html_output(images)]),
    )
    html = export_html(nb, path=home_folder)
    pdf = export_pdf(nb, path=home_folder)

    embedded = [base64.b64decode(uri) for uri in re.findall(r'data:[^;"]+;base64,([^"]+)"', html)]
    assert SECRET not in html and not any(SECRET.encode() in data for data in embedded)
    assert SECRET.encode() not in pdf and b"PRIVATE KEY" not in pdf
    assert html.count(base64.b64encode(PNG).decode()) == 1  # the image with no extension
    log = caplog.text
    assert "Not loading .ssh/avatar.png: hidden files and folders are never embedded" in log
    assert "Not loading notes.png: only images are embedded, and this file is not one" in log
    assert "Not loading key.png: hidden files and folders are never embedded" in log
    assert "Not loading outside.png: only images inside the notebook's folder are embedded" in log


def test_a_missing_image_is_reported_as_missing_naming_the_file_and_the_cell(tmp_path, caplog):
    """Each place that asks for a missing file is named: a markdown image, an <img> in markdown,
    one in an output. The same file in two cells is reported for each."""
    nb = notebook(
        markdown("![chart](figures/chart.png)"),
        markdown('Intro.\n\n<img src="logo.png" alt="logo">'),
        code("show()", outputs=[html_output('<img src="figures/chart.png">')]),
    )
    export_html(nb, path=tmp_path)
    refusals = [r.getMessage() for r in caplog.records if "Not loading" in r.getMessage()]
    assert sorted(refusals) == [
        "cell 1: Not loading figures/chart.png: no such file",
        "cell 2: Not loading logo.png: no such file",
        "cell 3 (In [1]): Not loading figures/chart.png: no such file",
    ]


def test_notebook_content_cannot_attach_files_to_the_pdf(home_folder):
    slot = new_output(
        "display_data",
        data={"text/css": '<link rel="attachment" href=".onecodex"><style>p { color: red }</style>'},
        metadata={"onecodex": "head.style"},
    )
    nb = notebook(markdown('<a rel="attachment" href="notes.png">notes</a>'), code(outputs=[slot]))
    pdf = export_pdf(nb, path=home_folder)
    assert pypdf.PdfReader(io.BytesIO(pdf)).attachments == {}
    assert SECRET.encode() not in pdf


def test_notebook_css_keeps_its_styling_and_loses_only_what_loads(tmp_path, caplog):
    from ocx_reports import report

    css = report.set_style("h2 { color: #123456 } @media print { .note { font-size: 9pt } } "
                           ".web { background: url(https://example.org/bg.png) }")
    data, metadata = css._repr_mimebundle_()
    nb = notebook(markdown("## Styled"), code(outputs=[
        new_output("display_data", data=data, metadata=metadata),
        html_output('<style>.logo { background: url("data:image/png;base64,AAAA") } '
                    'p.x { color: red; background: url(/tmp/x.png) }</style>'
                    '<p class="x" style="color: rgb(1, 2, 3); background-image: url(x.png)">kept</p>'),
    ]))
    html = export_html(nb, path=tmp_path)
    for kept in ("h2 { color: #123456; }", "@media print { .note { font-size: 9pt; } }",
                 'url("data:image/png;base64,AAAA")', "p.x { color: red; }", 'style="color: rgb(1, 2, 3);"'):
        assert kept in html
    assert "example.org" not in html and "/tmp/x.png" not in html and "x.png)" not in html
    assert "Not loading https://example.org/bg.png: a notebook's CSS may not load anything" in caplog.text


def test_nbconverts_own_image_embedding_cannot_read_past_the_url_policy(home_folder, caplog):
    nb = notebook(markdown("![key](.onecodex) ![notes](notes.png)"))
    html = export_html(nb, path=home_folder, embed_images=True)
    assert SECRET not in html and base64.b64encode(SECRET.encode()).decode()[:12] not in html
    assert "embed_images is ignored" in caplog.text


def test_a_missing_attachment_is_one_line_naming_the_cell(tmp_path):
    nb = notebook(markdown("# Report"), markdown("![diagram](attachment:diagram.png)"))
    write(nb, tmp_path / "report.ipynb")
    result = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "onecodex_html", "report.ipynb"],
                 cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert "cell 2: missing attachment: diagram.png; attach the image to the cell again" in line
    assert not (tmp_path / "report.html").exists()


def test_a_credential_a_cell_printed_is_masked_in_both_reports(tmp_path, monkeypatch, caplog):
    key = "5ab1e0c2d3f4a5b6c7d8e9f0a1b2c3d4"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ONE_CODEX_API_KEY", key)
    printed = new_output("stream", name="stdout", text=f"key={key} auth=Basic {base64.b64encode(f'{key}:'.encode()).decode()}\n")
    nb = notebook(markdown("# Report"), code("print(os.environ)", outputs=[printed]))
    html = export_html(nb, tmp_path)
    text = " ".join(pdf_pages_text(export_pdf(nb, tmp_path)))
    for report in (html, text):
        assert key not in report and base64.b64encode(f"{key}:".encode()).decode() not in report
        assert "key=*** auth=Basic ***" in report
    assert "a cell printed it" in caplog.text
