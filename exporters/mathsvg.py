"""LaTeX math -> SVG at export time, so formulas print without MathJax, LaTeX or JavaScript.

Jupyter shows ``$x^2$`` in markdown through MathJax in the browser;
WeasyPrint runs no JavaScript, so without this the PDF would print the raw
source. ziamath (pure Python) lays out each formula as glyph outlines, which
we embed as ``<img>`` data URIs sized in ``em``, so a formula follows the
font size around it and inline math sits on the text baseline.

Math delimiters follow Pandoc's rules, which keep prices apart from math:
the opening ``$`` is followed by a non-space, the closing ``$`` is preceded
by a non-space and not followed by a digit ("$5 and $10" is not math).
Fenced code blocks and inline code spans are left alone, as is ``\\$``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from nbconvert.preprocessors import Preprocessor

from .assets import data_uri
from .error_outputs import describe_cell
from .visibility import cell_tags

#: The report's body size in CSS px (10.5pt); formulas are drawn at this size
#: and sized in em, so they scale with the text around them.
BODY_PX = 14.0
MATH_COLOR = "#1f2933"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_TOKEN = re.compile(
    r"(?P<code>`+)"
    r"|(?P<escaped>\\[\\$])"
    r"|\$\$(?P<display>(?:\\.|[^\\$])+?)\$\$"
    r"|\$(?![\s$])(?P<inline>(?:\\.|[^\\$\n]|\n(?![ \t]*\n))+?)(?<![\s\\])\$(?!\d)",
    re.S,
)
_LATEX_OUTPUT = re.compile(r"^\s*(?:\$\$(.*)\$\$|\$(.*)\$|\\\[(.*)\\\]|\\\((.*)\\\))\s*$", re.S)


class MathError(Exception):
    """A formula ziamath cannot lay out; the message says why."""


@lru_cache(maxsize=1024)
def formula_html(latex: str, display: bool) -> str:
    """``<img>`` of one formula; raises MathError."""
    import ziamath

    try:
        math = ziamath.Math.fromlatex(latex, size=BODY_PX, inline=not display, color=MATH_COLOR)
        unknown = re.search(r"<mi>(\\[A-Za-z]+)</mi>", math.mathmlstr())
        if unknown:
            raise MathError(f"unknown command {unknown.group(1)}")
        svg = math.svg()
    except MathError:
        raise
    except Exception as exc:  # latex2mathml raises one type per mistake, often without a message
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).lower().removesuffix(" error")
        raise MathError(str(exc).strip() or ("it does not parse" if isinstance(exc, AssertionError) else words)) from None
    x, y, width, height = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    descent = y + height  # the baseline is at y = 0
    style = f"width:{width / BODY_PX:.3f}em;height:{height / BODY_PX:.3f}em"
    if not display:
        style += f";vertical-align:{-descent / BODY_PX:.3f}em"
    kind = "ocx-math ocx-math-display" if display else "ocx-math"
    alt = escape(" ".join(latex.split()), quote=True)
    return f'<img class="{kind}" src="{data_uri(svg.encode(), "image/svg+xml")}" style="{style}" alt="{alt}">'


def _literal(text: str) -> str:
    """``text`` as HTML that markdown leaves alone: every symbol as a character reference."""
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def error_html(source: str, reason: str) -> str:
    return f'<code class="ocx-math-error" title="{escape(reason, quote=True)}">{_literal(source)}</code>'


def _render(latex: str, display: bool, source: str, errors: list) -> str:
    try:
        return formula_html(latex.strip(), display)
    except MathError as exc:
        errors.append((source, str(exc)))
        return error_html(source, str(exc))


def _prose_math(text: str, errors: list, draw) -> str:
    """Math in markdown text outside code blocks; code spans are copied as they are."""
    out, pos = [], 0
    while True:
        found = _TOKEN.search(text, pos)
        if not found:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos : found.start()])
        pos = found.end()
        if found.group("code"):
            ticks = found.group("code")
            close = re.compile(rf"(?<!`){ticks}(?!`)").search(text, pos)
            end = close.end() if close else pos
            out.append(text[found.start() : end])
            pos = end
        elif found.group("escaped"):
            out.append(found.group(0))
        else:
            display = found.group("display") is not None
            latex = found.group("display") if display else found.group("inline")
            out.append(draw(latex, display, found.group(0), errors))


def markdown_math(source: str, errors: list, draw=_render) -> str:
    """Markdown with every formula replaced by its image (fenced code untouched).

    ``errors`` collects (source, reason) of formulas that failed; they are
    shown in a visible box instead. ``draw(latex, display, source, errors)``
    gives a formula's HTML (markdown placeholders use it to find the formulas).
    """
    out, pos = [], 0
    while True:
        fence = _FENCE.search(source, pos)
        if not fence:
            out.append(_prose_math(source[pos:], errors, draw))
            return "".join(out)
        out.append(_prose_math(source[pos : fence.start()], errors, draw))
        marker = fence.group(1)
        close = re.compile(rf"^ {{0,3}}{marker[0]}{{{len(marker)},}}[ \t]*$", re.M)
        line_end = source.find("\n", fence.end())
        closing = close.search(source, line_end + 1) if line_end >= 0 else None
        end = closing.end() if closing else len(source)
        out.append(source[fence.start() : end])
        pos = end


def latex_output_html(latex: str, errors: list) -> str:
    """A ``text/latex`` output: one formula shown as display math, or text with inline math."""
    whole = _LATEX_OUTPUT.match(latex)
    if whole:
        formula = next(group for group in whole.groups() if group is not None)
        return f'<div class="ocx-math-block">{_render(formula, True, latex.strip(), errors)}</div>'
    return f'<div class="ocx-math-block">{markdown_math(escape(latex, quote=False), errors)}</div>'


class MathPreprocessor(Preprocessor):
    """``$...$`` and ``$$...$$`` in markdown cells, and ``text/latex`` outputs, as SVG images."""

    def preprocess(self, nb, resources):
        for index, cell in enumerate(nb.cells):
            errors: list = []
            if "remove-cell" in cell_tags(cell):
                continue
            if cell.cell_type == "markdown" and "$" in cell.source:
                cell.source = markdown_math(cell.source, errors)
            for output in cell.get("outputs", ()):
                data = output.get("data") or {}
                if "text/latex" in data and not {"text/html", "text/markdown", "image/svg+xml"} & set(data):
                    data["text/html"] = latex_output_html(data["text/latex"], errors)
            for source, reason in errors:
                self.log.warning(
                    "%s: cannot draw the formula %s (%s); it is shown as source", describe_cell(index, cell),
                    source, reason,
                )
        return nb, resources
