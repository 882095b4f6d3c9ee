"""The chart worker processes: they draw charts, and convert SVGs to PDF, in the background.

vl-convert 1.x runs every conversion in one JavaScript engine behind a global
lock and holds the GIL while it waits, so conversions in threads cannot
overlap; each worker is a ``python -m ocx_reports.charts.drawing`` process instead,
fed one job at a time by a thread of the exporter. Workers are kept for the
life of the process (batch builds start them once) and shared by exports
running in threads; one that stops is replaced, so only the chart that
crashed it fails.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
import threading

from ocx_reports.exporters.page import assets

from .drawing import Chart, ChartError, Figure

#: Another worker process pays off once each has this many charts to draw:
#: each one starts its own JavaScript engine, which costs about as much as 15
#: small charts.
CHARTS_PER_WORKER = 8


class _Worker:
    """A ``python -m ocx_reports.charts.drawing`` process, kept for the life of this one.
    Exports running at once in threads, and an export's charts and figures, share it,
    one job at a time."""

    def __init__(self, font_dir: str):
        self.lock = threading.Lock()
        self.successor: _Worker | None = None  # the worker that took its place once it stopped
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocx_reports.charts.drawing", font_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def draw(self, job: Chart | Figure, pdf: bool) -> Drawn | ChartError:
        """The worker's reply; OSError if it stopped while on ``job``, ProcessLookupError
        if it had stopped before (another job crashed it: not this job's fault)."""
        with self.lock:
            if self.process.poll() is not None:
                raise ProcessLookupError("the chart converter process had stopped")
            self.process.stdin.write(json.dumps({**dataclasses.asdict(job), "pdf": pdf}) + "\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
        if not reply:
            raise OSError("no reply")
        reply = json.loads(reply)
        return ChartError(reply["error"]) if "error" in reply else Drawn(reply.get("svg"), reply.get("pdf"))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:  # a broken pipe's unflushed write
                pass


@dataclasses.dataclass(frozen=True)
class Drawn:
    """A drawn chart: its SVG and, for the PDF report, that SVG as a PDF (base64); for a
    ``Figure``, only the PDF."""

    svg: str | None
    pdf: str | None = None


_workers: list[_Worker] = []
_pool = threading.Lock()  # guards ``_workers``: exports in threads start and replace workers


def _feed(worker: _Worker, jobs: queue.Queue, results: list, font_dir: str, pdf: bool) -> None:
    """Draw queued jobs with ``worker`` until none are left. A worker that stops (a chart
    that crashes the converter) is replaced, so that chart fails alone; a job that finds
    it stopped already (by a job of another feeder sharing it) tries its successor once."""
    while worker is not None:
        try:
            index, job = jobs.get_nowait()
        except queue.Empty:
            return
        try:
            try:
                results[index] = worker.draw(job, pdf)
            except ProcessLookupError:
                worker = _replace(worker, font_dir)
                if worker is None:
                    return  # the rest go to the other workers, or fail in ``Drawing.wait``
                results[index] = worker.draw(job, pdf)
        except OSError:
            results[index] = ChartError("the chart converter process stopped while drawing it")
            worker = _replace(worker, font_dir)


def _replace(worker: _Worker, font_dir: str) -> _Worker | None:
    """A new worker in the stopped one's place, or the one a feeder sharing it started
    already; None (and no place) if none can start."""
    worker.stop()
    with _pool:
        if worker.successor is not None:
            return worker.successor
        try:
            new = worker.successor = _Worker(font_dir)
        except OSError:
            new = None
        if worker in _workers:
            place = _workers.index(worker)
            if new is None:
                del _workers[place]
            else:
                _workers[place] = new
    return new


class Drawing:
    """Charts being drawn in the background, by worker processes (one per
    ``CHARTS_PER_WORKER`` charts, at most one per core).

    Even one chart is drawn by a worker: it starts its JavaScript engine (about
    0.9 s) while the exporter carries on, where drawing in this process would
    start it only when the chart is needed, hold the GIL meanwhile, and leave
    the engine's threads and memory in the process that forks the PDF layout.
    Workers stay up for the life of the process, so batch builds that export
    many notebooks start them once.
    """

    def __init__(self, charts: dict[str, Chart | Figure], pdf: bool = False):
        """``charts``: each chart to draw (or figure to convert) by its cache key; ``pdf``:
        convert each chart to PDF too."""
        self.keys = list(charts)
        self.results: list = [None] * len(charts)
        font_dir = str(assets.chart_font_dir())
        wanted = max(1, min(os.cpu_count() or 1, len(charts) // CHARTS_PER_WORKER))
        with _pool:
            _workers[:] = [w for w in _workers if w.process.poll() is None]
            while len(_workers) < wanted:
                try:
                    _workers.append(_Worker(font_dir))
                except OSError:
                    break  # what no worker draws fails in ``wait``, with a reason
            chosen = _workers[:wanted]
        jobs: queue.Queue = queue.Queue()
        for job in enumerate(charts.values()):
            jobs.put(job)
        self.feeders = [
            threading.Thread(target=_feed, args=(worker, jobs, self.results, font_dir, pdf)) for worker in chosen
        ]
        for feeder in self.feeders:
            feeder.start()

    def wait(self) -> dict[str, Drawn | ChartError]:
        """The drawn chart or a ChartError, by chart key."""
        for feeder in self.feeders:
            feeder.join()
        stopped = ChartError("the chart converter process could not be started")
        return {key: stopped if result is None else result for key, result in zip(self.keys, self.results)}
