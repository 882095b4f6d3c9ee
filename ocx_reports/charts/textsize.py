"""How large an SVG figure's text prints once the report has fitted the figure to the page.

The report shows a figure at its own size, scaled down to the printable width and height
when it is larger (the stylesheet's ``max-width`` and ``max-height``), so a wide chart's
text, drawn at a readable size, may print too small to read. This reads the sizes an SVG
gives its text, wherever it came from: vl-convert (``font-size="11px"`` attributes, sizes
in px), Altair's ``svg`` renderer or ``ocx_reports.charts.enable()`` in the kernel (the
same), matplotlib with ``svg.fonttype = 'none'`` (``font-size: 10px`` or ``font: 10px ...``
in ``style`` attributes, in a viewBox of points). Text drawn as paths has no size to read.
"""

from __future__ import annotations

import re

#: CSS px per unit of an SVG length.
_PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_ROOT = re.compile(r"""<svg\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(px|pt|pc|in|cm|mm|)\s*$", re.I)
#: A text size: a ``font-size`` attribute or declaration, or the size in a ``font`` shorthand;
#: relative sizes (em, %) are passed over.
_FONT_SIZE = re.compile(
    r"""font(?<![\w-]font)(?:-size\s*=\s*["']\s*|-size\s*:\s*|\s*:(?:[^;"'}<>]*?\s)??)"""
    r"""(\d+(?:\.\d*)?|\.\d+)(px|pt|)(?![\w.%])"""
)


def printed_text_pt(svg: str, printable_width_px: float, printable_height_px: float) -> float | None:
    """The smallest text size of the SVG on paper, in pt, once it is scaled to fit the
    printable area; None if it has no text size or no size of its own to read."""
    if "font" not in svg:
        return None
    root = _ROOT.search(svg)
    sizes = [float(number) * _PX_PER_UNIT[unit] for number, unit in _FONT_SIZE.findall(svg)]
    if root is None or not sizes:
        return None
    width, height = (_length(_attribute(root.group(0), name)) for name in ("width", "height"))
    box = [float(v) for v in re.split(r"[\s,]+", _attribute(root.group(0), "viewBox") or "") if v]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        width, height = width or box[2], height or box[3]
        per_unit = min(width / box[2], height / box[3])  # CSS px per user unit
    else:
        per_unit = 1.0
    if not width or not height:
        return None
    fit = min(1.0, printable_width_px / width, printable_height_px / height)
    return min(sizes) * per_unit * fit * 0.75


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    return None if found is None else found.group(1) if found.group(1) is not None else found.group(2)


def _length(value: str | None) -> float | None:
    """An SVG length in CSS px; None if absent or relative (a percentage)."""
    found = _LENGTH.match(value or "")
    return float(found.group(1)) * _PX_PER_UNIT[found.group(2).lower()] if found else None
