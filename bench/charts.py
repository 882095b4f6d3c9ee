"""Chart benchmark: what drawing Vega-Lite charts at export time costs.

Usage: ``python bench/charts.py [--charts 40] [--repeat 3]``

Prints the per-chart conversion median (in process, engine warm: what a
chart worker does per chart for the PDF report, the SVG and its PDF) and the
whole-process ``nbconvert --to onecodex_pdf`` median for one notebook in
three forms: charts as Vega-Lite JSON only, with a cold and with a warm
on-disk chart cache; the same charts already drawn as SVG by the kernel
(what ``ocx_reports.charts.enable()`` produces: no Vega drawing, only their
conversion to PDF, which a chart worker does while the exporter starts); and
no charts at all. Targets (issue 3):

* warm: charts add at most 5% to the export (warm vs. pre-drawn SVG);
* cold: drawing (cold minus warm) takes at most 1.3 x (charts x per-chart median / cores).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "charts"
sys.path.insert(0, str(HERE))

from run import timed_run  # noqa: E402

MIMETYPE = "application/vnd.vegalite.v5+json"
TAXA = ["Bacteroides", "Prevotella", "Faecalibacterium", "Escherichia", "Akkermansia", "Roseburia"]


def chart_spec(i: int) -> dict:
    """A stacked bar chart of 12 samples x 6 taxa, different for each ``i``."""
    values = [
        {"sample": f"S{s:02d}", "taxon": taxon, "abundance": (i * 13 + s * 7 + t * 3) % 17 + 1}
        for s in range(12)
        for t, taxon in enumerate(TAXA)
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"Relative abundance, panel {i + 1}",
        "data": {"values": values},
        "mark": "bar",
        "width": 420,
        "encoding": {
            "x": {"field": "sample", "type": "nominal", "title": "Sample"},
            "y": {"aggregate": "sum", "field": "abundance", "type": "quantitative", "stack": "normalize", "title": "Share"},
            "color": {"field": "taxon", "type": "nominal", "title": "Taxon"},
        },
    }


def conversion_median(samples: int = 15) -> float:
    """Seconds per chart of a chart worker's job for the PDF report (the SVG, and that
    SVG as PDF), in this process, after the engine has started."""
    import dataclasses

    from ocx_reports.charts.drawing import register_fonts, reply
    from ocx_reports.charts.specs import chart_for
    from ocx_reports.exporters.page.assets import font_dir

    register_fonts(str(font_dir()))
    reply({**dataclasses.asdict(chart_for(MIMETYPE, chart_spec(-1))), "pdf": True})  # start the engine
    times = []
    for i in range(samples):
        request = {**dataclasses.asdict(chart_for(MIMETYPE, chart_spec(1000 + i))), "pdf": True}
        started = time.perf_counter()
        reply(request)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def chart_notebook(count: int, form: str) -> nbformat.NotebookNode:
    """``form``: "json" (chart JSON only), "svg" (SVG already drawn) or "none" (text instead)."""
    from ocx_reports.charts.drawing import register_fonts, to_svg
    from ocx_reports.charts.specs import chart_for
    from ocx_reports.exporters.page.assets import font_dir

    if form == "svg":
        register_fonts(str(font_dir()))
    cells = [new_markdown_cell("# Chart benchmark\n\nForty panels of taxonomic composition.")]
    for i in range(count):
        spec = chart_spec(i)
        if form == "json":
            data = {MIMETYPE: spec, "text/plain": "<VegaLite chart>"}
        elif form == "svg":
            data = {MIMETYPE: spec, "image/svg+xml": to_svg(chart_for(MIMETYPE, spec)), "text/plain": "<VegaLite chart>"}
        else:
            data = {"text/plain": f"panel {i + 1}: {len(spec['data']['values'])} values"}
        cells.append(new_markdown_cell(f"## Panel {i + 1}\n\nComposition of the twelve samples."))
        cells.append(new_code_cell("chart", outputs=[new_output("display_data", data=data)], execution_count=i + 1))
    return new_notebook(cells=cells)


def export_time(notebook: Path, cache_dir: Path | None = None, cold: bool = False) -> float:
    argv = [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", notebook.name, "--output", f"{notebook.stem}.bench"]
    if cache_dir is not None:
        argv.append(f"--OneCodexPDFExporter.chart_cache_dir={cache_dir}")
        if cold:
            shutil.rmtree(cache_dir, ignore_errors=True)
    return timed_run(argv, notebook.parent)[0]


def run(count: int = 40, repeat: int = 3) -> dict:
    """Every number the benchmark reports, as a dict (seconds unless named otherwise).

    The four exports run interleaved, round by round, so that the machine's
    drift hits them alike; the overheads are medians of per-round ratios."""
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    for form in ("json", "svg", "none"):
        paths[form] = OUT / f"charts-{form}.ipynb"
        nbformat.write(chart_notebook(count, form), str(paths[form]))
    cache = OUT / "cache"
    per_chart = conversion_median()
    runs: dict[str, list[float]] = {"cold": [], "warm": [], "svg_predrawn": [], "no_charts": []}
    for _ in range(repeat):
        runs["cold"].append(export_time(paths["json"], cache, cold=True))  # leaves the cache filled
        runs["warm"].append(export_time(paths["json"], cache))
        runs["svg_predrawn"].append(export_time(paths["svg"]))
        runs["no_charts"].append(export_time(paths["none"]))
    cores = os.cpu_count() or 1
    rounds = list(zip(runs["cold"], runs["warm"], runs["svg_predrawn"]))
    result = {
        "charts": count,
        "cores": cores,
        "per_chart_median": per_chart,
        **{f"{name}_median": statistics.median(times) for name, times in runs.items()},
        "runs": runs,
        "warm_overhead": statistics.median(warm / drawn - 1 for _, warm, drawn in rounds),
        "cold_drawing": statistics.median(cold - warm for cold, warm, _ in rounds),
        "cold_over_predrawn": statistics.median(cold - drawn for cold, _, drawn in rounds),
        "cold_target": 1.3 * count * per_chart / cores,
    }
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    r = run(args.charts, args.repeat)
    print(f"{r['charts']} charts, {r['cores']} cores")
    print(f"per-chart conversion median      {r['per_chart_median'] * 1000:7.1f} ms")
    print(f"export, chart JSON, cold cache   {r['cold_median']:7.2f} s   runs {[round(t, 2) for t in r['runs']['cold']]}")
    print(f"export, chart JSON, warm cache   {r['warm_median']:7.2f} s   runs {[round(t, 2) for t in r['runs']['warm']]}")
    print(f"export, SVG already drawn        {r['svg_predrawn_median']:7.2f} s   runs {[round(t, 2) for t in r['runs']['svg_predrawn']]}")
    print(f"export, no charts                {r['no_charts_median']:7.2f} s   runs {[round(t, 2) for t in r['runs']['no_charts']]}")
    print(f"warm: charts add {r['warm_overhead']:+.1%} over pre-drawn SVG (median of rounds; target <= +5%)")
    print(
        f"cold: drawing took {r['cold_drawing']:.2f} s over warm (median of rounds); target 1.3 x {r['charts']} x "
        f"{r['per_chart_median'] * 1000:.1f} ms / {r['cores']} = {r['cold_target']:.2f} s"
    )
    print(f"      and {r['cold_over_predrawn']:.2f} s over pre-drawn SVG (which a chart worker converts to PDF)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
