"""The openpyxl file adapter on real files: tables by name, replace whole, atomic save."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from unittest import mock

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import CellError, OutColumn, OutputTable
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import WorkbookUnreadable, read_tables


def make_book(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "My odd sheet"
    sheet["B5"], sheet["C5"], sheet["D5"] = "District", "Funding Model", "Notes of mine"
    sheet["B6"], sheet["C6"], sheet["D6"] = "Swale", "Devolved", "=SUM(1,2)"
    sheet["B7"], sheet["C7"] = "Thanet", "#REF!"
    sheet["C7"].data_type = "e"
    sheet.add_table(Table(displayName="Districts", ref="B5:D7"))
    book.save(path)


def money_table(rows: int) -> OutputTable:
    return OutputTable(
        "DistrictAllocations",
        [OutColumn("District"), OutColumn("Allocation", Kind.MONEY), OutColumn("Link")],
        [[f"D{i}", Decimal("1234.56") + i, "'My odd sheet'!B6"] for i in range(rows)],
    )


def test_tables_are_found_by_name_on_any_sheet_with_their_position(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    make_book(path)
    districts = read_tables(path)["Districts"]
    assert districts.sheet == "My odd sheet"
    assert (districts.header_row, districts.first_column) == (5, 2)
    assert districts.rows[0][:2] == ["Swale", "Devolved"]
    # A formula never calculated and an error cell are marked, not read as blanks.
    assert isinstance(districts.rows[0][2], CellError) and districts.rows[0][2].uncalculated
    assert districts.rows[1][1] == "#REF!" and isinstance(districts.rows[1][1], CellError)
    assert districts.cell_ref(7, "Funding Model") == "'My odd sheet'!C7"


def test_output_tables_are_replaced_whole_with_no_stale_rows(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    make_book(path)
    book = FileWorkbook(path)
    book.write_tables([money_table(5)])
    book.save(out)
    again = FileWorkbook(out)
    again.write_tables([money_table(2)])
    again.save(out)
    tables = read_tables(out)
    result = tables["DistrictAllocations"]
    assert len(result.rows) == 2
    assert result.rows[1][1] == pytest.approx(1235.56)
    sheet = openpyxl.load_workbook(out)["DistrictAllocations"]
    assert sheet["A1"].value == "DistrictAllocations"
    assert sheet["A6"].value is None and sheet["B7"].value is None  # old rows 3-5 cleared
    assert sheet["B4"].number_format.startswith('"£"')
    # The link is Excel's HYPERLINK formula (no hyperlink object), to the cell in this workbook.
    assert sheet["C4"].value == '=HYPERLINK("#\'My odd sheet\'!B6","Go to cell")' and sheet["C4"].hyperlink is None


def test_inputs_keep_their_cells_and_user_columns(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    make_book(path)
    before = path.read_bytes()
    book = FileWorkbook(path)
    book.write_tables([money_table(3)])
    book.save(out)
    assert path.read_bytes() == before  # -o never touches the input file
    original = openpyxl.load_workbook(path)["My odd sheet"]
    written = openpyxl.load_workbook(out)["My odd sheet"]
    for row in range(5, 8):
        for col in "BCD":
            assert written[f"{col}{row}"].value == original[f"{col}{row}"].value


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    make_book(path)
    book = FileWorkbook(path)
    book.write_tables([OutputTable("Warnings", [OutColumn("Value")],
                                   [["=HYPERLINK(\"http://evil\",\"x\")"], ["+1+1"], ["@SUM(A1)"], ["-2+3"]])])
    book.save(out)
    sheet = openpyxl.load_workbook(out)["Warnings"]
    assert [sheet[f"A{r}"].data_type for r in range(4, 8)] == ["s", "s", "s", "s"]
    assert sheet["A4"].value == "=HYPERLINK(\"http://evil\",\"x\")"


def half_written(package: object, handle: BinaryIO) -> None:
    handle.write(b"PK\x03\x04 half a file")
    raise OSError("disk full")


@pytest.mark.parametrize("route", ["patch", "openpyxl"])
def test_a_crash_while_saving_leaves_the_original_intact(tmp_path: Path, route: str) -> None:
    path = tmp_path / "book.xlsx"
    make_book(path)
    before = path.read_bytes()
    book = FileWorkbook(path)
    book.write_tables([money_table(3)])
    if route == "openpyxl":
        assert book.book is not None  # loading the whole workbook sends the save through openpyxl
        crash = mock.patch.object(openpyxl.Workbook, "save", side_effect=OSError("disk full"))
    else:
        crash = mock.patch("apmodel.workbook.xlsx_patch.patch.write_package", side_effect=half_written)
    with crash, pytest.raises(OSError):
        book.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no half-written temporary file left


def test_in_place_save_keeps_a_timestamped_backup(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    make_book(path)
    before = path.read_bytes()
    book = FileWorkbook(path)
    book.write_tables([money_table(1)])
    backup = book.save(path, backup=True)
    assert backup is not None and backup.read_bytes() == before
    assert "DistrictAllocations" in read_tables(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"hello, I am a CSV\n1,2,3", "not an Excel .xlsx"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password-protected"), (b"PK\x03\x04broken", "damaged")],
)
def test_unreadable_files_give_one_plain_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookUnreadable, match=message):
        FileWorkbook(path)


def test_a_missing_file_is_reported_plainly(tmp_path: Path) -> None:
    with pytest.raises(WorkbookUnreadable, match="no such file"):
        FileWorkbook(tmp_path / "nope.xlsx")


def test_dates_survive_the_round_trip(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    make_book(path)
    book = FileWorkbook(path)
    book.write_tables([OutputTable("Invoices", [OutColumn("Date", Kind.DATE)], [[date(2025, 11, 3)]])])
    book.save(out)
    assert read_tables(out)["Invoices"].rows == [[date(2025, 11, 3)]]
