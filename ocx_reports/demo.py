"""``ocx-reports demo``: the whole job offline, on the bundled demo data.

Starts the local mock One Codex API on a free port, runs the example report
notebook in a fresh kernel pointed at it, exports the PDF with the sample
metadata injected and a "DEMO DATA" mark on every page, and says where the
PDF is. No account and no network are needed.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

DEMO_MARK = "DEMO DATA"


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
    from .mockserver import DEMO_API_KEY, MockServer
    from .render import atomic_write, execute, export, read_notebook

    started = time.perf_counter()
    notebook_path = example_notebook()
    nb = read_notebook(notebook_path)
    output = args.output.resolve()
    with MockServer() as server:
        env = {"ONE_CODEX_API_BASE": server.url, "ONE_CODEX_API_KEY": DEMO_API_KEY}
        print(f"Demo One Codex API on {server.url}; running {notebook_path.name} ...", flush=True)
        execute(nb, cwd=output.parent, env=env)
        pdf = export(nb, "pdf", notebook_path, watermark=DEMO_MARK)
    atomic_write(output, pdf)
    print(f"Wrote {output} ({len(pdf) // 1024} KiB) in {time.perf_counter() - started:.1f} s")
    return 0
