"""CPython: WeasyPrint's C libraries found without running a compiler.

WeasyPrint tries each library it needs (Pango, HarfBuzz, fontconfig...) under
several names, Windows and macOS ones first. cffi hands every name that
``dlopen`` cannot open to ``ctypes.util.find_library``, which on Linux asks
the dynamic linker's cache and, on a miss, runs the C compiler and then the
linker to search their paths: about 10 ms per miss where gcc is installed,
0.15 s of every export's start-up in all. While WeasyPrint loads, a lookup
asks the linker's cache only (``ctypes.util._findSoname_ldconfig``, private).
The names that work on Linux are either in that cache or sonames, which
``dlopen`` finds itself (``LD_LIBRARY_PATH`` included). Where that is not so
(a system without a linker cache), loading fails with ``OSError`` and
``load_weasyprint`` loads it again the stock way.
"""

from __future__ import annotations

import ctypes.util
import sys
from contextlib import contextmanager

from . import SKIPPED, fenced, record

#: CPython releases ``_findSoname_ldconfig`` was read in and tested with.
CHECKED = ("3.11", "3.12", "3.13")

ADAPTATIONS = {"linker_cache": "C libraries looked up in the linker's cache only while WeasyPrint loads (speed)"}


def _shape() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"not Linux ({sys.platform})"
    if not callable(getattr(ctypes.util, "_findSoname_ldconfig", None)):
        return "ctypes.util._findSoname_ldconfig is gone"
    return None


@contextmanager
def linker_cache_lookups():
    """``ctypes.util.find_library`` answers from the linker's cache alone, for the duration."""
    if not fenced("linker_cache", _shape):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = ctypes.util._findSoname_ldconfig
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


def without_linker_cache(exc: OSError) -> None:
    """After WeasyPrint failed to load under ``linker_cache_lookups``: forget its partly
    loaded modules so that it loads again the stock way."""
    record("linker_cache", SKIPPED, f"WeasyPrint did not load with it: {exc}")
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        del sys.modules[name]
