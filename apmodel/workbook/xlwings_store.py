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
- progress goes to Excel's status bar and to a status cell beside the ``Summary`` table.

The same code runs on xlwings' remote engine (``xw.Book(json=...)``), which reads a JSON
payload of the book and records every write as an action; the tests use it to check the
writes without Excel (docs/excel-addin.md, "How it is tested").
"""

from __future__ import annotations

import contextlib
import re
import sys
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
    MARGINS,
    NOTE_FONT,
    NOTE_TEXT,
    NUMBER_FORMATS,
    OUTPUT_TAB,
    PAPER_A4,
    POINTS_PER_CM,
    TABLE_STYLE,
    TITLE_FONT,
    Font,
    PrintSetup,
    cell_format,
    chart_alt_text,
    dashboard_note,
    dashboard_print_setup,
    data_block,
    excel_value,
    fitted_width,
    link_formula,
    place_charts,
    print_setup,
    wrapped_columns,
)

#: What Excel shows for an error cell (xlwings gives these as text with ``err_to_str``).
EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#DATA!",
    }
)
#: Text Excel would read as a formula, number, date, percentage, boolean or error when typed.
_COERCIBLE = re.compile(r"^\s*[=+\-@#']|\d|^\s*(true|false)\s*$", re.IGNORECASE)

Clock = Callable[[], datetime]


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


def area(sheet: xw.Sheet, top: int, left: int, bottom: int | None = None, right: int | None = None) -> xw.Range:
    """The range from (top, left) to (bottom, right), named by its A1 address.

    One call into Excel (``Worksheet.Range("A3:H9")``), where corners given as (row, column)
    pairs cost three (``Cells`` twice, then ``Range``).
    """
    first = f"{column_letter(left)}{top}"
    if bottom is None or right is None or (bottom, right) == (top, left):
        return sheet.range(first)
    return sheet.range(f"{first}:{column_letter(right)}{bottom}")


def _write_heading(put: Put, sheet: xw.Sheet, title: str, note: str) -> None:
    """A sheet this adapter creates starts with its title in A1 and a note in A2, as the file adapter's."""
    put(sheet, 1, 1, [[cell_text(title)], [cell_text(note)]])
    _set_font(area(sheet, 1, 1), TITLE_FONT)
    _set_font(area(sheet, 2, 1), NOTE_FONT)


def _set_font(cell: xw.Range, look: Font) -> None:
    """The layout's font on a range (only what it sets: the rest stays Excel's default)."""
    font = cell.font  # fetched once: each ``cell.font`` is a call into Excel
    if look.bold:
        font.bold = True
    if look.size is not None:
        font.size = look.size
    if look.italic:
        font.italic = True
    if look.colour is not None:
        red, green, blue = (int(look.colour[i : i + 2], 16) for i in (0, 2, 4))
        font.color = (red, green, blue)


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


class XlwingsStore:
    """A ``WorkbookStore`` over an ``xw.Book``: a live Excel book, or a remote-engine payload."""

    def __init__(self, book: xw.Book, *, clock: Clock | None = None) -> None:
        self.book = book
        self._clock = clock or datetime.now
        self._placed: dict[str, Placed] = {}
        #: The book's sheets and tables by case-folded name, looked up in Excel once per command
        #: (every round trip to Excel costs): kept up to date as this store adds sheets and tables.
        self._sheets: dict[str, xw.Sheet] = {}
        self._tables: dict[str, tuple[xw.Sheet, Any]] = {}
        #: The names as Excel spells them, read in the same pass: tables by case-folded name,
        #: sheets by the identity of the ``xw.Sheet`` kept in ``_sheets``.
        self._table_names: dict[str, str] = {}
        self._sheet_names: dict[int, str] = {}
        self._last_sheet: xw.Sheet | None = None
        self._indexed = False
        self._engine_impl: Any = None
        self._app_object: xw.App | None = None
        self._sheets_object: xw.main.Sheets | None = None

    # -- WorkbookStore ------------------------------------------------------------------------

    def read_tables(self) -> dict[str, RawTable]:
        tables: dict[str, RawTable] = {}
        for key, (sheet, table) in self._index().items():
            raw = self._read_table(sheet, table, self._table_names[key])
            tables[raw.name] = raw
        return tables

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        # Every table is checked before any is written, so a refusal leaves the book as it was.
        for table in tables:
            self._check_room(table)
        app = self._app()
        app.screen_updating = False
        try:
            for table in tables:
                self._write_table(table)
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
            sheet = self._fresh_sheet(DASHBOARD)
            drawn = self._draw_dashboard(sheet, charts)
            set_print_setup(sheet, dashboard_print_setup(la), OUTPUT_TAB, app)
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
        _write_heading(self._put, sheet, DASHBOARD_TITLE, dashboard_note(charts))
        placed_charts = place_charts(charts)
        area(sheet, 1, 1).column_width = 26
        for column in range(2, max((p.data_columns for p in placed_charts), default=1) + 1):
            area(sheet, 1, column).column_width = 18
        for placed in placed_charts:
            spec = placed.chart
            self._put(sheet, placed.description_row, 1, [[cell_text(f"{spec.title}. {spec.description}")]])
            area(sheet, placed.description_row, 1).font.bold = True
            top, last = placed.data_row, placed.data_row + placed.data_rows - 1
            block = area(sheet, top, 1, last, placed.data_columns)
            self._put(sheet, top, 1, [[cell_text(v) for v in row] for row in data_block(spec)])
            area(sheet, top, 1, top, placed.data_columns).font.bold = True
            if not spec.categories:
                continue
            area(sheet, top + 1, 2, last, placed.data_columns).number_format = NUMBER_FORMATS[spec.value_kind]
            if drawn:
                drawn = self._add_chart(sheet, spec, block, area(sheet, top, placed.chart_column), self._app())
        return drawn

    @staticmethod
    def _add_chart(sheet: xw.Sheet, spec: ChartSpec, source: xw.Range, anchor: xw.Range, app: xw.App) -> bool:
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
        set_alt_text(sheet, spec, app)
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

    def _index(self) -> dict[str, tuple[xw.Sheet, Any]]:
        """Every table of the book by case-folded name (one pass over the sheets, the first time)."""
        if not self._indexed:
            for sheet in self._book_sheets():
                self._remember_sheet(sheet, sheet.name)
                for table in sheet.tables:
                    self._remember_table(sheet, table, str(table.name))
            self._indexed = True
        return self._tables

    def _remember_sheet(self, sheet: xw.Sheet, name: str) -> None:
        self._sheets[name.casefold()] = self._last_sheet = sheet
        self._sheet_names[id(sheet)] = name

    def _remember_table(self, sheet: xw.Sheet, table: Any, name: str) -> None:
        self._tables[name.casefold()] = (sheet, table)
        self._table_names[name.casefold()] = name

    def _sheet_name(self, sheet: xw.Sheet) -> str:
        return self._sheet_names[id(sheet)]

    def _sheet(self, name: str) -> xw.Sheet:
        self._index()
        return self._sheets[name.casefold()]

    # -- Reading --------------------------------------------------------------------------------

    def _read_table(self, sheet: xw.Sheet, table: Any, name: str) -> RawTable:
        """A table as one raw block (header, body and any totals row), in five calls into Excel.

        The block comes as the engine delivers it (``raw_value``) and is cleaned here by that
        engine's own ``clean_value_data``, exactly as xlwings' ``.value`` reader would clean it
        (COM dates on Windows, ISO text remotely, error cells as their text), without the
        reader's own dozens of calls into Excel per range.
        """
        whole = table.range
        position = _position(whole)
        headed, totalled = bool(table.show_headers), bool(table.show_totals)
        block = _block(whole.options(err_to_str=True).raw_value)
        clean = self._engine().clean_value_data
        header_block, body_block = (block[:1], block[1:]) if headed else ([], block)
        if totalled:
            body_block = body_block[:-1]
        header = [header_text(v) for v in clean(header_block, datetime, None, None, False)[0]] if header_block else []
        body = [list(row) for row in clean(body_block, datetime, None, None, True)]
        rows = [[read_value(v) for v in row] for row in body]
        width = len(header)
        rows = [row + [None] * (width - len(row)) for row in rows]
        sheet_name = self._sheet_name(sheet)
        self._placed.setdefault(name.casefold(), Placed(sheet_name, *position))
        return RawTable(
            name=name,
            sheet=sheet_name,
            header=header,
            rows=rows,
            header_row=position[0],
            first_column=position[1],
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

    def _find(self, name: str) -> tuple[xw.Sheet, Any] | None:
        return self._index().get(name.casefold())

    def _locate(self, name: str) -> Placed | None:
        placed = self._placed.get(name.casefold())
        if placed is not None:
            return placed
        found = self._find(name)
        if found is None:
            return None
        sheet, table = found
        placed = Placed(self._sheet_name(sheet), *_position(table.range))
        self._placed[name.casefold()] = placed
        return placed

    # -- Writing --------------------------------------------------------------------------------

    def _write_table(self, table: OutputTable) -> None:
        width = len(table.columns)
        links = [i for i, column in enumerate(table.columns) if column.name in LINK_TEXTS]
        height = 1 + max(len(table.rows), 1)
        found = self._find(table.name)
        if found is not None:
            sheet, existing = found
            old = self._locate(table.name)
            assert old is not None
            top, left = old.top, old.left
            body = existing.data_body_range
            if body is not None:
                body.clear()
            existing.resize(area(sheet, top, left, top + height - 1, left + width - 1))
            self._clear_outside(sheet, old, height, width)
            self._write_values(sheet, table, top, left, links)
        else:
            sheet = self._fresh_sheet(table.name, first=table.first)
            if table.hidden:
                sheet.visible = False
            top, left = HEADER_ROW, 1
            _write_heading(self._put, sheet, table.title or table.name, table.note or NOTE_TEXT)
            widths = [fitted_width(table, offset) for offset in range(width)]
            _set_widths(sheet, left, widths)
            set_print_setup(sheet, print_setup(widths, table.la), OUTPUT_TAB, self._app())
            self._write_values(sheet, table, top, left, links)
            added = sheet.tables.add(
                source=area(sheet, top, left, top + height - 1, left + width - 1),
                name=table.name,
                table_style_name=TABLE_STYLE,
                has_headers=True,
            )
            self._remember_table(sheet, added, table.name)
        self._decorate(sheet, table, top, left)
        self._style_links(sheet, table, top, left, links)
        self._placed[table.name.casefold()] = Placed(self._sheet_name(sheet), top, left, height, width)

    def _check_room(self, table: OutputTable) -> None:
        """Refuse (``OutputWouldOverwrite``) a table that would grow over another table or a filled cell.

        Costs nothing while a table stays inside its old range; a growing one reads only the cells
        it would grow into (one call a strip) and the positions of the other tables on its sheet.
        """
        found = self._find(table.name)
        old = self._locate(table.name)
        if found is None or old is None:
            return
        sheet, _existing = found
        right = old.left + len(table.columns) - 1
        bottom = old.top + max(len(table.rows), 1)
        old_right, old_bottom = old.left + old.columns - 1, old.top + old.rows - 1
        if right <= old_right and bottom <= old_bottom:
            return
        shown = self._table_names[table.name.casefold()]
        for key, (other_sheet, _other) in self._index().items():
            if key == table.name.casefold() or other_sheet is not sheet:
                continue
            other = self._locate(self._table_names[key])
            assert other is not None
            o_right, o_bottom = other.left + other.columns - 1, other.top + other.rows - 1
            if other.top <= bottom and old.top <= o_bottom and other.left <= right and old.left <= o_right:
                ref = f"{column_letter(other.left)}{other.top}:{column_letter(o_right)}{o_bottom}"
                what = f"the table {self._table_names[key]} at {ref}"
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

    def _fresh_sheet(self, name: str, *, first: bool = False) -> xw.Sheet:
        """The sheet named like a new output table: emptied if it exists, else added at the end (or first)."""
        self._index()
        sheet = self._sheets.get(name.casefold())
        if sheet is not None:
            sheet.clear()
            return sheet
        # What xlwings' Sheets.add(name=, after=) does, less its check that no sheet has the name,
        # which reads every sheet's name again (a round trip each): the index has ruled that out.
        if first:
            sheets = self._book_sheets()
            sheet = xw.Sheet(impl=sheets.impl.add(sheets[0].impl, None, name))
            last = self._last_sheet
            self._remember_sheet(sheet, name)
            self._last_sheet = last  # new sheets still go after the last one
            return sheet
        after = self._last_sheet.impl if self._last_sheet is not None else None
        sheet = xw.Sheet(impl=self._book_sheets().impl.add(None, after, name))
        self._remember_sheet(sheet, name)
        return sheet

    @staticmethod
    def _clear_outside(sheet: xw.Sheet, old: Placed, height: int, width: int) -> None:
        """Clear the old table's cells the resized table no longer covers (rows below, columns right)."""
        if old.rows > height:
            area(sheet, old.top + height, old.left, old.top + old.rows - 1, old.left + old.columns - 1).clear()
        if old.columns > width:
            bottom = old.top + min(old.rows, height) - 1
            area(sheet, old.top, old.left + width, bottom, old.left + old.columns - 1).clear()

    def _write_values(self, sheet: xw.Sheet, table: OutputTable, top: int, left: int, links: list[int]) -> None:
        """Header and rows as one block of values (a table always keeps one body row); ``links``: Link columns."""
        width = len(table.columns)
        block: list[list[Any]] = [[cell_text(column.name) for column in table.columns]]
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

    @staticmethod
    def _decorate(sheet: xw.Sheet, table: OutputTable, top: int, left: int) -> None:
        """Header alignment and number formats (one call per block of equal formats)."""
        width = len(table.columns)
        header = area(sheet, top, left, top, left + width - 1)
        header.wrap_text = True
        header.vertical_alignment = "top"
        # Long text wraps (live Excel then fits each row's height to it itself).
        wrap = wrapped_columns(table, [fitted_width(table, i) for i in range(width)])
        for offset in (i for i, wraps in enumerate(wrap) if wraps and table.rows):
            area(sheet, top + 1, left + offset, top + len(table.rows), left + offset).wrap_text = True
        for first_offset, last_offset, first, last, number_format in format_blocks(table):
            block = area(sheet, top + 1 + first, left + first_offset, top + 1 + last, left + last_offset)
            block.number_format = number_format

    def _style_links(self, sheet: xw.Sheet, table: OutputTable, top: int, left: int, links: list[int]) -> None:
        """The link font (layout.LINK_FONT) on each ``links`` column, from its first link to its last.

        The links themselves are ``HYPERLINK`` formulas among the table's values; this is their
        look, in one range a column (a blank cell between two links takes the colour and shows
        nothing). xlwings has no underline, so Excel for Windows gets it through COM; other
        engines show the colour only.
        """
        for index in links:
            linked = [offset for offset, values in enumerate(table.rows, start=1) if values[index]]
            if not linked:
                continue
            cells = area(sheet, top + linked[0], left + index, top + linked[-1], left + index)
            _set_font(cells, LINK_FONT)
            if LINK_FONT.underline:
                set_underline(cells, self._app())


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


def _set_widths(sheet: xw.Sheet, left: int, widths: Sequence[float]) -> None:
    """Column widths from column ``left`` on, in the calls ``width_runs`` plans."""
    for first, last, width in width_runs(widths):
        area(sheet, 1, left + first, 1, left + last).column_width = width


#: Excel's XlPageOrientation values (COM).
_PORTRAIT, _LANDSCAPE = 1, 2
#: Points to the inch, as Excel counts page margins.
POINTS_PER_INCH = 72


#: Excel's xlUnderlineStyleSingle (COM).
_UNDERLINE_SINGLE = 2


def set_underline(cells: xw.Range, app: xw.App) -> None:
    """A single underline on ``cells``: xlwings has no call for it, so this is Excel for Windows'
    object model (two COM calls); on other engines the cells keep their colour only."""
    if sys.platform != "win32" or app.engine.name != "excel":
        return
    cells.api.Font.Underline = _UNDERLINE_SINGLE


def set_alt_text(sheet: xw.Sheet, spec: ChartSpec, app: xw.App | None = None) -> None:
    """The chart's alternative text (layout.chart_alt_text), as the file adapter writes it.

    xlwings has no call for it, so this is Excel for Windows' object model (the chart's Shape,
    named by its key); on other engines the chart is drawn without it. ``app``: the book's
    Excel, when the caller has it already (``sheet.book.app`` is three COM calls).
    """
    app = app or sheet.book.app
    if sys.platform != "win32" or app.engine.name != "excel":
        return
    shape = sheet.api.Shapes(spec.key)
    shape.Title = spec.title
    shape.AlternativeText = chart_alt_text(spec)


def set_print_setup(sheet: xw.Sheet, setup: PrintSetup, tab_colour: str, app: xw.App | None = None) -> None:
    """A4, one page wide, the header rows repeated, the footer and the tab's colour (layout.print_setup).

    xlwings has no page setup of its own, so this is Excel for Windows' object model (COM); on
    other engines (macOS, the remote engine) the sheet keeps Excel's default page setup. Each
    property is a COM call, so nothing is asked twice: ``app`` is the book's Excel when the
    caller has it already, and the margins are given in points (72 to the inch, as Excel's
    ``InchesToPoints`` would give them) rather than asking Excel to convert each one.
    """
    app = app or sheet.book.app
    if sys.platform != "win32" or app.engine.name != "excel":
        return
    excel = app.api
    page = sheet.api.PageSetup
    excel.PrintCommunication = False  # one round trip to the printer driver, not one per property
    try:
        page.PaperSize = PAPER_A4
        page.Orientation = _LANDSCAPE if setup.landscape else _PORTRAIT
        page.Zoom = False
        page.FitToPagesWide = 1
        page.FitToPagesTall = False
        left, right, top, bottom, header, footer = (inches * POINTS_PER_INCH for inches in MARGINS)
        page.LeftMargin, page.RightMargin = left, right
        page.TopMargin, page.BottomMargin = top, bottom
        page.HeaderMargin, page.FooterMargin = header, footer
        if setup.title_rows is not None:
            page.PrintTitleRows = f"${setup.title_rows[0]}:${setup.title_rows[1]}"
        page.LeftFooter, page.CenterFooter, page.RightFooter = (
            setup.footer_left,
            setup.footer_centre,
            setup.footer_right,
        )
    finally:
        excel.PrintCommunication = True
    sheet.api.Tab.Color = int(tab_colour[4:6] + tab_colour[2:4] + tab_colour[0:2], 16)  # Excel's BGR
