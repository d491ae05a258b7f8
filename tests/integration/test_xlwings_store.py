"""The xlwings adapter without Excel: xlwings' remote engine reads a JSON payload of a real
workbook and records every write as an action; replaying those actions as Excel would and
comparing with the openpyxl adapter's file shows both engines leave the same cells.

Payloads are built from real .xlsx files with xlwings' calamine reader (cell values) and
python-calamine (the Excel tables), shaped as xlwings' Office.js client sends them. The
remote engine and the calamine reader are xlwings PRO, licensed PolyForm Noncommercial,
which permits use by government institutions: the key is set for these tests only.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from apmodel import service
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import CellError, OutColumn, OutputTable, OutputWouldOverwrite, column_letter
from apmodel.workbook.layout import NOTE_TEXT, NUMBER_FORMATS, OUTPUT_TAB, link_target, print_setup
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from apmodel.workbook.xlwings_layout import set_frozen_rows, set_print_setup, set_underline
from apmodel.workbook.xlwings_store import (
    EXCEL_ERRORS,
    XlwingsStore,
    cell_text,
    format_blocks,
    width_runs,
)
from tests.builders import small_county, write_workbook
from tests.windows_com import windows_com_calls


@pytest.fixture(autouse=True)
def noncommercial_licence(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PRO key for these tests only; xlwings registers its PRO engines on import, so if it
    was imported without the key, register the remote engine and the calamine reader now."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    known = {engine.name for engine in xw.engines}
    for module in ("xlwings.pro._xlremote", "xlwings.pro._xlcalamine"):
        impl = importlib.import_module(module).engine
        if impl.name not in known:
            xw.engines.add(xw.main.Engine(impl=impl))


# -- Payloads: a real file as xlwings' Office.js client would send it -------------------------


def _js_value(value: Any) -> Any:
    """A cell as Office.js sends it: blanks "", dates as ISO text ending in Z (xlwings parses those)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat(timespec="milliseconds") + "Z"
    return value


def remote_payload(path: Path) -> dict[str, Any]:
    """The JSON an xlwings Office.js client sends for the workbook at ``path``."""
    tables_by_sheet: dict[str, list[dict[str, Any]]] = {}
    with CalamineWorkbook.from_path(str(path), load_tables=True) as calamine:
        for name in calamine.table_names or []:
            table = calamine.get_table_by_name(name)
            assert table.start is not None and table.end is not None
            (top, first), (bottom, last) = table.start, table.end
            left, right, bottom = first + 1, last + 1, bottom + 1
            cols = f"{column_letter(left)}{{}}:{column_letter(right)}{{}}"
            tables_by_sheet.setdefault(table.sheet, []).append(
                {
                    "name": name,
                    "range_address": cols.format(top, bottom),
                    "header_row_range_address": cols.format(top, top),
                    "data_body_range_address": cols.format(top + 1, bottom),
                    "total_row_range_address": None,
                    "show_headers": True,
                    "show_totals": False,
                    "table_style": "TableStyleMedium2",
                    "show_autofilter": True,
                }
            )
    book = xw.Book(path, mode="r")
    sheets = []
    for sheet in book.sheets:
        used = sheet.used_range
        last_row, last_column = used.row + used.shape[0] - 1, used.column + used.shape[1] - 1
        values = sheet.range((1, 1), (last_row, last_column)).options(ndim=2, err_to_str=True).value
        sheets.append(
            {
                "name": sheet.name,
                "values": [[_js_value(v) for v in row] for row in values],
                "tables": tables_by_sheet.get(sheet.name, []),
                "pictures": [],
                "shapes": [],
                "charts": [],
                "notes": [],
            }
        )
    book.close()
    payload = {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }
    return dict(json.loads(json.dumps(payload)))


def remote_book(path: Path) -> xw.Book:
    return xw.Book(json=remote_payload(path))


def actions(book: xw.Book) -> list[dict[str, Any]]:
    return list(book.json()["actions"])


# -- Replaying the recorded actions as Excel applies them ------------------------------------


@dataclass(frozen=True)
class Formula:
    """A written value Excel would have turned into a formula: never wanted in an output (but links)."""

    text: str




@dataclass(frozen=True)
class Converted:
    """A written value Excel would have read as a date, a percentage or an error value."""

    text: str


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
_DAY_MONTH = re.compile(r"^\d{1,2}[/-]\d{1,2}([/-]\d{2,4})?$")
_PERCENT = re.compile(r"^[+-]?\d+(\.\d*)?%$")


def as_excel_reads_it(value: Any) -> Any:
    """What a cell holds after a value is written, as typing it would give (the ' prefix keeps text)."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if value.startswith("'"):
        return value[1:]
    if value.startswith(("=", "+", "-", "@")) and not _NUMBER.match(value):
        return Formula(value)
    if _NUMBER.match(value):
        return float(value)
    if _ISO_DAY.match(value):
        return datetime.fromisoformat(value)
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    if _DAY_MONTH.match(value) or _PERCENT.match(value) or value in EXCEL_ERRORS:
        return Converted(value)
    return value


@dataclass
class ReplayedSheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    tables: list[list[str]] = field(default_factory=list)  # [name, ref]
    widths: dict[int, float] = field(default_factory=dict)
    #: Row heights set (a wrapped header's), by row.
    heights: dict[int, float] = field(default_factory=dict)
    #: Charts in order: [name, chart type, source range, title] (the Dashboard's charts).
    charts: list[list[Any]] = field(default_factory=list)
    #: Office.js's sheet visibility: "Visible" or "Hidden" (the RegisterLog sheet).
    visibility: str = "Visible"
    #: The rows frozen at the top ("1:3"), as Office.js's freezeAt takes them; None: none.
    frozen: str | None = None

    def clear(self, rows: range, columns: range, *, formats: bool) -> None:
        for key in [k for k in self.cells if k[0] in rows and k[1] in columns]:
            del self.cells[key]
        if formats:
            for store in (self.formats,):
                for key in [k for k in store if k[0] in rows and k[1] in columns]:
                    del store[key]
        for key in [k for k in self.links if k[0] in rows and k[1] in columns]:
            del self.links[key]  # a link is the cell's formula: it goes with the value


class Replay:
    """The workbook after the recorded actions, cell by cell (values, formats, links, tables)."""

    IGNORED = frozenset(
        {"setScreenUpdating", "setFontProperty", "setWrapText", "setVerticalAlignment", "alert", "activateSheet"}
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        self.sheets: list[ReplayedSheet] = []
        for data in payload["sheets"]:
            sheet = ReplayedSheet(data["name"])
            # The payload holds cell values as they are (not as typed): only dates need decoding.
            for r, row in enumerate(data["values"], start=1):
                for c, value in enumerate(row, start=1):
                    if isinstance(value, str) and value.endswith("Z") and value[:4].isdigit():
                        value = datetime.fromisoformat(value[:-1])
                    if value != "":
                        sheet.cells[(r, c)] = value
            sheet.tables = [[t["name"], t["range_address"]] for t in data["tables"]]
            sheet.charts = [[c["name"], c.get("chart_type"), None, None] for c in data.get("charts", [])]
            self.sheets.append(sheet)

    def sheet(self, name: str) -> ReplayedSheet:
        return next(s for s in self.sheets if s.name == name)

    def apply(self, recorded: Sequence[dict[str, Any]]) -> Replay:
        for action in recorded:
            self._apply(action)
        return self

    def _apply(self, action: dict[str, Any]) -> None:
        func, args = action["func"], action["args"]
        if func in self.IGNORED:
            return
        if func == "addSheet":
            self.sheets.insert(args[0], ReplayedSheet(args[1]))
            return
        sheet = self.sheets[action["sheet_position"]]
        if func == "sheetClear":
            sheet.cells.clear()
            sheet.formats.clear()
            sheet.links.clear()
            return
        if func == "setSheetVisibility":
            sheet.visibility = args[0]  # the remote engine sends its one argument in a list
            return
        if func == "addTable":
            sheet.tables.append([args[3], args[0].replace("$", "")])
            return
        if func == "resizeTable":
            sheet.tables[args[0]][1] = args[1].replace("$", "")
            return
        if func == "addChart":
            sheet.charts.append([args[0], args[1], args[3].replace("$", ""), None])
            return
        if func == "setChartTitle":
            sheet.charts[args[0]][3] = args[1]
            return
        if func == "deleteChart":
            del sheet.charts[args[0]]
            return
        if func == "freezePaneAtRange":
            sheet.frozen = args[0]
            return
        top, left = action["start_row"] + 1, action["start_column"] + 1
        rows = range(top, top + action["row_count"])
        columns = range(left, left + action["column_count"])
        if func == "setValues":
            for r, row in zip(rows, action["values"], strict=True):
                for c, value in zip(columns, row, strict=True):
                    read = as_excel_reads_it(value)
                    sheet.links.pop((r, c), None)
                    if isinstance(read, Formula) and link_target(read.text) is not None:
                        # A link: the formula as a file reader shows it, and where it goes.
                        sheet.cells[(r, c)], sheet.links[(r, c)] = read.text, link_target(read.text)
                    elif read is None:
                        sheet.cells.pop((r, c), None)
                    else:
                        sheet.cells[(r, c)] = read
        elif func in ("rangeClear", "rangeClearContents"):
            sheet.clear(rows, columns, formats=func == "rangeClear")
        elif func == "setNumberFormat":
            for r in rows:
                for c in columns:
                    sheet.formats[(r, c)] = args[0]
        elif func == "setColumnWidth":
            sheet.widths[left] = args[0]
        elif func == "setRowHeight":
            for r in rows:
                sheet.heights[r] = args[0]
        else:
            raise AssertionError(f"unexpected action {func}")


# -- Comparing with the openpyxl adapter's file --------------------------------------------


def plain(value: Any) -> Any:
    """A cell value compared across engines: numbers as floats, dates as datetimes."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def file_cells(sheet: Any) -> dict[tuple[int, int], Any]:
    return {
        (cell.row, cell.column): plain(cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def cells_in(ref: str) -> Iterator[tuple[int, int]]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    for r in range(int(min_row), int(max_row) + 1):
        for c in range(int(min_col), int(max_col) + 1):
            yield r, c


def assert_same_cells(
    written: Path, replay: Replay, sheet_names: Sequence[str], *, skip: dict[str, list[tuple[int, int]]] | None = None
) -> None:
    """Values, table ranges, number formats of filled table cells, links and widths all agree."""
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == [s.name for s in replay.sheets]
    for name in sheet_names:
        expected_sheet, got = book[name], replay.sheet(name)
        skipped = (skip or {}).get(name, [])
        expected = {k: v for k, v in file_cells(expected_sheet).items() if k not in skipped}
        actual = {k: plain(v) for k, v in got.cells.items() if k not in skipped}
        assert actual == expected, name
        assert sorted(got.tables) == sorted([t.displayName, t.ref] for t in expected_sheet.tables.values())
        for _, ref in got.tables:
            for r, c in cells_in(ref):
                cell = expected_sheet.cell(row=r, column=c)
                if cell.value is not None and (r, c) not in skipped:
                    assert got.formats.get((r, c), "General") == cell.number_format, (name, r, c)
                assert cell.hyperlink is None, (name, r, c)  # links are formulas, not hyperlink objects
                assert got.links.get((r, c)) == link_target(cell.value), (name, r, c)
        for column, width in got.widths.items():
            assert expected_sheet.column_dimensions[column_letter(column)].width == width
        for row, height in got.heights.items():
            assert expected_sheet.row_dimensions[row].height == height, (name, row)
        if got.frozen is not None:  # rows 1 to N frozen: the file's panes split above row N + 1
            assert expected_sheet.freeze_panes == f"A{int(got.frozen.split(':')[1]) + 1}", name


# -- Sample output tables -----------------------------------------------------------------------


def allocations(rows: int) -> OutputTable:
    return OutputTable(
        "DistrictAllocations",
        [OutColumn("District"), OutColumn("Final Allocation", Kind.MONEY), OutColumn("Change %", Kind.PERCENT)],
        [[f"D{i}", Decimal("425000.00") + i, Decimal("-0.0116")] for i in range(rows)],
        title="District allocations",
    )


def warnings(rows: Sequence[Sequence[Any]]) -> OutputTable:
    return OutputTable(
        "Warnings",
        [
            OutColumn("Severity"),
            OutColumn("Code"),
            OutColumn("Row", Kind.INT, 7),
            OutColumn("Value"),
            OutColumn("Link", Kind.TEXT, 12),
        ],
        [list(row) for row in rows],
        title="Validation",
    )


def summary() -> OutputTable:
    return OutputTable(
        "Summary",
        [OutColumn("Item", Kind.TEXT, 34), OutColumn("Value", Kind.TEXT, 60)],
        [
            ["Status", "Complete"],
            ["AP budget", Decimal("1000000.00")],
            ["Difference", Decimal("0.00")],
            ["Errors", 0],
            ["Run on", date(2025, 12, 1)],
            ["Financial year", "2025-26"],
        ],
        title="Summary",
    )


TRICKY_TEXT = ["=SUM(A1:A3)", "+44 1234", "-5 days", "@home", "00123", "1/2", "TRUE", "#N/A", "'quoted", "12%"]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "county.xlsx", small_county())


@pytest.fixture
def moved(tmp_path: Path) -> Path:
    """Districts moved by the user to a sheet of their own at C6, with an error cell and a note column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inputs (mine)"
    sheet["A1"] = "My notes"
    header = ["District", "Funding Model", "Lump Sum", "My note"]
    rows = [["North", "Devolved", 50000, "checked"], ["South", "#REF!", 50000.5, None]]
    for offset, text in enumerate(header):
        sheet.cell(row=6, column=3 + offset, value=text)
    for r, values in enumerate(rows, start=7):
        for offset, value in enumerate(values):
            sheet.cell(row=r, column=3 + offset, value=value)
    sheet["D8"].data_type = "e"
    sheet.add_table(Table(displayName="Districts", ref="C6:F8"))
    checks = book.create_sheet("Checks")
    for offset, text in enumerate(["Severity", "Code", "Row", "Value", "Link"]):
        checks.cell(row=5, column=2 + offset, value=text)
    for r in range(6, 11):
        for offset in range(5):
            checks.cell(row=r, column=2 + offset, value=f"old {r}-{offset}")
    checks.add_table(Table(displayName="Warnings", ref="B5:F10"))
    path = tmp_path / "moved.xlsx"
    book.save(path)
    return path


# -- Reading ---------------------------------------------------------------------------------------


def test_every_table_is_read_by_name_exactly_as_the_file_reader_reads_it(county: Path) -> None:
    assert XlwingsStore(remote_book(county)).read_tables() == read_tables(county)


@pytest.mark.parametrize("kind", [pytest.param("example county", marks=pytest.mark.slow), "blank template"])
def test_the_shipped_workbooks_are_read_exactly_as_the_file_reader_reads_them(tmp_path: Path, kind: str) -> None:
    if kind == "example county":
        from apmodel.workbooks.example import generate_county

        path = generate_county(tmp_path / "county.xlsx")
    else:
        from apmodel.workbook.template import new_workbook

        path = new_workbook(tmp_path / "blank.xlsx")
    assert XlwingsStore(remote_book(path)).read_tables() == read_tables(path)


def test_a_moved_table_is_found_with_its_position_its_error_cells_and_the_users_columns(moved: Path) -> None:
    tables = XlwingsStore(remote_book(moved)).read_tables()
    districts = tables["Districts"]
    assert (districts.sheet, districts.header_row, districts.first_column) == ("Inputs (mine)", 6, 3)
    assert districts.header == ["District", "Funding Model", "Lump Sum", "My note"]
    assert districts.rows[0] == ["North", "Devolved", 50000.0, "checked"]
    assert isinstance(districts.rows[1][1], CellError) and districts.rows[1][1] == "#REF!"
    assert districts.cell_ref(8, "Funding Model") == "'Inputs (mine)'!D8"
    assert tables == read_tables(moved)


def test_a_totals_row_is_not_read_as_a_data_row(county: Path) -> None:
    payload = remote_payload(county)
    table = next(t for sheet in payload["sheets"] for t in sheet["tables"] if t["name"] == "Districts")
    found = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", table["range_address"])
    assert found is not None
    left, top, right, bottom = found.groups()
    totals = int(bottom) + 1  # the row below the data becomes the table's totals row
    table.update(
        range_address=f"{left}{top}:{right}{totals}",
        total_row_range_address=f"{left}{totals}:{right}{totals}",
        show_totals=True,
    )
    assert XlwingsStore(xw.Book(json=payload)).read_tables()["Districts"] == read_tables(county)["Districts"]


def test_reading_writes_nothing(county: Path) -> None:
    book = remote_book(county)
    XlwingsStore(book).read_tables()
    assert actions(book) == []


# -- Writing ---------------------------------------------------------------------------------------


def test_a_new_output_table_goes_on_its_own_sheet_as_one_block_of_values(county: Path) -> None:
    book = remote_book(county)
    XlwingsStore(book).write_tables([allocations(3)])
    recorded = actions(book)
    added = [a for a in recorded if a["func"] == "addSheet"]
    assert [a["args"][1] for a in added] == ["DistrictAllocations"]
    position = added[0]["args"][0]
    # The title and note (A1, A2) and the table from its header row (A3) go in as one block: one call.
    blocks = [a for a in recorded if a["func"] == "setValues"]
    assert [(b["start_row"], b["row_count"]) for b in blocks] == [(0, 6)]
    block = blocks[0]
    assert (block["sheet_position"], block["start_row"], block["start_column"]) == (position, 0, 0)
    # Blanks as the engine writes them.
    assert block["values"][:2] == [["District allocations", "", ""], [NOTE_TEXT, "", ""]]
    # 425,000.00 + 2 = 425,002.00 written as the number Excel stores; -1.16% as a fraction.
    assert block["values"][2:] == [
        ["District", "Final Allocation", "Change %"],
        ["'D0", 425000.0, -0.0116],  # "D0" has a digit: written with Excel's text prefix
        ["'D1", 425001.0, -0.0116],
        ["'D2", 425002.0, -0.0116],
    ]
    table = next(a for a in recorded if a["func"] == "addTable")
    assert table["args"] == ["$A$3:$C$6", True, "TableStyleMedium2", "DistrictAllocations"]


def test_a_hidden_output_table_goes_on_a_hidden_sheet(county: Path) -> None:
    book = remote_book(county)
    log = OutputTable("RegisterLog", [OutColumn("Number")], [["AP-2025-26-00001"]], hidden=True)
    XlwingsStore(book).write_tables([log, allocations(1)])
    replay = Replay(remote_payload(county)).apply(actions(book))
    assert (replay.sheet("RegisterLog").visibility, replay.sheet("DistrictAllocations").visibility) == (
        "Hidden",
        "Visible",
    )


def test_an_existing_output_table_is_resized_where_it_is_and_its_old_rows_cleared(moved: Path) -> None:
    book = remote_book(moved)
    XlwingsStore(book).write_tables([warnings([["Error", "UNKNOWN_URN", 7, "999", "'Schools'!A7"]])])
    recorded = actions(book)
    assert not [a for a in recorded if a["func"] in ("addSheet", "addTable")]
    resize = next(a for a in recorded if a["func"] == "resizeTable")
    assert resize["args"] == [0, "$B$5:$F$6"]
    checks = Replay(remote_payload(moved)).apply(recorded).sheet("Checks")
    assert checks.tables == [["Warnings", "B5:F6"]]
    assert checks.cells == {
        (5, 2): "Severity",
        (5, 3): "Code",
        (5, 4): "Row",
        (5, 5): "Value",
        (5, 6): "Link",
        (6, 2): "Error",
        (6, 3): "UNKNOWN_URN",
        (6, 4): 7,
        (6, 5): "999",
        (6, 6): '=HYPERLINK("#\'Schools\'!A7","Go to cell")',
    }  # rows 7 to 10 of the old table are gone
    assert checks.links == {(6, 6): "'Schools'!A7"}


def _moved_with(tmp_path: Path, moved: Path, cell: str | None = None, table_ref: str | None = None) -> Path:
    """``moved`` with a user's cell, or a user's table, in the way of Warnings (B5:F10) growing."""
    book = openpyxl.load_workbook(moved)
    checks = book["Checks"]
    if cell is not None:
        checks[cell] = "my total"
    if table_ref is not None:
        left, top, _right, _bottom = range_boundaries(table_ref)
        for offset, text in enumerate(["Mine", "Also mine"]):
            checks.cell(row=top, column=left + offset, value=text)
        checks.add_table(Table(displayName="MyTable", ref=table_ref))
    path = tmp_path / "in-the-way.xlsx"
    book.save(path)
    return path


def _eight_warnings() -> OutputTable:
    return warnings([["Error", "UNKNOWN_URN", 7 + i, "999", "'Schools'!A7"] for i in range(8)])


@pytest.mark.parametrize(
    ("cell", "table_ref", "named"),
    [("C14", None, "your cell C14"), (None, "B14:C15", "the table MyTable at B14:C15")],
    ids=["a user's cell below", "a user's table below"],
)
def test_a_table_that_would_grow_over_the_users_cells_is_refused_and_nothing_is_written(
    tmp_path: Path, moved: Path, cell: str | None, table_ref: str | None, named: str
) -> None:
    # Warnings holds B5:F10 (header and 5 rows); 8 rows need B5:F13 and a 9th row B5:F14.
    path = _moved_with(tmp_path, moved, cell, table_ref)
    book = remote_book(path)
    grown = warnings([["Error", "UNKNOWN_URN", 7 + i, "999", "'Schools'!A7"] for i in range(9)])
    with pytest.raises(OutputWouldOverwrite) as refused:
        XlwingsStore(book).write_tables([allocations(2), grown])
    assert named in str(refused.value) and "Warnings" in str(refused.value)
    assert actions(book) == []  # nothing written: the book is as it was


def test_a_table_that_grows_into_empty_cells_is_written(tmp_path: Path, moved: Path) -> None:
    path = _moved_with(tmp_path, moved, "C14")  # in the way of a 9th row, not of 8
    book = remote_book(path)
    XlwingsStore(book).write_tables([_eight_warnings()])
    checks = Replay(remote_payload(path)).apply(actions(book)).sheet("Checks")
    assert checks.tables == [["Warnings", "B5:F13"]]
    assert checks.cells[(14, 3)] == "my total"


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_text_excel_would_reinterpret_stays_the_same_text(county: Path, text: str) -> None:
    book = remote_book(county)
    XlwingsStore(book).write_tables([warnings([["Warning", "ODD_TEXT", None, text, None]])])
    replayed = Replay(remote_payload(county)).apply(actions(book)).sheet("Warnings")
    assert replayed.cells[(4, 4)] == text


def test_column_widths_take_the_commonest_width_in_one_call_then_the_others_by_run() -> None:
    # 7 columns, widths 10,12,10,10,15,15,10: 10 on all seven, then 12 on the 2nd, 15 on the 5th-6th.
    assert width_runs([10.0, 12.0, 10.0, 10.0, 15.0, 15.0, 10.0]) == [(0, 6, 10.0), (1, 1, 12.0), (4, 5, 15.0)]
    # No width shared by two columns: one call per column.
    assert width_runs([8.0, 9.0, 10.0]) == [(0, 0, 8.0), (1, 1, 9.0), (2, 2, 10.0)]
    # Shared only side by side: the span, then the one other column.
    assert width_runs([8.0, 9.0, 9.0]) == [(0, 2, 9.0), (0, 0, 8.0)]
    assert width_runs([]) == []


def test_side_by_side_columns_with_the_same_format_on_the_same_rows_share_one_call() -> None:
    money, count = OutColumn("A £", Kind.MONEY), OutColumn("B £", Kind.MONEY)
    rows: list[list[Any]] = [[Decimal("1.00"), Decimal("2.00"), "x"], [None, Decimal("3.00"), "y"]]
    table = OutputTable("T", [money, count, OutColumn("Note", Kind.TEXT)], rows)
    # The two money columns are one block over both rows (a blank takes its run's format); text gets none.
    assert format_blocks(table) == [(0, 1, 0, 1, NUMBER_FORMATS[Kind.MONEY])]
    # A column whose format differs breaks the block: a date column between the money columns.
    dated = OutputTable(
        "T", [money, OutColumn("On", Kind.DATE), count], [[Decimal("1.00"), date(2025, 9, 1), Decimal("2.00")]]
    )
    assert [block[:2] for block in format_blocks(dated)] == [(0, 0), (1, 1), (2, 2)]


def test_plain_words_are_written_without_a_prefix() -> None:
    assert cell_text("Alder Secondary") == "Alder Secondary"
    assert cell_text("00123") == "'00123"
    assert cell_text("") is None


def test_warnings_links_are_hyperlink_formulas_in_the_tables_one_block_of_values(county: Path) -> None:
    book = remote_book(county)
    rows: list[list[Any]] = [
        ["Error", "A", 7, "x", "'Schools'!C7"],
        ["Info", "B", None, "", None],
        ["Warning", "C", 3, "y", 'Say "hi"!B3'],
    ]
    XlwingsStore(book).write_tables([warnings(rows)])
    recorded = actions(book)
    assert not [a for a in recorded if a["func"] == "addHyperlink"]  # no call per link
    block = next(a for a in recorded if a["func"] == "setValues" and a["start_row"] == 0)
    # '#' marks a place in this workbook; a '"' in a sheet name is doubled inside the formula.
    assert [row[4] for row in block["values"][3:]] == [
        '=HYPERLINK("#\'Schools\'!C7","Go to cell")',
        "",  # the Info row has no link: a blank cell, as the engine writes a blank
        '=HYPERLINK("#Say ""hi""!B3","Go to cell")',
    ]
    # The link colour on the Link column from its first link (row 4) to its last (row 6): one range.
    colour = [a for a in recorded if a["func"] == "setFontProperty" and a["start_column"] == 4]
    assert [(a["start_row"] + 1, a["row_count"], a["args"]) for a in colour] == [(4, 3, ["color", "#0563c1"])]
    links = Replay(remote_payload(county)).apply(recorded).sheet("Warnings").links
    assert links == {(4, 5): "'Schools'!C7", (6, 5): 'Say "hi"!B3'}


def test_an_empty_output_table_keeps_one_blank_row(county: Path) -> None:
    book = remote_book(county)
    XlwingsStore(book).write_tables([warnings([])])
    table = next(a for a in actions(book) if a["func"] == "addTable")
    assert table["args"][0] == "$A$3:$E$4"


def test_status_goes_to_the_status_bar_and_the_cell_beside_summary(county: Path) -> None:
    book = remote_book(county)
    store = XlwingsStore(book, clock=lambda: datetime(2025, 12, 1, 14, 5))
    store.write_tables([summary()])
    assert store.status_cell() == ("Summary", 3, 4)
    store.status("Model run: 0 Error(s)")
    last = actions(book)[-1]
    assert (last["func"], last["start_row"], last["start_column"]) == ("setValues", 2, 3)
    assert last["values"] == [["'Model run: 0 Error(s) (01/12/2025 14:05)"]]


def test_without_a_summary_table_status_only_goes_to_the_status_bar(county: Path) -> None:
    book = remote_book(county)
    XlwingsStore(book).status("Reading the workbook")
    assert actions(book) == []


def test_on_windows_each_page_setup_property_is_one_com_call_and_nothing_is_asked_twice() -> None:
    calls = windows_com_calls(set_print_setup, print_setup([60.0, 50.0], "Brighton & Hove"), OUTPUT_TAB)
    written = {entry[1]: entry[2] for entry in calls if entry[0] == "set"}
    # Margins in points, 72 to the inch: Excel's Narrow sides, 0.5 in = 36 pt, 0.6 in = 43.2 pt, 0.3 in = 21.6 pt.
    margins = ("Left", "Right", "Top", "Bottom", "Header", "Footer")
    assert [written[f"Sheet.PageSetup.{m}Margin"] for m in margins] == pytest.approx([36, 36, 43.2, 43.2, 21.6, 21.6])
    assert written["Sheet.PageSetup.Orientation"] == 2  # 110 characters wide: landscape
    assert written["Sheet.PageSetup.PrintTitleRows"] == "$3:$3"
    assert written["Sheet.PageSetup.LeftFooter"] == "Brighton && Hove"
    assert written["Sheet.Tab.Color"] == 0x358254  # 548235 as Excel's BGR
    assert not [c for c in calls if c[0] == "call"]  # no InchesToPoints: each margin is one call, not two
    # The page setup fetched once, printer talk off and on, 15 properties, the tab and its colour.
    assert len(calls) == 1 + 2 + 15 + 2


def test_on_windows_the_header_rows_are_frozen_on_the_sheet_s_window_and_the_shown_sheet_comes_back() -> None:
    calls = windows_com_calls(set_frozen_rows, 3)
    assert calls == [
        ("get", "Application.ActiveSheet"),
        ("get", "Sheet.Activate"),
        ("call", "Sheet.Activate", ()),
        ("get", "Application.ActiveWindow"),
        ("set", "Application.ActiveWindow.FreezePanes", False),
        ("set", "Application.ActiveWindow.SplitColumn", 0),
        ("set", "Application.ActiveWindow.SplitRow", 3),
        ("set", "Application.ActiveWindow.FreezePanes", True),
        ("get", "Application.ActiveSheet.Activate"),
        ("call", "Application.ActiveSheet.Activate", ()),
    ]


def test_on_windows_the_link_underline_is_two_com_calls_and_other_engines_skip_it(county: Path) -> None:
    assert windows_com_calls(set_underline) == [("get", "Sheet.Font"), ("set", "Sheet.Font.Underline", 2)]
    book = remote_book(county)
    set_underline(book.sheets[0].range("A1"), book.app)  # the remote engine: nothing to do
    assert actions(book) == []


# -- Same cells as the file adapter ----------------------------------------------------------------


def write_both(source: Path, tmp_path: Path, tables: Sequence[OutputTable]) -> tuple[Path, Replay]:
    file_book = FileWorkbook(source)
    file_book.write_tables(tables)
    written = tmp_path / "written-by-openpyxl.xlsx"
    file_book.save(written)
    live = remote_book(source)
    XlwingsStore(live).write_tables(tables)
    return written, Replay(remote_payload(source)).apply(actions(live))


def test_new_output_tables_leave_the_same_cells_as_the_file_adapter(county: Path, tmp_path: Path) -> None:
    rows = [["Error", code, 7, text, "'Schools'!C7"] for code, text in zip("ABCDEFGHIJ", TRICKY_TEXT, strict=True)]
    tables = [summary(), allocations(4), warnings(rows)]
    written, replay = write_both(county, tmp_path, tables)
    assert_same_cells(written, replay, ["Summary", "DistrictAllocations", "Warnings"])
    assert {replay.sheet(name).frozen for name in ("Summary", "DistrictAllocations", "Warnings")} == {"1:3"}


def test_existing_output_tables_leave_the_same_cells_as_the_file_adapter(moved: Path, tmp_path: Path) -> None:
    tables = [warnings([["Error", "UNKNOWN_URN", 7, "999", "'Inputs (mine)'!C7"]]), allocations(2)]
    written, replay = write_both(moved, tmp_path, tables)
    assert_same_cells(written, replay, ["Inputs (mine)", "Checks", "DistrictAllocations"])


def test_a_run_on_an_old_output_with_total_rows_leaves_the_same_cells_as_the_file_adapter(tmp_path: Path) -> None:
    """A workbook the previous version wrote (allocation tables ending with a Total row, no totals
    tables, ScenarioComparison's levels, EqualityAnalysis's breakdowns and APOutcomes' tiers closed by Total
    rows): the live book drops the Total rows and adds the totals tables as the file adapter does."""
    from tests.integration.test_output_tables_that_grow import old_version_output

    old = old_version_output(tmp_path)
    file_book = FileWorkbook(old)
    headless = service.run_workbook(file_book, today=date(2025, 12, 1))
    written = tmp_path / "headless.xlsx"
    file_book.save(written)
    live = remote_book(old)
    service.run_workbook(XlwingsStore(live), today=date(2025, 12, 1))
    replay = Replay(remote_payload(old)).apply(actions(live))
    names = ["DistrictAllocations", "DistrictAllocationTotals", "SchoolAllocations", "SchoolAllocationTotals"]
    names += ["ProviderFunding", "ProviderFundingTotals", "ScenarioComparison", "ScenarioComparisonTotals"]
    names += ["EqualityAnalysis", "EqualityAnalysisTotals", "APOutcomes", "APOutcomesTotals"]
    assert set(names) <= {t.name for t in headless.tables}
    assert_same_cells(written, replay, names)
    for name in names[::2]:
        assert "Total" not in replay.sheet(name).cells.values(), name
        assert "All providers" not in replay.sheet(name).cells.values(), name


@pytest.mark.parametrize("kind", ["small county", pytest.param("example county", marks=pytest.mark.slow)])
def test_a_run_leaves_the_same_figures_to_the_penny_as_the_headless_engine(
    county: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "example county":
        from apmodel.workbooks.example import generate_county

        county = generate_county(tmp_path / "example.xlsx")
    file_book = FileWorkbook(county)
    headless = service.run_workbook(file_book, today=date(2025, 12, 1))
    written = tmp_path / "headless.xlsx"
    file_book.save(written)
    live = remote_book(county)
    store = XlwingsStore(live)
    addin = service.run_workbook(store, today=date(2025, 12, 1))
    replay = Replay(remote_payload(county)).apply(actions(live))
    names = [t.name for t in headless.tables]
    assert names == [t.name for t in addin.tables]
    # The run's clock readings differ between two runs; everything else must be identical.
    summary_rows = {row[0]: index for index, row in enumerate(headless.tables[0].rows)}
    clock = [(3 + 1 + summary_rows[item], 2) for item in ("Run at", "Run time (seconds)")]
    status = store.status_cell()
    assert status is not None and status[0] == "Summary"
    assert_same_cells(written, replay, names, skip={"Summary": [*clock, status[1:]]})
