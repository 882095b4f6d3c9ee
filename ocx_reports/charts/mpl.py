"""matplotlib figures that match the report's Altair charts: what ``ocx_reports.charts.enable()``
does for matplotlib.

The theme sets the report font (the font package's Source Sans Pro files, registered with
matplotlib's font manager so that figures are laid out with the font they print in), the
brand palette as the colour cycle, the Altair theme's type sizes and colours, and SVG
figures whose text is text (``svg.fonttype = 'none'``): the exporter then prints it in the
report font, where matplotlib's default draws it as outlines of DejaVu Sans. A notebook still
showing PNG figures (the inline backend's default) is switched to SVG, which prints sharp; a
format the notebook chose itself is kept.

matplotlib takes about half a second to import, which a notebook of Altair charts only should
not pay: if the kernel has not imported it yet, the theme is applied as its import finishes
(``_ThemeOnImport``), and not at all if it is not installed.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings

from ocx_reports.exporters.page.assets import font_dir

from .kernel import AXIS_TITLE_PX, LABEL_PX, MUTED, NAVY, PALETTE, RULE, TEXT, TITLE_PX

#: The report's faces, as matplotlib reads them (TrueType: its font manager's own format).
FACES = ("Regular", "It", "Semibold", "SemiboldIt", "Bold", "BoldIt")
FAMILY = "Source Sans Pro"
#: Altair's sizes are CSS px, which print at 0.75 pt; matplotlib's are pt.
PT_PER_PX = 0.75


def enable() -> None:
    """Theme matplotlib now if the kernel has imported it, else once it does."""
    if "matplotlib" in sys.modules:
        _apply_or_warn()
    elif importlib.util.find_spec("matplotlib") is not None and not any(
        isinstance(finder, _ThemeOnImport) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _ThemeOnImport())


def rc_params() -> dict:
    """The theme's rcParams (matplotlib's names), the font as the first sans-serif family."""
    from cycler import cycler

    label, axis_title, title = (round(px * PT_PER_PX, 2) for px in (LABEL_PX, AXIS_TITLE_PX, TITLE_PX))
    return {
        "font.family": "sans-serif",
        "font.size": label,
        "text.color": TEXT,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.titlesize": title,
        "axes.titleweight": "bold",
        "axes.titlecolor": NAVY,
        "axes.titlelocation": "left",
        "axes.labelsize": axis_title,
        "axes.labelweight": "semibold",
        "axes.labelcolor": NAVY,
        "axes.edgecolor": MUTED,
        "grid.color": RULE,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": TEXT,
        "ytick.labelcolor": TEXT,
        "xtick.labelsize": label,
        "ytick.labelsize": label,
        "legend.fontsize": label,
        "legend.title_fontsize": axis_title,
        "legend.frameon": False,
        "figure.facecolor": "white",
        "svg.fonttype": "none",
        # Clip paths' ids from the figure alone, not a random salt: the same figure is the same
        # SVG, which the exporter's chart cache then finds.
        "svg.hashsalt": "ocx-reports",
    }


def apply() -> None:
    """Register the report font with matplotlib and set the theme's rcParams; with IPython's
    inline backend still at PNG, figures become SVG."""
    import matplotlib
    from matplotlib import font_manager

    for face in FACES:
        path = font_dir() / f"SourceSansPro-{face}.ttf"
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
    params = rc_params()
    params["font.sans-serif"] = [FAMILY, *(f for f in matplotlib.rcParams["font.sans-serif"] if f != FAMILY)]
    matplotlib.rcParams.update(params)
    _svg_figures()


def _svg_figures() -> None:
    """Show figures as SVG in an IPython kernel whose inline backend still has its default
    format (PNG), so that they print as vectors with text in the report font."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    backend = InlineBackend.instance(parent=shell)
    if set(backend.figure_formats) == {"png"}:
        backend.figure_formats = {"svg"}


class _ThemeOnImport(importlib.abc.MetaPathFinder):
    """Applies the theme as soon as matplotlib's import finishes, then leaves ``sys.meta_path``:
    it finds matplotlib with the other finders and runs the theme after the module's code."""

    def find_spec(self, name, path, target=None):
        if name != "matplotlib":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module):
            execute(module)
            _apply_or_warn()

        loader.exec_module = exec_module
        return spec


def _apply_or_warn() -> None:
    """``apply``, or a warning if it cannot: a theme must never break the notebook."""
    try:
        apply()
    except Exception as exc:  # noqa: BLE001 - any failure of a matplotlib release we did not foresee
        warnings.warn(f"ocx-reports: matplotlib figures keep matplotlib's look ({exc})", stacklevel=3)
