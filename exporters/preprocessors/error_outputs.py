"""Error outputs are never dropped silently.

A notebook that still holds an error output usually means a report built on
a half-run analysis. By default the export stops and names the cell; with
``allow_errors=True`` the error stays in the report, in a visible box (see
the template's ``error`` block).
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from ..errors import ReportError
from . import exporter_option


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


def execution_failure(nb, exc: Exception, *, notebook=None, kernel: str | None = None) -> ReportError:
    """The one-line error for a notebook whose execution stopped with ``exc``.

    nbclient leaves the failing cell's error output in ``nb``, so the message
    names the cell; timeouts and dead kernels name themselves. A failed
    import is the kernel's environment's fault, not the notebook's, so it says
    where to install; for a notebook shipped with ocx-reports (``notebook``
    is its path) it does not ask the user to fix it.
    """
    found = first_error(nb)
    if found is None:
        where = " ".join(str(exc).split())[:200]
        return ReportError(f"executing the notebook failed: {where}; fix the notebook and run it again")
    where = f"{describe_cell(found[0], found[1])} raised {error_summary(found[2])}"
    if found[2].get("ename") not in ("ModuleNotFoundError", "ImportError"):
        return ReportError(f"executing the notebook failed: {where}; fix the notebook and run it again")
    python = kernel_python(kernel or "python3")
    environment = f"the Python environment of kernel {kernel or 'python3'!r}" + (f" ({python})" if python else "")
    if notebook is not None and is_bundled(notebook):
        return ReportError(
            f"executing the bundled {Path(notebook).name} failed: {where}; {environment} is missing part of "
            "ocx-reports or its dependencies: reinstall ocx-reports there (pip install ocx-reports)"
        )
    return ReportError(
        f"executing the notebook failed: {where}; {environment} cannot import it: install the package "
        "that provides it there, or run the notebook with a kernel that has it"
    )


def kernel_python(kernel: str) -> str | None:
    """The program a kernel runs (for Python kernels, its interpreter), if its spec can be read.

    A spec saying plain ``python`` runs this interpreter, as jupyter_client starts it."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        program = KernelSpecManager().get_kernel_spec(kernel).argv[0]
    except Exception:  # noqa: BLE001 - only makes a message more precise
        return None
    major, minor = sys.version_info[:2]
    return sys.executable if program in ("python", f"python{major}", f"python{major}.{minor}") else program


def is_bundled(notebook) -> bool:
    """Whether ``notebook`` is one of the example notebooks shipped with ocx-reports."""
    from importlib import resources

    examples = Path(str(resources.files("ocx_reports.examples"))).resolve()
    return Path(notebook).resolve().parent == examples


class ErrorOutputPreprocessor(Preprocessor):
    """Refuse notebooks holding error outputs unless errors are allowed."""

    allow_errors = exporter_option("allow_errors")

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
