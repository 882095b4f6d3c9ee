"""fontTools: the code WeasyPrint imports but a report's fonts never run, loaded on first use.

WeasyPrint imports fontTools' subsetter, its fallback where HarfBuzz cannot
subset, and fontTools' variable-font instancer, for variable fonts. The report
fonts are static and HarfBuzz subsets them, yet the two modules pull in most
of fontTools (OpenType layout tables, CFF, design spaces, lxml): about 110 of
the 150 fontTools modules, 0.15-0.3 s of loading WeasyPrint, which under
``jupyter nbconvert`` is on the way to every short report's layout. While
WeasyPrint loads, the subsetter is a module that loads when first used, and
the instancer a function that imports the real one when called; once
WeasyPrint is loaded, importing either anywhere gets the real module.

This works only if WeasyPrint takes exactly these two names (a third name from
the instancer would fail its import): its source is read first, not imported.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from contextlib import contextmanager
from pathlib import Path

from . import fenced

#: fontTools releases, and the WeasyPrint release whose import lines, this was checked with.
CHECKED = ("fontTools 4.59.2-4.68.0", "WeasyPrint 70.0")

ADAPTATIONS = {"deferred_fonttools": "fontTools' subsetter and instancer loaded on first use (speed)"}

_SUBSET, _INSTANCER = "fontTools.subset", "fontTools.varLib.instancer"
#: What WeasyPrint's ``pdf/fonts.py`` must import of them, and nothing else.
_IMPORTS = ("from fontTools import subset\n", "from fontTools.varLib.instancer import instantiateVariableFont\n")


def _shape() -> str | None:
    package = importlib.util.find_spec("weasyprint")  # found, not imported
    if package is None or not package.submodule_search_locations:
        return "WeasyPrint is not installed as a package"
    source = (Path(list(package.submodule_search_locations)[0]) / "pdf" / "fonts.py").read_text("utf-8")
    if not all(line in source for line in _IMPORTS):
        return "WeasyPrint's pdf/fonts.py imports fontTools' subsetter or instancer differently"
    if source.count("fontTools.varLib") != 1 or source.count("fontTools.subset") != 0:
        return "WeasyPrint's pdf/fonts.py imports more of fontTools' subsetter or instancer"
    return None


@contextmanager
def fonttools_on_first_use():
    """Defer the subsetter and the instancer for the duration (WeasyPrint's import)."""
    if _SUBSET in sys.modules or _INSTANCER in sys.modules:
        yield  # loaded already: nothing to save
        return
    if not fenced("deferred_fonttools", _shape):
        yield
        return
    import fontTools

    spec = importlib.util.find_spec(_SUBSET)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    subset = importlib.util.module_from_spec(spec)
    sys.modules[_SUBSET] = subset
    spec.loader.exec_module(subset)
    # As an attribute of its package, ``from fontTools import subset`` takes the module
    # without touching it (the import system reads a module's ``__spec__``, which loads it).
    fontTools.subset = subset
    instancer = types.ModuleType(_INSTANCER)
    instancer.instantiateVariableFont = _instantiate_variable_font
    sys.modules[_INSTANCER] = instancer
    try:
        yield
    finally:
        if sys.modules.get(_INSTANCER) is instancer:
            del sys.modules[_INSTANCER]


def _instantiate_variable_font(*args, **kwargs):
    from fontTools.varLib.instancer import instantiateVariableFont

    return instantiateVariableFont(*args, **kwargs)
