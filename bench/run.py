"""Export benchmark: whole-process ``jupyter nbconvert --to onecodex_pdf`` timings, side by side with peers.

Usage: ``python bench/run.py [--repeat N] [--only example|large|scaling] [--no-peers] [--before REV|DIR] [--stock]``

Prints, per notebook, the median wall time (and the spread), the median CPU
time and the peak memory of the whole process over N runs: ours with the
default workers and with ``workers=1``, and the peers when installed, run in
the same loop so their ratios are measured under the same load (the target
line also gives the median of the ratios within each round):

* the One Codex client's ``onecodex_pdf``: a Python with ``onecodex[reports]==1.2.0``
  (``$BENCH_ONECODEX_PYTHON``, default ``/work/peers/onecodex-venv/bin/python``);
* with ``--stock``, ours on the stock engine (``OCX_REPORTS_STOCK_ENGINE=1``: no adaptation of
  WeasyPrint's internals, see docs/compat.md), to show what the adaptations buy;
* nbconvert's ``webpdf`` with the system's Chromium (``bench/webpdf_chromium.py``):
  a Python with ``nbconvert[webpdf]`` (``$BENCH_WEBPDF_PYTHON``, default
  ``/work/peers/webpdf-venv/bin/python``) and ``/usr/bin/chromium``.

Peak memory is the largest single process (``os.wait4`` reports the maximum
over the process and its children); for ours, the exporter process and its
largest layout worker are also read from the ``--log-level=DEBUG`` lines. The
scaling case exports the large report at 1x, 2x and 4x its content (up to
about 500 pages) and prints each doubling's time ratio. Inputs are
already-executed notebooks under ``bench/out/``. Not a test: the shared
machines are noisy, so compare medians from one run, side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pikepdf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from notebooks import large_notebook  # noqa: E402


ONECODEX_PYTHON = Path(os.environ.get("BENCH_ONECODEX_PYTHON", "/work/peers/onecodex-venv/bin/python"))
WEBPDF_PYTHON = Path(os.environ.get("BENCH_WEBPDF_PYTHON", "/work/peers/webpdf-venv/bin/python"))
CHROMIUM = Path(os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium"))
#: The targets: at most this share of each run's time (per-round median), and peak MiB. A
#: release must stay within 10% of the one before it (``--before``).
TARGETS = {
    "example": ({"webpdf (Chromium)": 0.35, "onecodex_pdf 1.2.0": 0.35, "ours before": 1.10}, 120),
    "large": ({"webpdf (Chromium)": 1.0, "onecodex_pdf 1.2.0": 0.25, "ours before": 1.10}, 350),
}

#: The layout's processes: a chunk's, and the layout service (an older release's "layout process").
_CHUNK = re.compile(
    r"(?:PDF chunk \d+: \d+ pages in [\d.]+ s(?: \([\d.]+ CPU-s\))?,|PDF layout (?:process|service):) peak memory (\d+) MiB"
)
_PARENT = re.compile(r"exporter peak memory (\d+) MiB")


def timed_run(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, float, str]:
    """(wall seconds, peak RSS MiB of the largest process, CPU seconds, stderr) of one child
    process. CPU, steadier than wall time on a shared machine, counts the processes it
    waited for: our layout chunks, but not our chart converters, which exit after it."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = process.stderr.read().decode(errors="replace")  # read while it runs: no pipe stall
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed: {stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, stderr


def measure(argv: list[str], cwd: Path, repeat: int, env: dict | None = None) -> dict:
    runs = [timed_run(argv, cwd, env) for _ in range(repeat)]
    times = [t for t, *_ in runs]
    result = {
        "median_s": statistics.median(times),
        "spread_s": max(times) - min(times),
        "peak_mib": max(m for _, m, _, _ in runs),
        "cpu_s": statistics.median(c for *_, c, _ in runs),
        "runs": [round(t, 2) for t in times],
    }
    chunks = [match for *_, err in runs for match in _CHUNK.findall(err)]
    parents = [int(m) for *_, err in runs for m in _PARENT.findall(err)]
    if parents:
        result["parent_mib"] = max(parents)
        result["worker_mib"] = max((int(mib) for mib in chunks), default=0)
    return result


def exporters(path: Path, peers: bool, before: Path | None, stock: bool = False) -> dict[str, tuple[list, dict | None]]:
    """name -> (argv, env) of every exporter to run on ``path``: ours, an older ours, the installed peers."""
    out = f"{path.stem}.bench"

    def ours(suffix: str = "", *options: str) -> list[str]:
        return [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", path.name, "--output", out + suffix,
                "--log-level=DEBUG", *options]

    runs = {"ours": (ours(), None), "ours, workers=1": (ours(".serial", "--OneCodexPDFExporter.workers=1"), None)}
    if before:
        runs["ours before"] = (ours(".before"), dict(os.environ, PYTHONPATH=str(before)))
    if stock:
        runs["ours, stock engine"] = (ours(".stock"), dict(os.environ, OCX_REPORTS_STOCK_ENGINE="1"))
    if not peers:
        return runs
    if ONECODEX_PYTHON.exists():
        runs["onecodex_pdf 1.2.0"] = ([str(ONECODEX_PYTHON), "-m", "nbconvert", "--to", "onecodex_pdf", path.name,
                                      "--output", f"{out}.onecodex"], None)
    if WEBPDF_PYTHON.exists() and CHROMIUM.exists():
        env = dict(os.environ, PYTHONPATH=str(HERE), BENCH_CHROMIUM=str(CHROMIUM))
        runs["webpdf (Chromium)"] = ([str(WEBPDF_PYTHON), "-m", "nbconvert", "--to",
                                     "webpdf_chromium.ChromiumWebPDFExporter", path.name,
                                     "--output", f"{out}.webpdf"], env)
    return runs


def side_by_side(path: Path, repeat: int, peers: bool, before: Path | None, stock: bool = False) -> dict[str, dict]:
    """Every exporter on one notebook, interleaved run by run so drift hits them alike;
    each round starts with the next exporter in turn, so none always runs right after
    the same one."""
    runs = exporters(path, peers, before, stock)
    labels = list(runs)
    results: dict[str, list] = {label: [] for label in runs}
    for round_ in range(repeat):
        for label in labels[round_ % len(labels):] + labels[: round_ % len(labels)]:
            argv, env = runs[label]
            results[label].append(measure(argv, path.parent, 1, env))
    merged = {}
    for label, single in results.items():
        times = [r["median_s"] for r in single]
        merged[label] = {
            **single[-1],
            "median_s": statistics.median(times),
            "spread_s": max(times) - min(times),
            "peak_mib": max(r["peak_mib"] for r in single),
            "cpu_s": statistics.median(r["cpu_s"] for r in single),
            "runs": [round(t, 2) for t in times],
        }
        if "parent_mib" in single[-1]:
            merged[label]["parent_mib"] = max(r["parent_mib"] for r in single)
            merged[label]["worker_mib"] = max(r["worker_mib"] for r in single)
    return merged


def print_case(name: str, results: dict[str, dict]) -> None:
    ours = results["ours"]["median_s"]
    print(f"\n{name}")
    print("| exporter | median | spread | CPU | peak memory | ours / this |")
    print("|---|---|---|---|---|---|")
    for label, r in results.items():
        memory = f"{r['peak_mib']:.0f} MiB"
        if r.get("parent_mib"):
            memory += f" (exporter {r['parent_mib']:.0f}, largest worker {r['worker_mib']:.0f})"
        ratio = "" if label == "ours" else f"{ours / r['median_s']:.2f}x"
        print(f"| {label} | {r['median_s']:.2f} s | {r['spread_s']:.2f} s | {r['cpu_s']:.1f} s | {memory} | {ratio} |")
    for label in ("ours before", "ours, stock engine"):
        if label in results:
            rounds = [round(o / p, 2) for o, p in zip(results["ours"]["runs"], results[label]["runs"], strict=True)]
            print(f"ours / {label}, per round: {rounds} (median {paired_ratio(results, label):.2f}x)")
    if name in TARGETS:
        shares, mib = TARGETS[name]
        checks = [f"peak {results['ours']['peak_mib']:.0f} MiB (target <= {mib})"]
        for label, target in shares.items():
            if label in results:
                checks.append(
                    f"{ours / results[label]['median_s']:.2f}x {label} (per round: {paired_ratio(results, label):.2f}x; "
                    f"target <= {target})"
                )
        print("targets: " + "; ".join(checks))


def paired_ratio(results: dict[str, dict], label: str) -> float:
    """The median over rounds of ours / ``label`` within the round: the two ran minutes
    apart at most, so a slow spell of the shared machine that spans a round cancels out."""
    return statistics.median(o / p for o, p in zip(results["ours"]["runs"], results[label]["runs"], strict=True))


#: Content multiples of the large report for the scaling case (4x is about 500 pages).
SCALES = (1, 2, 4)


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
    for scale in SCALES:
        path = OUT / f"large-x{scale}.ipynb"
        if not path.exists():
            nbformat.write(large_notebook(charts=40 * scale, table_rows=3000 * scale, sections=40 * scale), str(path))
    return inputs


def scaling(repeat: int) -> None:
    """Our export of the large report at 1x, 2x, 4x content: time per doubling."""
    print("\nscaling (ours, default workers)")
    print("| content | pages | median | peak memory | time / previous |")
    print("|---|---|---|---|---|")
    previous = None
    for scale in SCALES:
        path = OUT / f"large-x{scale}.ipynb"
        argv = [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", path.name, "--output", f"{path.stem}.bench",
                "--log-level=DEBUG"]
        r = measure(argv, OUT, repeat)
        pages = len(pikepdf.open(OUT / f"{path.stem}.bench.pdf").pages)
        ratio = f"{r['median_s'] / previous:.2f}x" if previous else ""
        print(f"| {scale}x | {pages} | {r['median_s']:.2f} s | {r['peak_mib']:.0f} MiB | {ratio} |")
        previous = r["median_s"]


def weasyprint_alone(notebook: Path, repeat: int) -> dict:
    """Time WeasyPrint on the report's HTML as the PDF exporter renders it (fonts by file,
    long tables not rewritten), in a fresh process each run."""
    from ocx_reports.exporters import OneCodexHTMLExporter

    exporter = OneCodexHTMLExporter(embed_fonts=False)
    resources = {"metadata": {"path": str(notebook.parent), "name": notebook.stem}}
    html, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4), resources=resources)
    html_path = notebook.with_suffix(".final.html")
    html_path.write_text(html)
    script = (
        "import sys\n"
        "from weasyprint import HTML\n"
        "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])\n"
    )
    argv = [sys.executable, "-c", script, str(html_path), str(notebook.with_suffix(".weasy.pdf"))]
    return measure(argv, notebook.parent, repeat)


def package_tree(before: str) -> Path:
    """A directory to put first on PYTHONPATH for ``--before``: ``before`` itself if it is one,
    else a checkout of that git revision under bench/out, with the ``ocx_reports`` package
    whole (releases before the source tree's links kept the exporters, templates and examples
    at the top level only)."""
    if Path(before).is_dir():
        return Path(before).resolve()
    revision = subprocess.run(["git", "rev-parse", "--short", before], cwd=ROOT, capture_output=True, text=True)
    if revision.returncode != 0:
        raise SystemExit(f"--before {before}: neither a directory nor a git revision of {ROOT}")
    checkout = OUT / f"before-{revision.stdout.strip()}"
    if not checkout.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(checkout), before], cwd=ROOT, check=True,
                       capture_output=True)
    package = checkout / "ocx_reports"
    for name, top in (("exporters", "exporters"), ("templates", "templates"), ("examples", "notebook_examples")):
        if not (package / name).exists():
            (package / name).symlink_to(checkout / top)
    return checkout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["example", "large", "scaling"])
    parser.add_argument("--no-peers", action="store_true", help="only ours, even if peers are installed")
    parser.add_argument(
        "--before",
        help="also run an older ours: a git revision of this repository (e.g. a release's commit), or a directory "
        "holding its ocx_reports package tree; put first on PYTHONPATH",
    )
    parser.add_argument("--stock", action="store_true", help="also run ours on the stock engine (no adaptations)")
    args = parser.parse_args(argv)

    inputs = prepare()
    before = None if args.before is None else package_tree(args.before)
    print(f"{os.cpu_count()} cores; peers: onecodex_pdf {'found' if ONECODEX_PYTHON.exists() else 'missing'}, "
          f"webpdf {'found' if WEBPDF_PYTHON.exists() and shutil.which(str(CHROMIUM)) else 'missing'}")
    for name, path in inputs.items():
        if args.only and name != args.only:
            continue
        print_case(name, side_by_side(path, args.repeat, not args.no_peers, before, args.stock))
        alone = weasyprint_alone(path, args.repeat)
        print(f"WeasyPrint alone on the final HTML (serial, no chunks): {alone['median_s']:.2f} s, "
              f"{alone['peak_mib']:.0f} MiB")
    if args.only in (None, "scaling"):
        scaling(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
