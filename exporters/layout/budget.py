"""What laying out one PDF report may take: wall-clock time, memory per process, pages.

A report's notebook may hold anything, and WeasyPrint's cost grows faster than the
page count: for every page it walks every element's cascaded style and every earlier
page (1,000 forced page breaks lay out in about 10 s, 2,000 in about 30 s), and a
process keeps every page's boxes until its PDF is written (a cell is never split
between processes unless it is a long table: 20,000 list items in one cell took
820 MiB). So the processes that lay a report out carry a budget: each may grow by
at most ``memory_mib`` (its address-space limit, so an allocation past it fails there
and then), stops paginating past ``max_pages``, and stops at the deadline (a SIGALRM
in the process; its parent kills it if that does not end it). Each limit ends the
export with one line naming the option that raises it.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace

from ..errors import ReportError

try:
    import resource
except ImportError:  # Windows: no limits on memory
    resource = None

#: WeasyPrint lays out each level of nesting with about six nested Python calls; the
#: interpreter's default limit (1,000) is reached at about 120 levels. A layout allows
#: this many calls, so what ``max_nesting_depth`` lets through lays out.
RECURSION_LIMIT = 4000

#: A failure once the address space came this close to its limit is taken for running
#: out of memory (the request that failed may have been this large).
LIMIT_SLACK = 64 * 2**20

_OPTION = "OneCodexPDFExporter"


@dataclass(frozen=True)
class Budget:
    """A layout's limits (0: none) and, once started, its deadline on ``time.monotonic``."""

    seconds: float = 0.0
    memory_mib: int = 0
    max_pages: int = 0
    deadline: float = 0.0

    def started(self) -> Budget:
        """This budget with its clock running from now."""
        return replace(self, deadline=time.monotonic() + self.seconds if self.seconds > 0 else 0.0)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if not self.deadline else max(0.0, self.deadline - time.monotonic())

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Hold this process to the budget while it lays out: only in a chunk's process, which
        exists to lay out, never the exporter's or the layout service's. At the deadline the
        layout stops with the error, raised by SIGALRM's handler; the memory limit counts from
        the process's size now."""
        recursion = sys.getrecursionlimit()
        sys.setrecursionlimit(max(recursion, RECURSION_LIMIT))
        address_space = _limit_growth(self.memory_mib * 2**20) if self.memory_mib > 0 else None
        alarm = None
        try:
            alarm = self._set_alarm()
            with _stderr_held() if address_space is not None else nullcontext():
                yield
        except Exception as exc:
            # Out of memory, C code fails in many ways (SystemError, NULL pointers): any
            # failure after the process came near its limit is taken for running out.
            if address_space is not None and not isinstance(exc, ReportError) and _reached_limit():
                raise self.out_of_memory() from None
            raise
        finally:
            if address_space is not None:  # first: what follows may allocate, the limit reached
                resource.setrlimit(resource.RLIMIT_AS, address_space)
            if alarm is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, alarm)
            sys.setrecursionlimit(recursion)

    def _set_alarm(self):
        """Raise ``timed_out`` at the deadline; returns the SIGALRM handler it replaced (None:
        no alarm set, the parent's deadline holds)."""
        remaining = self.remaining()
        if remaining is None:
            return None
        if remaining <= 0:
            raise self.timed_out()

        def ring(signum, frame):
            raise self.timed_out()

        try:
            previous = signal.signal(signal.SIGALRM, ring)
        except (ValueError, AttributeError):  # not the main thread, or no SIGALRM here
            return None
        signal.setitimer(signal.ITIMER_REAL, remaining)
        return previous

    # -- the one-line errors ------------------------------------------------

    def timed_out(self) -> ReportError:
        return ReportError(
            f"the PDF layout took longer than {self.seconds:g} s; raise {_OPTION}.layout_timeout "
            "(0: no limit), or print less of the notebook"
        )

    def out_of_memory(self) -> ReportError:
        return ReportError(
            f"the PDF layout needed more than {self.memory_mib:,} MiB in one process; raise "
            f"{_OPTION}.layout_memory_mib (0: no limit), or split the longest cell"
        )

    def too_many_pages(self) -> ReportError:
        return ReportError(
            f"the report runs past {self.max_pages:,} pages; raise {_OPTION}.max_pages (0: no limit), "
            "or print less of the notebook (max_table_rows, max_stream_lines)"
        )

    def failure(self, exc: BaseException) -> BaseException:
        """What a layout process's exception means to the user."""
        if isinstance(exc, MemoryError) and self.memory_mib > 0:
            return self.out_of_memory()
        if isinstance(exc, RecursionError):
            return ReportError(
                "the report nests elements too deeply to lay out; lower OneCodexHTMLExporter.max_nesting_depth"
            )
        return exc

    def died(self, exitcode: int | None) -> ReportError:
        """The error for a layout process that ended without a word (``exitcode``: its status)."""
        if exitcode is None or exitcode >= 0:
            return ReportError(f"a PDF layout process stopped unexpectedly (exit status {exitcode})")
        try:
            how = f"was stopped by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was stopped by signal {-exitcode}"
        # GLib aborts (SIGTRAP, SIGABRT) when it cannot allocate or start a thread; the kernel's
        # out-of-memory killer sends SIGKILL.
        if self.memory_mib > 0 and -exitcode in (signal.SIGTRAP, signal.SIGABRT, signal.SIGSEGV, signal.SIGKILL):
            return ReportError(
                f"a PDF layout process {how}, most likely out of memory (it may use {self.memory_mib:,} MiB: "
                f"{_OPTION}.layout_memory_mib)"
            )
        return ReportError(f"a PDF layout process {how}")


@contextmanager
def _stderr_held() -> Iterator[None]:
    """What C code writes to stderr meanwhile, printed only if the process lives on.

    A library that cannot start a thread at the memory limit (GLib) prints its own
    error and aborts the process; the user then gets the export's one line about the
    limit, not GLib's besides it. Anything else written meanwhile (a font warning)
    still reaches stderr, once the layout is over."""
    sys.stderr.flush()
    with tempfile.TemporaryFile() as held:
        saved = os.dup(2)
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read()
            if text:
                os.write(2, text)


def _limit_growth(extra: int) -> tuple[int, int] | None:
    """Let this process's address space grow by ``extra`` bytes at most, where the system
    enforces it (Linux does); the limits it had (None: nothing changed)."""
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (AttributeError, OSError, ValueError):  # not Linux
        return None
    return soft, hard


def _reached_limit() -> bool:
    """Whether this process's address space came within ``LIMIT_SLACK`` of its limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError):
        return False
    return soft != resource.RLIM_INFINITY and peak > soft - LIMIT_SLACK
