"""The two nbconvert hooks the report exporters still take over, and their Jinja cache key.

Everything else the exporters do with nbconvert goes through its public surface: their
preprocessors are registered with ``register_preprocessor`` in the constructor, their filters
come from ``default_filters``, the template's variables travel in ``resources``, the
``sanitize_html`` and ``skip_svg_encoding`` traits set nbconvert's own resources, and the
compiled templates' cache is set on the public ``environment``. What is left has no public
form and is here, each for the time it saves:

* ``preprocess``: nbconvert's ``Exporter._preprocess`` deep-copies the notebook (which
  ``from_notebook_node`` has just copied) and the resources, and validates the notebook
  against its schema after each of the twenty-odd registered preprocessors, enabled or not;
  it also *raises* on a notebook that breaks the schema, where a report logs it and goes on
  (``errors.check_notebook_schema``).
* ``render``: ``HTMLExporter.from_notebook_node`` parses the rendered page again with
  BeautifulSoup to add alt text and ``tabindex``, about 4 s of a 150-page report; the report's
  images carry their own alt text, and a printed page takes no focus.
* ``cache_compiled_templates``: the cache key says which filters take the template's context,
  from Jinja's undocumented ``jinja_pass_arg``.

One more coupling is not for speed: ``markdown_code_and_math`` reads a markdown cell with
nbconvert's own parser, through renderer method names, so that braces in code and math are
never placeholders. It is checked on a sample (``mismatch("markdown")``) before placeholders
render; where the check fails, they are not rendered (with one warning).

Checked against nbconvert 7.16.5, 7.16.6, 7.17.0, 7.17.1 and 7.17.2 (the floor in
``pyproject.toml`` to the newest), and Jinja 3.1.6. An adaptation applies only when
nbconvert's code is what it was checked against (the source of the method it replaces has
one of the digests below; Jinja marks context filters) and ``$OCX_REPORTS_STOCK_ENGINE`` does
not turn the adaptations off; otherwise the export runs nbconvert's own code, with one debug
line saying why. nbconvert's code gives the same report, only slower (and with nbconvert's
alt text and ``tabindex`` in the HTML, and an error for a notebook that breaks the schema).
To check a new nbconvert release: compare the methods with the versions above
(``git diff v7.17.2 vNEW -- nbconvert/exporters/exporter.py nbconvert/exporters/html.py``),
adapt, and add the new digest (``source_digest``).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging

from ...errors import ReportError
from . import INSTALLED, OFF, SKIPPED, STOCK_ENGINE_ENV, State, stock_from_env

#: nbconvert releases the adaptations were checked against: the floor and the newest.
CHECKED = ("7.16.5", "7.17.2")

#: The adaptations, as ``mismatch`` and ``--check`` name them.
ADAPTATIONS = ("preprocess", "render", "template_cache", "markdown")

#: ``source_digest(Exporter._preprocess)`` of the checked releases (one source in all).
_PREPROCESS = frozenset({"5aea00c54a8a1a00"})
#: ``source_digest(HTMLExporter.from_notebook_node)``: 7.16.5-7.16.6, 7.17.0-7.17.2 (the
#: two differ in their type annotations only).
_RENDER = frozenset({"de4424bc844bfb95", "3dccafff45cc4e74"})


def source_digest(function) -> str | None:
    """The start of the SHA-256 of ``function``'s source (None without one)."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@functools.cache
def mismatch(adaptation: str) -> str | None:
    """Why ``adaptation`` does not fit the installed nbconvert or Jinja (None: it fits).
    Checked once per process: a few ms of reading nbconvert's source."""
    if adaptation == "preprocess":
        from nbconvert.exporters.exporter import Exporter

        found = source_digest(getattr(Exporter, "_preprocess", None))
        return None if found in _PREPROCESS else f"Exporter._preprocess is not the one checked (digest {found})"
    if adaptation == "render":
        from nbconvert.exporters import HTMLExporter, TemplateExporter

        if HTMLExporter.__bases__ != (TemplateExporter,):
            return "HTMLExporter no longer extends TemplateExporter directly"
        found = source_digest(HTMLExporter.from_notebook_node)
        return None if found in _RENDER else f"HTMLExporter.from_notebook_node is not the one checked (digest {found})"
    if adaptation == "markdown":
        found: list[str] = []
        try:
            markdown_code_and_math(_MARKDOWN_SAMPLE, found.append)
        except Exception as exc:  # noqa: BLE001 - any failure of the parse is the answer
            return f"nbconvert's markdown parser fails on code and math: {type(exc).__name__}: {exc}"
        recorded = " ".join(found)
        missed = [kind for kind in _MARKDOWN_KINDS if kind not in recorded]
        if missed or "text" in recorded:
            return f"nbconvert's markdown parser no longer reports them as code or math: {', '.join(missed) or 'text'}"
        return None
    if adaptation == "template_cache":
        import jinja2

        if getattr(jinja2.pass_context(lambda context: context), "jinja_pass_arg", None) is None:
            return "Jinja no longer marks the filters that take the context with jinja_pass_arg"
        return None
    raise ValueError(adaptation)


def checked_states() -> dict[str, State]:
    """What each adaptation comes to with the installed nbconvert and Jinja (``--check``)."""
    if stock_from_env():
        return {name: State(OFF, f"{STOCK_ENGINE_ENV} is set") for name in ADAPTATIONS}
    reasons = {name: mismatch(name) for name in ADAPTATIONS}
    return {name: State(SKIPPED, reason) if reason else State(INSTALLED) for name, reason in reasons.items()}


#: One of each kind of code and math ``markdown_code_and_math`` must report, and text it must not.
_MARKDOWN_KINDS = ("codespan", "fenced", "inlinemath", "displaymath", "environment")
_MARKDOWN_SAMPLE = (
    "text `codespan` $inlinemath$\n\n```\nfenced\n```\n\n$$displaymath$$\n\n"
    "\\begin{equation}environment\\end{equation}\n"
)


def markdown_code_and_math(source: str, record) -> None:
    """Parse ``source`` as nbconvert's markdown filter reads a cell, calling ``record(text)``
    with each code span, code block and formula, as written.

    nbconvert has no public parse: this runs ``MarkdownWithMath``, the parser of its
    ``markdown2html`` filter, with a renderer that records rather than renders, through mistune
    3's ``codespan`` and ``block_code`` and nbconvert's ``block_math``, ``inline_math`` and
    ``latex_environment``. A release that renamed one would leave its kind unrecorded (braces
    in it taken for placeholders): ``mismatch("markdown")`` checks a sample of each first.
    """
    from nbconvert.filters.markdown_mistune import HTMLRenderer, MarkdownWithMath

    def recorded(text, *_, **__):
        record(text)
        return ""

    class Recorder(HTMLRenderer):
        codespan = block_code = block_math = inline_math = staticmethod(recorded)

        def latex_environment(self, name, body):
            return recorded(body)

    MarkdownWithMath(renderer=Recorder(escape=False)).render(source)


def off(adaptation: str, exporter) -> str | None:
    """Why ``adaptation`` does not run for ``exporter``'s export, said in one debug line (None:
    it runs). An exporter's ``stock_engine`` option, where it has one, turns it off like
    ``$OCX_REPORTS_STOCK_ENGINE``."""
    if getattr(exporter, "stock_engine", False) or stock_from_env():
        reason = f"${STOCK_ENGINE_ENV} or stock_engine is set"
    else:
        reason = mismatch(adaptation)
    if reason is not None:
        exporter.log.debug("nbconvert adaptation %r is off, nbconvert's own code runs: %s", adaptation, reason)
    return reason


class Hooks:
    """Mixin for the report's HTML exporter (before ``HTMLExporter`` among its bases): nbconvert's
    private preprocessing hook, run without its extra work (``lean_preprocess``).

    Where that adaptation is off, nbconvert's own hook runs, and refuses a notebook that breaks
    the notebook format's schema: one line naming the place, where the adapted export logs it
    and goes on.
    """

    def _preprocess(self, *args, **kw):
        reason = off("preprocess", self)
        if reason is None:
            return lean_preprocess(self, *args, **kw)
        from nbformat import ValidationError

        try:
            return super()._preprocess(*args, **kw)
        except ValidationError as exc:
            path = getattr(exc, "absolute_path", ())
            place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
            problem = " ".join(str(getattr(exc, "message", exc)).split())[:200]
            raise ReportError(
                f"the notebook breaks the notebook format at {place or 'its top level'}: {problem}; nbconvert's "
                f"own preprocessing refuses that ({reason}): fix the notebook there"
            ) from None


def lean_preprocess(exporter, nb, resources):
    """nbconvert 7.16.5-7.17.2's ``Exporter._preprocess`` (a copy: the hook has no public
    form) without its ``copy.deepcopy`` of the notebook and the resources, ``normalize`` and
    ``_validate_preprocessor``: each preprocessor in order, the output of one the input of the
    next. ``from_notebook_node`` has already copied the notebook; the resources are the
    export's own; the schema is checked once, by the exporter, and logged rather than raised."""
    for preprocessor in exporter._preprocessors:
        nb, resources = preprocessor(nb, resources)
    return nb, resources


def render(exporter, nb, resources, **kw):
    """``HTMLExporter.from_notebook_node`` for ``exporter`` (an ``HTMLExporter``): preprocessed
    and rendered, without the BeautifulSoup pass where ``render`` is not off.

    Without the pass, it registers the one per-notebook filter that method registers and the
    report uses, through the public ``register_filter``: the code highlighter for the
    notebook's language (a ``highlight_code`` of the ``filters`` option wins, as there). Its
    other filter, ``filter_data_type`` for widgets with saved state, is nbconvert's default
    ``DataTypeFilter`` here: the notices preprocessor has replaced every widget output.
    """
    from nbconvert.exporters import HTMLExporter, TemplateExporter

    if off("render", exporter) is not None:
        return HTMLExporter.from_notebook_node(exporter, nb, resources, **kw)
    from nbconvert.filters.highlight import Highlight2HTML

    info = nb.metadata.get("language_info", {})
    lexer = info.get("pygments_lexer", info.get("name"))
    exporter.register_filter(
        "highlight_code", exporter.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=exporter))
    )
    return TemplateExporter.from_notebook_node(exporter, nb, resources, **kw)


def cache_compiled_templates(exporter) -> None:
    """Keep ``exporter``'s compiled templates in Jinja's bytecode cache, where
    ``template_cache`` is not off (before its template is first loaded: nbconvert makes a new
    environment when the template's options change, which this finds without a cache).

    Compiling the templates (ours and the lab/base ones they extend) is about 0.1 s of a short
    report; the cache keeps the compiled code in a private per-user temporary directory,
    checked against each template's source. Compiled code passes the template's context to
    the filters that took it when it was compiled, so the cache's file names also say which
    filters take it: a release that changes one does not run code compiled for the other kind.
    """
    environment = exporter.environment
    if environment.bytecode_cache is not None or off("template_cache", exporter) is not None:
        return
    from jinja2 import FileSystemBytecodeCache

    passing = sorted(name for name, f in environment.filters.items() if getattr(f, "jinja_pass_arg", None))
    key = hashlib.sha256(" ".join(passing).encode()).hexdigest()[:12]
    environment.bytecode_cache = FileSystemBytecodeCache(pattern=f"__jinja2_%s.{key}.cache")


try:  # raised by nbconvert's markdown filter for an ``attachment:`` image the cell lacks
    from nbconvert.filters.markdown_mistune import InvalidNotebook
except ImportError:  # moved: nbconvert's own error shows instead of the report's one line
    logging.getLogger(__name__).debug("nbconvert.filters.markdown_mistune has no InvalidNotebook")

    class InvalidNotebook(Exception):
        """Stands in for nbconvert's, which this nbconvert does not have where it was."""
