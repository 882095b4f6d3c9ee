"""Markdown placeholders: opt-in, never in code or math, bounded in time and memory, one-line errors."""

import json
import re
import subprocess
import sys
import time

from html import unescape

import pytest
from helpers import export_html, export_pdf, markdown, notebook, pdf_pages_text, write
from traitlets.config import Config

from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError

CONTEXT = {
    "project": {"id": "96d911f909956c1c", "name": "Gut Microbiome Cohort Study"},
    "samples": [
        {"id": "a1", "name": "GMC-S01", "custom": {"subject_age": 34}, "tags": ["baseline"]},
        {"id": "a2", "name": "GMC-S02", "custom": {"subject_age": 41}, "tags": []},
    ],
}
#: What ordinary notebooks write, none of it meant as a placeholder.
PLAIN = [
    "Format strings look like `f'{{x}}'`; Euler: $e^{{i\\pi}}$.",
    "```python\nprint(f'{{x}}')\n{% raw %}\n```",
    "Indented code:\n\n    {{ not_a_name }}\n    {% for %}",
    "$$\n\\frac{{a}}{{b}}\n$$",
    "\\\\( {{a}} \\\\) and \\\\[ {{b}} \\\\] and \\( {{c}} \\) and \\[ {{d}} \\]",
    "\\begin{align} x^{{2}} \\end{align}",
    "Prices $5 and $y^{{3}}$ in one line.",
    "# Introduction {#intro}",
]


def _export(exporter_class, nb, context=None, **traits):
    resources = {"metadata": {"name": "report"}}
    if context is not None:
        resources["onecodex_context"] = context  # as ocx_reports.render gives it
    output, _ = exporter_class(**traits).from_notebook_node(nb, resources=resources)
    return output


def _text(html: str) -> str:
    """The report's words, with each formula's source (its alt text)."""
    body = re.sub(r"<style.*?</style>", "", html.split("<body", 1)[1], flags=re.S)
    body = re.sub(r'<img[^>]*\balt="([^"]*)"[^>]*>', r" \1 ", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_without_sample_data_braces_print_as_written():
    written = "{{ 7*7 }} and {% if x %} and {{ 1/0 }} and {{ 'A' * 3000000000 }}"
    nb = notebook(markdown("# Report"), markdown(written), *map(markdown, PLAIN))
    text = _text(export_html(nb))
    assert written in text and "49" not in text
    assert "f'{{x}}'" in text and "e^{{i\\pi}}" in text and "{{ not_a_name }}" in text
    pdf = " ".join(pdf_pages_text(export_pdf(nb)))
    assert "{{ 7*7 }}" in pdf and "f'{{x}}'" in pdf and "49" not in pdf


def test_with_sample_data_or_turned_on_placeholders_render():
    nb = notebook(markdown("{{ 7*7 }} for {{ project.name }}"), markdown("{{ samples[0].custom.subject_age }} years"))
    assert "49 for Gut Microbiome Cohort Study" in _text(_export(OneCodexHTMLExporter, nb, CONTEXT))
    pdf = " ".join(pdf_pages_text(_export(OneCodexPDFExporter, nb, CONTEXT)))
    assert "49 for Gut Microbiome Cohort Study" in pdf and "34 years" in pdf
    assert "49 for Gut" not in _text(_export(OneCodexHTMLExporter, nb, CONTEXT, markdown_placeholders="off"))
    assert "49" in _text(export_html(notebook(markdown("{{ 7*7 }}")), markdown_placeholders="on"))


def test_code_spans_code_blocks_and_math_are_never_rendered():
    nb = notebook(markdown("{{ 6*7 }} {% for s in samples %}{{ s.name }}{% endfor %}"), *map(markdown, PLAIN))
    html = _export(OneCodexHTMLExporter, nb, CONTEXT)
    text = _text(html)
    assert "42 GMC-S01GMC-S02" in text
    assert "<code>f'{{x}}'</code>" in html and "e^{{i\\pi}}" in text
    compact = text.replace(" ", "")  # highlighted code is split into tokens
    for literal in ("print(f'{{x}}')", "{%raw%}", "{{not_a_name}}", "{%for%}", "\\frac{{a}}{{b}}",
                    "{{a}}", "{{b}}", "{{c}}", "{{d}}", "x^{{2}}", "y^{{3}}", "{#intro}"):
        assert literal in compact, literal
    pdf = " ".join(pdf_pages_text(_export(OneCodexPDFExporter, nb, CONTEXT)))
    assert "42 GMC-S01GMC-S02" in pdf and "f'{{x}}'" in pdf


def test_a_removed_cell_is_not_rendered():
    nb = notebook(markdown("{{ project.name }}"), markdown("{{ 1/0 }}", tags=["remove-cell"]))
    assert "Gut Microbiome Cohort Study" in _text(_export(OneCodexHTMLExporter, nb, CONTEXT))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ 1/0 }}", "(line 1: ZeroDivisionError: division by zero)"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{% macro %} is not allowed"),
        ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "{% for … recursive %} is not allowed"),
        ("{% block b %}{{ self.b() }}{% endblock %}", "{% block %} is not allowed"),
        ("{% set s %}{% for i in range(9) %}x{% endfor %}{% endset %}", "{% set … endset %} is not allowed"),
        ("intro\n\n{{ investigator }}", "(line 3: 'investigator' is undefined)"),
        ("{{ 'A'|center(3000000000) }}", "No filter named 'center'"),
        ("{{ 'A'.ljust(3000000000) }}", "access to attribute 'ljust' of 'str' object is unsafe"),
        ("{{ '{:>3000000000}'.format(1) }}", "access to attribute 'format' of 'str' object is unsafe"),
        ("{{ '%03000000000d' % 1 }}", "'%' formatting of text is not available"),
        ("{{ samples | map(attribute='tags') | sum(start=[]) }}", "sum adds up numbers only"),
        ("{{ samples * 100000000 }}", "'*' multiplies numbers and repeats text only"),
        ("{{ 1.5 | round(3000000000, 'floor') }}", "round takes a precision from -100 to 100"),
        ("{% set a = project %}{{ [a] * 1000 }}", "a list, tuple or dict written in a placeholder may hold constants"),
        ("{% set a = project %}{{ {'k': a} }}", "a list, tuple or dict written in a placeholder may hold constants"),
        ("{% for i in range(2) %}{{ loop.cycle('a', 'b') }}{% endfor %}", "attribute 'cycle' of 'LoopContext'"),
        ("{{ lipsum(3000000000) }}", "'lipsum' is undefined"),
        ("{{" + "(" * 5000 + "1" + ")" * 5000 + "}}", "(the placeholders are nested too deeply)"),
        ("{% if 1 %}" * 200 + "{% endif %}" * 200, "(the placeholders are nested too deeply)"),
        ("Unclosed {{ placeholder", "unexpected end of template"),
    ],
)
def test_a_failing_placeholder_is_one_line_naming_the_cell(source, reason):
    nb = notebook(markdown("# Report"), markdown(source))
    start = time.monotonic()
    with pytest.raises(ReportError) as info:
        _export(OneCodexHTMLExporter, nb, CONTEXT)
    message = str(info.value)
    assert message.startswith("cell 2: markdown placeholder failed (") and reason in message
    assert "\n" not in message and time.monotonic() - start < 5


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'A' * 3000000000 }}",
        "{{ 10 ** 3000000000 }}",
        "{{ range(100000) | join('x' * 20) }}",
        "{% set s = 'x' * 300000 %}{{ s | upper | lower | upper | lower | length }}",
        "{% set a = 'x' * 400000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c | length }}",
        "{% set a = 'x' * 400000 %}{% set b = a[1:] %}{% set c = a[2:] %}{{ c | length }}",
        "{% for i in range(100000) %}{{ project }}{% endfor %}",
    ],
)
def test_growing_values_stop_at_the_character_budget(source):
    nb = notebook(markdown("# Report"), markdown(source))
    with pytest.raises(ReportError, match=r"^cell 2: markdown placeholders would build more than 1,000,000 "
                       r"characters; make them print less, or raise MetadataPreprocessor.placeholder_max_chars$"):
        _export(OneCodexHTMLExporter, nb, CONTEXT)


def test_the_budget_is_a_trait():
    nb = notebook(markdown("{% for i in range(300) %}ab{% endfor %}"))
    assert "ab" * 300 in export_html(nb, markdown_placeholders="on")
    config = Config({"MetadataPreprocessor": {"placeholder_max_chars": 500}})
    with pytest.raises(ReportError, match="more than 500 characters"):
        export_html(nb, markdown_placeholders="on", config=config)


def test_nested_loops_stop_at_the_time_limit():
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    nb = notebook(markdown("# Report"), markdown(loops))
    start = time.monotonic()
    with pytest.raises(ReportError, match=r"^cell 2: markdown placeholders took longer than 5 s; make them "
                       r"loop less, or raise MetadataPreprocessor.placeholder_timeout$"):
        _export(OneCodexHTMLExporter, nb, CONTEXT)
    assert time.monotonic() - start < 10
    config = Config({"MetadataPreprocessor": {"placeholder_timeout": 0.5}})
    start = time.monotonic()
    with pytest.raises(ReportError, match="took longer than 0.5 s"):
        export_pdf(nb, markdown_placeholders="on", config=config)
    assert time.monotonic() - start < 5


#: Exports each notebook source given (as JSON) with placeholders on, then prints, as JSON, each
#: one's error and seconds, and how much the peak RSS grew. A regression fails on its data limit
#: (1 GiB above the start) rather than taking the machine's memory.
_MEASURE = """
import json, resource, sys, time
import psutil
from nbformat.v4 import new_markdown_cell, new_notebook
from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError

exporter = {"html": OneCodexHTMLExporter, "pdf": OneCodexPDFExporter}[sys.argv[1]]
def export(source):
    nb = new_notebook(cells=[new_markdown_cell("# Report"), new_markdown_cell(source)])
    exporter(markdown_placeholders="on").from_notebook_node(nb, resources={"metadata": {"name": "r"}})
export("warm-up {{ 6 * 7 }}")
data = getattr(psutil.Process().memory_info(), "data", 0)
if data:
    resource.setrlimit(resource.RLIMIT_DATA, (data + 2**30, resource.getrlimit(resource.RLIMIT_DATA)[1]))
unit = 1 if sys.platform == "darwin" else 1024
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
results = []
for source in json.loads(sys.argv[2]):
    start = time.monotonic()
    try:
        export(source)
        results.append([None, time.monotonic() - start])
    except ReportError as exc:
        results.append([str(exc), time.monotonic() - start])
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit - before
print(json.dumps({"grown": grown, "results": results}))
"""


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_memory_bombs_are_refused_before_they_allocate(fmt):
    bombs = [
        "{{ 'A' * 3000000000 }}",
        "{% set s = 'x' * 300000 %}{{ [s] * 3000 }}",
        "{% set s = 'x' * 300000 %}{{ ([s] * 3000) | join }}",
        "{% set s = 'x' * 300000 %}{{ ([s] * 3000) | map('upper') | list }}",
        "{{ {'a': 1} | tojson(indent=3000000000) }}",
        "{{ 'A' | indent(3000000000, first=True) }}",
        "{{ 'A B' | wordwrap(3000000000) }}",
        "{{ 1.5 | round(3000000000, 'floor') }}",
        "{% set s = 'x' * 300000 %}" + "".join(f"{{% set s{i} = s[{i}:] %}}" for i in range(1000)),
    ]
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, fmt, json.dumps(bombs)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.splitlines()[-1])
    for source, (error, seconds) in zip(bombs, measured["results"]):
        assert error and error.startswith("cell 2: markdown placeholder") and "\n" not in error, source
        assert seconds < 10, source
    assert measured["grown"] < 200 * 2**20


def test_nbconvert_prints_one_line_and_writes_nothing(tmp_path):
    write(notebook(markdown("# Report"), markdown("{{ 'A' * 3000000000 }}")), tmp_path / "r.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "onecodex_html", "--OneCodexHTMLExporter.markdown_placeholders=on",
         "r.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "cell 2: markdown placeholders would build more than" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()
