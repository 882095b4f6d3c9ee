"""Log records of the PDF layout's processes, handled by the exporter's process.

The layout service and its chunk processes print no log record themselves: a
service forked from the exporter drops the handlers it inherited (``detach``),
so every record would go to logging's last resort, a bare line on stderr.
They are kept instead (``kept``), and sent back with the process's result. The
exporter hands each to the logger of its name, so it appears exactly as if the
exporter had logged it: formatted by nbconvert, at nbconvert's log level, once
however many chunks logged it. Those of a library that silences its logger
(with a ``NullHandler``, as WeasyPrint does) stay silent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # the arguments may not pickle
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


@contextmanager
def kept() -> Iterator[list[logging.LogRecord]]:
    """The records logged meanwhile that no handler takes, kept instead of printed bare."""
    handler = _Kept()
    last_resort, logging.lastResort = logging.lastResort, handler
    try:
        yield handler.records
    finally:
        logging.lastResort = last_resort


def detach() -> None:
    """Drop the log handlers this process has, but those that silence a logger: called first
    thing in a layout service, which, forked, would otherwise print through its copies of the
    exporter's handlers."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in list(getattr(logger, "handlers", ())):  # a PlaceHolder has none
            if not isinstance(handler, logging.NullHandler):
                logger.removeHandler(handler)


def handle(records: list[logging.LogRecord]) -> None:
    """Handle a child's records here, each by the logger of its name, at that logger's level;
    a message several children logged (each chunk of a report) once."""
    seen = set()
    for record in records:
        if (record.name, record.levelno, record.msg) in seen:
            continue
        seen.add((record.name, record.levelno, record.msg))
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
