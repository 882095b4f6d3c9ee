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

Drawing takes about 3 ms for a short formula and grows faster than its length
(3,000 characters: 1 s; 40,000: 77 s), so an export draws formulas up to
``max_formula_chars`` long and ``max_math_chars`` in all (``MathBudget``): a
longer one is shown as its source, shortened, like a formula that does not
parse, and those past the total as their source in the text, with one warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from nbconvert.preprocessors import Preprocessor

from ..contracts import MATH_BLOCK_CLASS, MATH_CLASS, MATH_DISPLAY_CLASS, MATH_ERROR_CLASS
from ..page.assets import data_uri
from . import exporter_option
from .error_outputs import describe_cell
from .visibility import DROP_CELL, cell_tags

#: The report's body size in CSS px (10.5pt); formulas are drawn at this size
#: and sized in em, so they scale with the text around them.
BODY_PX = 14.0
MATH_COLOR = "#1f2933"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
#: A formula's text holds no unescaped ``$``, so it ends at the first one: its repeats are
#: possessive, which the regular expression engine keeps no backtracking state for (a lazy
#: repeat kept some per character: 800 MiB for a 5 MB formula).
_TOKEN = re.compile(
    r"(?P<code>`+)"
    r"|(?P<escaped>\\[\\$])"
    r"|\$\$(?P<display>(?:\\.|[^\\$])++)\$\$"
    r"|\$(?![\s$])(?P<inline>(?:\\.|[^\\$\n]|\n(?![ \t]*\n))++)(?<![\s\\])\$(?!\d)",
    re.S,
)
_LATEX_OUTPUT = re.compile(r"^\s*(?:\$\$(.*)\$\$|\$(.*)\$|\\\[(.*)\\\]|\\\((.*)\\\))\s*$", re.S)


#: Characters of a formula's source shown when it is too long to draw.
SHOWN_SOURCE = 200


class MathError(Exception):
    """A formula ziamath cannot lay out; the message says why."""


@dataclass
class MathBudget:
    """What one export draws: formulas of at most ``max_formula`` characters, ``max_total``
    characters in all (0: no limit); ``skipped`` counts the formulas past the total."""

    max_formula: int = 0
    max_total: int = 0
    drawn: int = 0
    skipped: int = 0

    def too_long(self, latex: str) -> str | None:
        """Why ``latex`` is too long to draw, or None."""
        if self.max_formula and len(latex) > self.max_formula:
            return f"{len(latex):,} characters, more than max_formula_chars = {self.max_formula:,}"
        return None

    def afford(self, latex: str) -> bool:
        """Whether ``latex`` fits in what is left to draw (it then counts as drawn)."""
        if self.max_total and self.drawn + len(latex) > self.max_total:
            self.skipped += 1
            return False
        self.drawn += len(latex)
        return True


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
    kind = f"{MATH_CLASS} {MATH_DISPLAY_CLASS}" if display else MATH_CLASS
    alt = escape(" ".join(latex.split()), quote=True)
    return f'<img class="{kind}" src="{data_uri(svg.encode(), "image/svg+xml")}" style="{style}" alt="{alt}">'


def _literal(text: str) -> str:
    """``text`` as HTML that markdown leaves alone: every symbol as a character reference."""
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def error_html(source: str, reason: str) -> str:
    return f'<code class="{MATH_ERROR_CLASS}" title="{escape(reason, quote=True)}">{_literal(source)}</code>'


def _shortened(source: str) -> str:
    """A formula's source as shown when it is not drawn: its start and end if it is long."""
    if len(source) <= SHOWN_SOURCE:
        return source
    return f"{source[: SHOWN_SOURCE - 40]} ... [{len(source) - SHOWN_SOURCE:,} characters] ... {source[-40:]}"


def _render(latex: str, display: bool, source: str, errors: list, budget: MathBudget | None = None) -> str:
    latex = latex.strip()
    if budget is not None:
        too_long = budget.too_long(latex)
        if too_long:
            errors.append((_shortened(source), too_long))
            return error_html(_shortened(source), too_long)
        if not budget.afford(latex):
            return _literal(source)  # as plain text: an element per formula would cost the layout
    try:
        return formula_html(latex, display)
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


def markdown_math(source: str, errors: list, budget: MathBudget | None = None, draw=None) -> str:
    """Markdown with every formula replaced by its image (fenced code untouched).

    ``errors`` collects (source, reason) of formulas that failed; they are
    shown in a visible box instead. Formulas past the ``budget`` are shown as
    their source too. ``draw(latex, display, source, errors)`` gives a formula's
    HTML instead (markdown placeholders use it to find the formulas).
    """
    if draw is None:
        def draw(latex, display, formula, errors):
            return _render(latex, display, formula, errors, budget)

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


def latex_output_html(latex: str, errors: list, budget: MathBudget | None = None) -> str:
    """A ``text/latex`` output: one formula shown as display math, or text with inline math."""
    whole = _LATEX_OUTPUT.match(latex)
    if whole:
        formula = next(group for group in whole.groups() if group is not None)
        return f'<div class="{MATH_BLOCK_CLASS}">{_render(formula, True, latex.strip(), errors, budget)}</div>'
    return f'<div class="{MATH_BLOCK_CLASS}">{markdown_math(escape(latex, quote=False), errors, budget)}</div>'


class MathPreprocessor(Preprocessor):
    """``$...$`` and ``$$...$$`` in markdown cells, and ``text/latex`` outputs, as SVG images."""

    max_formula_chars = exporter_option("max_formula_chars")
    max_math_chars = exporter_option("max_math_chars")

    def preprocess(self, nb, resources):
        budget = MathBudget(self.max_formula_chars, self.max_math_chars)
        for index, cell in enumerate(nb.cells):
            errors: list = []
            if cell_tags(cell) & DROP_CELL:
                continue
            if cell.cell_type == "markdown" and "$" in cell.source:
                cell.source = markdown_math(cell.source, errors, budget)
            for output in cell.get("outputs", ()):
                data = output.get("data") or {}
                if "text/latex" in data and not {"text/html", "text/markdown", "image/svg+xml"} & set(data):
                    data["text/html"] = latex_output_html(data["text/latex"], errors, budget)
            for source, reason in errors:
                self.log.warning(
                    "%s: cannot draw the formula %s (%s); it is shown as source", describe_cell(index, cell),
                    source, reason,
                )
        if budget.skipped:
            self.log.warning(
                "%s formulas are shown as their source: the report draws %s characters of math "
                "(max_math_chars)", f"{budget.skipped:,}", f"{budget.max_total:,}",
            )
        return nb, resources
