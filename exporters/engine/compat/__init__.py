"""Adaptations of dependencies' internals, one module per upstream project, each fenced.

The report reaches its speed by adapting code that nbconvert, WeasyPrint, cffi,
tinyhtml5, fontTools and CPython keep private. Every such use lives here, in the module of
its project (``nbconvert``, with its Jinja cache key; ``weasyprint``, ``cffi``,
``tinyhtml5``, ``fonttools``, ``python``), and every adaptation:

* names the upstream releases it was read against and tested with (``CHECKED`` in its
  module), which ``pyproject.toml`` caps its project at;
* is installed only when the upstream names, signatures and attributes it needs are there
  as expected; otherwise it is skipped, with one debug line saying which and why, and that
  work is left to the dependency's own code;
* if its absence would change the output (``FEATURES``: tables drawn as lines, the page
  frame numbered across parallel chunks, the page limit during layout, charts placed as
  PDF forms), is checked once per layout process by laying out a small document
  (``layout.selftest``, the process's warm-up). If that fails, the export falls back to
  WeasyPrint's stock behaviour for that feature, with one warning: never blank or wrong
  content. The layout also checks what it can count for free as it goes (rows drawn,
  the page frame numbered, a form for every chart stand-in) and fails over the same way
  (``AdaptationFailed``).

``OCX_REPORTS_STOCK_ENGINE=1`` in the environment (nothing is installed, in any process
that starts with it) or the exporters' ``stock_engine`` option (per export) turns every
adaptation off: the report is then nbconvert's and WeasyPrint's own work, the same text and
pages, slower.
``python -m ocx_reports.exporters.engine.compat --check`` prints what each adaptation came
to with the installed releases; ``docs/compat.md`` says how to move a cap.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache

from ...errors import ReportError

#: The environment variable that turns every adaptation off in every process that sees it.
STOCK_ENGINE_ENV = "OCX_REPORTS_STOCK_ENGINE"

INSTALLED, SKIPPED, FAILED, OFF = "installed", "skipped", "failed", "off"

#: The adaptations whose absence would change the PDF, and what an export does without one.
FEATURES = {
    "table_lines": ("tables laid out as lines", "tables print as one cell per value"),
    "page_frame": ("the page frame numbered across parallel chunks", "the PDF is laid out in one piece"),
    "page_limit": ("max_pages during the layout", "max_pages is checked once the layout is done"),
    "chart_forms": ("charts placed as PDF forms", "WeasyPrint draws the charts' SVGs itself"),
}

_FALSE = {"", "0", "false", "no", "off"}


def stock_from_env() -> bool:
    """Whether ``OCX_REPORTS_STOCK_ENGINE`` asks for stock WeasyPrint."""
    return os.environ.get(STOCK_ENGINE_ENV, "").strip().lower() not in _FALSE


@dataclass(frozen=True)
class State:
    """What an adaptation came to in this process: ``INSTALLED``, ``SKIPPED`` (the upstream
    shape is not what it expects), ``FAILED`` (its self-test or a runtime check) or ``OFF``
    (stock engine), and why."""

    status: str
    reason: str = ""


_lock = threading.Lock()
_states: dict[str, State] = {}


def record(name: str, status: str, reason: str = "") -> bool:
    """Note what adaptation ``name`` came to here (the exporter logs it: ``tell``). Whether it
    is installed."""
    with _lock:
        _states[name] = State(status, reason)
    return status == INSTALLED


def fenced(name: str, check) -> bool:
    """Record ``name`` as installed if ``check()`` (its shape check) returns None, else as
    skipped for the reason it returns; off in a stock-engine process. Whether it may be
    installed. A check that raises counts as a skip (the shape is not as expected)."""
    if stock_from_env():
        return record(name, OFF, f"{STOCK_ENGINE_ENV} is set")
    try:
        reason = check()
    except Exception as exc:  # noqa: BLE001 - any surprise in the upstream shape is a skip
        reason = f"{type(exc).__name__}: {exc}"
    return record(name, SKIPPED if reason else INSTALLED, reason or "")


def states() -> dict[str, State]:
    """Every adaptation recorded in this process so far."""
    with _lock:
        return dict(_states)


def installed(name: str) -> bool:
    return _states.get(name, State(OFF)).status == INSTALLED


@dataclass(frozen=True)
class Verdict:
    """What the adaptations came to in a layout process (its self-test run), and the releases
    of the projects they adapt there."""

    states: dict
    versions: dict

    def off(self) -> frozenset:
        return frozenset(name for name, state in self.states.items() if state.status != INSTALLED)


#: The distributions whose internals are adapted (and the chart converter whose behaviour is).
PROJECTS = ("nbconvert", "weasyprint", "pydyf", "cffi", "tinyhtml5", "fonttools", "jinja2", "vl-convert-python")


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """The installed release of each of ``PROJECTS``, and Python's."""
    import platform
    from importlib import metadata

    found = {"python": platform.python_version()}
    for project in PROJECTS:
        try:
            found[project] = metadata.version(project)
        except metadata.PackageNotFoundError:
            found[project] = "not installed"
    return found


def verdict() -> Verdict:
    """What this process's adaptations came to so far."""
    return Verdict(states(), versions())


class AdaptationFailed(ReportError):
    """An adaptation whose upstream code did not do what it expects, found during an export:
    the exporter lays the report out again without it (see ``FEATURES``), with one warning."""

    def __init__(self, adaptation: str, detail: str):
        super().__init__(f"the PDF engine's adaptation {adaptation} failed: {detail}")
        self.adaptation, self.detail = adaptation, detail

    def __reduce__(self):  # sent back from layout processes
        return type(self), (self.adaptation, self.detail)


@dataclass(frozen=True)
class Engine:
    """The adaptations one export's layout may use: none with ``stock``, and none in ``off``
    (failed or skipped in the layout process); each also only where it is installed."""

    stock: bool = False
    off: frozenset = frozenset()

    def uses(self, name: str) -> bool:
        return not self.stock and name not in self.off and installed(name)

    def allows(self, name: str) -> bool:
        """Whether the export may plan for ``name`` (in the exporter, before the layout
        process says whether it is installed there)."""
        return not self.stock and name not in self.off

    def without(self, *names: str) -> Engine:
        return Engine(self.stock, self.off | frozenset(names))


_told: set[tuple[str, State]] = set()


def tell(logger, found: Verdict) -> None:
    """Log what the layout process's adaptations came to, once per process each: a debug
    line for a skipped one, a warning naming the feature and the WeasyPrint release for one
    whose self-test failed."""
    for name, state in sorted(found.states.items()):
        if (name, state) in _told or state.status not in (SKIPPED, FAILED):
            continue
        _told.add((name, state))
        if state.status == SKIPPED:
            logger.debug("PDF engine: %s skipped: %s", name, state.reason)
            continue
        what, fallback = FEATURES.get(name, (name, "WeasyPrint's own code does that work"))
        logger.warning(
            "PDF engine: %s failed its check with WeasyPrint %s (%s); %s: the report is complete, "
            "only slower (see docs/compat.md)",
            what, found.versions.get("weasyprint", "?"), state.reason, fallback,
        )
