"""Benchmark inputs: already-executed notebooks, generated without a kernel.

``large_notebook`` mirrors the performance issue's large report: about 200
cells, 40 Vega-Lite charts, prose, small tables and one 3,000-row table shown
in full. Everything is seeded, so every run measures the same document.
"""

from __future__ import annotations

import random

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

GENERA = [
    "Bacteroides", "Faecalibacterium", "Prevotella", "Bifidobacterium", "Roseburia", "Akkermansia",
    "Ruminococcus", "Eubacterium", "Alistipes", "Blautia", "Escherichia", "Streptococcus",
]


def _chart(rng: random.Random, index: int) -> dict:
    values = [
        {"sample": f"S{s:02d}", "genus": genus, "abundance": round(rng.random(), 4)}
        for s in range(12)
        for genus in GENERA[:6]
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"Composition panel {index}",
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "sample", "type": "nominal", "title": "Sample"},
            "y": {"field": "abundance", "type": "quantitative", "aggregate": "sum", "title": "Relative abundance"},
            "color": {"field": "genus", "type": "nominal", "title": "Genus"},
        },
        "width": 420,
        "height": 220,
    }


def _table_html(rng: random.Random, rows: int) -> str:
    head = "".join(f"<th>{name}</th>" for name in ("", "sample", "genus", "reads", "abundance", "rank"))
    body = "".join(
        f"<tr><th>{r}</th><td>S{r % 97:03d}</td><td>{GENERA[r % len(GENERA)]}</td>"
        f"<td>{rng.randint(10, 99999)}</td><td>{rng.random():.5f}</td><td>species</td></tr>"
        for r in range(rows)
    )
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def large_notebook(charts: int = 40, table_rows: int = 3000, sections: int = 40):
    """About 200 cells: ``sections`` sections of prose, output and small tables, plus the big table."""
    rng = random.Random(20261122)
    cells = [new_markdown_cell("# Large benchmark report\n\nGenerated input for the export benchmark.")]
    for section in range(sections):
        cells.append(new_markdown_cell(f"## Section {section + 1}\n\n" + "Observed composition shifts. " * 25))
        cells.append(new_code_cell("summary()", execution_count=1, outputs=[
            new_output("stream", name="stdout", text=f"section {section + 1}: {rng.randint(1, 9999)} reads\n")
        ]))
        cells.append(new_code_cell("small_table()", execution_count=1, outputs=[
            new_output("execute_result", data={"text/html": _table_html(rng, 8), "text/plain": "table"},
                       execution_count=1)
        ]))
        if section < charts:
            cells.append(new_code_cell("chart()", execution_count=1, outputs=[
                new_output("display_data", data={
                    "application/vnd.vegalite.v5+json": _chart(rng, section + 1),
                    "text/plain": "<VegaLite 5 object>",
                })
            ]))
        cells.append(new_markdown_cell("Interpretation: " + "values within the expected range. " * 10))
    cells.append(new_markdown_cell("## Full abundance table"))
    cells.append(new_code_cell("full_table()", execution_count=1, outputs=[
        new_output("execute_result", data={"text/html": _table_html(rng, table_rows), "text/plain": "table"},
                   execution_count=1)
    ]))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb
