"""Limits on what one notebook may put in a report: long text outputs, CSS, HTML size and depth.

Each limit is an exporter option, checked where the content enters the report,
before any costly work on it:

* Stream outputs (stdout, stderr) and plain-text results keep their first and last
  ``max_stream_lines / 2`` lines, and at most ``max_stream_chars`` characters, with a
  line saying what was left out: a report is read, not searched, and a 100,000-line
  log would be 2,000 pages. Lines longer than ``LONG_LINE`` are broken into lines of
  that length: WeasyPrint wraps a long line by laying out all the rest of it again
  for each line it makes (20,000 characters took 8 s, 50,000 about 50 s).
* CSS from the notebook (``<style>`` in outputs and markdown, ``set_style``) is matched
  rule by rule against every element of the report, and each ``{`` opens a rule: past
  ``max_css_rules`` the export stops, naming the cell, rather than dropping styles that
  may carry meaning (a heatmap's colours).
* The HTML of one output or markdown cell may hold ``max_html_tags`` tags: the
  sanitizer builds a tree of the whole fragment, about 350 bytes a tag. Longer tables
  are cut to ``max_table_rows`` before that (``page.tables.RowLimit``).
* Elements may nest ``max_nesting_depth`` deep: WeasyPrint lays out each level with
  nested calls, and 10,000 nested elements ended in a RecursionError. Past the limit
  the export stops naming the cell: nothing real nests that deep, and its text alone
  would not show what it meant.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor

from ocx_reports.report import SLOT_KEY

from ..errors import ReportError
from . import exporter_option
from .error_outputs import describe_cell
from .visibility import DROP_CELL, DROP_OUTPUT, cell_tags

#: Longest line of a text output laid out as it is; a longer one is broken into lines of
#: this length (laying out one line of n characters takes time in n squared: 20,000 took 8 s).
LONG_LINE = 1000
_LONG_LINE = re.compile(rf"[^\n]{{{LONG_LINE + 1},}}")
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)(?:</style\s*>|$)", re.I | re.S)
_VOID = re.compile(r"<(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b[^>]*>")
_END_TAG = re.compile(r"</[^>]*>")
_START_TAG = re.compile(r"<[^>]*>")
_NOT_PARENS = re.compile(r"[^()]+")


def cut_text(text: str, max_lines: int, max_chars: int) -> str:
    """``text`` with the lines past the first and last ``max_lines / 2`` left out, then the
    characters past the first and last ``max_chars / 2``, each cut said in a line of its own
    (0: no limit); lines longer than ``LONG_LINE`` are broken into lines of that length."""
    if max_lines and text.count("\n") >= max_lines:
        lines = text.splitlines(keepends=True)
        if len(lines) > max_lines:
            head, tail = max_lines - max_lines // 2, max_lines // 2
            left_out = len(lines) - head - tail
            text = "".join(
                lines[:head]
                + [f"[... {left_out:,} lines left out: a report shows the first {head:,} and the last {tail:,} "
                   "lines of an output (max_stream_lines) ...]\n"]
                + lines[len(lines) - tail :]
            )
    if max_chars and len(text) > max_chars:
        head, tail = max_chars - max_chars // 2, max_chars // 2
        left_out = len(text) - head - tail
        text = (
            f"{text[:head]}\n[... {left_out:,} characters left out: a report shows the first {head:,} and the "
            f"last {tail:,} characters of an output (max_stream_chars) ...]\n{text[len(text) - tail:]}"
        )
    if len(text) > LONG_LINE and _LONG_LINE.search(text):
        text = _LONG_LINE.sub(lambda line: "\n".join(_pieces(line.group(0), LONG_LINE)), text)
    return text


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def css_rules(html: str) -> int:
    """Rules (opening braces) in the ``<style>`` elements of an HTML fragment."""
    if "<style" not in html.lower():
        return 0
    return sum(css.count("{") for css in _STYLE_ELEMENT.findall(html))


def nests_deeper(html: str, depth: int) -> bool:
    """Whether elements of sanitized (well-formed) HTML nest more than ``depth`` deep.

    Each start tag becomes ``(`` and each end tag ``)``; peeling the innermost pairs off
    ``depth`` times leaves nothing unless something nests deeper. Each pass is one
    ``str.replace`` over what is left, so a long flat table is a few passes.
    """
    if html.count("<") <= depth:
        return False
    parens = html.replace("(", "").replace(")", "")
    parens = _START_TAG.sub("(", _END_TAG.sub(")", _VOID.sub("", parens)))
    parens = _NOT_PARENS.sub("", parens)
    for _ in range(depth):
        if not parens:
            return False
        parens = parens.replace("()", "")
    return bool(parens)


def check_tags(html: str, max_tags: int, where) -> None:
    """Stop the export if an HTML fragment holds more than ``max_tags`` tags (``where()``
    names its cell)."""
    if max_tags and html.count("<") > max_tags:
        raise ReportError(
            f"{where()}: its HTML has {html.count('<'):,} tags, more than a report takes from one output "
            f"({max_tags:,}: OneCodexHTMLExporter.max_html_tags); print less of it"
        )


def check_depth(html: str, max_depth: int, where) -> None:
    """Stop the export if sanitized HTML nests deeper than ``max_depth``."""
    if max_depth and nests_deeper(html, max_depth):
        raise ReportError(
            f"{where()}: its HTML nests elements more than {max_depth:,} deep, more than a report lays out "
            "(OneCodexHTMLExporter.max_nesting_depth)"
        )


class LimitsPreprocessor(Preprocessor):
    """Cut long text outputs short, and count the notebook's CSS rules."""

    max_stream_lines = exporter_option("max_stream_lines")
    max_stream_chars = exporter_option("max_stream_chars")
    max_css_rules = exporter_option("max_css_rules")

    def preprocess(self, nb, resources):
        rules = 0
        for index, cell in enumerate(nb.cells):
            tags = cell_tags(cell)
            if tags & DROP_CELL:
                continue
            if cell.cell_type == "markdown":
                rules += css_rules(cell.source)
            for output in cell.get("outputs", ()) if not tags & DROP_OUTPUT else ():
                rules += self._limit_output(output)
            if self.max_css_rules and rules > self.max_css_rules:
                raise ReportError(
                    f"{describe_cell(index, cell)}: the notebook's CSS reaches {rules:,} rules here, more than a "
                    f"report takes ({self.max_css_rules:,}: OneCodexHTMLExporter.max_css_rules); style less"
                )
        return nb, resources

    def _limit_output(self, output) -> int:
        """Cut the output's text short; the CSS rules it brings."""
        if output.get("output_type") == "stream" and isinstance(output.get("text"), str):
            output["text"] = cut_text(output["text"], self.max_stream_lines, self.max_stream_chars)
            return 0
        data = output.get("data")
        if not isinstance(data, dict):
            return 0
        if isinstance(data.get("text/plain"), str):
            data["text/plain"] = cut_text(data["text/plain"], self.max_stream_lines, self.max_stream_chars)
        metadata = output.get("metadata")
        if isinstance(metadata, dict) and metadata.get(SLOT_KEY) == "head.style":
            css = str(data.get("text/css", ""))
            return css_rules(css) if "<style" in css.lower() else css.count("{")
        html = data.get("text/html")
        return css_rules(html) if isinstance(html, str) else 0
