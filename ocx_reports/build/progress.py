"""How a running build shows itself: a live bar on a terminal, one line per report in CI.

CI logs are files: a redrawn bar there is noise, and a line per finished
report (status, time, where it went, or why it failed) is what someone reads
the morning after. ``CI`` set (as every major CI service does) or stderr not
being a terminal selects the lines.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

STYLES = {"built": "green", "skipped": "dim", "failed": "bold red"}


def live_wanted(stream=None) -> bool:
    stream = stream or sys.stderr
    return not os.environ.get("CI") and stream.isatty()


def shown(path) -> str:
    """A path as people read it in a log: relative to the current directory when it is below it."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def describe(result) -> str:
    """``built gut-study in 4.2 s -> reports/gut.pdf``: one report, on one line."""
    if result.status == "failed":
        return f"FAILED {result.name} after {result.seconds:.1f} s: {result.error}"
    where = ", ".join(shown(path) for path in result.outputs.values())
    return f"{result.status} {result.name} in {result.seconds:.1f} s -> {where}"


class LineProgress:
    """One plain line per finished report, numbered, flushed at once."""

    def __init__(self, total: int, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr

    def __enter__(self):
        print(f"building {self.total} report{'s' if self.total != 1 else ''}", file=self.stream, flush=True)
        return self

    def __exit__(self, *exc_info):
        return False

    def advance(self, result) -> None:
        self.done += 1
        width = len(str(self.total))
        print(f"[{self.done:>{width}}/{self.total}] {describe(result)}", file=self.stream, flush=True)


class LiveProgress:
    """A rich progress bar; finished reports scroll above it, failures in red."""

    def __init__(self, total: int, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.bar = Progress(
            TextColumn("[bold]building"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.counts = {"built": 0, "skipped": 0, "failed": 0}
        self.task = self.bar.add_task("reports", total=total, counts="")

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc_info):
        self.bar.stop()
        return False

    def advance(self, result) -> None:
        self.counts[result.status] += 1
        counts = ", ".join(f"{n} {status}" for status, n in self.counts.items() if n)
        self.bar.console.print(Text(describe(result), style=STYLES[result.status]))
        self.bar.update(self.task, advance=1, counts=counts)


def progress_for(total: int):
    return LiveProgress(total) if live_wanted() else LineProgress(total)
