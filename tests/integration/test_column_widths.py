"""A table rewritten where it is keeps its sheet's column widths, but a column of figures too narrow for
its figures is widened (Excel would show ####), never narrowed; text columns keep the width they were given.

A council's own sheet holding an output table by name, or an older results workbook, can have money
columns 4 characters wide. Checked through both file writers (the patch writer, the path every file run
takes, and openpyxl) and in the live adapter's formatting plan.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.worksheet.dimensions import ColumnDimension

from apmodel.service import run_workbook
from apmodel.workbook.contract import RECOUPMENT_SPEC, Kind
from apmodel.workbook.interface import OutColumn, OutputTable
from apmodel.workbook.layout import EXPECTED_WIDTHS, figure_widths, width_steps
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_patch.ooxml import QMAIN
from apmodel.workbook.xlsx_patch.sheets import widen_columns
from tests.builders import small_county, write_workbook

TODAY = date(2025, 12, 1)


@pytest.fixture(scope="module")
def narrowed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small county's results with Recoupment's columns set as a user might: School (C, text) 5 wide;
    one <col> for J to M (A money, B count, C money, D money) 4 wide; Amount (R, money) 30 wide."""
    folder = tmp_path_factory.mktemp("widths")
    source = write_workbook(folder / "county.xlsx", small_county())
    store = FileWorkbook(source)
    run_workbook(store, today=TODAY)
    first = folder / "first.xlsx"
    store.save(first)
    book = openpyxl.load_workbook(first)
    sheet = book["Recoupment"]
    assert [cell.value for cell in sheet[3]][9:13] == ["A", "B", "C", "D"] and sheet["R3"].value == "Amount"
    sheet.column_dimensions.clear()
    sheet.column_dimensions["C"] = ColumnDimension(sheet, index="C", width=5, min=3, max=3)
    sheet.column_dimensions["J"] = ColumnDimension(sheet, index="J", width=4, min=10, max=13)
    sheet.column_dimensions["R"] = ColumnDimension(sheet, index="R", width=30, min=18, max=18)
    book.save(folder / "narrowed.xlsx")
    return folder / "narrowed.xlsx"


def widths_after_a_run(path: Path, target: Path, *, openpyxl_route: bool) -> dict[str, float | None]:
    store = FileWorkbook(path)
    if openpyxl_route:
        assert store.book is not None
    run_workbook(store, today=TODAY)
    store.save(target)
    sheet = openpyxl.load_workbook(target)["Recoupment"]
    found: dict[str, float | None] = {}
    for dimension in sheet.column_dimensions.values():
        for index in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1):
            found[openpyxl.utils.get_column_letter(index)] = dimension.width
    return found


@pytest.mark.parametrize("openpyxl_route", [False, True], ids=["patch writer", "openpyxl"])
def test_a_rerun_widens_columns_of_figures_too_narrow_and_leaves_the_rest(
    narrowed: Path, tmp_path: Path, openpyxl_route: bool
) -> None:
    widths = widths_after_a_run(narrowed, tmp_path / "rerun.xlsx", openpyxl_route=openpyxl_route)
    # School is text: it stays the 5 it was given. Amount was 30: wider than it needs, kept.
    assert widths["C"] == 5 and widths["R"] == 30
    # The 4-wide <col> for J:M is split: the money columns A, C, D to at least money's expected 14 (the
    # small county's amounts are under £100,000), the count B to the 6 the contract gives it.
    assert all(widths[letter] is not None and widths[letter] >= EXPECTED_WIDTHS[Kind.MONEY] for letter in "JLM")
    assert widths["K"] == next(c.width for c in RECOUPMENT_SPEC.columns if c.name == "B") == 6
    # Line ID (A) had no width: text, nothing written for it.
    assert "A" not in widths


def test_the_figure_widths_name_only_columns_of_figures() -> None:
    table = OutputTable("T", [OutColumn("School"), OutColumn("Net", Kind.MONEY), OutColumn("VAT", Kind.MONEY)], [])
    # Text: None; two money columns of the expected 14 each: one step for both.
    assert figure_widths(table) == [None, 14, 14]
    assert width_steps(figure_widths(table)) == [(1, 2, 14)]
    assert width_steps([12, None, 12, 14]) == [(0, 0, 12), (2, 2, 12), (3, 3, 14)]


def test_a_split_col_keeps_its_style_and_hidden_flag_on_every_piece() -> None:
    root = etree.fromstring(
        f'<worksheet xmlns="{QMAIN[1:-1]}"><sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="2" max="6" width="5" style="3" hidden="1" customWidth="1"/></cols><sheetData/></worksheet>'
    )
    # Columns 2 to 6 at 5 wide; the table at column 3 needs 14 in its 2nd column (column 4), nothing else.
    widen_columns(root, 3, [None, 14.0, 4.0])
    cols = [dict(col.attrib) for col in root.find(f"{QMAIN}cols")]
    assert [(c["min"], c["max"], c["width"]) for c in cols] == [("2", "3", "5"), ("4", "4", "14.0"), ("5", "6", "5")]
    assert all(c["style"] == "3" and c["hidden"] == "1" for c in cols)
    # A sheet with no <cols>: one is made, in its place before sheetData, for the column that needs it.
    bare = etree.fromstring(f'<worksheet xmlns="{QMAIN[1:-1]}"><sheetFormatPr/><sheetData/></worksheet>')
    widen_columns(bare, 1, [8.0, 20.0])  # 8 fits Excel's default 8.43: only the second is written
    assert [etree.QName(child).localname for child in bare] == ["sheetFormatPr", "cols", "sheetData"]
    assert [dict(c.attrib) for c in bare.find(f"{QMAIN}cols")] == [
        {"min": "2", "max": "2", "width": "20.0", "customWidth": "1"}
    ]
