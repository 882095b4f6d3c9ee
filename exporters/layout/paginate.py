"""Cut a report's HTML into chunks that lay out as independent documents.

The PDF exporter renders the template with two kinds of marks: one before
every top-level unit of ``main.ocx-body`` (each notebook cell, the Samples
section, and the closing tags), and one between the row groups of a long
table (``page/tables.py``). A chunk is the page's head and running header/footer,
then a run of units; only the first chunk has the cover (and its page rule). Every chunk starts
on a new page, so chunks end where a page break falls anyway when one is
near the ideal cut: a cell that starts or ends with a forced page break, or
the Samples section (which starts a page).

Cuts are placed by estimated layout cost, not by length: element count
dominates (each table cell is styled, shaped and drawn), then text, then
the embedded images WeasyPrint decodes and draws (a chart whose PDF form is
ready arrives as a small stand-in and costs little); a table laid out as
lines costs per line, whatever its values (``tablelines`` draws them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ..contracts import (
    BREAK_AFTER_TAG,
    BREAK_BEFORE_TAG,
    CELL_TAG_CLASS,
    CLIENT_PAGE_BREAK_CLASS,
    COVER_CLASS,
    COVER_PAGE_RULES,
    LINE_ROW_ATTRIBUTE,
    LINE_SHADED_ROW_ATTRIBUTE,
    PAGE_BREAK_CLASS,
    SAMPLES_CLASS,
)

#: Estimated cost per element, per character of text and per byte of embedded image data,
#: in units of one element (measured on the benchmark's large report).
TEXT_COST = 1 / 40
IMAGE_COST = 1 / 150
#: Per line of a table laid out as lines (``page/tables.py``): an empty block, its values
#: drawn straight into the PDF (the large benchmark report's 3,000-row table: 0.53 ms
#: a line against 0.26 ms per unit of the rest).
LINE_COST = 2
#: A chunk must be worth at least this much layout (about 15 pages of prose) to
#: pay for its process and the merge; shorter reports are laid out in one piece.
MIN_CHUNK_COST = 6000
#: A chunk's process holds all its boxes until every chunk is paginated; at about
#: 4 MiB per page of table this keeps each below ~300 MiB (the report is then
#: cut into more chunks than there are workers, up to ``MAX_PARTS_PER_WORKER`` each).
MAX_CHUNK_COST = 25000
MAX_PARTS_PER_WORKER = 4
#: A forced page break this close to the ideal cut (as a share of a chunk's cost) wins over it.
NATURAL_BREAK_SLACK = 0.12

#: What only the first chunk has: the cover, and the page rule that keeps the header off it.
_COVER = re.compile(
    rf'<section class="{COVER_CLASS}">.*?</section>|{".*?".join(map(re.escape, COVER_PAGE_RULES))}', re.S
)
_ROW, _SHADED_ROW = LINE_ROW_ATTRIBUTE, LINE_SHADED_ROW_ATTRIBUTE
_LINE = re.compile(f'<div (?:{_ROW}|{_SHADED_ROW})="[^"]*"></div>')
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
_FORCED_BEFORE = re.compile(
    rf'^\s*<(?:div|section)\b[^>]*class="[^"]*(?:{CELL_TAG_CLASS.format(tag=BREAK_BEFORE_TAG)}|{SAMPLES_CLASS})'
)
_FORCED_AFTER = re.compile(
    "|".join([CELL_TAG_CLASS.format(tag=BREAK_AFTER_TAG), PAGE_BREAK_CLASS, f'class="{CLIENT_PAGE_BREAK_CLASS}'])
)


@dataclass
class Piece:
    """A unit, or the row groups of a long table's unit, that a chunk may start with."""

    html: str
    cost: float
    natural: bool = False  # a page break falls before it anyway
    resume: str = ""  # for a table's row group: the open tags to repeat (cell wrappers, table, header)
    close: str = ""  # and the tags that close them


def cost(html: str) -> float:
    images = sum(len(uri) for uri in _DATA_URI.findall(html)) if "base64," in html else 0
    lines = _LINE.findall(html) if _ROW in html or _SHADED_ROW in html else []
    markup = len(html) - images - sum(map(len, lines))
    elements = html.count("<") - 2 * len(lines)
    return elements + markup * TEXT_COST + images * IMAGE_COST + len(lines) * LINE_COST


def strip_marks(html: str, *marks: str) -> str:
    for mark in marks:
        html = html.replace(mark, "")
    return html


def split(html: str, cut: str, rows: str, workers: int) -> list[str]:
    """Chunk documents of about equal cost: one per worker, more for a long report,
    one for a short report or a single worker."""
    units = html.split(cut)
    head, body, tail = units[0], units[1:-1], units[-1]
    pieces = list(_pieces(body, rows))
    total = sum(piece.cost for piece in pieces)
    parts = max(workers, min(-int(-total // MAX_CHUNK_COST), MAX_PARTS_PER_WORKER * workers))
    parts = min(parts, int(total // MIN_CHUNK_COST), len(pieces)) if workers > 1 else 1
    if parts < 2:
        return [strip_marks(html, cut, rows)]
    starts = _cut_points(pieces, total / parts, parts)
    frame = _COVER.sub("", head)
    chunks = []
    for number, (start, end) in enumerate(zip(starts, starts[1:] + [len(pieces)])):
        run = pieces[start:end]
        text = (head if number == 0 else frame) + run[0].resume
        text += "".join(piece.html for piece in run)
        if end < len(pieces):
            text += pieces[end].close  # a table continues in the next chunk
        chunks.append(text + tail)
    return chunks


def _pieces(units: list[str], rows: str):
    previous_breaks_after = False
    for unit in units:
        if not unit.strip():
            continue
        natural = previous_breaks_after or bool(_FORCED_BEFORE.match(unit))
        # A cell's own tag names its page-break-after; a page_break() output ends it.
        previous_breaks_after = bool(_FORCED_AFTER.search(unit[:400]) or _FORCED_AFTER.search(unit[-400:]))
        if rows not in unit:
            yield Piece(unit, cost(unit), natural)
            continue
        # The unit up to a long table's header, then one piece per row group. Row
        # groups are balanced markup, so only pieces that open a table are parsed.
        start, *groups = unit.split(rows)
        parser = _OpenTags()
        resume, closing = _resume(parser, start, "")
        yield Piece(start + groups[0], cost(start + groups[0]), natural)
        for before, group in zip(groups, groups[1:]):
            if "<table" in before:
                resume, closing = _resume(parser, before, resume)
            yield Piece(group, cost(group), resume=resume, close=closing)


def _resume(parser: "_OpenTags", fragment: str, previous: str) -> tuple[str, str]:
    """After feeding ``fragment``: the markup that reopens what is open (the innermost
    table with its column widths and header), and the end tags that close it."""
    parser.feed(fragment)
    opened = [text for _, text in parser.stack]
    closing = "".join(f"</{tag}>" for tag, _ in reversed(parser.stack))
    table = fragment.rfind(opened[-1]) if opened and parser.stack[-1][0] == "table" else -1
    if table < 0:
        return previous, closing
    header = fragment[table + len(opened[-1]) :]  # colgroup and thead
    return "".join(opened) + header, closing


def _cut_points(pieces: list[Piece], share: float, parts: int) -> list[int]:
    """Indexes of the pieces that start each chunk: the first, then near each multiple of ``share``."""
    starts = [0]
    done = 0.0
    before = []  # cumulative cost before each piece
    for piece in pieces:
        before.append(done)
        done += piece.cost
    for k in range(1, parts):
        ideal = k * share
        candidates = [i for i in range(starts[-1] + 1, len(pieces)) if before[i] > 0]
        if not candidates:
            break
        natural = [i for i in candidates if pieces[i].natural and abs(before[i] - ideal) <= NATURAL_BREAK_SLACK * share]
        best = min(natural or candidates, key=lambda i: abs(before[i] - ideal))
        starts.append(best)
    return starts


class _OpenTags(HTMLParser):
    """The start tags still open at the end of a fragment, outermost first."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, self.get_starttag_text()))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return
