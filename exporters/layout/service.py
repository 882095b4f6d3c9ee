"""The layout service: the process every PDF layout runs in, started by the export that needs it.

The PDF exporter takes a service at the start of an export (``held``, from ``from_file`` or
``from_notebook_node``: never at import, never from the constructor, which nbconvert calls
for every installed exporter just to list them). A new service loads WeasyPrint (about
0.25 s) and sets it up (fonts, stylesheets, C types: the self-test page, ``selftest``) while
the exporter reads and renders the report, sends the exporter what the adaptations came to,
then lays out the reports it is sent, one at a time: each chunk of a report in a process it
forks (``parallel.py``), even a report of one chunk, so the service itself stays as set up
and runs no thread. It is kept for the life of the exporter's process (later exports find it
warm); exports running at once in threads each take one of their own.

A service is forked from the exporter's process only if that process runs one thread at the
moment (counted by the operating system, so native threads count too: a notebook server's,
a JavaScript engine's); otherwise, and in a daemonic process (a Dask worker's, which
multiprocessing lets have no children), it is a new interpreter
(``python -m ocx_reports.exporters.layout``), which also loads nbconvert for the errors it
raises (about 0.5 s more, once). Not multiprocessing's "spawn" or "forkserver": they run the
host's main module again in the new process, and refuse daemonic parents. Where neither can
start (Windows), the exporter lays the report out in its own process, in one piece, without
a budget.

Everything that changes a process's state for the layout (the collector's thresholds, the
budget's limits and alarm, the log records kept for the exporter: ``childlogs``) happens in
the service and its chunk processes, never in the exporter's. Their log records go back to
the exporter and are handled there, as if logged in it. Each chunk process is held to the
report's budget (``budget.py``) by the service; if the service itself is still busy past the
deadline (stuck in C), the exporter kills it and its chunk processes, and the next export
starts a new one.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

from ..engine.compat import Engine, Verdict
from . import childlogs, parallel, scratch
from .budget import Budget
from .parallel import fork_available, send_failure

#: Seconds past a report's deadline the exporter gives the service to say it stopped.
DEADLINE_GRACE = 10

#: The module a service run in a new interpreter starts from (``__main__.py`` there).
ENTRY = "ocx_reports.exporters.layout"


def threads() -> int:
    """The operating system's count of this process's threads (Python's and native ones)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not Linux
        import psutil

        return psutil.Process().num_threads()


def startable() -> bool:
    """Whether a layout service can start here: it is forked, or handed its end of the pipe
    as a file descriptor (POSIX)."""
    return os.name == "posix"


class LayoutService:
    """A process that loads and sets WeasyPrint up at once, then lays out one report at a time."""

    def __init__(self, font_css: str, inherited: list[Connection]):
        """Start it; ``inherited``: the exporter's ends of the other services' pipes, which a
        forked service closes (else those services would not see the exporter go)."""
        folder = scratch.folder()  # made here, so the service's files go where this process removes them
        self.lock = threading.Lock()
        self.pipe, theirs = multiprocessing.Pipe()
        running = threads()
        if fork_available() and running == 1:
            context = multiprocessing.get_context("fork")
            process = context.Process(
                target=serve, args=(theirs, [self.pipe, *inherited]), name="ocx-reports PDF layout"
            )
            process.start()
            self.process = _Forked(process)
            self.started = "by fork"
        else:
            if not sys.executable:  # Python embedded in another program
                raise OSError("no Python interpreter to run it with")
            fd = theirs.fileno()
            self.process = subprocess.Popen(  # nothing it prints may join a PDF written to stdout
                [sys.executable, "-m", ENTRY, str(fd)], pass_fds=(fd,), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
            why = "a daemonic process" if running == 1 else f"{running} threads"
            self.started = f"in a new interpreter ({why} here)"
        theirs.close()
        self.pipe.send((font_css, str(folder)))
        self._verdict: tuple | None = None  # (what it sent once set up,) once read

    def alive(self) -> bool:
        return self.process.poll() is None

    def verdict(self, timeout: float | None = 0) -> Verdict | None:
        """What the adaptations came to in the service's self-test (its warm-up, see
        ``selftest``), waiting for it at most ``timeout`` seconds (None: for ever); None if
        unknown (it stopped, its warm-up failed, or it is still warming up)."""
        with self.lock:
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
        """The report's PDF, laid out by the service within ``budget`` (started) with the
        adaptations ``engine`` allows; None if it had stopped before the job (the exporter then
        lays it out itself). ``meanwhile`` is called once the service has the job. The layout's
        log records are handled here by the loggers of their names, ``log`` at its level."""
        with self.lock:
            try:
                if self._verdict is None:
                    self._verdict = (self._answer(budget),)  # its warm-up is over
                self.pipe.send((chunks, policy, forms, font_css, log.name, log.getEffectiveLevel(), budget, engine))
                self._answer(budget)  # it has the job
            except (EOFError, OSError):  # it had stopped
                log.debug("PDF layout service stopped before the report (exit status %s)", self.process.wait())
                return None
            if meanwhile is not None:
                meanwhile()
            try:
                kind, value, records = self._answer(budget)
            except (EOFError, OSError):
                raise budget.died(self.process.wait()) from None
        childlogs.handle(records)
        if kind == "error":
            raise value
        return value

    def _answer(self, budget: Budget):
        """The service's next message; if none comes by the deadline (and ``DEADLINE_GRACE``
        more), the service is stuck (in C, or stopped): it is killed, with its chunk processes."""
        remaining = budget.remaining()
        if not self.pipe.poll(None if remaining is None else remaining + DEADLINE_GRACE):
            self.kill()
            raise budget.timed_out()
        return self.pipe.recv()

    def kill(self) -> None:
        """Kill the service and the chunk processes it started."""
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
        self.process.wait()

    def stop(self) -> None:
        """Close the pipe (the service exits) and wait for it; one still busy after 10 s is
        killed."""
        self.pipe.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class _Forked:
    """A forked service's process, with the part of ``subprocess.Popen``'s interface the
    exporter uses for either kind."""

    def __init__(self, process: multiprocessing.Process):
        self.process, self.pid = process, process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired("ocx-reports PDF layout", timeout)
        return self.process.exitcode

    def kill(self) -> None:
        self.process.kill()


def serve(pipe: Connection, inherited: list[Connection] = ()) -> None:
    """The service: load WeasyPrint and set it up, then lay out each job until the pipe closes
    (its other end is the exporter's, and only the exporter's: the copies a fork made,
    ``inherited``, are closed). Before it forks a job's chunk processes it checks that it still
    runs one thread; if not, it stops, and the exporter lays that report out itself.

    Its temporary files (WeasyPrint's copies of the report fonts) go in the exporter's folder
    (``scratch``), which the exporter removes as it ends, whatever became of this process: it
    ends with ``os._exit``, which runs no finalizers (a garbage collection to run them took
    about 50 ms the exporter would wait for at its exit)."""
    for end in inherited:
        end.close()
    childlogs.detach()
    try:
        font_css, folder = pipe.recv()
        scratch.adopt(Path(folder))
        pipe.send(_warmed_up(font_css))  # what the exporter may plan the report's page for
        while True:
            job = pipe.recv()
            if threads() != 1:  # forking now could leave a chunk process a lock held for ever
                break
            pipe.send(True)  # so the exporter knows a failure from now on is this job's
            _lay_out(pipe, *job)
    except (EOFError, OSError):  # the exporter closed its end, or is gone
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _warmed_up(font_css: str) -> Verdict | None:
    """Load WeasyPrint and set it up; what the adaptations came to (None: that failed, and the
    report's own layout fails the same way, saying why)."""
    try:
        from ..engine import compat
        from ..page.urlpolicy import URLPolicy
        from . import weasy

        weasy.layout_process()
        weasy.warm_up(URLPolicy(Path.cwd(), logging.getLogger(__name__)), font_css)
        return compat.verdict()
    except Exception:  # noqa: BLE001
        return None


def _lay_out(
    pipe, chunks: list[str], policy, forms: dict, font_css: str, log_name: str, level: int, budget: Budget,
    engine: Engine,
) -> None:
    from .weasy import warm_up

    log = logging.getLogger(log_name)
    saved = log.level
    log.setLevel(level)  # as in the exporter
    with childlogs.kept() as records:
        try:
            warm_up(policy, font_css)  # once per process, with the report's fonts: the chunks inherit it
            pdf = parallel.render_chunks(chunks, policy, log, forms, budget, engine)
            log.debug("PDF layout service: peak memory %.0f MiB", parallel.peak_mib())
            pipe.send(("done", pdf, records))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the exporter
            send_failure(pipe, budget.failure(exc), records)
        finally:
            log.setLevel(saved)


# -- the services of this process --------------------------------------------------

_lock = threading.Lock()
_idle: list[LayoutService] = []  # started, alive and free for the next export
_running: list[LayoutService] = []  # every service started and not yet stopped
_export = threading.local()  # the service of the export this thread runs, and how deep in it
_stops_at_exit = False


@contextmanager
def held(font_css: str, log: logging.Logger) -> Iterator[LayoutService | None]:
    """The layout service of the export this thread runs (None: none can start here). The
    outermost call (``from_file``, which calls ``from_notebook_node``) takes an idle one, or
    starts one, warmed up with the report's ``@font-face`` rules (``font_css``), and says so
    on ``log``; it gives it back, alive, for the next export once the export is done."""
    depth = getattr(_export, "depth", 0)
    if not depth:
        _export.service = _take(font_css, log)
    _export.depth = depth + 1
    try:
        yield _export.service
    finally:
        _export.depth = depth
        if not depth:
            service, _export.service = _export.service, None
            if service is not None:
                _give_back(service)


def current() -> LayoutService | None:
    """The layout service of the export this thread runs, if it has one."""
    return getattr(_export, "service", None)


def _take(font_css: str, log: logging.Logger) -> LayoutService | None:
    global _stops_at_exit
    if not startable():
        return None
    with _lock:
        while _idle:
            service = _idle.pop()
            if service.alive():
                return service
            _running.remove(service)
        if not _stops_at_exit:
            # Before multiprocessing's own exit handler, which would wait for a forked
            # service: closing the pipes is what tells the services to stop.
            atexit.register(stop_all)
            _stops_at_exit = True
        try:
            service = LayoutService(font_css, [other.pipe for other in _running])
        except OSError as exc:  # no process could start: the exporter lays out itself
            log.debug("PDF layout service could not start (%s): the report is laid out here", exc)
            return None
        _running.append(service)
    log.debug("PDF layout service started %s", service.started)
    return service


def _give_back(service: LayoutService) -> None:
    with _lock:
        if service.alive():
            _idle.append(service)
        elif service in _running:
            _running.remove(service)


def stop_all() -> None:
    """Stop every service of this process: at its exit, and in the tests after one that patched
    this process (a service forked meanwhile has the patches for good)."""
    with _lock:
        stopping = list(_running)
        _running.clear()
        _idle.clear()
    for service in stopping:
        service.stop()
