"""Jinja placeholders in markdown cells (``{{ project.name }}``), rendered as untrusted code.

A report's notebook is written by someone else and its text reaches customers, so a
placeholder may not take the export down, nor change what a plain notebook says:

- Braces that the report puts in a code span, a code block or math are text, never template
  syntax (``f'{{x}}'``, ``$e^{{i\\pi}}$``): they are found with the very parsers that render
  the cell (nbconvert's markdown, and ``math``'s formulas), and printed as written. ``{#``
  is never a comment (``# Intro {#intro}``).
- Only ``if``, ``for`` and ``set`` statements: without macros, blocks and recursive loops
  nothing can recurse, and a ``set`` inside a loop does not outlive its iteration.
- Lists, tuples and dicts written in a placeholder hold constants only, and ``*`` repeats
  text, not lists: no value can hold many references to another large one, so comparing or
  sorting values costs no more than building them did.
- Names: ``project``, ``samples``, ``date`` and Jinja's sandboxed ``range`` (100,000 items at
  most). No method but a dict's ``items``/``keys``/``values``/``get``, no ``str.format``, no
  ``%`` on text, and only the filters in ``SAFE_FILTERS`` (none takes a width, a padding or a
  precision that would allocate or compute what it is told).
- A budget of characters for the whole notebook: what ``+``, ``*``, ``**``, ``~``, slices and
  filters build, and what the cells print, each counted *before* it is built wherever it could
  be large. Jinja does not fold the intercepted operators at compile time, so a constant
  ``'A' * 3000000000`` is refused like any other.
- A deadline, checked on every line of Python that runs while the placeholders render
  (``sys.settrace``, in this thread only), so that even empty nested loops stop.

Every failure is one ``ReportError`` naming the cell.
"""

from __future__ import annotations

import functools
import re
import secrets
import sys
import time
from collections.abc import Collection, Mapping

from jinja2 import (
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    nodes,
    pass_environment,
)
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from ..errors import ReportError
from .error_outputs import describe_cell
from .visibility import DROP_CELL, cell_tags

NAMES = ("project", "samples", "date")
#: Filters whose work and result are at most a few times the size of their input.
SAFE_FILTERS = frozenset(
    "abs capitalize count d default dictsort e escape filesizeformat first float groupby int items join "
    "last length list lower map max min reject rejectattr reverse round select selectattr sort string "
    "striptags sum title trim truncate unique upper urlencode wordcount".split()
)
#: Filters that build text from ``str()`` of their input: checked against the budget first.
_TEXT_FILTERS = frozenset(
    "capitalize e escape lower string striptags title trim truncate upper urlencode wordcount".split()
)
_STATEMENTS = (nodes.Output, nodes.If, nodes.For, nodes.Assign)
#: How messages name the statements that are refused (the rest by their node's name).
_KEYWORDS = {"CallBlock": "call", "FilterBlock": "filter", "FromImport": "from", "AssignBlock": "set … endset",
             "For": "for … recursive", "ScopedEvalContextModifier": "autoescape"}
_LITERALS = (nodes.List, nodes.Tuple, nodes.Dict)
_CONSTANTS = (nodes.Const, nodes.Pair, *_LITERALS)
_DICT_METHODS = frozenset(("items", "keys", "values", "get"))
#: Digits either side of the point that ``round`` accepts: Jinja raises 10 to that power.
_MAX_ROUND = 100
#: Where Jinja's lexer starts a tag: ``{{``, ``{%`` or ``{#``.
_OPENER = re.compile(r"\{[{%#]")
#: ``\(...\)`` and ``\[...\]``: math to MathJax and to readers, though markdown reads a single
#: backslash as an escape (nbconvert's renderer sees math only with two, ``\\(...\\)``).
_TEX_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)


class _Stop(BaseException):
    """Ends rendering; a BaseException, so no ``except Exception`` inside Jinja or a filter
    can swallow it."""


class _OverBudget(_Stop):
    pass


class _TooSlow(_Stop):
    pass


# -- what is text, not a placeholder --------------------------------------------------------


def literal_openers(source: str) -> set[int]:
    """Offsets of the tag openers that the report puts in a code span, a code block or math
    (nbconvert's markdown renderer, and the formulas ``math`` draws), or that stand
    between ``\\(`` and ``\\)`` or ``\\[`` and ``\\]``.

    Each opener is replaced by a marker made of letters and digits (which changes no code
    span, fence, indent or math delimiter), the cell is parsed as the report renders it,
    and the markers found in code and math are the ones to keep as text.
    """
    from ..engine.compat.nbconvert import markdown_code_and_math
    from .math import markdown_math

    marker = "ocx" + secrets.token_hex(6)
    found: list[str] = []
    marked = _OPENER.sub(lambda m: f"{marker}{m.start()}x", source)
    markdown_code_and_math(marked, found.append)
    markdown_math(marked, [], draw=lambda latex, display, formula, errors: found.append(formula) or "")
    found.extend(match.group(0) for match in _TEX_MATH.finditer(marked))
    return {int(offset) for text in found for offset in re.findall(rf"{marker}(\d+)x", text)}


def template_source(source: str) -> str:
    """The cell as a template: openers in code and math, and every ``{#``, print themselves
    (``{{ '{{' }}``)."""
    literal = literal_openers(source)
    return _OPENER.sub(
        lambda m: f"{{{{ {m.group()!r} }}}}" if m.start() in literal or m.group() == "{#" else m.group(), source
    )


# -- sizes and the budget ------------------------------------------------------------------


def _digits(number: int) -> int:
    return number.bit_length() // 3 + 1


def built_size(value) -> int:
    """What building ``value`` allocates, in characters or references (not what it refers to)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int):
        return _digits(value)
    return len(value) if isinstance(value, Collection) else 1


def printed_size(value, limit: int) -> int:
    """About how many characters ``str(value)`` has, counted no further than ``limit``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int):
        return _digits(value)
    if isinstance(value, Undefined):
        return 0  # printing it raises the error that says which name is missing
    if isinstance(value, Mapping):
        value = [item for pair in value.items() for item in pair]
    elif not isinstance(value, Collection) or isinstance(value, range):
        return 24
    total = 2
    for item in value:
        total += printed_size(item, limit - total) + 2
        if total > limit:
            break
    return total


class Budget:
    """Characters the placeholders of one notebook may still build and print."""

    def __init__(self, chars: int):
        self.left = chars

    def check(self, size: int) -> None:
        if size > self.left:
            raise _OverBudget

    def spend(self, size: int) -> None:
        self.check(size)
        self.left -= size


def _result_size(operator: str, left, right) -> int:
    """What ``left <operator> right`` would build, known before it is built."""
    if operator == "%":
        if isinstance(left, str):
            raise TypeError("'%' formatting of text is not available in placeholders; use filters")
        return 1
    numbers = isinstance(left, (int, float)), isinstance(right, (int, float))
    if operator == "+" or (operator == "*" and all(numbers)):
        return built_size(left) + built_size(right)
    if operator == "*":
        if isinstance(left, str) and isinstance(right, int):
            return len(left) * max(right, 0)
        if isinstance(right, str) and isinstance(left, int):
            return len(right) * max(left, 0)
        raise TypeError("'*' multiplies numbers and repeats text only in placeholders")
    if isinstance(left, int) and isinstance(right, int) and right > 0:  # "**"
        return left.bit_length() * right // 3 + 1
    return 1


# -- the sandbox ---------------------------------------------------------------------------


class _InSight(NodeTransformer):
    """Rewrites the two operations Jinja compiles to plain Python, out of the sandbox's sight,
    so that what they build is counted: ``a ~ b`` becomes ``[a, b] | join``, and a slice
    ``x[i:j]`` goes through the sandbox's ``getitem``."""

    def visit_Concat(self, node):
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, "join", [], [], None, None, lineno=node.lineno)

    def visit_Getitem(self, node):
        self.generic_visit(node)
        if isinstance(node.arg, nodes.Slice):
            bounds = [part or nodes.Const(None) for part in (node.arg.start, node.arg.stop, node.arg.step)]
            node.arg = nodes.Call(nodes.ImportedName("builtins.slice"), bounds, [], None, None, lineno=node.lineno)
        return node


def _attribute(environment, attribute):
    """What the ``attribute`` argument of ``join``, ``sum`` (and Jinja's ``map``) means: a
    getter of ``"name"``, ``"a.b"`` or ``"0"``, through the sandbox's ``getitem``."""
    if not isinstance(attribute, str):
        attribute = str(attribute)
    parts = [int(part) if part.isdigit() else part for part in attribute.split(".")]

    def get(item):
        for part in parts:
            item = environment.getitem(item, part)
        return item

    return get


@pass_environment
def _join(environment, value, d="", attribute=None):
    """Jinja's ``join``, checking the size of the text before it is built."""
    items = list(value if attribute is None else map(_attribute(environment, attribute), value))
    limit = environment.budget.left + 1
    environment.budget.check(sum(printed_size(item, limit) for item in items) + len(str(d)) * len(items))
    return str(d).join(map(str, items))


@pass_environment
def _sum(environment, iterable, attribute=None, start=0):
    """Jinja's ``sum``, of numbers only: adding up lists copies them over and over in one call."""
    if not isinstance(start, (int, float)):
        raise TypeError("sum adds up numbers only in placeholders")
    return sum(iterable if attribute is None else map(_attribute(environment, attribute), iterable), start)


def _round(jinjas):
    """Jinja's ``round`` (``jinjas``, which takes no context), to at most ``_MAX_ROUND`` digits
    either side of the point."""

    def round_(value, precision=0, method="common"):
        if not -_MAX_ROUND <= precision <= _MAX_ROUND:
            raise ValueError(f"round takes a precision from -{_MAX_ROUND} to {_MAX_ROUND}")
        return jinjas(value, precision, method)

    return round_


class PlaceholderSandbox(SandboxedEnvironment):
    """Jinja's sandbox, narrowed to what placeholders need and held to a ``Budget``."""

    intercepted_binops = frozenset(("+", "*", "**", "%"))

    def __init__(self, budget: Budget):
        super().__init__(undefined=StrictUndefined, autoescape=False, finalize=self._printable)
        self.budget = budget
        self.globals = {"range": self.globals["range"]}
        jinjas = self.filters
        self.filters = {name: self._counted(name, jinjas[name]) for name in SAFE_FILTERS}
        self.filters.update(
            {
                name: self._counted(name, own)
                for name, own in (("join", _join), ("sum", _sum), ("round", _round(jinjas["round"])))
            }
        )

    def compile_checked(self, source: str):
        """The template, refusing statements other than ``if``, ``for`` and ``set``, and
        lists, tuples and dicts that hold more than constants."""
        tree = self.parse(source)
        for statement in tree.find_all(nodes.Stmt):
            if not isinstance(statement, _STATEMENTS) or getattr(statement, "recursive", False):
                name = type(statement).__name__
                raise TemplateSyntaxError(
                    f"{{% {_KEYWORDS.get(name, name.lower())} %}} is not allowed, only if, for and set",
                    statement.lineno,
                )
        for literal in tree.find_all(_LITERALS):
            held = literal.find_all(nodes.Node)
            if getattr(literal, "ctx", "load") == "load" and not all(isinstance(node, _CONSTANTS) for node in held):
                raise TemplateSyntaxError(
                    "a list, tuple or dict written in a placeholder may hold constants only", literal.lineno
                )
        return self.from_string(_InSight().visit(tree))

    def call_binop(self, context, operator, left, right):
        self.budget.spend(_result_size(operator, left, right))
        return super().call_binop(context, operator, left, right)

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        if isinstance(argument, slice):
            self.budget.spend(built_size(value))
        return value

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if callable(value) and not (isinstance(obj, Mapping) and attr in _DICT_METHODS):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value):
        return None  # str.format is a method like any other: refused by is_safe_attribute

    def _printable(self, value):
        self.budget.check(printed_size(value, self.budget.left + 1))
        return value

    def _counted(self, name: str, filter_):
        """``filter_``, checked against the budget before (for text) and charged after. (Jinja
        passes a filter its context, eval context or environment first if it asks: the value
        filtered is the first argument that is none of them.)"""

        @functools.wraps(filter_)
        def counted(*args, **kwargs):
            if name in _TEXT_FILTERS:
                value = args[1] if isinstance(args[0], _PASSED) else args[0]
                self.budget.check(printed_size(value, self.budget.left + 1))
            result = filter_(*args, **kwargs)
            self.budget.spend(built_size(result))
            return result

        return counted


# -- rendering -----------------------------------------------------------------------------


#: What Jinja may pass a filter before the value.
_PASSED = (Context, EvalContext, Environment)
#: The file name Jinja gives the code it compiles templates to (``"<template>"``): the frames
#: of the notebook's own template code.
_TEMPLATE_CODE = SandboxedEnvironment().compile("{{ 1 }}").co_filename


def _deadline(at: float):
    """A trace function ending the render at ``at`` (monotonic): checked at every call, and at
    every line of the template's own code, where loops run (other code runs per call, or on
    values the budget has bounded)."""

    def trace(frame, event, arg):
        if time.monotonic() > at:
            raise _TooSlow
        return trace if frame.f_code.co_filename == _TEMPLATE_CODE else None

    return trace


def _render(env: PlaceholderSandbox, source: str, names: dict, deadline: float) -> str:
    previous = sys.gettrace()
    sys.settrace(_deadline(deadline))
    try:
        template = env.compile_checked(template_source(source))
        out = []
        for chunk in template.generate(names):
            env.budget.spend(len(chunk))
            out.append(chunk)
        return "".join(out)
    finally:
        sys.settrace(previous)


def _reason(exc: Exception) -> str:
    """The error in one line, with the line of the cell it comes from where known."""
    if isinstance(exc, (RecursionError, SyntaxError)):  # Python's limits on the compiled template
        return "the placeholders are nested too deeply"
    line = getattr(exc, "lineno", None)
    frame = exc.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == _TEMPLATE_CODE:
            line = frame.tb_lineno
        frame = frame.tb_next
    message = getattr(exc, "message", None) or str(exc)
    if not isinstance(exc, TemplateError):
        message = f"{type(exc).__name__}: {message}"
    message = " ".join(message.split())
    return f"line {line}: {message}" if line and not message.startswith("line ") else message


def render_markdown(nb, names: dict, *, max_chars: int, timeout: float) -> None:
    """Render the placeholders of every markdown cell in ``nb`` with ``names``, together
    within ``max_chars`` and ``timeout`` seconds; a failure is one ReportError naming the cell.
    Cells the report leaves out (tags ``remove-cell``, ``hide-cell``) are left as they are."""
    env = PlaceholderSandbox(Budget(max_chars))
    deadline = time.monotonic() + timeout
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not _OPENER.search(cell.source) or cell_tags(cell) & DROP_CELL:
            continue
        where = describe_cell(index, cell)
        try:
            cell.source = _render(env, cell.source, names, deadline)
        except _OverBudget:
            raise ReportError(
                f"{where}: markdown placeholders would build more than {max_chars:,} characters; make them "
                "print less, or raise MetadataPreprocessor.placeholder_max_chars"
            ) from None
        except _TooSlow:
            raise ReportError(
                f"{where}: markdown placeholders took longer than {timeout:g} s; make them loop less, or "
                "raise MetadataPreprocessor.placeholder_timeout"
            ) from None
        except Exception as exc:  # noqa: BLE001 - the notebook's own template code failed
            raise ReportError(
                f"{where}: markdown placeholder failed ({_reason(exc)}); fix it (its names are "
                f"{', '.join(NAMES)}), or put braces meant as text in a code span or in {{% raw %}}…{{% endraw %}}"
            ) from None
