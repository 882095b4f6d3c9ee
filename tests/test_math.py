"""LaTeX math prints as vector glyph outlines, with no MathJax, LaTeX or JavaScript."""

from __future__ import annotations

import base64
import io
import logging
import re
from html import unescape

from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text

from ocx_reports.exporters.preprocessors.math import markdown_math


def formula_images(html: str) -> dict[str, str]:
    """Formula LaTeX (alt text, unescaped) -> its ``<img>`` tag, whatever the attribute order."""
    tags = re.findall(r'<img[^>]*class="ocx-math[^>]*>', html)
    return {unescape(re.search(r'alt="([^"]*)"', tag).group(1)): tag for tag in tags}


def test_dollar_rules_keep_prices_code_and_escapes_apart_from_math():
    errors = []
    text = (
        "Costs $5 and $10, or $5.00$6. Energy $E=mc^2$ and `$code$` stay; \\$x$ too.\n\n"
        "```\n$fenced$\n```\n\n$$\\sum_i x_i$$"
    )
    out = markdown_math(text, errors)
    assert "$5 and $10" in out and "$5.00$6" in out
    assert "`$code$`" in out and "```\n$fenced$\n```" in out and "\\$x$" in out
    assert 'alt="E=mc^2"' in out and 'class="ocx-math ocx-math-display"' in out
    assert 'vertical-align:' in out.split('alt="E=mc^2"')[0].rsplit("<img", 1)[1]
    assert not errors


def test_markdown_formulas_print_as_vector_graphics_not_raw_dollars():
    import pdfplumber

    nb = notebook(markdown("# Diversity\n\nShannon $H = -\\sum_i p_i \\ln p_i$ here.\n\n$$\\frac{a}{b^2}$$\n"))
    pdf = export_pdf(nb)
    text = " ".join(pdf_pages_text(pdf))
    assert "Shannon" in text and "here" in text
    assert "$" not in text and "\\sum" not in text and "frac" not in text
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert not page.images
        assert len(page.curves) >= 5, "formula glyphs should be vector outlines"


def test_inline_math_sits_on_the_baseline_and_display_math_is_its_own_block():
    html = export_html(notebook(markdown("A $y_i$ b.\n\n$$x^2$$")))
    images = formula_images(html)
    inline = images["y_i"]
    descent = float(re.search(r"vertical-align:\s*(-[\d.]+)em", inline).group(1))
    assert -0.6 < descent < -0.1  # the subscript hangs below the baseline
    display = images["x^2"]
    assert "ocx-math-display" in display and "vertical-align" not in display


def test_latex_outputs_render_as_svg():
    sympy_like = new_output("execute_result", data={"text/latex": "$\\displaystyle \\frac{x^{2}}{2}$", "text/plain": "x**2/2"})
    ipython_math = new_output("display_data", data={"text/latex": "$$\\alpha + \\beta$$", "text/plain": "<Math>"})
    html = export_html(notebook(code("x", outputs=[sympy_like, ipython_math])))
    images = formula_images(html)
    assert "\\displaystyle \\frac{x^{2}}{2}" in images
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', images["\\alpha + \\beta"]).group(1)
    assert b"<path" in base64.b64decode(src)


def test_bad_formula_shows_its_source_in_a_box_and_warns(caplog):
    with caplog.at_level(logging.WARNING):
        html = export_html(notebook(markdown("fine"), markdown("Broken $\\frac{a$ and $x^$ and $\\nosuch{y}$.")))
    assert html.count('class="ocx-math-error"') == 3
    box = re.search(r'<code class="ocx-math-error"[^>]*>(.*?)</code>', html).group(1)
    assert unescape(box) == "$\\frac{a$"
    messages = [r.getMessage() for r in caplog.records if "formula" in r.getMessage()]
    assert len(messages) == 3 and all(m.startswith("cell 2") for m in messages)
    assert any("\\nosuch" in m for m in messages)
