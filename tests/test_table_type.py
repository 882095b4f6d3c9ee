"""Tables print as one family: numeric columns right-aligned in tabular figures in every table
the report draws, the Samples section's headers readable, one type scale for all of them."""

import io
import json
import re

import pandas as pd
import pdfplumber
import pytest
from helpers import code, export_html, export_pdf, html_output, markdown, notebook

from ocx_reports.exporters.page.labels import field_label
from ocx_reports.exporters.page.numbers import is_number, numeric_columns
from ocx_reports.mockserver import DEMO_API_KEY

GUT = "96d911f909956c1c"


@pytest.fixture
def api_env(mock_api, isolated_credentials, monkeypatch):
    monkeypatch.setenv("ONE_CODEX_API_BASE", mock_api.url)
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    return mock_api


def _tables_notebook():
    """A DataFrame of 3 rows (cells), one of 8 (lines, on the adapted engine), a Styler table,
    and the Samples section of the gut cohort: each numeric column's values of different widths."""
    short = pd.DataFrame({"taxon": ["Alistipes", "Bacteroides", "Roseburia"], "reads": [70, 1234567, -56],
                          "share": ["1.5%", "44.25%", "0.3%"]})
    long = pd.DataFrame({"sample": [f"L{i}" for i in range(8)], "depth": [3.2e-05, 1.0, 12.75, None, -4.5, 600.0, 0.5, 8.0],
                         "site": ["gut", "oral cavity", "skin", "gut", "gut", "skin", "oral cavity", "gut"]})
    styled = pd.DataFrame({"subject": ["S-01", "S-02", "S-03"], "score": [9.5, 10.25, 311.0]})
    return notebook(
        markdown("# Tables"),
        code(outputs=[html_output(short._repr_html_())]),
        code(outputs=[html_output(long._repr_html_())]),
        code(outputs=[html_output(styled.style.hide(axis="index").format({"score": "{:.2f}"}).to_html())]),
        onecodex={"project": GUT},
    )


def _words(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            {**word, "page": number}
            for number, page in enumerate(document.pages)
            for word in page.extract_words(extra_attrs=["fontname", "size"])
        ]


def _one_edge(words, texts, side: str) -> float:
    """The ``side`` edge (x0 or x1) the words with ``texts`` share, failing if they do not."""
    edges = [w[side] for w in words if w["text"] in texts]
    assert len(edges) >= len(texts), (texts, edges)
    assert max(edges) - min(edges) < 0.1, (texts, side, edges)
    return edges[0]


def test_numeric_columns_align_right_in_every_table_in_tabular_figures(api_env):
    pdf = export_pdf(_tables_notebook())
    everything = _words(pdf)
    section = next(w for w in everything if w["text"] == "Samples" and w["size"] > 12)  # the section's heading
    words = [w for w in everything if (w["page"], w["top"]) < (section["page"], section["top"])]
    # DataFrame cells, a DataFrame as lines, a Styler table: numbers end at one edge with their
    # header; text starts at one edge.
    assert _one_edge(words, {"reads", "70", "1234567", "-56"}, "x1")
    assert _one_edge(words, {"share", "1.5%", "44.25%", "0.3%"}, "x1")
    assert _one_edge(words, {"Alistipes", "Bacteroides", "Roseburia", "taxon"}, "x0")
    assert _one_edge(words, {"depth", "0.000032", "1.000000", "12.750000", "NaN", "-4.500000", "600.000000"}, "x1")
    assert _one_edge(words, {"sample", "L0", "L1", "L7"}, "x0")
    assert _one_edge(words, {"score", "9.50", "10.25", "311.00"}, "x1")
    assert _one_edge(words, {"subject", "S-01", "S-02", "S-03"}, "x0")
    # The Samples section's custom metadata: BMI and ages right, with "—" for a missing value.
    custom = next(w for w in everything if w["text"] == "metadata")
    below = [w for w in everything if (w["page"], w["top"]) > (custom["page"], custom["top"])]
    assert _one_edge(below, {"BMI", "22.1", "27.4", "31.0", "24.8", "26.2"}, "x1")
    assert _one_edge(below, {"Diagnosis", "healthy", "Crohn's", "ulcerative"}, "x0")
    # The report font's figures are tabular (Source Sans Pro has no tnum feature: its default
    # figures are tabular, which tabular-nums keeps): each digit as wide as the others in its
    # face and size, 0.497 em in the regular face.
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        digits = {}
        for page in document.pages:
            for char in page.chars:
                face = char["fontname"].split("+")[-1]
                if char["text"].isdigit() and face.startswith("Source-Sans-Pro") and char["upright"]:
                    digits.setdefault((face, round(char["size"], 2)), set()).add(round(char["width"], 3))
    assert ("Source-Sans-Pro", 8.5) in digits and ("Source-Sans-Pro", 7.0) in digits
    for (face, size), widths in digits.items():
        assert len(widths) == 1, (face, size, widths)
        if face == "Source-Sans-Pro":
            assert widths.pop() == pytest.approx(0.497 * size, abs=0.002)


def test_numbers_are_told_from_the_cells_text():
    for text in ("7", "-56", "1,234,567", "0.25", ".5", "12.5%", "3.2e-05", "\u22124", "inf"):
        assert is_number(text), text
    for text in ("2024-02-05", "GMC-S01", "5 mg", "1,23", "week 12", "0x1f"):
        assert not is_number(text), text
    # Blank cells (NaN, None, a dash, pandas' ... row) do not make a column text; a column of
    # blanks only is not numeric.
    rows = [["a", "1", "", "NaN"], ["b", "NaN", "x", "—"], ["c", "...", "2", "<NA>"]]
    assert numeric_columns(rows) == [False, True, False, False]


def test_the_html_report_aligns_the_same_columns():
    frame = pd.DataFrame({"name": ["a", "b"], "reads": [1, 23]})
    html = export_html(notebook(code(outputs=[html_output(frame._repr_html_())])))
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert re.findall(r'<t[dh] class="ocx-num">([^<]*)<', table) == ["", "reads", "0", "1", "1", "23"]  # by row: index, values
    assert "<td>a</td>" in table


def test_a_table_without_a_head_row_group_aligns_its_numbers_too():
    from ocx_reports.exporters.page.tables import align_numbers

    table = "<table><tr><th>name</th><th>n</th></tr><tr><td>x</td><td>1</td></tr><tr><td>y</td><td>2.5</td></tr></table>"
    assert re.findall(r'<t[dh] class="ocx-num">([^<]*)<', align_numbers(table)) == ["n", "1", "2.5"]


def test_samples_headers_are_readable_and_can_be_named(api_env):
    html = export_html(notebook(markdown("# Cohort"), onecodex={"project": GUT}))
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html.split('class="ocx-samples"')[1])
    for expected in ("BMI", "Antibiotics last 90d", "Subject ID", "Bristol stool scale", "Subject age", "External ID"):
        assert expected in headers
    assert not {"bmi", "antibiotics last 90d", "subject id"} & set(headers)
    named = export_html(notebook(markdown("# Cohort"), onecodex={"project": GUT}),
                        field_labels={"bmi": "Body mass index (kg/m²)", "external_sample_id": "Lab ID"})
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", named.split('class="ocx-samples"')[1])
    assert "Body mass index (kg/m²)" in headers and "Lab ID" in headers and "BMI" not in headers


@pytest.mark.parametrize(
    "name, label",
    [("bmi", "BMI"), ("antibiotics_last_90d", "Antibiotics last 90d"), ("subjectAge", "Subject age"),
     ("pH_level", "pH level"), ("HbA1c", "HbA1c"), ("mRNA_count", "mRNA count"), ("sars_cov2_gc_per_l", "SARS cov2 GC per l")],
)
def test_field_names_become_headers(name, label):
    assert field_label(name) == label


def test_a_build_entry_names_its_own_headers(api_env, tmp_path):
    """reports.toml's per-entry options reach the exporter: each project's report can name its
    columns; a value that is not a table of strings is refused up front, naming the key."""
    from ocx_reports.build import config
    from ocx_reports.build.config import exporter_options
    from ocx_reports.render import export

    (tmp_path / "report.ipynb").write_text(json.dumps(notebook(markdown("# Cohort"))))
    (tmp_path / "reports.toml").write_text(
        '[defaults]\nnotebook = "report.ipynb"\n[[report]]\nname = "gut"\nproject = "96d911f909956c1c"\n'
        'options = { field_labels = { bmi = "Body mass index" } }\n'
    )
    entry = config.load(tmp_path / "reports.toml").entries[0]
    html = export(notebook(markdown("# Cohort")), "html", tmp_path / "report.ipynb", project=GUT,
                  **exporter_options("html", entry.settings.options)).decode()
    assert re.search(r"<th[^>]*>Body mass index</th>", html)
    (tmp_path / "reports.toml").write_text(
        '[defaults]\nnotebook = "report.ipynb"\n[[report]]\nname = "gut"\noptions = { field_labels = { bmi = 3 } }\n'
    )
    with pytest.raises(config.ConfigError, match=r"\[\[report\]\] 1 \('gut'\): options.field_labels"):
        config.load(tmp_path / "reports.toml")


def test_every_table_prints_in_one_type_scale(api_env):
    """The DataFrames (cells and lines), the Styler table and both of the Samples section's
    tables: one size and row pitch per step; the Samples section's two tables at one step."""
    words = _words(export_pdf(_tables_notebook()))

    def sizes(texts):
        return {round(w["size"], 2) for w in words if w["text"] in texts}

    def pitch(texts):
        tops = sorted(w["top"] for w in words if w["text"] in texts)
        return [b - a for a, b in zip(tops, tops[1:])]

    assert sizes({"Alistipes", "L0", "S-01", "1234567"}) == {8.5}
    for rows in ({"Alistipes", "Bacteroides", "Roseburia"}, {"L0", "L1", "L2"}, {"S-01", "S-02", "S-03"}):
        assert pitch(rows) == pytest.approx([17.825, 17.825], abs=0.02)  # 8.5pt x 1.45, 5pt of padding, the rule
    samples = {w["text"] for w in words if re.fullmatch(r"GMC-S0\d-V\d-(ST|SA)", w["text"])}  # external IDs
    custom = {"healthy", "ulcerative", "Crohn's"}
    assert len(sizes(samples | custom)) == 1 and sizes(custom) == {7.0}  # 11 columns: the wide step
