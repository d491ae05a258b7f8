"""The file adapter: a Forum workbook on disk, read fast and written with openpyxl.

Reading goes through ``xlsx_reader`` (calamine). Writing loads the workbook once with
openpyxl, replaces each output table whole where it already is (or on a new sheet of the
same name, title in A1, header on row 3), and saves atomically: to a temporary file in the
destination folder, then renamed over the target, so a crash mid-write leaves the original
intact. Input tables are never touched.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import OutputTable, RawTable, column_letter
from apmodel.workbook.xlsx_reader import WorkbookUnreadable, check_readable, read_tables

if TYPE_CHECKING:
    from apmodel.reports.dashboard import ChartSpec

log = logging.getLogger(__name__)

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: '"£"#,##0.00;[Red]-"£"#,##0.00',
    Kind.PERCENT: "0.00%",
    Kind.DATE: "dd/mm/yyyy",
    Kind.INT: "#,##0",
    Kind.NUMBER: "#,##0.00####",
}
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
LINK_FONT = Font(color="0563C1", underline="single")
HEADER_ROW = 3
TABLE_STYLE = "TableStyleMedium2"
LINK_TEXT = "Go to cell"


def atomic_save(book: Workbook, target: Path) -> None:
    """Save so that the target is either the old file or the complete new one, never half."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        book.save(temp_name)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")


def excel_value(value: Any) -> Any:
    """A Python value as a cell value (Decimal money stays exact; bools stay bools)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else value
    return value


def set_text_safe(cell: Cell, value: Any) -> None:
    """Write a value; text that looks like a formula (=, +, -, @) stays text, never a formula."""
    cell.value = excel_value(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"


def fitted_width(table: OutputTable, index: int) -> float:
    column = table.columns[index]
    if column.width is not None:
        return column.width
    longest = len(column.name) + 3
    for row in table.rows[:500]:
        value = row[index]
        if isinstance(value, Decimal):
            text = f"{value:,.2f}" + "££"
        elif isinstance(value, date):
            text = "00/00/0000"
        else:
            text = "" if value is None else str(value)
        longest = max(longest, len(text) + 1)
    return float(min(max(longest, 8), 60))


class FileWorkbook:
    """A Forum workbook file. Reads from ``path``; writes go to an in-memory copy until ``save``."""

    def __init__(self, path: Path, *, on_status: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        check_readable(self.path)
        self._tables: dict[str, RawTable] | None = None
        self._book: Workbook | None = None
        self._on_status = on_status

    # -- WorkbookStore ------------------------------------------------------------------------

    def read_tables(self) -> dict[str, RawTable]:
        if self._tables is None:
            self._tables = read_tables(self.path)
        return self._tables

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        book = self.book
        for table in tables:
            write_table(book, table)

    def status(self, message: str) -> None:
        log.info(message)
        if self._on_status is not None:
            self._on_status(message)

    def write_dashboard(self, charts: Sequence[ChartSpec]) -> None:
        """Replace the Dashboard sheet's charts (apmodel.workbook.charts)."""
        from apmodel.workbook.charts import write_dashboard

        write_dashboard(self.book, charts)

    # -- Files --------------------------------------------------------------------------------

    @property
    def book(self) -> Workbook:
        """The openpyxl workbook, loaded on first write (reading never needs it)."""
        if self._book is None:
            try:
                self._book = load_workbook(self.path, keep_vba=self.path.suffix.lower() == ".xlsm", rich_text=True)
            except Exception as exc:  # openpyxl raises many types for damaged files
                raise WorkbookUnreadable(f"{self.path}: cannot be opened for writing ({exc})") from exc
        return self._book

    def save(self, target: Path, *, backup: bool = False) -> Path | None:
        """Write the workbook to ``target`` atomically; with ``backup`` keep a timestamped copy first."""
        kept: Path | None = None
        if backup and target.exists():
            kept = backup_path(target)
            shutil.copy2(target, kept)
        atomic_save(self.book, target)
        return kept


def find_table(book: Workbook, name: str) -> tuple[Worksheet, Table] | None:
    for sheet in book.worksheets:
        # TableList.items() yields (name, ref) pairs, so go through values().
        for table in sheet.tables.values():
            if table.displayName.casefold() == name.casefold():
                return sheet, table
    return None


def _range_bounds(ref: str) -> tuple[int, int, int, int]:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return int(min_col), int(min_row), int(max_col), int(max_row)


def _clear(sheet: Worksheet, ref: str) -> None:
    min_col, min_row, max_col, max_row = _range_bounds(ref)
    for row in sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col):
        for cell in row:
            cell.value = None
            cell.hyperlink = None
            cell.style = "Normal"


def write_table(book: Workbook, table: OutputTable) -> None:
    """Replace the output table ``table.name`` whole, where it is, or on a new sheet of its name."""
    found = find_table(book, table.name)
    if found is not None:
        sheet, old = found
        min_col, min_row, _, _ = _range_bounds(old.ref)
        _clear(sheet, old.ref)
        del sheet.tables[old.name]
    else:
        if table.name in book.sheetnames:
            sheet = book[table.name]
            for tname in list(sheet.tables):
                del sheet.tables[tname]
            sheet.delete_rows(1, sheet.max_row)
        else:
            sheet = book.create_sheet(table.name)
        min_col, min_row = 1, HEADER_ROW
        sheet["A1"] = table.title or table.name
        sheet["A1"].font = TITLE_FONT
        sheet["A2"] = "Written by apmodel on every run: edits here are replaced. Inputs are on the input sheets."
        sheet["A2"].font = NOTE_FONT
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
        for index in range(len(table.columns)):
            sheet.column_dimensions[column_letter(index + 1)].width = fitted_width(table, index)
    _write_block(sheet, table, min_row, min_col)
    last_row = min_row + max(len(table.rows), 1)
    ref = f"{column_letter(min_col)}{min_row}:{column_letter(min_col + len(table.columns) - 1)}{last_row}"
    new = Table(displayName=table.name, ref=ref)
    new.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    sheet.add_table(new)



def _write_block(sheet: Worksheet, table: OutputTable, top: int, left: int) -> None:
    for offset, column in enumerate(table.columns):
        cell = sheet.cell(row=top, column=left + offset)
        set_text_safe(cell, column.name)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [NUMBER_FORMATS.get(column.kind) for column in table.columns]
    money_in_text = [column.kind is Kind.TEXT for column in table.columns]
    is_link = [column.name == "Link" for column in table.columns]
    for row_offset, values in enumerate(table.rows, start=1):
        for offset, value in enumerate(values):
            cell = sheet.cell(row=top + row_offset, column=left + offset)
            if is_link[offset] and value:
                cell.value = LINK_TEXT
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=str(value), display=LINK_TEXT)
                cell.font = LINK_FONT
                continue
            set_text_safe(cell, value)
            number_format = formats[offset]
            if isinstance(value, Decimal) and money_in_text[offset]:
                cell.number_format = NUMBER_FORMATS[Kind.MONEY]
            elif number_format and isinstance(value, int | Decimal | date) and not isinstance(value, bool):
                cell.number_format = number_format
