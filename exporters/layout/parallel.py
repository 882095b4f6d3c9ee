"""Lay out a report's chunks in parallel processes, then merge them into one PDF.

The layout service (``service.py``) lays each chunk (see ``paginate.py``) out with
WeasyPrint in a child it forks: fork shares the imported, set-up WeasyPrint and the
loaded fonts, and the service runs no other thread that a fork could catch holding a
lock. A child reports its page count as soon as its pages are laid out, waits for the
offset and total that only all counts give, builds its page frame with them ("Page X of
Y"), writes its PDF and exits, so no process holds more than its chunk's boxes. The
service merges the chunk PDFs with pikepdf and rebuilds what spans chunks: the outline,
named destinations and links to anchors in another chunk.

A report in one chunk is laid out the same way, in one child: the layout runs where its
budget (``budget.py``: time, memory, pages) can stop it without harm to the service, and
the service stays as it was set up for the next report.
"""

from __future__ import annotations

import io
import multiprocessing
import time
import traceback
from dataclasses import dataclass, field

from ..engine.compat import AdaptationFailed, Engine
from ..errors import ReportError
from . import childlogs
from .budget import Budget

#: WeasyPrint draws at 0.75 PDF points per CSS pixel, from the page's top-left corner.
_PT_PER_PX = 0.75


@dataclass
class ChunkPDF:
    """A chunk's PDF and what in it must be rebuilt for the whole report."""

    pdf: bytes
    heights: list[float] = field(default_factory=list)  # page heights, CSS px
    bookmarks: list[tuple] = field(default_factory=list)  # (level, label, page, x, y, state)
    anchors: list[tuple] = field(default_factory=list)  # (name, page, x, y)
    links: list[tuple] = field(default_factory=list)  # (page, (x1, y1, x2, y2), anchor) to other chunks
    seconds: float = 0.0  # the process's layout and write time
    cpu_seconds: float = 0.0  # and its CPU time (steadier than wall time on a busy machine)
    peak_mib: float = 0.0  # and its peak memory
    records: list = field(default_factory=list)  # what it logged (see ``childlogs``)


def peak_mib() -> float:
    """This process's peak memory (max RSS), for the debug log; 0 where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fork_available() -> bool:
    """Whether this process may fork: not on Windows, nor in a daemonic process (a Dask
    worker's), which multiprocessing does not let have children."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def render_chunks(
    chunks: list[str], policy, log, forms: dict | None = None, budget: Budget = Budget(), engine: Engine = Engine()
) -> bytes:
    """Lay out every chunk in its own process within ``budget`` and return the merged PDF
    (``forms``: SVG images already converted to PDF, see ``svgforms``). If one fails or the
    deadline passes, the others are killed at once. Chunks of a report in several are
    numbered across it (``page_frame``); one alone numbers its own pages."""
    import pikepdf  # noqa: F401 - the merge needs it, and children converting SVG forms share it once imported

    context = multiprocessing.get_context("fork")
    processes, pipes, done = [], [], False
    try:
        for html in chunks:
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_lay_out, args=(theirs, html, policy, forms, budget, engine, len(chunks) > 1), daemon=True
            )
            process.start()
            theirs.close()
            processes.append(process)
            pipes.append(ours)
        if len(chunks) > 1:
            counts = [_receive(pipe, process, budget, "count") for pipe, process in zip(pipes, processes)]
            if budget.max_pages and sum(counts) > budget.max_pages:
                raise budget.too_many_pages()
            offset = 0
            for pipe, count in zip(pipes, counts):
                pipe.send((offset, sum(counts)))
                offset += count
        results = [_receive(pipe, process, budget, "done") for pipe, process in zip(pipes, processes)]
        done = True
        childlogs.handle([record for result in results for record in result.records])
        for number, result in enumerate(results, start=1):
            log.debug(
                "PDF chunk %d: %d pages in %.2f s (%.2f CPU-s), peak memory %.0f MiB",
                number, len(result.heights), result.seconds, result.cpu_seconds, result.peak_mib,
            )
    finally:
        for process in processes:
            if not done:
                process.kill()
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    if len(results) == 1:
        return results[0].pdf
    started = time.perf_counter()
    pdf = merge(results)
    log.debug("PDF: %d chunks merged in %.2f s", len(results), time.perf_counter() - started)
    return pdf


def _receive(pipe, process, budget: Budget, expected: str):
    """A chunk process's next message, of the ``expected`` kind; its failure, its death and the
    deadline as errors."""
    if not pipe.poll(budget.remaining()):
        raise budget.timed_out()
    try:
        kind, value, *records = pipe.recv()
    except EOFError:
        process.join()
        raise budget.died(process.exitcode) from None
    if kind == "error":
        childlogs.handle(*records)
        raise budget.failure(value)
    if kind != expected:  # a chunk written before its page frame was numbered
        raise AdaptationFailed("page_frame", f"a chunk process sent its {kind!r} before its page count")
    return value


def _lay_out(pipe, html: str, policy, forms: dict | None, budget: Budget, engine: Engine, numbered: bool) -> None:
    """Child process: lay out one chunk within the budget, numbered as the parent says if it
    is one of several (``numbered``), and send its PDF."""
    from .weasy import fewer_collections, layout_process, render, write_pdf

    layout_process()

    def numbering(count: int) -> tuple[int, int]:
        pipe.send(("count", count))
        return pipe.recv()

    with childlogs.kept() as records:
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            with budget.applied(), fewer_collections(not engine.stock):
                laid = render(html, policy, numbering if numbered else None, forms, budget.max_pages, engine)
                chunk = _navigation(laid.document)
                chunk.pdf = write_pdf(laid)
                del laid
            chunk.seconds = time.perf_counter() - started
            chunk.cpu_seconds = time.process_time() - cpu_started
            chunk.peak_mib = peak_mib()
            chunk.records = records
            pipe.send(("done", chunk))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            send_failure(pipe, exc, records)
        finally:
            pipe.close()


def send_failure(pipe, exc: BaseException, *extra) -> None:
    """Send ``("error", exc, *extra)``; an exception that cannot be pickled goes as a
    ReportError with its one-line description."""
    try:
        pipe.send(("error", exc, *extra))
    except Exception:
        pipe.send(("error", ReportError("".join(traceback.format_exception_only(exc)).strip()), *extra))


def _navigation(document) -> ChunkPDF:
    """Bookmarks and anchors of a laid-out chunk, and its links that point outside it
    (taken off its pages, where WeasyPrint would drop them with an error)."""
    chunk = ChunkPDF(b"")
    names = {name for page in document.pages for name in page.anchors}
    for number, page in enumerate(document.pages):
        chunk.heights.append(page.height)
        for level, label, (x, y), state in page.bookmarks:
            chunk.bookmarks.append((level, label, number, x, y, state))
        for name, (x, y, *_) in page.anchors.items():
            chunk.anchors.append((name, number, x, y))
        outside = [link for link in page.links if link[0] == "internal" and link[1] not in names]
        for _, name, rectangle, _ in outside:
            chunk.links.append((number, tuple(rectangle), name))
        page.links[:] = [link for link in page.links if link not in outside]
    return chunk


def merge(chunks: list[ChunkPDF]) -> bytes:
    """One PDF: the chunks' pages in order, the first chunk's metadata, the whole outline,
    every anchor as a named destination (first one wins) and the links between chunks.

    qpdf (through pikepdf) copies the pages in compiled code: under 0.1 s for the
    benchmark's large report, where a pure-Python merge took 0.4-0.6 s of serial time
    at the very end of the export.
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    out = pikepdf.open(io.BytesIO(chunks[0].pdf))  # its metadata and language stay
    starts, heights = [0], list(chunks[0].heights)
    for chunk in chunks[1:]:
        starts.append(len(out.pages))
        heights.extend(chunk.heights)
        out.pages.extend(pikepdf.open(io.BytesIO(chunk.pdf)).pages)

    def point(page: int, x: float, y: float) -> tuple[float, float]:
        return x * _PT_PER_PX, (heights[page] - y) * _PT_PER_PX

    destinations = pikepdf.NameTree.new(out)
    for chunk, start in zip(chunks, starts):
        for name, page, x, y in chunk.anchors:
            if name not in destinations:
                left, top = point(start + page, x, y)
                destinations[name] = Array([out.pages[start + page].obj, Name.XYZ, left, top, 0])
    out.Root.Names = Dictionary(Dests=destinations.obj)
    with out.open_outline() as outline:
        outline.root.clear()  # the first chunk's own outline
        parents: list[tuple[int, pikepdf.OutlineItem]] = []
        for chunk, start in zip(chunks, starts):
            for level, label, page, x, y, state in chunk.bookmarks:
                while parents and parents[-1][0] >= level:
                    parents.pop()
                left, top = point(start + page, x, y)
                item = pikepdf.OutlineItem(label, start + page, "XYZ", left=left, top=top, zoom=0)
                item.is_closed = state == "closed"
                (parents[-1][1].children if parents else outline.root).append(item)
                parents.append((level, item))
    for chunk, start in zip(chunks, starts):
        for page, (x1, y1, x2, y2), name in chunk.links:
            if name not in destinations:
                continue
            (left, bottom), (right, top) = point(start + page, x1, y2), point(start + page, x2, y1)
            link = Dictionary(
                Type=Name.Annot, Subtype=Name.Link, Rect=[left, bottom, right, top], BS=Dictionary(W=0), Dest=String(name)
            )
            target = out.pages[start + page].obj
            if "/Annots" not in target:
                target.Annots = Array()
            target.Annots.append(out.make_indirect(link))
    written = io.BytesIO()
    out.save(written, deterministic_id=True)  # the same report gives the same bytes
    return written.getvalue()
