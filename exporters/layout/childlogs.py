"""Log records of the PDF layout's child processes, handled by the process that started them.

A child's records that no handler of its own takes (they would go to
logging's last resort, a bare line on stderr: the layout process is forked
before ``jupyter nbconvert`` sets its logging up) are kept instead, and sent
back with the child's result. The parent hands each to the logger of its
name, so it appears exactly as if the parent had logged it: formatted by
nbconvert, at nbconvert's log level. Records a child's handlers take (a
chunk process forked from the exporter inherits nbconvert's) are printed
there, and those of a library that silences its logger stay silent.
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
