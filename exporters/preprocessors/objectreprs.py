"""Results that are only default object reprs are left out of the report.

A notebook cell's last expression is shown as its result, and with matplotlib that is
usually the return value of a plotting call, not something the author meant to show:
``[<matplotlib.lines.Line2D at 0x7f…>]`` above a figure, ``Text(0.5, 1.0, 'title')``,
``<Axes: >``, ``<Figure size 640x480 with 1 Axes>``, the backend's name, and Altair's
``RendererRegistry.enable('mimetype')``. In a report
they are noise with memory addresses in it. ``drop_object_reprs`` (on by default)
drops a result whose only form is plain text made of nothing but such reprs, or lists,
tuples and object arrays of them.

What is kept: anything that prints (a stream, as from ``print(obj)``, is what the author
meant to show), a result with any other form (a DataFrame's HTML, a figure's image), and
a plain-text result with anything else in it (numbers, strings, arrays: ``plt.hist``'s
``(array([...]), ...)`` holds the counts).
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor

from . import exporter_option

#: A Python string literal, as reprs quote them.
_STRING = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
#: One repr that says nothing but what the object is.
_ATOM = re.compile(
    "|".join(
        (
            r"<[\w.]+(?: object)? at 0x[0-9a-fA-F]+>",  # object.__repr__, IPython's <module.Class at 0x…>
            r"<(?:function|generator object|coroutine object) [\w.<>]+ at 0x[0-9a-fA-F]+>",
            r"<Figure size [\d.]+x[\d.]+ with \d+ Axes>",
            rf"<\w*Axes\w*:(?:[^'\"<>\n]|{_STRING})*>",  # <Axes: title={'center': 'x'}>, <AxesSubplot:>
            r"<\w+ object of \d+ artists>",  # <BarContainer object of 3 artists>
            r"<a list of \d+ [\w ]+ objects>",
            rf"Text\([^,()\n]*(?:\([^()\n]*\))?, [^,()\n]*(?:\([^()\n]*\))?, {_STRING}\)",  # matplotlib Text
            r"'module://[\w.]+'",  # the inline backend's name
            r"\w+Registry\.enable\('[\w.-]*'\)",  # what Altair's alt.renderers.enable('…') returns
        )
    )
)
_OPEN = re.compile(r"array\(\[|[\[(]")
_CLOSE = {"[": re.compile(r"\s*,?\s*\]"), "(": re.compile(r"\s*,?\s*\)"), "array([": re.compile(r"\s*\],\s*dtype=object\)")}
_SEPARATOR = re.compile(r"\s*,\s*")
_SPACE = re.compile(r"\s*")
#: Longest result looked at, and deepest nesting: reprs of plotting calls are short.
MAX_CHARS = 100_000
MAX_DEPTH = 8


def only_object_reprs(text: str) -> bool:
    """Whether ``text`` is one default object repr, or a list, tuple or object array of them."""
    text = text.strip()
    return len(text) <= MAX_CHARS and _value(text, 0, 0) == len(text)


def _value(text: str, start: int, depth: int) -> int:
    """Where the repr or sequence of reprs at ``start`` ends, or -1."""
    atom = _ATOM.match(text, start)
    if atom:
        return atom.end()
    opened = _OPEN.match(text, start)
    if not opened or depth >= MAX_DEPTH:
        return -1
    close = _CLOSE[opened.group(0)]
    position = _SPACE.match(text, opened.end()).end()
    while True:
        position = _value(text, position, depth + 1)
        if position < 0:
            return -1
        closed = close.match(text, position)
        if closed:
            return closed.end()
        separator = _SEPARATOR.match(text, position)
        if not separator:
            return -1
        position = separator.end()


class ObjectReprPreprocessor(Preprocessor):
    """Drop results whose only form is plain text of default object reprs."""

    drop_object_reprs = exporter_option("drop_object_reprs")

    def preprocess(self, nb, resources):
        if not self.drop_object_reprs:
            return nb, resources
        for cell in nb.cells:
            if cell.get("outputs"):
                cell.outputs = [output for output in cell.outputs if not _object_reprs(output)]
        return nb, resources


def _object_reprs(output) -> bool:
    data = output.get("data")
    if output.get("output_type") != "execute_result" or not isinstance(data, dict) or set(data) != {"text/plain"}:
        return False
    text = data["text/plain"]
    text = "".join(text) if isinstance(text, list) else text
    return isinstance(text, str) and only_object_reprs(text)
