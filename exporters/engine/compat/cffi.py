"""cffi: WeasyPrint's C types for ``ffi.new``, resolved without parsing C.

cffi caches a type by its declaration's text; for a text it has not seen
(``"PangoRectangle *"``, ``"hb_codepoint_t[57]"``), it parses a small C
program that redeclares every one of the 200-odd types WeasyPrint declares:
about 5 ms each. A layout process met nine of them setting WeasyPrint up (50
ms, on the way to a short report's layout), and WeasyPrint's font subsetting
declares its glyph lists with their length in the text, two new texts per
font in every process that writes a PDF. A pointer to or an array of a
declared or primitive type needs no parsing: ``fast_types`` resolves those
from cffi's own type model and leaves the rest to cffi.

This writes cffi's private parse cache (``FFI._parsed_types``), whose entries
must be exactly what cffi's parse would have made: a wrong entry would type
memory wrongly. So before it is installed, a few declarations WeasyPrint uses
anyway are resolved both ways and must give the very same type objects.
"""

from __future__ import annotations

import re

from . import fenced

#: cffi releases whose ``FFI._typeof_locked``, ``_parsed_types``, ``_get_cached_btype`` and
#: parser declarations this was read against and tested with (identical throughout).
CHECKED = ("1.15.1", "2.1.1")

ADAPTATIONS = {"simple_c_types": "pointers to and arrays of declared C types resolved without parsing C (speed)"}

#: A type name (``unsigned int``, ``PangoRectangle``), pointer stars, an optional array length.
_SIMPLE = re.compile(r"\s*([A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)\s*((?:\*\s*)*)(?:\[\s*(\d*)\s*\])?\s*")

#: Declarations WeasyPrint types on every layout: resolved both ways by the self-test.
_SAMPLES = ("PangoRectangle *", "unsigned int *", "char[]")


def fast_types(ffi) -> None:
    """Resolve ``ffi``'s simple type declarations from its type model (once per FFI), if
    cffi's private parts are as expected and give the same types."""
    if getattr(getattr(ffi, "_typeof_locked", None), "resolves_simple_types", False):
        return
    if not fenced("simple_c_types", lambda: _shape(ffi)):
        return
    parse = ffi._typeof_locked

    def typeof_locked(cdecl):
        if isinstance(cdecl, str) and cdecl not in ffi._parsed_types:
            resolved = _resolve(ffi, cdecl)
            if resolved is not None:
                ffi._parsed_types[cdecl] = (ffi._get_cached_btype(resolved), False)
        return parse(cdecl)

    typeof_locked.resolves_simple_types = True
    ffi._typeof_locked = typeof_locked


def _shape(ffi) -> str | None:
    from cffi import model

    for name in ("_typeof_locked", "_get_cached_btype", "_lock", "_parser"):
        if not hasattr(ffi, name):
            return f"FFI.{name} is gone"
    if not isinstance(getattr(ffi, "_parsed_types", None), dict):
        return "FFI._parsed_types is not a dict"
    if not isinstance(getattr(ffi._parser, "_declarations", None), dict):
        return "the parser's _declarations is not a dict"
    if not all(hasattr(model, name) for name in ("PrimitiveType", "PointerType", "ArrayType")):
        return "cffi.model's type classes moved"
    with ffi._lock:
        for cdecl in _SAMPLES:
            resolved = _resolve(ffi, cdecl)
            btype, is_function = ffi._typeof_locked(cdecl)  # cached by cffi: WeasyPrint parses it anyway
            if resolved is None or is_function or btype is not ffi._get_cached_btype(resolved):
                return f"{cdecl!r} resolves to another type than cffi's parse"
    return None


def _resolve(ffi, cdecl: str):
    """The cffi model type of a pointer to, or array of, a declared or primitive type; None
    for anything else (cffi parses it)."""
    from cffi import model

    match = _SIMPLE.fullmatch(cdecl)
    if match is None:
        return None
    name, stars, length = " ".join(match.group(1).split()), match.group(2).count("*"), match.group(3)
    if not stars and length is None:
        return None  # a bare name: cffi's parse of it is rarely needed and may be a function type
    if name in model.PrimitiveType.ALL_PRIMITIVE_TYPES:
        resolved = model.PrimitiveType(name)
    else:
        declared = ffi._parser._declarations.get(f"typedef {name}")
        if declared is None:
            return None
        resolved, quals = declared
        if quals:
            return None
    for _ in range(stars):
        resolved = model.PointerType(resolved)
    if length is not None:
        resolved = model.ArrayType(resolved, int(length) if length else None)
    return resolved
