"""``ocx_reports.charts.enable()`` gives matplotlib figures the report's look: run in a real
kernel (nbclient), a figure prints its text in Source Sans Pro, in the brand's colours."""

import io
import subprocess
import sys

import pdfplumber
from helpers import code, export_pdf, notebook

from ocx_reports import render

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
NAVY = (0x16 / 255, 0x42 / 255, 0x5B / 255)


def test_a_matplotlib_figure_prints_in_the_report_font_and_palette(tmp_path):
    nb = notebook(
        code("import ocx_reports.charts\nocx_reports.charts.enable()"),
        code(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(5, 2.5))\n"
            "ax.plot([1, 2, 3], [2.9, 3.4, 3.1], label='Stool')\n"
            "ax.set_xlabel('Visit number')\nax.set_ylabel('Shannon index')\nax.set_title('Diversity by visit')\n"
            "ax.legend()\nplt.show()"
        ),
        kernelspec=KERNEL,
    )
    executed = render.execute(nb, tmp_path)
    figure = executed.cells[1].outputs[0]["data"]
    assert "image/svg+xml" in figure and "image/png" not in figure  # the inline backend's PNG became SVG
    with pdfplumber.open(io.BytesIO(export_pdf(executed))) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["fontname"])
        lines = [line for line in page.curves + page.lines if line.get("stroking_color")]
    # (The stock engine draws an SVG's words without the spaces between them: "Visitnumber".)
    font = {text: next(w["fontname"] for w in words if w["text"].startswith(text))
            for text in ("Visit", "Diversity", "Stool", "3.4")}
    assert all("SourceSans" in name.replace("-", "") for name in font.values()), font
    assert "SemiBold" in font["Visit"].replace("-", "").replace("Semib", "SemiB")  # the axis titles' weight
    assert font["Diversity"].endswith("Bold") and "Semi" not in font["Diversity"]  # the title's
    fonts = {char["fontname"] for char in page.chars}
    assert not any("DejaVu" in font for font in fonts), fonts
    # The first line of the colour cycle is the brand's navy, as in the Altair theme.
    assert any(all(abs(a - b) < 0.01 for a, b in zip(line["stroking_color"], NAVY)) for line in lines)


def test_enable_themes_matplotlib_only_once_it_is_imported():
    """A notebook of Altair charts does not pay matplotlib's import; one that imports it later,
    or before enable(), gets the theme."""
    later = subprocess.run(
        [sys.executable, "-c",
         "import sys, ocx_reports.charts as charts\ncharts.enable()\nassert 'matplotlib' not in sys.modules\n"
         "import matplotlib\nprint(matplotlib.rcParams['font.sans-serif'][0], matplotlib.rcParams['svg.fonttype'],"
         " matplotlib.rcParams['axes.prop_cycle'].by_key()['color'][0])"],
        capture_output=True, text=True, timeout=120,
    )
    assert later.returncode == 0, later.stderr
    assert later.stdout.split() == ["Source", "Sans", "Pro", "none", "#16425b"]
    before = subprocess.run(
        [sys.executable, "-c",
         "import matplotlib, ocx_reports.charts as charts\ncharts.enable()\n"
         "from matplotlib import font_manager\n"
         "print(font_manager.findfont('Source Sans Pro:semibold', fallback_to_default=False))"],
        capture_output=True, text=True, timeout=120,
    )
    assert before.returncode == 0, before.stderr
    assert before.stdout.strip().endswith("SourceSansPro-Semibold.ttf")
