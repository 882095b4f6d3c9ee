"""What reaches the report: hidden inputs, cell tags, stderr, and error outputs."""

import pytest
from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text

from ocx_reports.exporters.errors import ReportError


def _stdout(text):
    return new_output("stream", name="stdout", text=text)


def _stderr(text):
    return new_output("stream", name="stderr", text=text)


def _text(pdf):
    return "\n".join(pdf_pages_text(pdf))


def test_inputs_and_prompts_are_hidden_by_default():
    nb = notebook(code("secret_source = 41 + 1", outputs=[_stdout("visible output")]))
    html = export_html(nb)
    assert "secret_source" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "visible output" in _text(export_pdf(nb))


def test_show_input_tag_and_onecodex_metadata_show_the_code():
    nb = notebook(
        code("tagged_source = 1", tags=["show-input"]),
        code("metadata_source = 2", show_input=True),
        code("hidden_source = 3"),
    )
    text = _text(export_pdf(nb))
    assert "tagged_source" in text
    assert "metadata_source" in text
    assert "hidden_source" not in text


def test_remove_input_wins_over_show_input():
    nb = notebook(code("both_tags = 1", tags=["show-input", "remove-input"], outputs=[_stdout("kept")]))
    text = _text(export_pdf(nb))
    assert "both_tags" not in text and "kept" in text


def test_remove_output_and_remove_cell():
    nb = notebook(
        code("shown_code = 1", tags=["show-input", "remove-output"], outputs=[_stdout("dropped output")]),
        markdown("Removed paragraph", tags=["remove-cell"]),
        code("gone = 1", tags=["show-input", "remove-cell"], outputs=[_stdout("gone output")]),
        markdown("Kept paragraph"),
    )
    text = _text(export_pdf(nb))
    assert "shown_code" in text
    assert "dropped output" not in text
    assert "Removed paragraph" not in text and "gone" not in text
    assert "Kept paragraph" in text


def _executed(nb):
    """``nb`` run by nbclient in a real kernel, as ``jupyter nbconvert --execute`` runs it."""
    from nbclient import NotebookClient

    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return NotebookClient(nb, timeout=120, kernel_name="python3").execute()


BROKEN_CHART = "display({'application/vnd.vegalite.v5+json': {'mark': 'no-such-mark'}}, raw=True)"


def test_jupyter_book_hide_tags_leave_the_content_out_as_a_static_page_does():
    """Jupyter Book folds hide-* content behind a button on a web page and leaves it out of its
    static exports; a report leaves it out too, wholly: a hidden chart is not drawn (it would fail
    under strict_charts) and a hidden markdown cell's placeholders are not rendered."""
    nb = _executed(notebook(
        markdown("# Tags"),
        code('hidden_source_one = "kept " + "output one"\nprint(hidden_source_one)', tags=["show-input", "hide-input"]),
        code('shown_source_two = 2\nprint("hidden output " + "two")', tags=["show-input", "hide-output"]),
        code('hidden_cell_three = 3\nprint("hidden cell " + "three")', tags=["show-input", "hide-cell"]),
        code(BROKEN_CHART, tags=["hide-output"]),
        markdown("Hidden paragraph {{ broken( }}", tags=["hide-cell"]),
        markdown("Kept paragraph"),
    ))
    assert "hidden output two" in str(nb.cells[2].outputs) and nb.cells[4].outputs  # the kernel made them
    options = {"strict_charts": True, "markdown_placeholders": "on"}
    for text in (_text(export_pdf(nb, **options)), export_html(nb, **options)):
        assert "kept output one" in text and "hidden_source_one" not in text
        assert "shown_source_two" in text and "hidden output two" not in text
        assert "hidden_cell_three" not in text and "hidden cell three" not in text
        assert "Hidden paragraph" not in text and "Kept paragraph" in text


def test_page_break_tags_on_markdown_and_code_cells():
    nb = notebook(
        markdown("First page text"),
        markdown("Second page text", tags=["page-break-before"]),
        code(outputs=[_stdout("still second page")], tags=["page-break-after"]),
        markdown("Third page text"),
    )
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) == 3
    assert "First page text" in pages[0] and "Second page text" not in pages[0]
    assert "Second page text" in pages[1] and "still second page" in pages[1]
    assert "Third page text" in pages[2]


def test_page_break_of_a_removed_cell_moves_to_the_next_shown_cell():
    nb = notebook(
        markdown("Before"),
        code("x = 1", tags=["page-break-before"]),  # hidden input, no output: dropped
        markdown("After"),
    )
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) == 2 and "After" in pages[1]


def test_stderr_is_hidden_unless_asked_for():
    nb = notebook(code(outputs=[_stdout("progress: done"), _stderr("DeprecationWarning: noisy")]))
    assert "noisy" not in _text(export_pdf(nb))
    assert "noisy" in _text(export_pdf(nb, show_stderr=True))


def _error_notebook():
    error = new_output(
        "error", ename="KeyError", evalue="'Bacteroides'", traceback=["Traceback ...", "KeyError: 'Bacteroides'"]
    )
    return notebook(markdown("# Results"), code("x = 1"), code("table['Bacteroides']", outputs=[error]))


def test_error_output_stops_the_export_and_names_the_cell():
    with pytest.raises(ReportError) as info:
        export_pdf(_error_notebook())
    message = str(info.value)
    assert "cell 3" in message and "KeyError" in message and "allow_errors=True" in message
    assert "\n" not in message


def test_allow_errors_shows_the_error_in_a_visible_box():
    text = _text(export_pdf(_error_notebook(), allow_errors=True))
    assert "KeyError: 'Bacteroides'" in text
    html = export_html(_error_notebook(), allow_errors=True)
    assert 'class="ocx-error' in html
