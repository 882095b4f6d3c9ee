"""Which columns of a table hold numbers: they print right-aligned, so that units, tens and
decimal places line up down the column (the report font's figures are tabular by default).

A column is numeric when every cell of it that is not blank reads as a number, and at least
one does. Numbers as tables print them: ``-3``, ``1,234,567``, ``0.25``, ``.5``, ``12.5%``,
``3.2e-05``, ``inf``; blank stands for a missing value (``NaN``, ``None``, ``<NA>``, ``—``,
pandas' ``...`` row). A date (``2024-02-05``), an ID (``GMC-S01``) or a number with a unit
(``5 mg``) is text. The cells' text is all that is read, so the same rule serves every table
the report draws: DataFrames, Styler tables, the Samples section and long tables laid out as
lines (``page.tables`` applies it).
"""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"[-+\u2212]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+\u2212]?\d+)?\s?%?"
    r"|[-+\u2212]?(?:inf|infinity|\u221e)",
    re.I,
)
#: How tables write a missing value (compared in lower case).
_BLANK = frozenset({"", "nan", "nat", "none", "null", "<na>", "na", "n/a", "\u2014", "\u2013", "-", "...", "\u2026"})


def is_number(text: str) -> bool:
    """Whether a cell's text reads as one number."""
    return _NUMBER.fullmatch(text.strip()) is not None


def is_blank(text: str) -> bool:
    """Whether a cell's text stands for a missing value."""
    return text.strip().lower() in _BLANK


def numeric_columns(rows: list[list[str]]) -> list[bool]:
    """For each column of ``rows`` (the body rows' cell texts, by position), whether it is
    numeric: all its cells that are not blank are numbers, and at least one is."""
    numeric: list[bool | None] = []  # None: blank so far
    for cells in rows:
        numeric.extend([None] * (len(cells) - len(numeric)))
        for index, text in enumerate(cells):
            if numeric[index] is False or is_blank(text):
                continue
            numeric[index] = is_number(text)
    return [bool(column) for column in numeric]
