"""The contracts between the export's stages (``ocx_reports.exporters.contracts``) hold on the
sides that keep them as literal text: the template, the stylesheet and the report helpers.

A name changed on one side only fails silently (a chunk of the PDF repeating the cover, a
long table measured for the wrong type size, a figure warning for the wrong page width);
here it fails, naming the contract and the file.
"""

import ast
import re
from pathlib import Path

import pytest
import tinycss2

import ocx_reports.report
from ocx_reports.exporters import contracts
from ocx_reports.exporters.page.assets import TEMPLATE_NAME, TEMPLATES_DIR

TEMPLATE_FOLDER = TEMPLATES_DIR / TEMPLATE_NAME
CSS = (TEMPLATE_FOLDER / "onecodex.css").read_text()
#: The files that keep contracts as literal text, by the name a contract's docstring gives them.
KEEPERS = {
    "index.html.j2": (TEMPLATE_FOLDER / "index.html.j2").read_text(),
    "onecodex.css": CSS,
    "report.py": Path(ocx_reports.report.__file__).read_text(),
}
#: Paper widths in inches (the stylesheet's ``@page`` sizes come from the template).
PAPER_IN = {"letter": 8.5, "a4": 8.27}


def documented() -> dict[str, str]:
    """Each constant of contracts.py -> the docstring under its assignment."""
    body = ast.parse(Path(contracts.__file__).read_text()).body
    found = {}
    for node, after in zip(body, body[1:]):
        if isinstance(node, ast.Assign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            target = node.targets[0]
            for name in target.elts if isinstance(target, ast.Tuple) else [target]:
                found[name.id] = after.value.value
    return found


DOCUMENTED = documented()


def test_every_contract_has_a_docstring():
    assert {name for name in vars(contracts) if name.isupper()} == set(DOCUMENTED)


def literals(value) -> list[str]:
    """The text a contract puts in a file: a name, or what comes before a format field
    (``celltag_{tag}``). Geometry is checked against the stylesheet's rules below."""
    values = value if isinstance(value, tuple) else (value,)
    return [text.split("{")[0] for text in values if isinstance(text, str)]


@pytest.mark.parametrize("name", sorted(name for name, doc in DOCUMENTED.items() if any(f in doc for f in KEEPERS)))
def test_the_files_a_contract_names_keep_its_literal(name):
    value = getattr(contracts, name)
    named = [file for file in KEEPERS if file in DOCUMENTED[name]]
    for literal in literals(value):
        whole = "" if isinstance(value, str) and "{" in value else r"(?![\w-])"
        for file in named:
            assert re.search(rf"(?<![\w-]){re.escape(literal)}{whole}", KEEPERS[file]), f"{name}: {literal!r} not in {file}"


def declarations(selector: str, at_rule: bool = False) -> dict[str, str]:
    """The declarations of onecodex.css's top-level rule for ``selector`` (as written there),
    or of its ``@selector`` at-rule."""
    for rule in tinycss2.parse_stylesheet(CSS, skip_comments=True, skip_whitespace=True):
        if at_rule and rule.type == "at-rule" and f"@{rule.lower_at_keyword}" == selector:
            content = rule.content
        elif not at_rule and rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == selector:
            content = rule.content
        else:
            continue
        items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
        return {item.lower_name: tinycss2.serialize(item.value).strip() for item in items if item.type == "declaration"}
    raise AssertionError(f"onecodex.css has no rule for {selector}")


def test_table_type_sizes_are_the_stylesheets():
    """The stylesheet says its tables' type scale once, in custom properties per step; the
    contract measures columns with the same sizes, and a row of a table laid out as lines (its
    line height, and its tiled rules) is as tall as a row of cells of that step."""
    for width_class, (font_pt, padding_pt) in contracts.TABLE_TYPE_PT.items():
        table = f"table.{width_class}" if width_class else "table"
        scale = {**declarations("table"), **declarations(table)}
        assert scale["--ocx-table-size"] == f"{font_pt:g}pt", width_class
        assert scale["--ocx-cell-pad-x"] == f"{padding_pt:g}pt", width_class  # left and right
        pt = {name: float(scale[name].removesuffix("pt")) for name in ("--ocx-table-size", "--ocx-cell-pad-y")}
        row = float(scale["--ocx-table-leading"]) * pt["--ocx-table-size"] + 2 * pt["--ocx-cell-pad-y"] + 0.5
        assert scale["--ocx-row-height"] == f"{row:g}pt", width_class
        tile = declarations(f"table.ocx-row-lines{'.' + width_class if width_class else ''} > tbody > tr")["background"]
        assert f"viewBox='0 0 1 {row:g}'" in tile and f"100% {row:g}pt" in tile, width_class
    assert declarations("th, td")["padding"] == "var(--ocx-cell-pad-y) var(--ocx-cell-pad-x)"
    assert declarations("table")["font-size"] == "var(--ocx-table-size)"


def test_printable_area_is_the_stylesheets():
    top, right, bottom, left = (float(m.removesuffix("in")) for m in declarations("@page", at_rule=True)["margin"].split())
    for paper, width_in in PAPER_IN.items():
        assert contracts.PRINTABLE_WIDTH_PX[paper] == pytest.approx((width_in - left - right) * 96)
    figures = declarations(".jp-RenderedImage img, .jp-RenderedSVG img, .jp-RenderedSVG svg")
    assert figures["max-height"] == f"{contracts.PRINTABLE_HEIGHT_PX / 96:g}in"
