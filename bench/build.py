"""Build benchmark: 24 demo reports with ``--jobs 1`` and ``--jobs 2``, then a no-change rebuild.

Usage: ``python bench/build.py [--repeat N] [--formats pdf,html] [--reuse-gain]``

The 24 reports are the 3 demo projects x 8 parameter variants of
``notebook_examples/project_report.ipynb``, served by the local mock API.
Prints median wall times, the 2-worker speed-up (target >= 1.7x), the
no-change rebuild as a share of the cold build (target <= 5%), peak memory
per worker process and per kernel, and (``--reuse-gain``) what reuse inside
a worker is worth: the same 24 reports with a fresh worker process per report
(``max_tasks_per_child=1``, as a shell loop over ``ocx-reports render``
would be), against one long-lived worker. Configurations are interleaved
within each repeat so a noisy neighbour hurts them alike. Not a test: shared
machines are noisy, so compare medians from one run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ("96d911f909956c1c", "c36f5f0e0d94e672", "841f8678e7c361fd")
VARIANTS = [
    ("genus", 0.001),
    ("genus", 0.01),
    ("family", 0.001),
    ("family", 0.01),
    ("order", 0.001),
    ("class", 0.001),
    ("phylum", 0.001),
    ("species", 0.001),
]


def write_config(directory: Path, formats: list[str]) -> Path:
    lines = [
        "[defaults]",
        f'notebook = "{ROOT / "notebook_examples" / "project_report.ipynb"}"',
        f"formats = {formats!r}".replace("'", '"'),
        'output = "reports/{project_name}/{name}.{ext}"',
    ]
    for project in PROJECTS:
        for rank, minimum in VARIANTS:
            lines += [
                "[[report]]",
                f'name = "{project[:6]}-{rank}-{minimum}"',
                f'project = "{project}"',
                f'parameters = {{ rank = "{rank}", min_abundance = {minimum} }}',
            ]
    path = directory / "reports.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def one_build(config: Path, manifest: Path, executor) -> tuple[float, list]:
    from ocx_reports.build.batch import run_jobs
    from ocx_reports.build.config import load
    from ocx_reports.build.manifest import Manifest
    from ocx_reports.build.plan import plan

    jobs = plan(load(config), api_factory=None)
    started = time.perf_counter()
    results = run_jobs(jobs, executor, manifest=Manifest(manifest))
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise SystemExit(f"bench build failed: {failed[0].name}: {failed[0].error}")
    return elapsed, results


def timed(config: Path, workdir: Path, label: str, jobs: int, *, fresh_workers=False, rebuild=False) -> dict:
    """Cold build (new manifest) in a new pool; with ``rebuild``, then a no-change build in another new pool."""
    manifest = workdir / f"manifest-{label}-{time.monotonic_ns()}.json"
    options = {"max_tasks_per_child": 1} if fresh_workers else {}
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, **options) as pool:
        _, results = one_build(config, manifest, pool)
    outcome = {"cold_s": time.perf_counter() - started, "results": results}
    if rebuild:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            _, again = one_build(config, manifest, pool)
        outcome["rebuild_s"] = time.perf_counter() - started
        assert {r.status for r in again} == {"skipped"}, {r.status for r in again}
    return outcome


def peaks(results) -> tuple[float, float]:
    """(largest worker peak, largest kernel peak) in MiB."""
    return max(r.max_rss_mb for r in results), max(r.kernel_max_rss_mb for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration (default 1)")
    parser.add_argument("--formats", default="pdf", help="comma-separated formats per report (default pdf)")
    parser.add_argument("--reuse-gain", action="store_true", help="also time a fresh worker per report")
    args = parser.parse_args()

    from ocx_reports.mockserver import DEMO_API_KEY, MockServer

    print(
        f"{len(PROJECTS) * len(VARIANTS)} reports, formats {args.formats}, {os.cpu_count()} cores, "
        f"repeat {args.repeat}",
        flush=True,
    )
    with MockServer() as server, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(ONE_CODEX_API_BASE=server.url, ONE_CODEX_API_KEY=DEMO_API_KEY, CI="1")
        workdir = Path(tmp)
        config = write_config(workdir, args.formats.split(","))
        fresh = "jobs 1, fresh worker per report"
        rows = {"jobs 1": [], "jobs 2": [], **({fresh: []} if args.reuse_gain else {})}
        for run in range(args.repeat):
            rows["jobs 1"].append(timed(config, workdir, "j1", 1))
            rows["jobs 2"].append(timed(config, workdir, "j2", 2, rebuild=True))
            if args.reuse_gain:
                rows[fresh].append(timed(config, workdir, "fresh", 1, fresh_workers=True))
            print(
                f"run {run + 1}: " + ", ".join(f"{k} {v[-1]['cold_s']:.1f} s" for k, v in rows.items()),
                flush=True,
            )

    median = {k: statistics.median(r["cold_s"] for r in v) for k, v in rows.items()}
    rebuild = statistics.median(r["rebuild_s"] for r in rows["jobs 2"])
    print()
    for label, seconds in median.items():
        worker, kernel = peaks(rows[label][-1]["results"])
        print(
            f"{label:<34} {seconds:7.1f} s   peak per worker {worker:5.0f} MiB, per kernel {kernel:5.0f} MiB"
        )
    speedup = median["jobs 1"] / median["jobs 2"]
    print(f"{'speed-up jobs 2 vs jobs 1':<34} {speedup:7.2f}x  (target >= 1.7x)")
    print(
        f"{'no-change rebuild (jobs 2)':<34} {rebuild:7.1f} s = {rebuild / median['jobs 2']:.1%} of the jobs-2 cold "
        f"build, {rebuild / median['jobs 1']:.1%} of jobs 1 (target <= 5%)"
    )
    if args.reuse_gain:
        gain = median[fresh] / median["jobs 1"]
        print(f"{'reuse in one worker':<34} {gain:7.2f}x faster than a fresh worker per report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
