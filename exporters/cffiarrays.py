"""WeasyPrint's font subsetting allocates its glyph arrays without parsing C each time.

To subset a font, WeasyPrint allocates its glyph lists as ``ffi.new(f"hb_codepoint_t[{n}]",
values)``. cffi caches a type by its declaration's text, and each new length is a new
text: cffi then parses a small C program that redeclares every type WeasyPrint uses,
about 4 ms, twice per font, in every process that writes a PDF (about 40 ms of a short
report's layout). An open array, ``hb_codepoint_t[]``, sized by its values, is the same
array, and its type is parsed once. ``open_subset_arrays`` gives WeasyPrint's font module
an FFI that allocates those arrays so (only when the length is the values' own).
"""

from __future__ import annotations

import re

_SIZED = re.compile(r"(\w+)\[(\d+)\]")


class _OpenArrays:
    """An FFI that allocates sized arrays of given values as open arrays; the rest as is."""

    def __init__(self, ffi):
        self._ffi = ffi

    def __getattr__(self, name):
        return getattr(self._ffi, name)

    def new(self, cdecl, init=None):
        sized = _SIZED.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if sized and init is not None and len(init) == int(sized.group(2)):
            cdecl = sized.group(1) + "[]"
        return self._ffi.new(cdecl, init)


def open_subset_arrays() -> None:
    """Install the FFI in WeasyPrint's font module (once per process)."""
    from weasyprint.pdf import fonts

    if not isinstance(fonts.ffi, _OpenArrays):
        fonts.ffi = _OpenArrays(fonts.ffi)
