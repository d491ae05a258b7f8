"""The fast file writer (xlsx_patch) leaves the same workbook as the openpyxl writer it replaces.

docs/forum-workbook.md, "How the workbook is read": output tables are replaced whole where they are (or on
a new sheet of their name); every other cell, table and sheet is kept; text stays text.
Each layout below is written twice, once by the patch (``FileWorkbook.save``) and once
through openpyxl (``FileWorkbook.book`` loaded first), and the two files must show the
same cells, formats, links, tables and sheets. Then what only the patch promises: input
sheets are copied byte for byte and a run leaves no formats piling up in styles.xml.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.worksheet.table import Table

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import OutColumn, OutputTable
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables

Layout = Callable[[Path], None]


def allocations(rows: int, name: str = "DistrictAllocations") -> OutputTable:
    return OutputTable(
        name,
        [
            OutColumn("District"),
            OutColumn("Allocation", Kind.MONEY),
            OutColumn("Share", Kind.PERCENT),
            OutColumn("Pupils", Kind.INT),
            OutColumn("Ratio", Kind.NUMBER),
            OutColumn("Paid On", Kind.DATE),
            OutColumn("Note"),
            OutColumn("Link"),
        ],
        [
            [
                f"D{i}",
                Decimal("1234.56") + i,
                Decimal("0.125"),
                100 + i,
                Decimal("2.5"),
                date(2025, 11, 3),
                ["Yes", True, Decimal("9.99"), date(2026, 1, 5), "", None, 7.25, "=SUM(A1)"][i % 8],
                f"'Schools'!B{i + 2}" if i % 2 else None,
            ]
            for i in range(rows)
        ],
        title="Allocations by district",
    )


def warnings_table(rows: int) -> OutputTable:
    return OutputTable(
        "Warnings",
        # A narrow Message column: the longer messages wrap, over one to three lines.
        [OutColumn("Severity"), OutColumn("Value"), OutColumn("Message", Kind.TEXT, 20)],
        [["Error", f"+{i}", f"Row {i} <bad> & \"odd\" " * (1 + i % 4)] for i in range(rows)],
    )


def schools_sheet(book: openpyxl.Workbook) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Schools"
    sheet.append(["URN", "School Name"])
    sheet.append([100001, "Alder"])
    sheet.append([100002, "Birch"])
    sheet.add_table(Table(displayName="Schools", ref="A1:B3"))


def our_layout(path: Path) -> None:
    """A previous run's output: the table on its own sheet, title in A1, header on row 3."""
    book = openpyxl.Workbook()
    schools_sheet(book)
    sheet = book.create_sheet("DistrictAllocations")
    sheet["A1"], sheet["A2"] = "Old title", "Old note"
    sheet.append(["District", "Allocation"])
    for i in range(6):
        sheet.append([f"Old {i}", i])
    sheet.add_table(Table(displayName="DistrictAllocations", ref="A3:B9"))
    book.save(path)


def moved_by_the_user(path: Path) -> None:
    """The table moved to a user's sheet at C5, the user's own cells, merge and link all around it."""
    book = openpyxl.Workbook()
    schools_sheet(book)
    sheet = book.create_sheet("My sheet")
    sheet["A1"] = "My own heading"
    sheet.merge_cells("A2:C2")
    sheet["A2"] = "A merged note"
    sheet["A6"] = "left of the table"
    sheet["M6"] = "right of the table"
    sheet["C40"] = "well below"
    sheet["M7"].hyperlink = "https://example.org"
    sheet["M7"] = "a web link"
    sheet["C5"], sheet["D5"] = "District", "Allocation"
    for i in range(12):
        sheet.cell(row=6 + i, column=3, value=f"Old {i}")
        sheet.cell(row=6 + i, column=4, value=i * 10)
    sheet.add_table(Table(displayName="districtallocations", ref="C5:D17"))
    sheet.row_dimensions[8].height = 30
    book.save(path)


def outputs_sheet(book: openpyxl.Workbook) -> Any:
    """A sheet "Outputs" holding an old DistrictAllocations table at A1:B2."""
    sheet = book.create_sheet("Outputs")
    sheet["A1"], sheet["B1"] = "District", "Allocation"
    sheet["A2"], sheet["B2"] = "Old", 1
    sheet.add_table(Table(displayName="DistrictAllocations", ref="A1:B2"))
    return sheet


def two_tables_side_by_side(path: Path) -> None:
    book = openpyxl.Workbook()
    schools_sheet(book)
    sheet = outputs_sheet(book)
    sheet["N1"], sheet["O1"], sheet["P1"] = "Severity", "Value", "Message"
    for i in range(2, 30):
        sheet.cell(row=i, column=14, value="Old warning")
    sheet.add_table(Table(displayName="Warnings", ref="N1:P29"))
    book.save(path)


def no_outputs_yet(path: Path) -> None:
    book = openpyxl.Workbook()
    schools_sheet(book)
    book.save(path)


def written_by_xlsxwriter(path: Path) -> None:
    """Like ``apmodel new``: shared strings, formats and a dropdown in the old table's cells."""
    book = xlsxwriter.Workbook(str(path))
    schools = book.add_worksheet("Schools")
    schools.add_table("A1:B3", {"name": "Schools", "columns": [{"header": "URN"}, {"header": "School Name"}],
                                "data": [[100001, "Alder"], [100002, "Birch"]]})
    outputs = book.add_worksheet("DistrictAllocations")
    money = book.add_format({"num_format": "#,##0.00", "bold": True})
    outputs.write("A1", "Title", money)
    outputs.add_table("A3:B40", {"name": "DistrictAllocations", "columns": [{"header": "District"},
                                                                          {"header": "Allocation"}],
                                 "data": [[f"Old {i}", i] for i in range(37)]})
    outputs.data_validation("B4:B40", {"validate": "integer", "criteria": ">", "value": 0})
    book.close()


LAYOUTS: dict[str, Layout] = {
    "our layout": our_layout,
    "moved by the user": moved_by_the_user,
    "two tables side by side": two_tables_side_by_side,
    "no outputs yet": no_outputs_yet,
    "written by xlsxwriter": written_by_xlsxwriter,
}


def snapshot(path: Path) -> dict[str, Any]:
    """What a user sees: every sheet's cells with their number formats, links, merges and tables."""
    book = openpyxl.load_workbook(path)
    shown: dict[str, Any] = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells[cell.coordinate] = (cell.value, cell.data_type, cell.number_format, bool(cell.font.b))
        shown[sheet.title] = {
            "cells": cells,
            "links": {link.ref: link.location or link.target for link in sheet._hyperlinks}
            | {c.coordinate: c.hyperlink.location or c.hyperlink.target for r in sheet.iter_rows() for c in r
               if c.hyperlink is not None},
            "merged": sorted(str(m) for m in sheet.merged_cells.ranges),
            "tables": sorted((t.displayName, t.ref, tuple(c.name for c in t.tableColumns))
                             for t in sheet.tables.values()),
            "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height},
            "wrapped": sorted(c.coordinate for r in sheet.iter_rows() for c in r if c.alignment.wrap_text),
            "print": (sheet.page_setup.paperSize, sheet.page_setup.orientation, sheet.page_setup.fitToWidth,
                      sheet.page_setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage
                      if sheet.sheet_properties.pageSetUpPr else None, sheet.print_title_rows,
                      str(sheet.oddFooter), sheet.sheet_properties.tabColor.rgb
                      if sheet.sheet_properties.tabColor else None),
        }
    return shown


def write_both(tmp_path: Path, layout: Layout, tables: list[OutputTable]) -> tuple[Path, Path]:
    source = tmp_path / "source.xlsx"
    layout(source)
    patched, classic = tmp_path / "patched.xlsx", tmp_path / "openpyxl.xlsx"
    fast = FileWorkbook(source)
    fast.write_tables(tables)
    fast.save(patched)
    slow = FileWorkbook(source)
    assert slow.book is not None  # the whole workbook in openpyxl: the save goes through openpyxl
    slow.write_tables(tables)
    slow.save(classic)
    return patched, classic


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("rows", [0, 3, 25], ids=["empty", "shorter", "longer"])
def test_the_patch_leaves_what_openpyxl_would(tmp_path: Path, layout: Layout, rows: int) -> None:
    patched, classic = write_both(tmp_path, layout, [allocations(rows), warnings_table(rows)])
    assert snapshot(patched) == snapshot(classic)
    assert read_tables(patched) == read_tables(classic)


def test_a_second_run_replaces_the_first_with_no_stale_rows(tmp_path: Path) -> None:
    source, first, second = tmp_path / "source.xlsx", tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    moved_by_the_user(source)
    book = FileWorkbook(source)
    book.write_tables([allocations(25)])
    book.save(first)
    again = FileWorkbook(first)
    again.write_tables([allocations(2)])
    again.save(second)
    table = read_tables(second)["DistrictAllocations"]  # renamed to the contract name, where it was
    assert [row[0] for row in table.rows] == ["D0", "D1"]
    sheet = openpyxl.load_workbook(second)["My sheet"]
    assert sheet["C8"].value is None and sheet["D30"].value is None  # rows 3-25 of the first run are gone
    assert sheet["M6"].value == "right of the table" and sheet["C40"].value == "well below"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_input_sheets_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    written_by_xlsxwriter(source)
    book = FileWorkbook(source)
    book.write_tables([allocations(5)])
    book.save(out)
    before, after = parts(source), parts(out)
    assert after["xl/worksheets/sheet1.xml"] == before["xl/worksheets/sheet1.xml"]  # Schools
    assert after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out) as new:
        # Still compressed as they were: copied, not decompressed and compressed again.
        assert new.getinfo("xl/worksheets/sheet1.xml").compress_size == old.getinfo(
            "xl/worksheets/sheet1.xml"
        ).compress_size


def test_runs_do_not_pile_up_formats_in_styles(tmp_path: Path) -> None:
    source = tmp_path / "run0.xlsx"
    our_layout(source)
    for run in range(1, 4):
        book = FileWorkbook(source)
        book.write_tables([allocations(9)])
        target = tmp_path / f"run{run}.xlsx"
        book.save(target)
        source = target
    assert parts(tmp_path / "run3.xlsx")["xl/styles.xml"] == parts(tmp_path / "run2.xlsx")["xl/styles.xml"]


@pytest.mark.parametrize(
    "text",
    [
        "=HYPERLINK(\"http://evil\",\"x\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "tab\there, bell\x07, nul\x00 and a return\r\n",
        "_x0041_ is not an A",
        " leading and trailing ",
        "emoji \U0001f600 and accents é",
        "x" * 40_000,
    ],
    ids=["formula", "plus", "minus", "at", "control characters", "escape-like", "spaces", "unicode", "too long"],
)
def test_any_text_is_written_as_that_text(tmp_path: Path, text: str) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    no_outputs_yet(source)
    book = FileWorkbook(source)
    book.write_tables([OutputTable("Warnings", [OutColumn("Value")], [[text]])])
    book.save(out)
    # Excel keeps at most 32,767 characters in a cell; control characters travel as _xHHHH_ and come back.
    expected = text[:32_767].replace("\r\n", "\n") if "\r" not in text else text[:32_767]
    cell = openpyxl.load_workbook(out)["Warnings"]["A4"]
    assert cell.data_type == "s"
    assert read_tables(out)["Warnings"].rows == [[expected]]


def test_values_of_every_type_read_back_as_written(tmp_path: Path) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    no_outputs_yet(source)
    values = [Decimal("1234.56"), Decimal("-0.01"), 42, True, False, 2.5, date(2025, 11, 3),
              datetime(2025, 11, 3, 14, 30), Decimal("NaN"), float("inf")]
    book = FileWorkbook(source)
    book.write_tables([OutputTable("Warnings", [OutColumn("Value")], [[v] for v in values])])
    book.save(out)
    got = [row[0] for row in read_tables(out)["Warnings"].rows]
    assert got == [1234.56, -0.01, 42, True, False, 2.5, date(2025, 11, 3), datetime(2025, 11, 3, 14, 30),
                   "NaN", "inf"]


def test_the_openpyxl_route_writes_control_characters_too(tmp_path: Path) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    no_outputs_yet(source)
    book = FileWorkbook(source)
    assert book.book is not None  # openpyxl itself refuses these characters; the adapter escapes them
    texts = [["bell\x07 and nul\x00"], ["_x0041_ is not an A"], ["a return\r and a new line\r\n"]]
    book.write_tables([OutputTable("Warnings", [OutColumn("Value")], texts)])
    book.save(out)
    assert read_tables(out)["Warnings"].rows == texts


def test_input_formulas_keep_their_calculated_values(tmp_path: Path) -> None:
    # openpyxl dropped the value Excel had calculated for a formula in an input cell, so the next
    # run saw an uncalculated formula. The patch copies input sheets as they are: the value stays.
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    book = xlsxwriter.Workbook(str(source))
    schools = book.add_worksheet("Schools")
    schools.add_table("A1:C2", {"name": "Schools", "columns": [{"header": "URN"}, {"header": "Pupils"},
                                                               {"header": "Doubled"}]})
    schools.write_row("A2", [100001, 21])
    schools.write_formula("C2", "=B2*2", None, 42)  # 42: the value Excel last calculated
    book.close()
    fast = FileWorkbook(source)
    fast.write_tables([allocations(2)])
    fast.save(out)
    assert read_tables(out)["Schools"].rows == [[100001, 21, 42]]
    assert openpyxl.load_workbook(out)["Schools"]["C2"].value == "=B2*2"


def shared_formulas(path: Path) -> None:
    """An output table beside a shared formula (Excel writes a filled-down formula this way; openpyxl cannot).

    The formulas are in column J, clear of the columns the table grows into (A to G).
    """
    book = openpyxl.Workbook()
    schools_sheet(book)
    sheet = outputs_sheet(book)
    sheet["J1"], sheet["J2"] = "=1+1", "=1+1"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    sheet_part = "xl/worksheets/sheet2.xml"
    xml = contents[sheet_part]
    master = b'<c r="J1"><f t="shared" ref="J1:J2" si="0">1+1</f><v>2</v></c>'
    xml = xml.replace(b'<c r="J1"><f>1+1</f><v></v></c>', master)
    xml = xml.replace(b'<c r="J2"><f>1+1</f><v></v></c>', b'<c r="J2"><f t="shared" si="0"/><v>2</v></c>')
    assert xml.count(b't="shared"') == 2
    contents[sheet_part] = xml
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "layout",
    [shared_formulas, "Warnings sheet without its table"],
    ids=["shared formulas", "a sheet named like an output"],
)
def test_what_the_patch_cannot_handle_goes_through_openpyxl(
    tmp_path: Path, layout: Layout | str, caplog: pytest.LogCaptureFixture
) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    if callable(layout):
        layout(source)
    else:
        book = openpyxl.Workbook()
        schools_sheet(book)
        book.create_sheet("Warnings")["A1"] = "the user's own notes"
        book.save(source)
    fast = FileWorkbook(source)
    fast.write_tables([allocations(3), warnings_table(2)])
    with caplog.at_level("INFO", logger="apmodel.workbook.openpyxl_store"):
        fast.save(out)
    assert "written through openpyxl" in caplog.text
    tables = read_tables(out)
    assert [row[0] for row in tables["DistrictAllocations"].rows] == ["D0", "D1", "D2"]
    assert [row[0] for row in tables["Warnings"].rows] == ["Error", "Error"]


def test_a_users_chart_and_every_part_a_run_does_not_change_are_kept(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    book = openpyxl.Workbook()
    schools_sheet(book)
    schools = book["Schools"]
    chart = BarChart()
    chart.add_data(Reference(schools, min_col=1, min_row=1, max_row=3), titles_from_data=True)
    schools.add_chart(chart, "E2")
    book.save(source)
    fast = FileWorkbook(source)
    fast.write_tables([allocations(4), warnings_table(2)])
    fast.save(out)
    before, after = parts(source), parts(out)
    # What a run rewrites: the workbook's list of sheets, its relationships and content types,
    # the styles, and the new output sheets with their tables. Everything else is as it was.
    rewritten = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    assert any(name.startswith("xl/charts/") for name in before)
    for name, data in before.items():
        if name not in rewritten:
            assert after[name] == data, name
    assert len(openpyxl.load_workbook(out)["Schools"]._charts) == 1


class _Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek in, so it writes every entry with a data descriptor."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.data += bytes(b)
        return len(b)


def with_data_descriptors(path: Path) -> None:
    """The same package rewritten as LibreOffice writes it: sizes and checksums after each entry's data."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    path.write_bytes(bytes(stream.data))


def test_entries_with_data_descriptors_are_still_copied_without_recompressing(tmp_path: Path) -> None:
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    our_layout(source)
    with_data_descriptors(source)
    with zipfile.ZipFile(source) as archive:
        assert all(info.flag_bits & 0x08 for info in archive.infolist())
    fast = FileWorkbook(source)
    fast.write_tables([allocations(3)])
    fast.save(out)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out) as new:
        assert new.testzip() is None  # every entry's checksum holds
        schools_old, schools_new = old.getinfo("xl/worksheets/sheet1.xml"), new.getinfo("xl/worksheets/sheet1.xml")
        assert schools_new.compress_size == schools_old.compress_size and not schools_new.flag_bits & 0x08
        assert new.read("xl/worksheets/sheet1.xml") == old.read("xl/worksheets/sheet1.xml")
    assert [row[0] for row in read_tables(out)["DistrictAllocations"].rows] == ["D0", "D1", "D2"]
    assert read_tables(out)["Schools"].rows == [[100001, "Alder"], [100002, "Birch"]]


def test_an_entry_that_cannot_be_copied_sends_the_save_to_openpyxl(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A damaged local header is refused when the file is opened (exit 3). Damage found only while
    # copying (zipfile's BadZipFile) must not leave half a file: openpyxl writes it instead.
    source, out = tmp_path / "source.xlsx", tmp_path / "out.xlsx"
    our_layout(source)
    fast = FileWorkbook(source)
    fast.write_tables([allocations(3)])
    broken = mock.patch("apmodel.workbook.xlsx_patch.zipcopy._raw_entry", side_effect=zipfile.BadZipFile("Bad CRC-32"))
    with broken, caplog.at_level("INFO", logger="apmodel.workbook.openpyxl_store"):
        fast.save(out)
    assert "written through openpyxl (a damaged zip entry (Bad CRC-32))" in caplog.text
    assert [row[0] for row in read_tables(out)["DistrictAllocations"].rows] == ["D0", "D1", "D2"]
    assert {p.name for p in tmp_path.iterdir()} == {"source.xlsx", "out.xlsx"}  # no temporary file left


_KINDS = [Kind.TEXT, Kind.MONEY, Kind.PERCENT, Kind.INT, Kind.NUMBER, Kind.DATE]
_CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["=1+1", "+44 1234", "-", "@x", " padded ", "a\nb", "_x0041_", "Tier 1"]),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)),
)


@st.composite
def output_tables(draw: st.DrawFn) -> OutputTable:
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=5))
    columns = [OutColumn(f"Column {i}", kind) for i, kind in enumerate(kinds)]
    rows = draw(st.lists(st.lists(_CELLS, min_size=len(kinds), max_size=len(kinds)), max_size=8))
    return OutputTable("DistrictAllocations", columns, rows)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # a random number in a date column
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=output_tables(), layout=st.sampled_from(list(LAYOUTS.values())))
def test_any_table_the_patch_writes_reads_back_as_openpyxl_writes_it(
    tmp_path_factory: pytest.TempPathFactory, table: OutputTable, layout: Layout
) -> None:
    patched, classic = write_both(tmp_path_factory.mktemp("any"), layout, [table])
    assert read_tables(patched) == read_tables(classic)
    assert snapshot(patched) == snapshot(classic)


def test_the_sheet_titles_in_app_xml_follow_the_workbooks_sheets(tmp_path: Path) -> None:
    # The example county was saved by Excel's rules: app.xml lists its 17 input sheets. A run adds
    # the output sheets and the Dashboard; app.xml must list exactly the workbook's sheets, in order.
    from apmodel.cli import main

    source = Path(__file__).parents[2] / "workbooks" / "example-county.xlsx"
    out = tmp_path / "out.xlsx"
    assert main(["run", str(source), "-o", str(out), "--date", "2025-12-01", "-q"]) in (0, 1)
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    with zipfile.ZipFile(out) as archive:
        book = etree.fromstring(archive.read("xl/workbook.xml"))
        sheets = [s.get("name") for s in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet")]
        app = etree.fromstring(archive.read("docProps/app.xml"))
    # HeadingPairs: the Worksheets group first, then Named Ranges (each input sheet's print titles),
    # whose titles follow the worksheets' in TitlesOfParts and are left as they were.
    counts = [int(c.text or "0") for c in app.iter(f"{vt}i4")]
    [vector] = [v for v in app.iter(f"{vt}vector") if v.get("baseType") == "lpstr"]
    titles = [t.text for t in vector]
    assert len(sheets) > 17
    assert counts[0] == len(sheets) and titles[: counts[0]] == sheets
    assert all(t.endswith("!Print_Titles") for t in titles[counts[0] :])
    assert vector.get("size") == str(sum(counts)) == str(len(titles))
