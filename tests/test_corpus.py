"""A corpus of notebooks as users' tools save them, exported the way users export them.

Each notebook is run by a real kernel (nbclient, through ``render.execute``) with the
libraries' defaults: Altair's html renderer, its ``mimetype`` and ``svg`` renderers, a
theme like the One Codex client's ("Fira Sans, Helvetica"), matplotlib's inline PNG and
SVG, pandas tables and Styler, Jupyter Book tags. Plotly, Bokeh and widget outputs are
bundles of the forms those libraries write (they are not dependencies). Then one
``jupyter nbconvert`` run per format exports the whole corpus, as a user's script would,
and each report is read back: every chart's titles are PDF text drawn as vector paths,
each output the report cannot show left a notice and a warning naming its cell, and no
object repr, traceback or script reached the report.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html import unescape

import nbformat
import pdfplumber
import pytest
from helpers import code, markdown, new_output, notebook

from ocx_reports import render


@dataclass(frozen=True)
class Case:
    """One corpus notebook and what its reports must show."""

    cells: list
    #: Words each report's text holds (the PDF's, with white space squeezed out).
    shown: list[str]
    #: Words no report may hold.
    absent: list[str] = field(default_factory=list)
    #: Patterns of the warnings its export logs, each once.
    warnings: list[str] = field(default_factory=list)
    #: Whether its pages may hold raster images (matplotlib's inline PNG).
    raster: bool = False
    #: Whether a kernel runs it (an unexecuted notebook is exported as saved).
    execute: bool = True


ALTAIR_SETUP = """\
import altair as alt, pandas as pd
abundance = pd.DataFrame({
    "genus": ["Bacteroides", "Prevotella", "Faecalibacterium", "Roseburia"] * 2,
    "sample": ["Stool A"] * 4 + ["Stool B"] * 4,
    "share": [0.41, 0.22, 0.12, 0.05, 0.35, 0.28, 0.09, 0.07],
})"""

ONECODEX_THEME = """\
import altair as alt, pandas as pd
FONT = "Fira Sans, Helvetica"

@alt.theme.register("onecodex", enable=True)
def onecodex():
    return alt.theme.ThemeConfig({"config": {
        "font": FONT,
        "title": {"font": FONT, "fontSize": 16},
        "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12},
        "legend": {"labelFont": FONT, "titleFont": FONT},
        "header": {"labelFont": FONT, "titleFont": FONT},
    }})

reads = pd.DataFrame({"sample": ["Stool A", "Stool B", "Saliva C"], "reads": [120_000, 95_000, 40_000],
                      "platform": ["Illumina", "Illumina", "Nanopore"]})"""


KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def bundle(mimetype: str, value, text: str) -> dict:
    return new_output("display_data", {mimetype: value, "text/plain": text})


CORPUS = {
    "altair-defaults": Case(
        cells=[
            markdown("# Altair with its defaults"),
            code(ALTAIR_SETUP),
            code('alt.Chart(abundance).mark_bar().encode(x=alt.X("genus:N", title="Genus detected"), '
                 'y=alt.Y("mean(share):Q", title="Mean relative abundance")).properties(title="Top genera")'),
            code('alt.Chart(abundance).mark_line(point=True).encode(x=alt.X("genus:N", title="Genus ranked"), '
                 'y=alt.Y("share:Q", title="Share of reads"), color=alt.Color("sample:N", title="Stool sample"))'),
            code('alt.Chart(abundance).mark_circle().encode(x=alt.X("share:Q", title="Abundance scatter"), '
                 'y="genus:N", tooltip=["sample", "share"]).interactive()'),
            code('alt.Chart("https://example.org/abundance.csv").mark_bar().encode(x="genus:N", y="share:Q")'),
        ],
        shown=["Top genera", "Genus detected", "Mean relative abundance", "Genus ranked", "Share of reads",
               "Stool sample", "Stool A", "Abundance scatter", "Bacteroides", "Chart not shown", "example.org"],
        absent=["alt.Chart(...)"],
        warnings=[r"cell 6 \(In \[5\]\).*example\.org"],
    ),
    "onecodex-theme": Case(
        cells=[
            code(ONECODEX_THEME),
            code('alt.Chart(reads, title="Reads per sample").mark_bar().encode('
                 'x=alt.X("sample:N", title="Sample name"), y=alt.Y("reads:Q", title="Read count"), '
                 'color=alt.Color("platform:N", title="Sequencing platform"))'),
            code('alt.renderers.enable("mimetype")\nalt.Chart(reads).mark_point().encode('
                 'x=alt.X("reads:Q", title="Reads mimetype"), y=alt.Y("sample:N", title="Samples mimetype"))'),
            code('alt.renderers.enable("svg")\nalt.Chart(reads).mark_tick().encode('
                 'x=alt.X("reads:Q", title="Reads drawn by the kernel"), y=alt.Y("platform:N", title="Platform"))'),
        ],
        shown=["Reads per sample", "Sample name", "Read count", "Sequencing platform", "Illumina", "Nanopore",
               "Reads mimetype", "Samples mimetype", "Reads drawn by the kernel", "Platform"],
        absent=["RendererRegistry"],
    ),
    "matplotlib-inline": Case(
        cells=[
            code("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 3])"),
            code('fig, ax = plt.subplots()\nax.bar(["a", "b"], [3, 5])\nax.set_title("Bars as PNG")'),
            code('%config InlineBackend.figure_formats = ["svg"]\nplt.rcParams["svg.fonttype"] = "none"\n'
                 'fig, ax = plt.subplots(figsize=(5, 3))\nax.plot([0, 1, 2], [1, 3, 2], label="Observed richness")\n'
                 'ax.set_xlabel("Days since baseline")\nax.set_ylabel("Shannon diversity")\n'
                 'ax.set_title("Diversity over time")\nax.legend()'),
            code('print("a value the user printed")\n42'),
        ],
        shown=["Days since baseline", "Shannon diversity", "Diversity over time", "Observed richness",
               "a value the user printed", "42"],
        absent=["Line2D", " at 0x", "<Figure size", "Text(0.5", "<Axes", "<matplotlib"],
        raster=True,
    ),
    "pandas-tables": Case(
        cells=[
            code("import pandas as pd\nframe = pd.DataFrame({'taxon': ['Bacteroides', 'Prevotella', 'Roseburia'], "
                 "'reads': [1200, 800, 95], 'share': [0.5, 0.33, 0.04]})\nframe"),
            code("frame.describe()"),
            code("frame.style.format({'share': '{:.1%}'}).set_caption('Styled abundance')"),
        ],
        shown=["Bacteroides", "1200", "mean", "Styled abundance", "33.0%"],
    ),
    "never-run": Case(
        cells=[markdown("# A notebook nobody ran"),
               nbformat.v4.new_code_cell("import pandas as pd\npd.DataFrame({'x': [1]})")],  # as saved unrun
        shown=["A notebook nobody ran"],
        warnings=[r"--execute"],
        execute=False,
    ),
    "interactive-libraries": Case(
        cells=[
            code("plotly", outputs=[bundle("application/vnd.plotly.v1+json", {"data": [], "layout": {}},
                                           "Figure({'data': []})")]),
            code("bokeh", outputs=[bundle("application/vnd.bokehjs_exec.v0+json", "", "")]),
            code("widget", outputs=[bundle("application/vnd.jupyter.widget-view+json",
                                           {"model_id": "m1", "version_major": 2, "version_minor": 0},
                                           "IntSlider(value=3)")]),
            code("unknown", outputs=[bundle("application/x-lab-specific", "payload", "")]),
        ],
        shown=["application/vnd.plotly.v1+json", "application/vnd.bokehjs_exec.v0+json",
               "application/vnd.jupyter.widget-view+json", "application/x-lab-specific"],
        absent=["IntSlider(value=3)", "Figure({"],
        warnings=[r"cell 1\b", r"cell 2\b", r"cell 3\b", r"cell 4\b"],
        execute=False,
    ),
    "jupyter-book-tags": Case(
        cells=[
            code('print("input hidden, output kept")', tags=["hide-input"]),
            code('print("output hidden away")', tags=["hide-output"]),
            code('print("whole cell hidden away")', tags=["hide-cell"]),
            code('print("a plain cell")'),
        ],
        shown=["input hidden, output kept", "a plain cell"],
        absent=["output hidden away", "whole cell hidden away", "print("],
    ),
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus saved as users' tools save it, and each format's ``jupyter nbconvert`` run
    over all of it: {"folder", "pdf": stderr per notebook, "html": ...}."""
    folder = tmp_path_factory.mktemp("corpus")
    for name, case in CORPUS.items():
        nb = notebook(*case.cells)
        nb.metadata["kernelspec"] = KERNEL
        if case.execute:
            render.execute(nb, folder, timeout=180)
        nbformat.write(nb, folder / f"{name}.ipynb")
    logs = {}
    for to in ("onecodex_pdf", "onecodex_html"):
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", to, *(f"{name}.ipynb" for name in CORPUS)],
            cwd=folder, capture_output=True, text=True, timeout=900,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        parts = re.split(r"^\[NbConvertApp\] Converting notebook (\S+)\.ipynb.*$", result.stderr, flags=re.M)
        logs[to] = dict(zip(parts[1::2], parts[2::2]))
    return folder, logs


@pytest.mark.parametrize("name", CORPUS)
def test_each_pdf_prints_every_chart_as_vector_text_and_paths(corpus, name):
    folder, logs = corpus
    case = CORPUS[name]
    with pdfplumber.open(folder / f"{name}.pdf") as pdf:
        text = squeeze("".join(char["text"] for page in pdf.pages for char in page.chars))
        images = sum(len(page.images) for page in pdf.pages)
        paths = sum(len(page.curves) + len(page.rects) + len(page.lines) for page in pdf.pages)
    assert not [word for word in case.shown if squeeze(word) not in text], "missing from the PDF"
    assert not [word for word in case.absent if squeeze(word) in text], "junk in the PDF"
    assert images == 0 or case.raster, f"{images} raster images"
    if "alt." in json.dumps([cell.source for cell in case.cells]):
        assert paths > 20, "charts are not vector paths"
    for pattern in case.warnings:
        assert re.search(pattern, logs["onecodex_pdf"][name]), f"no warning {pattern!r}"


@pytest.mark.parametrize("name", CORPUS)
def test_each_html_report_shows_the_same_and_runs_no_script(corpus, name):
    folder, logs = corpus
    case = CORPUS[name]
    html = (folder / f"{name}.html").read_text()
    assert "<script" not in html.lower()
    figures = [base64.b64decode(data).decode() for data in re.findall(r"data:image/svg\+xml;base64,([\w+/=]+)", html)]
    visible = squeeze(unescape(re.sub(r"<[^>]+>", " ", html + "".join(figures))))
    assert not [word for word in case.shown if squeeze(word) not in visible], "missing from the HTML"
    assert not [word for word in case.absent if squeeze(word) in visible], "junk in the HTML"
    for pattern in case.warnings:
        assert re.search(pattern, logs["onecodex_html"][name]), f"no warning {pattern!r}"
