"""The one error a report export raises for a user's mistake, and how it is shown.

``ReportError`` subclasses nbconvert's ``ConversionException`` so that
``jupyter nbconvert`` exits with status 1 instead of crashing. nbconvert logs
that exception *with* its traceback; :func:`install_one_line_errors` adds a
logging filter that turns the record into one line naming the problem, unless
the log level is DEBUG (``--debug``), where the traceback stays useful.
"""

from __future__ import annotations

import logging
import sys

from nbconvert.utils.exceptions import ConversionException


class ReportError(ConversionException):
    """A problem with the user's input: bad notebook, failing cell, bad option.

    The message is one line that names the thing and what to do about it.
    """


def read_notebook_stream(stream, name: str, check_schema: bool = True):
    """``nbformat.read`` with a one-line error naming the file when it is not a notebook.
    ``check_schema=False`` leaves the schema check (``check_notebook_schema``) to the caller."""
    import nbformat

    try:
        nb = nbformat.convert(nbformat.reader.reads(stream.read()), 4)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ReportError(
            f"{name} is not a readable Jupyter notebook ({type(exc).__name__}: {reason}); "
            "open it in Jupyter and save it again"
        ) from None
    from .chartspecs import respell_outputs

    respell_outputs(nb)  # a chart saved under Altair 6.3's misspelled key is no schema error
    if check_schema:
        check_notebook_schema(nb)
    return nb


def check_notebook_schema(nb) -> None:
    """Log, as ``nbformat.read`` does, where a notebook breaks the notebook format's schema
    (the export goes on). Building the schema's validator takes about 40 ms, which the PDF
    exporter spends while the layout process works rather than before it has the report."""
    import nbformat

    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        nbformat.get_logger().error("Notebook JSON is invalid: %s", exc)


class _OneLineReportErrors(logging.Filter):
    def __init__(self, app):
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        level = self.app.log_level
        debugging = (logging.getLevelName(level) if isinstance(level, str) else level) <= logging.DEBUG
        if isinstance(exc, ReportError) and not debugging:
            record.args = (record.getMessage(), exc)
            record.msg = "%s: %s"
            record.exc_info = None
            record.exc_text = None
        return True



def running_nbconvert_app():
    """The ``jupyter nbconvert`` application this export runs in, or None (a notebook
    server, a script, our own command line)."""
    app = getattr(sys.modules.get("nbconvert.nbconvertapp"), "NbConvertApp", None)
    return app.instance() if app is not None and app.initialized() else None


def install_one_line_errors() -> None:
    """Make a running ``jupyter nbconvert`` print ReportErrors as one line.

    nbconvert logs conversion errors on its application's logger, not the
    exporter's, so the filter goes there; outside that app nothing changes.
    """
    instance = running_nbconvert_app()
    if instance is not None and not any(isinstance(f, _OneLineReportErrors) for f in instance.log.filters):
        instance.log.addFilter(_OneLineReportErrors(instance))
