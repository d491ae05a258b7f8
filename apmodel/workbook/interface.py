"""The ports: the one small interface both adapters implement, and the values that cross it.

A workbook is read as ``RawTable`` values and written as ``OutputTable`` values and the
Dashboard's ``ChartSpec`` charts, through a ``WorkbookStore`` (and a ``DashboardStore`` where
charts can be drawn). The openpyxl adapter works on files, the xlwings adapter on a live book;
the service layer and everything above it only ever see these. Nothing here imports an adapter
or a report (tests/unit/test_code_health.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from apmodel.domain.inputs import normalise
from apmodel.workbook.contract import Column, Kind

#: The XML namespaces of an .xlsx package's parts.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

#: Excel's limit on the length of a worksheet's name.
MAX_SHEET_NAME = 31
#: Day 0 of Excel's 1900 date system: serial 1 is 1 January 1900 (and serials after 60 count the
#: 29 February 1900 Excel keeps, a day that never was).
EXCEL_EPOCH = date(1899, 12, 30)


def column_letter(index: int) -> str:
    """Excel column letters of a 1-based column number (1 -> A, 28 -> AB)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column number of upper-case Excel column letters (A -> 1, AB -> 28)."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class OutputWouldOverwrite(Exception):
    """An output table would grow over the user's own cells or another table: refused, nothing written.

    The message is one plain line naming the output table and what is in its way.
    """


def overlap_message(table: str, sheet: str, what: str) -> str:
    return (
        f"the output table {table} on sheet {sheet!r} would grow over {what}; nothing was written. "
        f"Move {table} (or what is below or beside it) so it has room, or delete {table} to have it "
        "written on a sheet of its own"
    )


class CellError(str):
    """A cell that holds an Excel error (``#REF!``) or a formula Excel never calculated."""

    uncalculated: bool

    def __new__(cls, text: str, *, uncalculated: bool = False) -> CellError:
        marker = super().__new__(cls, text)
        marker.uncalculated = uncalculated
        return marker


@dataclass
class RawTable:
    """An Excel table as read: its header texts and raw cell values, with where it lives.

    Values are what the engine gives: str, int, float, bool, datetime/date, None, or an
    error text such as ``#REF!``. ``header_row`` is the sheet row of the header and
    ``first_column`` the 1-based sheet column of the table's first column, so any data row
    ``i`` (0-based) sits on sheet row ``header_row + 1 + i``.
    """

    name: str
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    header_row: int = 1
    first_column: int = 1
    #: The workbook counts dates from 1904 (old Mac Excel): a plain number in a date column is a serial
    #: of that system, 1,462 days later than the same number in the 1900 system.
    date1904: bool = False

    def index(self, column: str) -> int | None:
        key = normalise(column)
        for i, text in enumerate(self.header):
            if normalise(text) == key:
                return i
        return None

    def sheet_row(self, data_index: int) -> int:
        return self.header_row + 1 + data_index

    def cell_ref(self, sheet_row: int | None, column: str | None) -> str:
        """``'Sheet'!C7`` for a finding's hyperlink (the header cell when no row is known)."""
        col = self.index(column) if column else None
        letter = column_letter(self.first_column + (col if col is not None else 0))
        return f"{quote_sheet(self.sheet)}!{letter}{sheet_row or self.header_row}"


def table_key(tables: dict[str, RawTable], name: str) -> str | None:
    """The key of the table named ``name``; Excel compares table names case-insensitively."""
    if name in tables:
        return name
    folded = name.casefold()
    for key in tables:
        if key.casefold() == folded:
            return key
    return None


def table_named(tables: dict[str, RawTable], name: str) -> RawTable | None:
    """The table named ``name`` (matched as Excel does, ignoring case), or None."""
    key = table_key(tables, name)
    return None if key is None else tables[key]


@dataclass(frozen=True)
class OutColumn:
    name: str
    kind: Kind = Kind.TEXT
    #: Column width in characters (None: fitted to the content by the writer).
    width: float | None = None


def out_columns(columns: Iterable[Column]) -> list[OutColumn]:
    """The contract's declared output columns (``OutputSpec.expand``) as a table's columns."""
    return [OutColumn(c.name, c.kind, c.width) for c in columns]


@dataclass
class OutputTable:
    """An output table: replaced whole on every run, on a sheet of the same name by default.

    Cells hold plain Python values: str, int, Decimal (money is Decimal to the penny), date,
    bool or None. In a TEXT column (Summary's Value, say) a Decimal is money and is written
    as a £ number. A column named ``Link`` holds an internal hyperlink target such as
    ``'Schools'!C7``; writers show it as a clickable "Go to cell".
    """

    name: str
    columns: list[OutColumn]
    rows: list[list[Any]]
    title: str = ""
    #: The LA's name, printed in the footer of the table's sheet.
    la: str = ""
    #: The sheet a writer creates for it goes first in the workbook (the Contents).
    first: bool = False
    #: The sheet a writer creates for it is hidden (the model's own record, not for reading).
    hidden: bool = False
    #: The line under the title of a sheet a writer creates for it ("": layout.NOTE_TEXT, an output's).
    note: str = ""

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


class WorkbookStore(Protocol):
    """What the service layer needs from a workbook, whichever engine holds it."""

    def read_tables(self) -> dict[str, RawTable]:
        """Every Excel table in the workbook, by table name (as the user spelled it)."""
        ...

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        """Replace each named output table whole (create it on its own sheet if new)."""
        ...

    def status(self, message: str) -> None:
        """Tell the user what is happening (Excel's status bar; a log line headless)."""
        ...


# --- The Dashboard's charts, engine-neutral: built from the results by reports/dashboard.py,
# --- drawn by each adapter beside their own data (layout.place_charts).


class ChartKind(StrEnum):
    #: Vertical bars side by side.
    COLUMN = "column"
    #: Horizontal bars side by side (long category names read better down the side).
    BAR = "bar"


@dataclass(frozen=True)
class Series:
    name: str
    #: The figures; ``[c]`` (text) where the Forum copy hides one (apmodel.reports.forum_money).
    values: tuple[Decimal | str, ...]


@dataclass(frozen=True)
class ChartSpec:
    #: Stable identifier (also the chart's name in Excel).
    key: str
    title: str
    kind: ChartKind
    category_title: str
    value_title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    #: One sentence shown above the chart's data: what it shows.
    description: str
    #: How the values read: money (£) or a percentage (their cells and the value axis).
    value_kind: Kind = Kind.MONEY


@runtime_checkable
class DashboardStore(Protocol):
    """A store that can also draw the Dashboard's charts (both adapters; a test double need not)."""

    def write_dashboard(self, charts: Sequence[ChartSpec], la: str = "") -> None: ...
