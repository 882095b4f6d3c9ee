"""The layout service: the PDF layout process that ``jupyter nbconvert --to onecodex_pdf`` starts first.

Under that command WeasyPrint used to be loaded (about 0.45 s) and set up
(fonts, stylesheets: about 0.2 s more of the first layout) by the exporter
itself, after nbconvert had started and read the notebook: on a short report
that was a quarter of the export, on one core, with the other idle. So when
nbconvert loads the PDF exporter to list its formats and the command line
asks for ``onecodex_pdf``, this module forks a process that loads and sets up
WeasyPrint meanwhile, with the engine's self-test page (``selftest``), sends
the exporter what the adaptations came to, then lays out the reports the
exporter sends it (all their chunks: it forks the chunk processes itself,
see ``parallel.py``).
Anywhere else (a notebook server, a script, a batch build) none starts, and
the exporter lays out in its own process as before.

Log records of a layout go back to the exporter and are handled there, as if
they had been logged in it. The layout process holds itself to each report's
budget (``budget.py``); if it is still busy past the deadline (stuck in C), the
exporter kills it and its chunk processes, and lays out later reports itself.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import sys
import threading
from pathlib import Path

from ..engine.compat import Engine, Verdict
from . import childlogs, parallel, scratch
from .budget import Budget
from .parallel import fork_available, send_failure

#: Seconds past a report's deadline the exporter gives the layout process to say it stopped.
DEADLINE_GRACE = 10

#: The format that selects the PDF exporter, and the options that choose a format.
PDF_FORMAT = "onecodex_pdf"
_FORMAT_OPTIONS = ("--to", "--NbConvertApp.export_format")


def requested(argv: list[str]) -> bool:
    """Whether this is ``jupyter nbconvert`` with ``onecodex_pdf`` as its format on the
    command line (the last one given wins, as in traitlets)."""
    if "nbconvert.nbconvertapp" not in sys.modules:
        return False
    chosen = None
    for index, arg in enumerate(argv[1:], start=1):
        name, equals, value = arg.partition("=")
        if name in _FORMAT_OPTIONS:
            chosen = value if equals else (argv[index + 1] if index + 1 < len(argv) else None)
    return chosen == PDF_FORMAT


class LayoutProcess:
    """A forked process that sets WeasyPrint up at once and lays out one report at a time."""

    def __init__(self, font_css: str):
        scratch.folder()  # made here, so the layout process's files go where this process removes them
        context = multiprocessing.get_context("fork")
        self.lock = threading.Lock()
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, self.pipe, font_css), name="ocx-reports PDF layout"
        )
        self.process.start()
        theirs.close()
        self._verdict: tuple | None = None  # (what it sent once set up,) once read
        # Run before multiprocessing's own exit handler, which would wait for the
        # process: closing the pipe is what tells it to stop.
        atexit.register(self.stop)

    def verdict(self, timeout: float | None = None) -> Verdict | None:
        """What the adaptations came to in the process's self-test (its warm-up, see
        ``selftest``), waiting for it at most ``timeout`` seconds (None: for ever); None if
        unknown (it stopped, its warm-up failed, or it is still warming up)."""
        with self.lock:
            return self._ready(timeout)

    def _ready(self, timeout: float | None = None) -> Verdict | None:
        if self._verdict is None:
            try:
                if not self.pipe.poll(timeout):
                    return None
                self._verdict = (self.pipe.recv(),)
            except (EOFError, OSError):  # it stopped: the exporter lays out itself
                self._verdict = (None,)
        return self._verdict[0]

    def lay_out(
        self, chunks: list[str], policy, log: logging.Logger, forms: dict, font_css: str, budget: Budget,
        meanwhile=None, engine: Engine = Engine(),
    ) -> bytes | None:
        """The report's PDF, laid out in that process within ``budget`` (started) with the
        adaptations ``engine`` allows; None if it had stopped before the job (the exporter
        then lays it out itself). ``meanwhile`` is called once the process has the job. The
        layout's log records are handled here by the loggers of their names, ``log`` at its
        level."""
        with self.lock:
            self._ready()
            try:
                self.pipe.send((chunks, policy, forms, font_css, log.name, log.getEffectiveLevel(), budget, engine))
                self.pipe.recv()  # it has the job
            except (EOFError, OSError):  # it had stopped
                self.process.join()
                return None
            if meanwhile is not None:
                meanwhile()
            remaining = budget.remaining()
            if not self.pipe.poll(None if remaining is None else remaining + DEADLINE_GRACE):
                self.kill()
                raise budget.timed_out()
            try:
                kind, value, records = self.pipe.recv()
            except (EOFError, OSError):
                self.process.join()
                raise budget.died(self.process.exitcode) from None
        childlogs.handle(records)
        if kind == "error":
            raise value
        return value

    def kill(self) -> None:
        """Kill the process and the chunk processes it started."""
        import psutil

        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            children = []
        self.process.kill()
        for child in children:
            try:
                child.kill()
            except psutil.Error:
                pass
        self.process.join()

    def stop(self) -> None:
        """Close the pipe (the process exits) and wait for it; one still busy after 10 s is
        stopped."""
        self.pipe.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()


def _serve(pipe, exporters_end, font_css: str) -> None:
    """The layout process: set WeasyPrint up, then lay out each job until the pipe closes
    (its other end is the exporter's, and only the exporter's: the copy forked here is closed).

    Its temporary files (WeasyPrint's copies of the report fonts) go in the exporter's
    folder (``scratch``), which the exporter removes as it ends, whatever became of this
    process: it ends with ``os._exit``, which runs no finalizers (a garbage collection to
    run them took about 50 ms the exporter would wait for at its exit)."""
    exporters_end.close()
    verdict = None
    try:
        from ..engine import compat
        from ..page.urlpolicy import URLPolicy
        from . import weasy

        weasy.forked()
        weasy.warm_up(URLPolicy(Path.cwd(), logging.getLogger(__name__)), font_css)
        verdict = compat.verdict()
    except Exception:  # noqa: BLE001 - the report's own layout fails the same way, and says why
        pass
    try:
        pipe.send(verdict)  # what the exporter may plan the report's page for
        while True:
            job = pipe.recv()
            pipe.send(True)  # so the exporter knows a failure from now on is this job's
            _lay_out(pipe, *job)
    except (EOFError, OSError):  # the exporter closed its end, or is gone
        pass


def _lay_out(
    pipe, chunks: list[str], policy, forms: dict, font_css: str, log_name: str, level: int, budget: Budget,
    engine: Engine,
) -> None:
    log = logging.getLogger(log_name)
    saved = log.level
    log.setLevel(level)  # as in the exporter: this process started before its logging was set up
    with childlogs.kept() as records:
        try:
            pdf = parallel.lay_out(chunks, policy, log, forms, font_css, budget, here=True, engine=engine)
            log.debug("PDF layout process: peak memory %.0f MiB", parallel.peak_mib())
            pipe.send(("done", pdf, records))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the exporter
            send_failure(pipe, budget.failure(exc), records)
        finally:
            log.setLevel(saved)


_started: LayoutProcess | None = None


def start_if_requested(font_css: str) -> None:
    """Start the layout process if this is ``jupyter nbconvert --to onecodex_pdf`` (once)."""
    global _started
    if _started is None and fork_available() and requested(sys.argv):
        _started = LayoutProcess(font_css)


def started() -> LayoutProcess | None:
    """The running layout process, if one was started."""
    return _started
