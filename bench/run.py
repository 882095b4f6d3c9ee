"""Export benchmark: whole-process ``jupyter nbconvert --to onecodex_pdf`` timings.

Usage: ``python bench/run.py [--repeat N] [--only example|large]``

Prints, per notebook, the median wall time and the peak memory (max RSS) of
the whole process over N runs, and the time WeasyPrint alone takes on the
final HTML (in its own process, so imports count the same way). Inputs are
already-executed notebooks under ``bench/out/``. Not a test: the shared
machines are noisy, so compare medians from one run, side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from notebooks import large_notebook  # noqa: E402


def timed_run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def measure(argv: list[str], cwd: Path, repeat: int) -> dict:
    runs = [timed_run(argv, cwd) for _ in range(repeat)]
    return {
        "median_s": statistics.median(t for t, _ in runs),
        "peak_mib": max(m for _, m in runs),
        "runs": [round(t, 2) for t, _ in runs],
    }


def prepare() -> dict[str, Path]:
    """Executed inputs in bench/out (the example is executed once, offline)."""
    from ocx_reports.demo import example_notebook
    from ocx_reports.render import execute, read_notebook

    OUT.mkdir(exist_ok=True)
    inputs = {"example": OUT / "example.ipynb", "large": OUT / "large.ipynb"}
    if not inputs["example"].exists():
        nb = execute(read_notebook(example_notebook()), cwd=OUT)
        nbformat.write(nb, str(inputs["example"]))
    if not inputs["large"].exists():
        nbformat.write(large_notebook(), str(inputs["large"]))
    return inputs


def weasyprint_alone(notebook: Path, repeat: int) -> dict:
    """Time WeasyPrint on the exporter's final HTML, in a fresh process each run."""
    from ocx_reports.exporters import OneCodexPDFExporter

    exporter = OneCodexPDFExporter()
    resources = {"metadata": {"path": str(notebook.parent), "name": notebook.stem}}
    html, _ = super(OneCodexPDFExporter, exporter).from_notebook_node(
        nbformat.read(str(notebook), as_version=4), resources=resources
    )
    html_path = notebook.with_suffix(".final.html")
    html_path.write_text(html)
    script = (
        "import sys\n"
        "from weasyprint import HTML\n"
        "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])\n"
    )
    argv = [sys.executable, "-c", script, str(html_path), str(notebook.with_suffix(".weasy.pdf"))]
    return measure(argv, notebook.parent, repeat)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["example", "large"])
    args = parser.parse_args(argv)

    inputs = prepare()
    print(f"{'notebook':<10} {'export median':>14} {'peak RSS':>10} {'WeasyPrint alone':>17}  runs")
    for name, path in inputs.items():
        if args.only and name != args.only:
            continue
        nbconvert = [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", path.name, "--output", f"{path.stem}.bench"]
        export = measure(nbconvert, path.parent, args.repeat)
        alone = weasyprint_alone(path, args.repeat)
        print(
            f"{name:<10} {export['median_s']:>12.2f} s {export['peak_mib']:>6.0f} MiB "
            f"{alone['median_s']:>15.2f} s  {export['runs']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
