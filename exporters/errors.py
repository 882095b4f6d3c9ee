"""The one error a report export raises for a user's mistake, and how it is shown.

``ReportError`` subclasses nbconvert's ``ConversionException`` so that
``jupyter nbconvert`` exits with status 1 instead of crashing. nbconvert logs
that exception *with* its traceback; :func:`install_one_line_errors` adds a
logging filter that turns the record into one line naming the problem, unless
the log level is DEBUG (``--debug``), where the traceback stays useful.
"""

from __future__ import annotations

import logging
import re
import sys

from nbconvert.utils.exceptions import ConversionException
from traitlets import TraitError


class ReportError(ConversionException):
    """A problem with the user's input: bad notebook, failing cell, bad option.

    The message is one line that names the thing and what to do about it.
    """


class OptionError(ReportError, TraitError):
    """An option (a trait of an exporter or of one of its preprocessors) given a value it
    does not take. Still a ``TraitError``, for code that sets traits and catches that."""

    def __init__(self, option: str | None, problem: str):
        super().__init__(f"option {option}: {problem}" if option else problem)
        self.option = option  # "OneCodexPDFExporter.page_size", when traitlets' message names it
        self.problem = problem  # "expected any of ['letter', 'a4'], not the str 'a5'"


#: How traitlets names the trait a value was refused by ("The 'page_size' trait of an
#: OneCodexPDFExporter instance expected ...", "The value of the 'workers' trait of ...").
_REFUSED_BY = re.compile(r"^The (?:value of the )?'(?P<trait>\w+)' trait of an? (?P<owner>\w+) instance,? ")


def option_error(exc: TraitError) -> OptionError:
    """traitlets' refusal of a value, as one line naming the option as the command line and
    config files spell it. Its message already says what the trait takes and what it got."""
    text = " ".join(str(exc).split()).rstrip(".")
    found = _REFUSED_BY.match(text)
    if found is None:
        return OptionError(None, text)
    return OptionError(f"{found['owner']}.{found['trait']}", text[found.end():])


def refuse_option(exc: TraitError):
    """Fail an exporter whose configuration holds a value a trait refuses (``exc``).

    ``jupyter nbconvert`` builds the exporter, which reads its options and builds its
    preprocessors, while it looks the exporter up: before, and outside, the error handling
    of a conversion, so anything raised there prints as a traceback. Under it the refusal is
    printed as one error line and the command exits with status 1, before any output is
    written (``--debug`` adds the traceback); elsewhere it is raised as an ``OptionError``.
    """
    error = option_error(exc)
    app = running_nbconvert_app()
    if app is None:
        raise error from None
    app.log.error("%s", error, exc_info=exc if debugging(app) else None)
    app.exit(1)


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
    from ocx_reports.charts.specs import respell_outputs

    respell_outputs(nb)  # a chart saved under Altair 6.3's misspelled key is no schema error
    if check_schema:
        check_notebook_schema(nb)
    return nb


def check_notebook_schema(nb) -> None:
    """Log, as ``nbformat.read`` does, where a notebook breaks the notebook format's schema
    (the export goes on). Building the schema's validator takes about 40 ms, which the PDF
    exporter spends while the layout service works rather than before it has the report."""
    import nbformat

    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        nbformat.get_logger().error("Notebook JSON is invalid: %s", exc)


def schema_check(nb=None):
    """``check_notebook_schema(nb)``, run by the first call of the function returned (the PDF
    layout calls it while it waits, ``from_file`` when the export is done), a no-op after;
    always a no-op for ``None`` (a notebook given as a node: its caller read it)."""
    unchecked = [] if nb is None else [nb]

    def check() -> None:
        if unchecked:
            check_notebook_schema(unchecked.pop())

    return check


class _OneLineReportErrors(logging.Filter):
    def __init__(self, app):
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ReportError) and not debugging(self.app):
            record.args = (record.getMessage(), exc)
            record.msg = "%s: %s"
            record.exc_info = None
            record.exc_text = None
        return True


def debugging(app) -> bool:
    """Whether ``app`` logs at DEBUG level (``--debug``), where tracebacks are wanted."""
    level = app.log_level
    return (logging.getLevelName(level) if isinstance(level, str) else level) <= logging.DEBUG


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
