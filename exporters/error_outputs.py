"""Error outputs are never dropped silently.

A notebook that still holds an error output usually means a report built on
a half-run analysis. By default the export stops and names the cell; with
``allow_errors=True`` the error stays in the report, in a visible box (see
the template's ``error`` block).
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from .errors import ReportError


def describe_cell(index: int, cell) -> str:
    """'cell 7 (In [5])': how messages name a cell, 1-based like Jupyter's UI."""
    count = cell.get("execution_count")
    return f"cell {index + 1}" + (f" (In [{count}])" if count else "")


def first_error(nb):
    """(index, cell, output) of the first error output, or None."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                return index, cell, output
    return None


def error_summary(output) -> str:
    evalue = " ".join(str(output.get("evalue", "")).split())
    if len(evalue) > 160:
        evalue = evalue[:157] + "..."
    return f"{output.get('ename', 'Error')}: {evalue}" if evalue else output.get("ename", "Error")


def execution_failure(nb, exc: Exception) -> ReportError:
    """The one-line error for a notebook whose execution stopped with ``exc``.

    nbclient leaves the failing cell's error output in ``nb``, so the message
    names the cell; timeouts and dead kernels name themselves.
    """
    found = first_error(nb)
    if found:
        where = f"{describe_cell(found[0], found[1])} raised {error_summary(found[2])}"
    else:
        where = " ".join(str(exc).split())[:200]
    return ReportError(f"executing the notebook failed: {where}; fix the notebook and run it again")


class ErrorOutputPreprocessor(Preprocessor):
    """Refuse notebooks holding error outputs unless errors are allowed."""

    allow_errors = Bool(
        False, help="Export notebooks that hold error outputs, showing each error in a red box."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        if self.allow_errors:
            return nb, resources
        found = first_error(nb)
        if found:
            index, cell, output = found
            raise ReportError(
                f"{describe_cell(index, cell)} raised {error_summary(output)}; fix the cell and "
                "re-run the notebook, or export with allow_errors=True to show the error in the report"
            )
        return nb, resources
