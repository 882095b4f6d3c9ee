"""Which parts of each cell reach the report: inputs, outputs, whole cells.

Reports hide code by default; cell tags (the Jupyter Book / nbconvert names)
and the One Codex client's ``cell.metadata.show_input`` decide the rest.
Jupyter Book's ``hide-*`` tags fold content away behind a button on a web page;
its static exports (PDF, LaTeX, Word) leave that content out, and so does a
report, which is a static page. Cells left with nothing to show are dropped so
they add no spacing, and the page breaks they asked for move to the next cell
that is shown.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

from ..contracts import BREAK_AFTER_TAG, BREAK_BEFORE_TAG
from . import exporter_option

#: Tags that leave a whole cell, a code cell's source, or its outputs out of the report.
DROP_CELL = frozenset({"remove-cell", "hide-cell"})
DROP_INPUT = frozenset({"remove-input", "hide-input"})
DROP_OUTPUT = frozenset({"remove-output", "hide-output"})
#: Tags whose cell's outputs never reach the report: what works on outputs skips them.
REMOVED_OUTPUT_TAGS = DROP_CELL | DROP_OUTPUT


def cell_tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", ()))


def never_run(cells) -> bool:
    """Whether a notebook was saved without being run: it has code whose outputs the report
    would show, and no code cell has an output or an execution count. A notebook with no
    code, or whose code the report leaves out entirely, prints the same either way."""
    code = [cell for cell in cells if cell.cell_type == "code"]
    shown = any(cell.source.strip() and not cell_tags(cell) & REMOVED_OUTPUT_TAGS for cell in code)
    return shown and not any(cell.get("outputs") or cell.get("execution_count") for cell in code)


def _add_tag(cell, tag: str) -> None:
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


class VisibilityPreprocessor(Preprocessor):
    """Apply show/remove/hide tags, hide inputs and stderr, drop empty cells; warn when the
    notebook was never run."""

    show_stderr = exporter_option("show_stderr")

    def preprocess(self, nb, resources):
        if never_run(nb.cells):
            name = resources.get("metadata", {}).get("name")
            self.log.warning(
                "%s has never been run: none of its code cells has an output, so the report shows only its "
                "text; export with --execute to run it first (or run it in Jupyter and save it)",
                f"{name}.ipynb" if name else "The notebook",
            )
        kept = []
        carry_break = False
        for cell in nb.cells:
            tags = cell_tags(cell)
            if tags & DROP_CELL:
                carry_break = carry_break or bool(tags & {BREAK_BEFORE_TAG, BREAK_AFTER_TAG})
                continue
            if cell.cell_type == "code":
                self._filter_code_cell(cell, tags)
                if cell.metadata.get("transient", {}).get("remove_source") and not cell.outputs:
                    carry_break = carry_break or bool(tags & {BREAK_BEFORE_TAG, BREAK_AFTER_TAG})
                    continue
            if carry_break:
                _add_tag(cell, BREAK_BEFORE_TAG)
                carry_break = False
            kept.append(cell)
        nb.cells = kept
        return nb, resources

    def _filter_code_cell(self, cell, tags: set[str]) -> None:
        shown = "show-input" in tags or cell.metadata.get("show_input") is True
        if tags & DROP_INPUT or not shown:
            cell.metadata.setdefault("transient", {})["remove_source"] = True
        if tags & DROP_OUTPUT:
            cell.outputs = []
        elif not self.show_stderr:
            cell.outputs = [
                out for out in cell.outputs
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
