"""Shared fixtures: a real local One Codex API server, a server that counts requests, and a clean
credential environment; and ``--stock-engine``, which runs the PDF tests on stock WeasyPrint."""

import os
import subprocess
import sys
import textwrap

import pytest

from ocx_reports.exporters.engine.compat import STOCK_ENGINE_ENV, stock_from_env
from ocx_reports.mockserver import MockServer


def pytest_addoption(parser):
    parser.addoption(
        "--stock-engine",
        action="store_true",
        help=f"lay every PDF out with stock WeasyPrint, no engine adaptation ({STOCK_ENGINE_ENV}=1, which the "
        "exports run in subprocesses see too); tests of an adaptation's own effect (marked adapted) are skipped",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "adapted: checks an engine adaptation's own effect; skipped with a stock engine")
    if config.getoption("--stock-engine"):
        os.environ[STOCK_ENGINE_ENV] = "1"


def pytest_collection_modifyitems(config, items):
    if not stock_from_env():
        return
    skip = pytest.mark.skip(reason="checks an engine adaptation, which the stock engine leaves out")
    for item in items:
        if "adapted" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def mock_api():
    """A started MockServer on a free port, serving the bundled demo dataset."""
    with MockServer() as server:
        yield server


@pytest.fixture
def isolated_credentials(tmp_path, monkeypatch):
    """No `~/.onecodex` and no ONE_CODEX_* variables, whatever the developer's machine has.

    Returns the fake home directory, for tests that write a credentials file.
    """
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("ONE_CODEX_API_KEY", "ONE_CODEX_BEARER_TOKEN", "ONE_CODEX_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def no_layout_service_outlives_a_monkeypatch(request):
    """A layout service forked while a test's monkeypatches were in place has them for good:
    after such a test the services stop, and the next export starts one without them."""
    yield
    if "monkeypatch" in request.fixturenames:
        from ocx_reports.exporters.layout import service

        service.stop_all()


@pytest.fixture
def layout_in_this_process(monkeypatch):
    """Lay PDFs out in the test's own process, where its monkeypatches and records are, as
    where no layout service can start (a report is otherwise laid out by the layout service,
    see layout/service.py)."""
    from ocx_reports.exporters.layout import service

    monkeypatch.setattr(service, "startable", lambda: False)


@pytest.fixture
def counting_server(tmp_path):
    """An HTTP server in its own process that logs every request it gets.

    A separate process, not a thread: vl-convert holds the GIL while it
    converts, so a thread server could never answer and a regression would
    hang the test instead of failing it.
    """
    log = tmp_path / "requests.log"
    script = textwrap.dedent(
        f"""
        import http.server, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with open({str(log)!r}, "a") as f:
                    f.write(self.path + "\\n")
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.end_headers()
                self.wfile.write(b"sample,abundance\\nS1,3\\n")
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_port, flush=True)
        server.serve_forever()
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    yield f"http://127.0.0.1:{port}", log
    process.terminate()
    process.wait()
