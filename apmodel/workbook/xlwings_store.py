"""The live-book adapter: a Forum workbook open in Excel, read and written through xlwings.

Rule (docs/forum-workbook.md, "How the workbook is read"; README.md, "How a run works"): both engines
implement one ``WorkbookStore`` and must leave the same cells behind, so this adapter mirrors
``openpyxl_store`` decision for decision (same header row, title, note, number formats, table
style, link text and column widths) while talking to Excel the way Excel is fast:

- every table is found by name on any sheet (ListObjects), and read as two whole blocks
  (header row and data body), never cell by cell;
- every output table is written as one block of values; an existing one keeps its place and
  its ListObject (so the user's references to it keep working) and is resized, its old
  rows cleared; a new one goes on a sheet named like it, title in A1, header in row 3;
- text that Excel would turn into something else (a formula, a number, a date, an error)
  is written with Excel's text prefix ``'``, so it stays exactly the text we wrote;
- a ``Link`` column (or Contents' ``Go to``) becomes ``HYPERLINK`` formulas (layout.link_formula),
  written in the table's one block of values: no call per link;
- progress goes to Excel's status bar and to a status cell beside the ``Summary`` table;
- the book's sheets and tables are found once per click, and a write's formatting is gathered
  in one plan (xlwings_layout): on Excel for Windows with the add-in of this version, its VBA
  answers the index (``ReadIndex``) and applies the plan (``ApplyLayout``), one call each;
  anywhere else (or if the add-in cannot) the same is done step by step through xlwings.

The same code runs on xlwings' remote engine (``xw.Book(json=...)``), which reads a JSON
payload of the book and records every write as an action; the tests use it to check the
writes without Excel (docs/excel-addin.md, "How it is tested").
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

import xlwings as xw

from apmodel.workbook.contract import SUMMARY, Kind
from apmodel.workbook.interface import (
    CellError,
    ChartKind,
    ChartSpec,
    OutputTable,
    OutputWouldOverwrite,
    RawTable,
    column_letter,
    column_number,
    overlap_message,
)
from apmodel.workbook.layout import (
    CHART_HEIGHT_CM,
    CHART_WIDTH_CM,
    DASHBOARD,
    DASHBOARD_TITLE,
    HEADER_ROW,
    LINK_FONT,
    LINK_TEXTS,
    NOTE_FONT,
    NOTE_TEXT,
    NUMBER_FORMATS,
    OUTPUT_TAB,
    POINTS_PER_CM,
    TABLE_STYLE,
    TITLE_FONT,
    Font,
    cell_format,
    dashboard_note,
    dashboard_print_setup,
    data_block,
    excel_value,
    figure_widths,
    fitted_width,
    link_formula,
    new_sheet_layout,
    place_charts,
    width_steps,
    wrapped_columns,
)
from apmodel.workbook.xlwings_layout import (
    FIELD_SEPARATOR,
    STEP_SEPARATOR,
    Plan,
    apply_directly,
    encode,
    failed_steps,
    windows_excel,
)

#: What Excel shows for an error cell (xlwings gives these as text with ``err_to_str``).
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#DATA!",
    }
)
#: Text Excel would read as a formula, number, date, percentage, boolean or error when typed.
_COERCIBLE = re.compile(r"^\s*[=+\-@#']|\d|^\s*(true|false)\s*$", re.IGNORECASE)

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
#: The Dashboard's bold cells (each chart's description and its figures' header row).
BOLD = Font(bold=True)


def layout_macro_engine(app: xw.App) -> bool:
    """Can the add-in's ``ApplyLayout`` format here? On Excel for Windows (COM), where each call
    into Excel is a cross-process round trip (benchmarks/addin_benchmark.py costs this path)."""
    return windows_excel(app)


def cell_text(value: Any) -> Any:
    """A value as written into Excel: text that Excel would reinterpret gets the ``'`` prefix.

    Excel treats a written value like a typed one: ``=A1`` becomes a formula, ``00123`` the
    number 123, ``1/2`` a date, ``#N/A`` an error. The leading apostrophe is Excel's own
    "this is text" marker: it is not part of the value and never shown in the cell.
    """
    if isinstance(value, str):
        if value == "":
            return None
        return "'" + value if _COERCIBLE.search(value) else value
    return excel_value_for_xlwings(value)


def excel_value_for_xlwings(value: Any) -> Any:
    """Decimal money becomes the number Excel stores (a double); everything else passes as is."""
    value = excel_value(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def read_value(value: Any) -> Any:
    """A cell as read, in the same shapes the file reader gives (see ``xlsx_reader``).

    Excel keeps every number as a double and the file reader hands them back as floats; the
    remote engine's JSON can carry whole numbers as ints, so those become floats too (the
    run's input fingerprint hashes the values, so the same cell must give the same value).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if value == "":
            return None
        if value in EXCEL_ERRORS:
            return CellError(value)
        return value
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value


def header_text(value: Any) -> str:
    """A header cell as text (Excel keeps table headers as text; xlwings may hand back 2024.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _block(value: Any) -> list[list[Any]]:
    """A raw block as rows of cells: engines give one cell as a scalar and, on macOS, one row flat."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


Put = Callable[[xw.Sheet, int, int, list[list[Any]]], None]


def address(top: int, left: int, bottom: int | None = None, right: int | None = None) -> str:
    """The A1 address of the range from (top, left) to (bottom, right)."""
    first = f"{column_letter(left)}{top}"
    if bottom is None or right is None or (bottom, right) == (top, left):
        return first
    return f"{first}:{column_letter(right)}{bottom}"


def area(sheet: xw.Sheet, top: int, left: int, bottom: int | None = None, right: int | None = None) -> xw.Range:
    """The range from (top, left) to (bottom, right), named by its A1 address.

    One call into Excel (``Worksheet.Range("A3:H9")``), where corners given as (row, column)
    pairs cost three (``Cells`` twice, then ``Range``).
    """
    return sheet.range(address(top, left, bottom, right))


def _write_heading(put: Put, plan: Plan, sheet: xw.Sheet, name: str, title: str, note: str) -> None:
    """A sheet this adapter creates starts with its title in A1 and a note in A2, as the file adapter's."""
    put(sheet, 1, 1, [[cell_text(title)], [cell_text(note)]])
    plan.font(name, "A1", TITLE_FONT)
    plan.font(name, "A2", NOTE_FONT)


def format_blocks(table: OutputTable) -> list[tuple[int, int, int, int, str]]:
    """(first column offset, last column offset, first row offset, last row offset, format).

    The runs of ``format_runs`` with side-by-side columns joined where their runs are the same
    (same rows, same format): a table's adjacent amount columns take their format in one call.
    """
    blocks: list[tuple[int, int, int, int, str]] = []
    for offset, first, last, number_format in format_runs(table):
        if blocks:
            left, right, top, bottom, previous = blocks[-1]
            if right == offset - 1 and (top, bottom, previous) == (first, last, number_format):
                blocks[-1] = (left, offset, top, bottom, previous)
                continue
        blocks.append((offset, offset, first, last, number_format))
    return blocks


def format_runs(table: OutputTable) -> list[tuple[int, int, int, str]]:
    """(column offset, first row offset, last row offset, format): one call per run of equal formats.

    A blank cell shows no number format, so it never breaks a run: it takes the format of the
    run it sits in. A column of amounts with gaps is one call, not one per stretch between
    gaps; the filled cells get exactly the formats the file adapter gives them.
    """
    runs: list[tuple[int, int, int, str]] = []
    for offset, column in enumerate(table.columns):
        if column.name in LINK_TEXTS:
            continue
        column_format = NUMBER_FORMATS.get(column.kind)
        text_column = column.kind is Kind.TEXT
        start, current, started = 0, None, False  # the run so far: its first row and its format
        for index, row in enumerate(table.rows):
            if row[offset] is None or row[offset] == "":
                continue
            wanted = cell_format(row[offset], column_format, text_column)
            if not started:
                current, started = wanted, True  # leading blanks join the first run
            elif wanted != current:
                if current is not None:
                    runs.append((offset, start, index - 1, current))
                start, current = index, wanted
        if current is not None:
            runs.append((offset, start, len(table.rows) - 1, current))
    return runs


_ADDRESS = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _position(whole: xw.Range) -> tuple[int, int, int, int]:
    """(top, left, rows, columns) of a range, from its address: one call into Excel, not six."""
    found = _ADDRESS.match(str(whole.address))
    if found is None:  # an address this adapter does not expect: ask for each part
        rows, columns = whole.shape
        return whole.row, whole.column, rows, columns
    first, top, last, bottom = found.groups()
    left, right = column_number(first), column_number(last or first)
    return int(top), left, int(bottom or top) - int(top) + 1, right - left + 1


@dataclass
class Placed:
    """Where an output table sits after a write (the remote engine's metadata is not live)."""

    sheet: str
    top: int
    left: int
    rows: int
    columns: int


@dataclass
class Indexed:
    """A table as the index found it: its name and its sheet's (as Excel spells them), and what is
    known so far of it (its ``xw.Table``, where it is, whether it has a header and a totals row),
    the rest asked of Excel when first needed."""

    name: str
    sheet: str
    table: Any = None
    placed: Placed | None = None
    headed: bool | None = None
    totalled: bool | None = None


IndexOfSheets = list[tuple[str, "xw.Sheet | None", list[Indexed]]]


def index_directly(sheets: xw.main.Sheets) -> IndexOfSheets:
    """Each sheet's name and tables, asked of Excel one by one: each sheet's name and tables, each
    table's name (its place and header asked later, only of the tables that are read or written)."""
    found: IndexOfSheets = []
    for sheet in sheets:
        name = str(sheet.name)
        found.append((name, sheet, [Indexed(str(table.name), name, table) for table in sheet.tables]))
    return found


def full_index(sheets: xw.main.Sheets) -> IndexOfSheets:
    """``index_directly`` with every table's place and header asked too: what ``ReadIndex`` gives."""
    found = index_directly(sheets)
    for _name, _sheet, tables in found:
        for entry in tables:
            entry.placed = Placed(entry.sheet, *_position(entry.table.range))
            entry.headed, entry.totalled = bool(entry.table.show_headers), bool(entry.table.show_totals)
    return found


#: ``ReadIndex``'s answer: a record per sheet (``S``, its name) and after it one per table of that
#: sheet (``T``, name, address, header 1/0, totals row 1/0), separated as in a layout plan.
_SHEET, _TABLE = "S", "T"


def parse_index(answer: Any) -> IndexOfSheets | None:
    """The add-in's ``ReadIndex`` answer as an index; None if it is not an answer it gives."""
    if not isinstance(answer, str) or not answer:
        return None
    found: IndexOfSheets = []
    for record in answer.split(STEP_SEPARATOR):
        fields = record.split(FIELD_SEPARATOR)
        if fields[0] == _SHEET and len(fields) == 2:
            found.append((fields[1], None, []))
            continue
        position = _ADDRESS.match(fields[2]) if fields[0] == _TABLE and len(fields) == 5 and found else None
        if position is None:
            return None
        first, top, last, bottom = position.groups()
        left, right = column_number(first), column_number(last or first)
        sheet = found[-1][0]
        placed = Placed(sheet, int(top), left, int(bottom or top) - int(top) + 1, right - left + 1)
        found[-1][2].append(Indexed(fields[1], sheet, None, placed, fields[3] == "1", fields[4] == "1"))
    return found


def index_text(found: IndexOfSheets) -> str:
    """An index as ``ReadIndex`` answers it (what the tests and the benchmark answer for the add-in)."""
    records: list[str] = []
    for sheet_name, _sheet, tables in found:
        records.append(FIELD_SEPARATOR.join((_SHEET, sheet_name)))
        for entry in tables:
            assert entry.placed is not None and entry.headed is not None and entry.totalled is not None
            where = entry.placed
            ref = address(where.top, where.left, where.top + where.rows - 1, where.left + where.columns - 1)
            flags = ("1" if entry.headed else "0", "1" if entry.totalled else "0")
            records.append(FIELD_SEPARATOR.join((_TABLE, entry.name, ref, *flags)))
    return STEP_SEPARATOR.join(records)


class XlwingsStore:
    """A ``WorkbookStore`` over an ``xw.Book``: a live Excel book, or a remote-engine payload."""

    def __init__(self, book: xw.Book, *, clock: Clock | None = None, addin_module: str | None = None) -> None:
        """``addin_module``: the add-in's ``apmodel_layout`` module as ``Application.Run`` names it
        (``'apmodel.xlam'!apmodel_layout``), when the add-in that called is the one built with this
        version: its ``ReadIndex`` finds the tables and its ``ApplyLayout`` formats, each in one call."""
        self.book = book
        self._clock = clock or datetime.now
        self._addin_module = addin_module
        self._plan = Plan()
        self._placed: dict[str, Placed] = {}
        #: The book's sheets (their names as Excel spells them) and tables by case-folded name,
        #: looked up in Excel once per command (every round trip to Excel costs): kept up to date
        #: as this store adds sheets and tables. A sheet's ``xw.Sheet`` is fetched when first needed.
        self._sheet_names: dict[str, str] = {}
        self._sheet_objects: dict[str, xw.Sheet] = {}
        self._tables: dict[str, Indexed] = {}
        self._last_sheet: str | None = None
        self._indexed = False
        self._engine_impl: Any = None
        self._app_object: xw.App | None = None
        self._sheets_object: xw.main.Sheets | None = None

    # -- WorkbookStore ------------------------------------------------------------------------

    def read_tables(self) -> dict[str, RawTable]:
        tables: dict[str, RawTable] = {}
        for entry in list(self._index().values()):
            raw = self._read_table(entry)
            tables[raw.name] = raw
        return tables

    def sheet_names(self) -> list[str]:
        """The book's sheets in tab order, from the index the tables were found with (no more calls)."""
        self._index()
        return list(self._sheet_names.values())

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        # Every table is checked before any is written, so a refusal leaves the book as it was.
        for table in tables:
            self._check_room(table)
        app = self._app()
        app.screen_updating = False
        try:
            for table in tables:
                self._write_table(table)
            self._apply_plan()
        finally:
            app.screen_updating = True

    def status(self, message: str) -> None:
        """Excel's status bar and the status cell beside ``Summary`` (the remote engine has no bar)."""
        with contextlib.suppress(NotImplementedError):
            self._app().status_bar = f"AP Funding: {message}"
        cell = self.status_cell()
        if cell is not None:
            sheet_name, row, column = cell
            stamped = f"{message} ({self._clock():%d/%m/%Y %H:%M})"
            area(self._sheet(sheet_name), row, column).value = cell_text(stamped)

    def write_dashboard(self, charts: Sequence[ChartSpec], la: str = "") -> None:
        """The Dashboard sheet as the file adapter writes it: each chart's data, then the chart.

        Charts need xlwings 0.37.3 or later (``sheet.charts.add`` with an anchor and a name) and
        an engine that draws them; where they cannot be drawn the figures are still written and
        the status line says so.
        """
        app = self._app()
        app.screen_updating = False
        try:
            _name, sheet = self._fresh_sheet(DASHBOARD)
            drawn = self._draw_dashboard(sheet, charts)
            self._plan.page(DASHBOARD, dashboard_print_setup(la), OUTPUT_TAB)
            self._apply_plan()
        finally:
            app.screen_updating = True
        if not drawn:
            self.status("Dashboard: figures written; this Excel could not draw the charts")

    def _draw_dashboard(self, sheet: xw.Sheet, charts: Sequence[ChartSpec]) -> bool:
        drawn = True
        try:
            while sheet.charts.count:
                sheet.charts[0].delete()
        except (NotImplementedError, AttributeError):
            drawn = False
        plan, name = self._plan, DASHBOARD
        _write_heading(self._put, plan, sheet, name, DASHBOARD_TITLE, dashboard_note(charts))
        placed_charts = place_charts(charts)
        plan.width(name, "A1", 26)
        last_column = max((p.data_columns for p in placed_charts), default=1)
        if last_column >= 2:
            plan.width(name, address(1, 2, 1, last_column), 18)
        for placed in placed_charts:
            spec = placed.chart
            self._put(sheet, placed.description_row, 1, [[cell_text(f"{spec.title}. {spec.description}")]])
            plan.font(name, address(placed.description_row, 1), BOLD)
            top, last = placed.data_row, placed.data_row + placed.data_rows - 1
            self._put(sheet, top, 1, [[cell_text(v) for v in row] for row in data_block(spec)])
            plan.font(name, address(top, 1, top, placed.data_columns), BOLD)
            if not spec.categories:
                continue
            plan.number_format(name, address(top + 1, 2, last, placed.data_columns), NUMBER_FORMATS[spec.value_kind])
            if drawn:
                block = area(sheet, top, 1, last, placed.data_columns)
                drawn = self._add_chart(sheet, spec, block, area(sheet, top, placed.chart_column))
        return drawn

    def _add_chart(self, sheet: xw.Sheet, spec: ChartSpec, source: xw.Range, anchor: xw.Range) -> bool:
        try:
            chart = sheet.charts.add(
                width=CHART_WIDTH_CM * POINTS_PER_CM,
                height=CHART_HEIGHT_CM * POINTS_PER_CM,
                chart_type="bar_clustered" if spec.kind is ChartKind.BAR else "column_clustered",
                source=source,
                plot_by="columns",
                name=spec.key,
                anchor=anchor,
            )
            chart.title = spec.title
        except (NotImplementedError, TypeError, AttributeError):
            return False
        self._plan.alt_text(DASHBOARD, spec)
        return True

    # -- Beyond the interface: what the ribbon commands need ------------------------------------

    def status_cell(self) -> tuple[str, int, int] | None:
        """(sheet, row, column) of the status cell: on the Summary header row, one column clear of it."""
        placed = self._locate(SUMMARY)
        if placed is None:
            return None
        return placed.sheet, placed.top, placed.left + placed.columns + 1

    def release_status_bar(self) -> None:
        """Hand the status bar back to Excel when a command ends."""
        with contextlib.suppress(NotImplementedError):
            self._app().status_bar = False

    def show(self, table_name: str) -> bool:
        """Bring the sheet holding ``table_name`` to the front; False if the book has no such table."""
        placed = self._locate(table_name)
        if placed is None:
            return False
        self._sheet(placed.sheet).activate()
        return True

    # -- The book's sheets and tables, found once -------------------------------------------------

    def _index(self) -> dict[str, Indexed]:
        """Every table of the book by case-folded name, found the first time it is asked: from the
        add-in's ``ReadIndex`` in one call where it can (Excel for Windows), else one pass over the sheets."""
        if not self._indexed:
            found = self._index_from_addin()
            if found is None:
                found = index_directly(self._book_sheets())
            for sheet_name, sheet, tables in found:
                self._remember_sheet(sheet_name, sheet)
                for entry in tables:
                    self._tables[entry.name.casefold()] = entry
                    if entry.placed is not None:
                        self._placed.setdefault(entry.name.casefold(), entry.placed)
            self._indexed = True
        return self._tables

    def _index_from_addin(self) -> list[tuple[str, xw.Sheet | None, list[Indexed]]] | None:
        if self._addin_module is None or not layout_macro_engine(self._app()):
            return None
        try:
            answer = self._app().macro(f"{self._addin_module}.ReadIndex")(str(self.book.name))
        except Exception:  # the add-in could not run it: find the tables one by one
            log.warning(
                "The add-in's %s.ReadIndex could not be run: working step by step", self._addin_module, exc_info=True
            )
            self._addin_module = None  # nor will its ApplyLayout: not asked again this click
            return None
        return parse_index(answer)

    def _remember_sheet(self, name: str, sheet: xw.Sheet | None) -> None:
        self._sheet_names[name.casefold()] = self._last_sheet = name
        if sheet is not None:
            self._sheet_objects[name.casefold()] = sheet

    def _sheet(self, name: str) -> xw.Sheet:
        """The sheet named ``name`` (fetched from Excel the first time: one call)."""
        self._index()
        key = name.casefold()
        sheet = self._sheet_objects.get(key)
        if sheet is None:
            sheet = self._sheet_objects[key] = self._book_sheets()[self._sheet_names[key]]
        return sheet

    def _table_object(self, entry: Indexed) -> Any:
        """The ``xw.Table`` of an indexed table (fetched from Excel the first time: two calls)."""
        if entry.table is None:
            entry.table = self._sheet(entry.sheet).tables[entry.name]
        return entry.table

    # -- Reading --------------------------------------------------------------------------------

    def _read_table(self, entry: Indexed) -> RawTable:
        """A table as one raw block (header, body and any totals row): two calls into Excel once
        the index knows where the table is and how it is headed (else five).

        The block comes as the engine delivers it (``raw_value``) and is cleaned here by that
        engine's own ``clean_value_data``, exactly as xlwings' ``.value`` reader would clean it
        (COM dates on Windows, ISO text remotely, error cells as their text), without the
        reader's own dozens of calls into Excel per range.
        """
        if entry.placed is None:  # found one by one: its range, asked once, gives its place too
            whole = self._table_object(entry).range
            entry.placed = Placed(entry.sheet, *_position(whole))
        else:
            where = entry.placed
            bottom, right = where.top + where.rows - 1, where.left + where.columns - 1
            whole = area(self._sheet(entry.sheet), where.top, where.left, bottom, right)
        if entry.headed is None or entry.totalled is None:
            table = self._table_object(entry)
            entry.headed, entry.totalled = bool(table.show_headers), bool(table.show_totals)
        where = entry.placed
        block = _block(whole.options(err_to_str=True).raw_value)
        clean = self._engine().clean_value_data
        header_block, body_block = (block[:1], block[1:]) if entry.headed else ([], block)
        if entry.totalled:
            body_block = body_block[:-1]
        header = [header_text(v) for v in clean(header_block, datetime, None, None, False)[0]] if header_block else []
        body = [list(row) for row in clean(body_block, datetime, None, None, True)]
        rows = [[read_value(v) for v in row] for row in body]
        width = len(header)
        rows = [row + [None] * (width - len(row)) for row in rows]
        self._placed.setdefault(entry.name.casefold(), where)
        return RawTable(
            name=entry.name,
            sheet=entry.sheet,
            header=header,
            rows=rows,
            header_row=where.top,
            first_column=where.left,
        )

    def _app(self) -> xw.App:
        """The Excel the book is open in, asked for once per command (each ask is two calls into Excel)."""
        if self._app_object is None:
            self._app_object = self.book.app
        return self._app_object

    def _book_sheets(self) -> xw.main.Sheets:
        """The book's Sheets collection, asked for once per command."""
        if self._sheets_object is None:
            self._sheets_object = self.book.sheets
        return self._sheets_object

    def _engine(self) -> Any:
        """The engine behind the book (COM, appscript or remote), asked for once per command."""
        if self._engine_impl is None:
            self._engine_impl = self._app().engine.impl
        return self._engine_impl

    def _find(self, name: str) -> Indexed | None:
        return self._index().get(name.casefold())

    def _locate(self, name: str) -> Placed | None:
        placed = self._placed.get(name.casefold())
        if placed is not None:
            return placed
        found = self._find(name)
        if found is None:
            return None
        if found.placed is None:
            found.placed = Placed(found.sheet, *_position(self._table_object(found).range))
        self._placed[name.casefold()] = found.placed
        return found.placed

    # -- Writing --------------------------------------------------------------------------------

    def _write_table(self, table: OutputTable) -> None:
        width = len(table.columns)
        links = [i for i, column in enumerate(table.columns) if column.name in LINK_TEXTS]
        height = 1 + max(len(table.rows), 1)
        found = self._find(table.name)
        if found is not None:
            name, sheet = found.sheet, self._sheet(found.sheet)
            old = self._locate(table.name)
            assert old is not None
            top, left = old.top, old.left
            self._clear_old(sheet, old, width)
            self._table_object(found).resize(area(sheet, top, left, top + height - 1, left + width - 1))
            self._write_values(sheet, table, top, left, links)
            for first, last, needed in width_steps(figure_widths(table)):
                self._plan.widen(name, address(1, left + first, 1, left + last), needed)
        else:
            name, sheet = self._fresh_sheet(table.name, first=table.first)
            if table.hidden:
                sheet.visible = False
            top, left = HEADER_ROW, 1
            self._plan.font(name, "A1", TITLE_FONT)
            self._plan.font(name, "A2", NOTE_FONT)
            layout = new_sheet_layout(table)
            for first, last, column_width in width_runs(layout.widths):
                self._plan.width(name, address(1, left + first, 1, left + last), column_width)
            self._plan.page(name, layout.setup, OUTPUT_TAB)
            if layout.header_height is not None:
                self._plan.height(name, address(top, left, top, left), layout.header_height)
            if not table.hidden:  # (a hidden sheet cannot be shown to freeze it, and nobody scrolls it)
                self._plan.freeze(name, HEADER_ROW)
            heading = (layout.title, table.note or NOTE_TEXT)
            self._write_values(sheet, table, top, left, links, heading=heading)
            added = sheet.tables.add(
                source=area(sheet, top, left, top + height - 1, left + width - 1),
                name=table.name,
                table_style_name=TABLE_STYLE,
                has_headers=True,
            )
            self._tables[table.name.casefold()] = Indexed(table.name, name, added, headed=True, totalled=False)
        self._decorate(name, table, top, left)
        self._style_links(name, table, top, left, links)
        self._placed[table.name.casefold()] = Placed(name, top, left, height, width)

    def _check_room(self, table: OutputTable) -> None:
        """Refuse (``OutputWouldOverwrite``) a table that would grow over another table or a filled cell.

        Costs nothing while a table stays inside its old range; a growing one reads only the cells
        it would grow into (one call a strip) and the positions of the other tables on its sheet.
        """
        found = self._find(table.name)
        old = self._locate(table.name)
        if found is None or old is None:
            return
        sheet = self._sheet(found.sheet)
        right = old.left + len(table.columns) - 1
        bottom = old.top + max(len(table.rows), 1)
        old_right, old_bottom = old.left + old.columns - 1, old.top + old.rows - 1
        if right <= old_right and bottom <= old_bottom:
            return
        shown = found.name
        for key, entry in self._index().items():
            if key == table.name.casefold() or entry.sheet.casefold() != found.sheet.casefold():
                continue
            other = self._locate(entry.name)
            assert other is not None
            o_right, o_bottom = other.left + other.columns - 1, other.top + other.rows - 1
            if other.top <= bottom and old.top <= o_bottom and other.left <= right and old.left <= o_right:
                ref = f"{column_letter(other.left)}{other.top}:{column_letter(o_right)}{o_bottom}"
                what = f"the table {entry.name} at {ref}"
                raise OutputWouldOverwrite(overlap_message(shown, old.sheet, what))
        strips = []
        if bottom > old_bottom:
            strips.append((old_bottom + 1, old.left, bottom, right))
        if right > old_right:
            strips.append((old.top, old_right + 1, min(bottom, old_bottom), right))
        for top, left, last_row, last_column in strips:
            for r, row in enumerate(_block(area(sheet, top, left, last_row, last_column).raw_value)):
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        what = f"your cell {column_letter(left + c)}{top + r}"
                        raise OutputWouldOverwrite(overlap_message(shown, old.sheet, what))

    def _fresh_sheet(self, name: str, *, first: bool = False) -> tuple[str, xw.Sheet]:
        """The sheet named like a new output table (its name as Excel spells it, and the sheet):
        emptied if it exists, else added at the end (or first)."""
        self._index()
        spelled = self._sheet_names.get(name.casefold())
        if spelled is not None:
            sheet = self._sheet(spelled)
            sheet.clear()
            return spelled, sheet
        # What xlwings' Sheets.add(name=, after=) does, less its check that no sheet has the name,
        # which reads every sheet's name again (a round trip each): the index has ruled that out.
        if first:
            sheets = self._book_sheets()
            sheet = xw.Sheet(impl=sheets.impl.add(sheets[0].impl, None, name))
            last = self._last_sheet
            self._remember_sheet(name, sheet)
            self._last_sheet = last  # new sheets still go after the last one
            return name, sheet
        after = self._sheet(self._last_sheet).impl if self._last_sheet is not None else None
        sheet = xw.Sheet(impl=self._book_sheets().impl.add(None, after, name))
        self._remember_sheet(name, sheet)
        return name, sheet

    @staticmethod
    def _clear_old(sheet: xw.Sheet, old: Placed, width: int) -> None:
        """Clear the old table's rows (values and formats: the new rows get their own) and any header
        cells of columns the new table no longer has; its position is known, so nothing is asked."""
        right = old.left + old.columns - 1
        if old.rows > 1:
            area(sheet, old.top + 1, old.left, old.top + old.rows - 1, right).clear()
        if old.columns > width:
            area(sheet, old.top, old.left + width, old.top, right).clear()

    def _write_values(
        self,
        sheet: xw.Sheet,
        table: OutputTable,
        top: int,
        left: int,
        links: list[int],
        *,
        heading: tuple[str, str] | None = None,
    ) -> None:
        """Header and rows as one block of values (a table always keeps one body row); ``links``: Link columns.

        ``heading``: a new sheet's title and note (A1 and A2, above a table in column A), written
        in the same block: one call into Excel for the whole sheet.
        """
        width = len(table.columns)
        block: list[list[Any]] = [[cell_text(column.name) for column in table.columns]]
        if heading is not None:
            blank = [None] * (width - 1)
            gap = [[None] * width for _ in range(top - 3)]
            block = [[cell_text(heading[0]), *blank], [cell_text(heading[1]), *blank], *gap, *block]
            top = 1
        for values in table.rows:
            row = [cell_text(value) for value in values]
            for index in links:
                target, text = values[index], LINK_TEXTS[table.columns[index].name]
                row[index] = link_formula(str(target), text) if target else None
            block.append(row)
        if not table.rows:
            block.append([None] * width)
        self._put(sheet, top, left, block)

    def _put(self, sheet: xw.Sheet, top: int, left: int, block: list[list[Any]]) -> None:
        """A block of values into the range it exactly fills, in one engine call.

        ``Range.value`` costs two range resizes per write (each a string of calls into Excel);
        ``raw_value`` hands the block straight to the engine, so each value is first prepared
        as ``.value`` would prepare it, by the engine's own ``prepare_xl_data_element`` (dates
        and blanks in the form that engine takes: COM time on Windows, ISO text remotely).
        """
        prepare = self._engine().prepare_xl_data_element
        rows = [[prepare(value, {}) for value in row] for row in block]
        area(sheet, top, left, top + len(rows) - 1, left + len(rows[0]) - 1).raw_value = rows

    def _decorate(self, sheet: str, table: OutputTable, top: int, left: int) -> None:
        """Header alignment and number formats (one step per block of equal formats)."""
        width, plan = len(table.columns), self._plan
        header = address(top, left, top, left + width - 1)
        plan.wrap(sheet, header)
        plan.bottom(sheet, header)
        # Long text wraps (live Excel then fits each row's height to it itself).
        wrap = wrapped_columns(table, [fitted_width(table, i) for i in range(width)])
        for offset in (i for i, wraps in enumerate(wrap) if wraps and table.rows):
            plan.wrap(sheet, address(top + 1, left + offset, top + len(table.rows), left + offset))
        for first_offset, last_offset, first, last, number_format in format_blocks(table):
            block = address(top + 1 + first, left + first_offset, top + 1 + last, left + last_offset)
            plan.number_format(sheet, block, number_format)

    def _style_links(self, sheet: str, table: OutputTable, top: int, left: int, links: list[int]) -> None:
        """The link font (layout.LINK_FONT) on each ``links`` column, from its first link to its last.

        The links themselves are ``HYPERLINK`` formulas among the table's values; this is their
        look, in one range a column (a blank cell between two links takes the colour and shows
        nothing). xlwings has no underline, so Excel for Windows gets it through COM; other
        engines show the colour only.
        """
        for index in links:
            linked = [offset for offset, values in enumerate(table.rows, start=1) if values[index]]
            if linked:
                cells = address(top + linked[0], left + index, top + linked[-1], left + index)
                self._plan.font(sheet, cells, LINK_FONT)

    # -- Formatting: the plan of one write, applied in one go (xlwings_layout) -----------------------

    def _apply_plan(self) -> None:
        """Every formatting step gathered since the last write: through the add-in in one call where
        it can take them (Excel for Windows, the add-in of this version), else step by step."""
        steps = self._plan.take()
        if not steps:
            return
        app = self._app()
        failed: list[int] | None = None
        if self._addin_module is not None and layout_macro_engine(app):
            try:
                answer = app.macro(f"{self._addin_module}.ApplyLayout")(str(self.book.name), encode(steps))
            except Exception:  # the add-in could not run it (an older add-in, a blocked macro)
                log.warning(
                    "The add-in's %s.ApplyLayout could not be run: formatting step by step",
                    self._addin_module,
                    exc_info=True,
                )
                self._addin_module = None
            else:
                failed = failed_steps(answer, len(steps))
        todo = steps if failed is None else [steps[index] for index in failed]
        for step in todo:
            apply_directly(step, self._sheet(step.sheet), app)


def width_runs(widths: Sequence[float]) -> list[tuple[int, int, float]]:
    """(first offset, last offset, width) to set in order so each column ends with its width.

    The commonest width (when two or more columns share it) goes on the whole span in one call;
    then each run of equal widths among the other columns. Column widths take one value per
    call, so this is how a sheet's widths cost fewer calls than its columns.
    """
    if not widths:
        return []
    common = max(widths, key=widths.count)
    base = widths.count(common) > 1
    runs: list[tuple[int, int, float]] = [(0, len(widths) - 1, common)] if base else []
    start: int | None = None
    for index in range(len(widths) + 1):
        ended = index == len(widths) or (base and widths[index] == common)
        if start is not None and (ended or widths[index] != widths[start]):
            runs.append((start, index - 1, widths[start]))
            start = None
        if not ended and start is None:
            start = index
    return runs
