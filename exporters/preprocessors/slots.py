"""Route report-helper outputs to their places in the page frame.

``ocx_reports.report`` helpers mark their outputs with ``{"onecodex": slot}``.
Header text, logo, date, styles and the cover leave the cell flow for the
template's slots in the export's page frame (``Export.report``); titles stay in the flow and name
the PDF; figure legends are renumbered in document order; a page break with
nothing after it is dropped so a report never ends on a blank page. In a report with a
cover, a first heading that only repeats the cover's title is left out.
"""

from __future__ import annotations

import html as htmllib
import re

from nbconvert.preprocessors import Preprocessor

from ocx_reports.report import ARGS_KEY, SLOT_KEY

from ..contracts import BREAK_AFTER_TAG, EXPORT_RESOURCE, FIGURE_NUMBER_CLASS

_FIGNUM = re.compile(rf'(<span class="{FIGURE_NUMBER_CLASS}">)Figure [^<]*\.(</span>)')
_HEADING = re.compile(r"^\s{0,3}#{1,2}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)


def _metadata(output) -> dict:
    metadata = output.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _slot(output):
    return _metadata(output).get(SLOT_KEY)


def _args(output) -> dict:
    """The helper's arguments as text (flags stay flags): a notebook is any JSON, whoever wrote it."""
    args = _metadata(output).get(ARGS_KEY)
    if not isinstance(args, dict):
        return {}
    return {str(k): v if isinstance(v, bool) else str(v) for k, v in args.items() if v is not None}


def plain_text(html: str) -> str:
    return " ".join(_TAG.sub("", html).split())


def _comparable(html: str) -> str:
    """Text as a reader compares it: without markup, entities, case or spacing differences."""
    return " ".join(htmllib.unescape(_TAG.sub(" ", html)).split()).casefold()


def _first_heading(cell):
    """The cell's first level 1 or 2 heading: (its text, a function that leaves it out of the
    cell); None if the cell has no heading."""
    if cell.cell_type == "markdown":
        found = _without_heading(cell.source)
        if found:
            return found[0], lambda: setattr(cell, "source", found[1])
    for output in cell.get("outputs", ()) if cell.cell_type == "code" else ():
        if _slot(output) == "title":
            return _args(output).get("text", ""), lambda: cell.outputs.remove(output)
        data = output.get("data") if isinstance(output.get("data"), dict) else {}
        found = _without_heading(data.get("text/markdown"))
        if found:
            return found[0], lambda: data.update({"text/markdown": found[1]})
    return None


def _without_heading(markdown) -> tuple[str, str] | None:
    """(the text of markdown's first level 1 or 2 heading, the markdown without it), if it has one."""
    match = _HEADING.search(markdown) if isinstance(markdown, str) else None
    return (match.group(1), markdown[: match.start()] + markdown[match.end() :]) if match else None


class ReportSlotsPreprocessor(Preprocessor):
    """Move helper outputs into the page frame (``Export.report``) and number legends."""

    def preprocess(self, nb, resources):
        report = resources[EXPORT_RESOURCE].report
        figure = 0
        for cell in nb.cells:
            if cell.cell_type == "markdown" and not report.get("title"):
                match = _HEADING.search(cell.source)
                if match:
                    report.setdefault("heading_title", plain_text(match.group(1)))
            if cell.cell_type != "code":
                continue
            kept = []
            for output in cell.get("outputs", ()):
                slot = _slot(output)
                args = _args(output)
                if slot == "head.style":
                    report["styles"].append(str(output.get("data", {}).get("text/css", "")))
                elif slot == "customdate":
                    if report["insert_date"]:
                        report["date"] = args.get("date", report["date"])
                elif slot == "header.center":
                    report["center_header"] = args.get("text", "")
                elif slot == "header.logo":
                    report["logo"] = {"url": args.get("url", ""), "position": args.get("position", "left"),
                                      "style": args.get("style", ""), "alt": "logo"}
                elif slot == "cover":
                    report["cover"] = args
                else:
                    if slot == "title" and not report.get("title"):
                        report["title"] = plain_text(args.get("text", ""))
                    elif slot == "legend" and args.get("auto", True):
                        figure += 1
                        self._renumber(output, figure)
                    kept.append(output)
            cell.outputs = kept
        if report["cover"]:
            self._drop_repeated_title(nb, report["cover"].get("title", ""))
        self._drop_trailing_breaks(nb)
        return nb, resources

    @staticmethod
    def _drop_repeated_title(nb, cover_title: str) -> None:
        """Leave out the report's first heading (a ``title()``, or a level 1 or 2 heading of a
        markdown cell or output) if it says what the cover's title, or one of its lines, says:
        right after the cover it would only repeat it. The PDF's title and outline keep it (the
        cover's title is the outline's first entry)."""
        said = {_comparable(line) for line in _LINE_BREAK.split(cover_title)} | {_comparable(cover_title)}
        for cell in nb.cells:
            found = _first_heading(cell)
            if found is not None:
                text, leave_out = found
                if _comparable(text) in said - {""}:
                    leave_out()
                return

    @staticmethod
    def _renumber(output, number: int) -> None:
        data = output.get("data", {})
        if "text/html" in data:
            data["text/html"] = _FIGNUM.sub(rf"\g<1>Figure {number}.\g<2>", data["text/html"])

    @staticmethod
    def _drop_trailing_breaks(nb) -> None:
        """Remove page breaks after the last content, which would print a blank page."""
        for cell in reversed(nb.cells):
            tags = cell.get("metadata", {}).get("tags")
            if tags and BREAK_AFTER_TAG in tags:
                tags.remove(BREAK_AFTER_TAG)
            outputs = cell.get("outputs")
            while outputs and _slot(outputs[-1]) == "page-break":
                outputs.pop()
            shown_source = cell.cell_type != "code" or not cell.metadata.get("transient", {}).get(
                "remove_source"
            )
            if outputs or (shown_source and cell.get("source", "").strip()):
                return
