"""Parameters the papermill way, so notebooks written for papermill work unchanged.

The values go in a new code cell tagged ``injected-parameters`` right after
the cell tagged ``parameters`` (whose defaults they override by running
later); a cell injected by an earlier run is replaced, not stacked. A
notebook without a ``parameters`` cell gets the values at the top.
"""

from __future__ import annotations

import ast
import datetime
import math

import nbformat

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def inject(nb, parameters: dict):
    """``nb`` with ``parameters`` assigned in an injected cell (``nb`` is changed in place)."""
    if not parameters:
        return nb
    nb.cells = [cell for cell in nb.cells if INJECTED_TAG not in _tags(cell)]
    source = "# Parameters\n" + "".join(f"{name} = {literal(value)}\n" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    if nb.nbformat_minor < 5:  # cell IDs arrived in nbformat 4.5; older notebooks must not have them
        cell.pop("id", None)
    at = next((i + 1 for i, c in enumerate(nb.cells) if PARAMETERS_TAG in _tags(c)), 0)
    nb.cells.insert(at, cell)
    return nb


def literal(value) -> str:
    """Python source for ``value``: a literal that evaluates back to it (TOML dates become ISO strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (datetime.date, datetime.time)):
        return repr(value.isoformat())
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    raise TypeError(f"cannot pass {type(value).__name__} {value!r} as a notebook parameter")


def parse_cli_value(text: str):
    """``-p KEY VALUE``: a Python literal if VALUE is one (``0.01``, ``True``, ``[1, 2]``), else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])
