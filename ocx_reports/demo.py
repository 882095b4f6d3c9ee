"""``ocx-reports demo``: the whole job offline, on the bundled demo data.

Starts the local mock One Codex API on a free port, runs the example report
notebook in a fresh kernel pointed at it, exports the PDF with the sample
metadata injected and a "DEMO DATA" mark on every page, and says where the
PDF is. No account and no network are needed.
"""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path

DEMO_MARK = "DEMO DATA"
#: The gut cohort study in the bundled demo dataset: what the example reports on.
DEMO_PROJECT = "96d911f909956c1c"
#: Set by ``ocx-reports demo`` for the kernel: the demo server the example should use.
DEMO_URL_ENV = "OCX_REPORTS_DEMO_URL"

_private_server = None


def demo_api():
    """An ``Api`` on the bundled demo data, for examples that must run with no account.

    Under ``ocx-reports demo`` it talks to the server that command started;
    run on its own (``jupyter nbconvert --execute``), it starts a private
    local server for the life of the kernel. Real credentials in the
    environment are never used for demo data.
    """
    global _private_server
    from .api import Api
    from .mockserver import DEMO_API_KEY, MockServer

    url = os.environ.get(DEMO_URL_ENV)
    if not url:
        if _private_server is None:
            _private_server = MockServer().start()
        url = _private_server.url
    return Api(api_key=DEMO_API_KEY, base_url=url)


def example_notebook() -> Path:
    """The example report shipped with the package."""
    return Path(str(resources.files("ocx_reports.examples") / "example.ipynb"))


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "demo",
        help="build the example report from the bundled demo data, offline",
        description="Serve the bundled demo dataset as a local One Codex API, run the example report "
        "notebook against it, and write the PDF.",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("demo-report.pdf"), help="where to write the PDF (default: %(default)s)"
    )
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from .api import Api
    from .context import fetch_report_context
    from .mockserver import DEMO_API_KEY, MockServer
    from .files import atomic_write
    from .render import execute, export, read_notebook

    started = time.perf_counter()
    notebook_path = example_notebook()
    nb = read_notebook(notebook_path)
    output = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with MockServer() as server, Api(api_key=DEMO_API_KEY, base_url=server.url) as api:
        print(f"Demo One Codex API on {server.url}; running {notebook_path.name} ...", flush=True)
        execute(nb, cwd=output.parent, env={DEMO_URL_ENV: server.url}, notebook=notebook_path)
        context = fetch_report_context(api, project=DEMO_PROJECT)
        pdf = export(nb, "pdf", notebook_path, context=context, project=DEMO_PROJECT, watermark=DEMO_MARK)
    atomic_write(output, pdf)
    print(f"Wrote {output} ({len(pdf) // 1024} KiB) in {time.perf_counter() - started:.1f} s")
    return 0
