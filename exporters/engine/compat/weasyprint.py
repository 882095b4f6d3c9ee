"""WeasyPrint's C libraries, found without running a compiler.

WeasyPrint tries each library it needs (Pango, HarfBuzz, fontconfig...) under
several names, Windows and macOS ones first. cffi hands every name that
``dlopen`` cannot open to ``ctypes.util.find_library``, which on Linux asks
the dynamic linker's cache and, on a miss, runs the C compiler and then the
linker to search their paths: about 10 ms per miss where gcc is installed,
0.15 s of every export's start-up in all. While WeasyPrint loads, a lookup
asks the linker's cache only. The names that work on Linux are either in that
cache or sonames, which ``dlopen`` finds itself (``LD_LIBRARY_PATH`` included).
"""

from __future__ import annotations

import ctypes.util
import sys
from contextlib import contextmanager


@contextmanager
def linker_cache_lookups():
    """``ctypes.util.find_library`` answers from the linker's cache alone, for the duration."""
    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or from_cache is None:
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = find_library
