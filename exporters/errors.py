"""The one error a report export raises for a user's mistake, and how it is shown.

``ReportError`` subclasses nbconvert's ``ConversionException`` so that
``jupyter nbconvert`` exits with status 1 instead of crashing. nbconvert logs
that exception *with* its traceback; :func:`install_one_line_errors` adds a
logging filter that turns the record into one line naming the problem, unless
the log level is DEBUG (``--debug``), where the traceback stays useful.
"""

from __future__ import annotations

import logging

from nbconvert.utils.exceptions import ConversionException


class ReportError(ConversionException):
    """A problem with the user's input: bad notebook, failing cell, bad option.

    The message is one line that names the thing and what to do about it.
    """


class _OneLineReportErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ReportError) and not logging.getLogger(record.name).isEnabledFor(
            logging.DEBUG
        ):
            record.msg = "%s: %s"
            record.args = (record.getMessage(), exc)
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = _OneLineReportErrors()


def install_one_line_errors(log: logging.Logger) -> None:
    """Make ``log`` print ReportErrors as one line (idempotent)."""
    if _FILTER not in log.filters:
        log.addFilter(_FILTER)
