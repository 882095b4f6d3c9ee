"""Charts, in one home: how they look, how they are read, drawn and cached.

For notebooks: ``ocx_reports.charts.enable()`` switches on the ``onecodex`` Altair theme
and the renderer that stores an SVG of each chart in its output (``kernel``); the theme's
names (``PALETTE``, ``NAME``, ``MIMETYPE``, ``theme``, ``renderer``...) are names of this
package too. They load Altair when first used, not when the package is imported: the chart
worker lives here (``python -m ocx_reports.charts.drawing``) and starts without Altair.

For the exporters, whose chart preprocessor (``ocx_reports.exporters.preprocessors.charts``)
decides what each output shows:

* ``specs``: chart specs read out of outputs, in every form users' tools save them;
* ``fonts``: chart and figure text in the report font;
* ``drawing``: one chart to SVG (and to PDF) with vl-convert; also the worker process;
* ``workers``: the worker processes an export draws its charts in;
* ``cache``: drawn charts by content hash, in memory and optionally on disk;
* ``live``: the HTML report's live charts (vega-embed, inlined);
* ``textsize``: how large a figure's text prints once fitted to the page.
"""

import importlib


def _kernel():
    # Not ``from . import kernel``: that asks this package for the name first, which
    # calls ``__getattr__`` again.
    return importlib.import_module(f"{__name__}.kernel")


def __getattr__(name: str):
    if not name.startswith("__"):
        kernel = _kernel()
        if name in kernel.__all__:
            return getattr(kernel, name)
        if name in globals():  # a submodule, imported as the kernel loaded
            return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_kernel().__all__})
