"""How an output sheet looks, in one place: every writer (the zip patch, the openpyxl writer,
the xlwings adapter, the input-sheet writer) reads its layout from here, so an output change
touches this module only.

A sheet a writer creates has its title in A1, a note in A2 and the table's header on row 3
(``HEADER_ROW``), frozen under the header. Cells are formatted by their column's kind
(``NUMBER_FORMATS``, ``cell_format``); a ``Link`` column shows ``LINK_TEXT`` (``link_formula``); widths are the
contract's or fitted to the content (``fitted_width``). Every sheet prints on A4, one page
wide, landscape when its columns are wider than a portrait page, with the header row repeated
on every page and a footer naming the LA, the sheet and "Page X of N" (``print_setup``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import ChartKind, ChartSpec, OutputTable

# --- The sheet ------------------------------------------------------------------------------

#: Sheet row (1-based) of a table's header on a sheet the writers create: title in A1, note in A2.
HEADER_ROW = 3
TABLE_STYLE = "TableStyleMedium2"
#: The note under each new output sheet's title.
NOTE_TEXT = "Written by apmodel on every run: edits here are replaced. Inputs are on the input sheets."
#: What a cell of a ``Link`` column shows (it is a hyperlink to the cell the row is about).
LINK_TEXT = "Go to cell"
LINK_COLUMN = "Link"
#: The columns whose cells are internal hyperlinks (the cell holds the target, ``'Sheet'!C7``),
#: and the text each shows.
LINK_TEXTS: dict[str, str] = {LINK_COLUMN: LINK_TEXT, "Go to": "Open the sheet"}


def link_formula(target: str, text: str) -> str:
    """A link cell as every writer writes it: Excel's ``HYPERLINK`` to ``target`` in this workbook.

    ``=HYPERLINK("#'Schools'!C7","Go to cell")`` shows ``text`` and, clicked, goes to the cell
    (``#``: a place in this workbook). A formula is a cell value, so a live book takes a whole
    column of links in the one block of values its table is written in, where a hyperlink object
    costs calls into Excel per cell. A ``"`` in the target (a sheet name may hold one) is doubled.
    """
    quoted = target.replace('"', '""')
    return f'=HYPERLINK("#{quoted}","{text}")'


_LINK_SHOWN = "|".join(map(re.escape, LINK_TEXTS.values()))
_LINK_FORMULA = re.compile(r'^=HYPERLINK\("#((?:[^"]|"")*)","(' + _LINK_SHOWN + r')"\)$')


def link_target(value: object) -> str | None:
    """Where a cell written by ``link_formula`` goes (``'Schools'!C7``); None for any other value.

    The only formulas a run writes are these: a fixed text and a target quoted as a string.
    """
    found = _LINK_FORMULA.match(value) if isinstance(value, str) else None
    return found.group(1).replace('""', '"') if found is not None else None


@dataclass(frozen=True)
class Font:
    """A cell's font as every writer sets it (colour as RRGGBB; None: the default)."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    colour: str | None = None
    underline: bool = False


TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, colour="595959")
LINK_FONT = Font(colour="0563C1", underline=True)

# --- Cells ----------------------------------------------------------------------------------

#: Excel number formats of figures, by column kind, as a user reads them (the template's inputs too).
FIGURE_FORMATS: dict[Kind, str] = {
    Kind.MONEY: '"£"#,##0.00;[Red]-"£"#,##0.00',
    Kind.PERCENT: "0.00%",
    Kind.DATE: "dd/mm/yyyy",
    Kind.INT: "#,##0",
    Kind.ID: "0",
    Kind.NUMBER: "#,##0.00####",
}


def text_to_the_right(number_format: str) -> str:
    """``number_format`` as an output cell shows it: each figure a digit's width of space short of the
    cell's right edge (``_0``: "£1,280.58" does not run into "Recoverable" left-aligned in the next
    column), and a fourth section for text that fills the cell with spaces before it (``* @``), so a
    suppressed ``[c]`` lines up on the right with the figures instead of sitting on the left, by the
    format alone (no alignment per cell). The negative and zero sections are written out as Excel
    reads a shorter format."""
    sections = number_format.split(";")
    positive = sections[0]
    negative = sections[1] if len(sections) > 1 else "-" + positive
    zero = sections[2] if len(sections) > 2 else positive
    return f"{positive}_0;{negative}_0;{zero}_0;* @_0"


#: Excel number formats of output cells, by column kind: the figure formats, text in a column of
#: figures to the right (``text_to_the_right``), and an ID a digit's width of space after it (a URN,
#: right-aligned as a number, does not run into a school's name left-aligned in the next column).
NUMBER_FORMATS: dict[Kind, str] = {
    **{kind: text_to_the_right(FIGURE_FORMATS[kind]) for kind in (Kind.MONEY, Kind.PERCENT, Kind.INT, Kind.NUMBER)},
    Kind.DATE: FIGURE_FORMATS[Kind.DATE],
    Kind.ID: FIGURE_FORMATS[Kind.ID] + "_0",
}
#: Number formats of a chart's value axis, by the kind of its values (whole pounds, whole percent).
AXIS_FORMATS: dict[Kind, str] = {Kind.MONEY: '"£"#,##0', Kind.PERCENT: "0%"}
#: openpyxl's own formats for a date or date-time cell written with no column format.
DATE_DEFAULT = "yyyy-mm-dd"
DATETIME_DEFAULT = "yyyy-mm-dd h:mm:ss"


def excel_value(value: Any) -> Any:
    """A Python value as a cell value (Decimal money stays exact; bools stay bools)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else value
    return value


def cell_format(value: Any, column_format: str | None, text_column: bool) -> str | None:
    """The number format of an output cell, decided per value as the openpyxl writer does.

    ``column_format`` is the column's entry in ``NUMBER_FORMATS`` (None if it has none); in a
    text column (``text_column``: Summary's Value, say) a Decimal is money. None: no format.
    Text in a column of figures (a suppressed ``[c]``, say) takes the column's format: a number
    format does not change how text shows, and so a live book sets a column's format in one call
    however its figures and its text are mixed.
    """
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, str):
        return None if text_column else column_format
    if isinstance(value, Decimal) and text_column:
        return NUMBER_FORMATS[Kind.MONEY]
    if column_format and isinstance(value, int | Decimal | date):
        return column_format
    if isinstance(value, datetime):
        return DATETIME_DEFAULT
    if isinstance(value, date):
        return DATE_DEFAULT
    return None


# --- Widths ---------------------------------------------------------------------------------

#: Rows looked at to fit a column's width (enough to see the longest name or amount).
FIT_ROWS = 500
MIN_WIDTH = 8
MAX_WIDTH = 60
#: The width a column of each kind needs for the values it is expected to hold, however few rows
#: (or none) it has when its sheet is made: a sheet keeps its widths when a later run fills the
#: table, so a column fitted to its header alone would print a later amount as ``####``. Money to
#: -£999,999.99, a date dd/mm/yyyy, a share to -100.00%, a number to 99,999.9999.
EXPECTED_WIDTHS: dict[Kind, int] = {Kind.MONEY: 14, Kind.DATE: 12, Kind.PERCENT: 10, Kind.NUMBER: 13}


def expected_width(kind: Kind, declared: float | None) -> float:
    """The narrowest a column may be for what it is expected to hold: the contract's width (a text
    column's, such as a document number's, is set for its longest expected value), else its kind's."""
    return float(max(declared or 0, EXPECTED_WIDTHS.get(kind, MIN_WIDTH)))


#: Characters of a header cell taken by its filter button (the table's AutoFilter arrow).
FILTER_BUTTON = 3


def header_width(name: str) -> int:
    """The width a column's header needs: its longest word beside the filter button. A longer
    header wraps onto more lines (``header_height``) rather than widening a column of figures,
    so a wide table prints at a readable size."""
    return max((len(word) for word in name.split()), default=0) + FILTER_BUTTON


def _header_lines(name: str, room: int) -> int:
    """Lines a header takes when wrapped by word in ``room`` characters (bold text: about one
    character to a unit of width)."""
    lines, used = 1, 0
    for word in name.split():
        if used and used + 1 + len(word) > room:
            lines, used = lines + 1, len(word)
        else:
            used = used + 1 + len(word) if used else len(word)
    return lines


def header_height(names: Sequence[str], widths: Sequence[float]) -> float | None:
    """The height of a table's header row whose wrapped names need more than one line (None: the
    default height). Set on the row, so a long header never overprints the first row of figures
    (Excel does not grow a row for wrapped text in a file it opens)."""
    lines = max(
        (_header_lines(name, max(int(width) - FILTER_BUTTON, 1)) for name, width in zip(names, widths, strict=False)),
        default=1,
    )
    return min(lines, MAX_LINES) * LINE_HEIGHT if lines > 1 else None


def fitted_width(table: OutputTable, index: int) -> float:
    """The width of column ``index`` of an output table, in characters.

    Fitted to the content (its longest value among the first rows, ``MIN_WIDTH`` to
    ``MAX_WIDTH``), never narrower than the contract's width nor than its kind's expected values
    need (``EXPECTED_WIDTHS``), so an empty table's columns are not fitted to the header alone. A
    text column whose longest value is within ``MAX_WIDTH`` is widened to hold it on one line;
    longer text wraps (``wrapped_columns``).
    """
    column = table.columns[index]
    longest = max(header_width(column.name), EXPECTED_WIDTHS.get(column.kind, 0))
    for row in table.rows[:FIT_ROWS]:
        value = row[index]
        if isinstance(value, Decimal):
            text = f"{value:,.2f}" + "££"
        elif column.kind is Kind.ID and isinstance(value, int):
            text = f"{value}0"  # its format's space after it
        elif isinstance(value, date):
            text = "00/00/0000"
        else:
            text = "" if value is None else str(value)
        longest = max(longest, len(text) + 1)
    fitted = float(min(max(longest, MIN_WIDTH), MAX_WIDTH))
    if column.width is None:
        return fitted
    if column.kind is Kind.TEXT and longest <= MAX_WIDTH:
        return max(float(column.width), fitted)
    return float(column.width)


#: Excel's width of a column the sheet gives none (Calibri 11: 8.43 characters).
DEFAULT_COLUMN_WIDTH = 8.43


def figure_widths(table: OutputTable) -> list[float | None]:
    """The width each column of figures needs (``fitted_width``), None for a text column.

    A table rewritten where it is keeps its sheet's widths (they are the user's), but a column of
    figures narrower than its figures need is widened to it, never narrowed: Excel shows a number
    that does not fit as ``####``. Text only runs on or is cut, and keeps the width it was given.
    """
    return [
        None if column.kind in (Kind.TEXT, Kind.YES_NO) else fitted_width(table, index)
        for index, column in enumerate(table.columns)
    ]


def width_steps(needed: Sequence[float | None]) -> list[tuple[int, int, float]]:
    """(first offset, last offset, width) for each run of neighbouring columns needing one width."""
    steps: list[tuple[int, int, float]] = []
    for offset, width in enumerate(needed):
        if width is None:
            continue
        if steps and steps[-1][1] == offset - 1 and steps[-1][2] == width:
            steps[-1] = (steps[-1][0], offset, width)
        else:
            steps.append((offset, offset, width))
    return steps


# --- The Dashboard ----------------------------------------------------------------------------

#: The Dashboard sheet: its charts (reports/dashboard.py) each beside its data, laid out here for both
#: writers (charts.py for a file, the xlwings adapter for a live book) so the two engines leave the same cells.
DASHBOARD = "Dashboard"
DASHBOARD_TITLE = "Dashboard: charts of the last run"
DASHBOARD_NOTE = "Drawn by apmodel on every run: edits here are replaced. Each chart's figures are beside it."
DASHBOARD_FIRST_ROW = 4
#: Rows a chart covers (about 9.5 cm at the default row height) and its width in cm.
CHART_ROWS = 20
CHART_WIDTH_CM = 18.0
CHART_HEIGHT_CM = 9.5
POINTS_PER_CM = 72 / 2.54


def data_block(chart: ChartSpec) -> list[list[object]]:
    """The chart's data as a header row and one row per category (what the writers put in cells)."""
    block: list[list[object]] = [[chart.category_title, *(s.name for s in chart.series)]]
    for index, category in enumerate(chart.categories):
        block.append([category, *(s.values[index] for s in chart.series)])
    return block


def _chart_figure(value: Decimal, kind: Kind) -> str:
    if kind is Kind.PERCENT:
        return f"{value * 100:,.1f}%"
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def chart_alt_text(chart: ChartSpec) -> str:
    """The chart's alternative text (what a screen reader says): its kind, title and extremes.

    E.g. "Bar chart: Change from last year by district (£). Change £: lowest Dover -£5,034.40,
    highest Ashford £3,120.00. The figures ..." Hidden figures (``[c]``) are left out.
    """
    kind = "Bar chart" if chart.kind is ChartKind.BAR else "Column chart"
    text = f"{kind}: {chart.title}."
    if not chart.categories:
        return text + " Nothing to chart."
    for series in chart.series:
        shown = [(v, c) for v, c in zip(series.values, chart.categories, strict=True) if isinstance(v, Decimal)]
        if not shown:
            text += f" {series.name}: every figure hidden."
            continue
        low, high = min(shown, key=lambda p: p[0]), max(shown, key=lambda p: p[0])
        text += (
            f" {series.name}: lowest {low[1]} {_chart_figure(low[0], chart.value_kind)},"
            f" highest {high[1]} {_chart_figure(high[0], chart.value_kind)}."
        )
    return text + " The figures are in the table beside the chart."


def dashboard_note(charts: Sequence[ChartSpec]) -> str:
    return DASHBOARD_NOTE if charts else DASHBOARD_NOTE + " Nothing could be charted: see Warnings."


@dataclass(frozen=True)
class Placed:
    """Where one chart's description, data block (1-based sheet rows and columns) and chart go."""

    chart: ChartSpec
    description_row: int
    data_row: int
    data_rows: int
    data_columns: int
    chart_column: int


def place_charts(charts: Sequence[ChartSpec]) -> list[Placed]:
    """Each chart below the last: its description, then its data in column A on, the chart to the right."""
    placed: list[Placed] = []
    row = DASHBOARD_FIRST_ROW
    for chart in charts:
        rows = len(chart.categories) + 1
        columns = len(chart.series) + 1
        placed.append(Placed(chart, row, row + 1, rows, columns, columns + 2))
        row += 1 + max(rows, CHART_ROWS) + 2
    return placed


# --- Long text ------------------------------------------------------------------------------

#: Points of one line of text at the default font (Excel's default row height).
LINE_HEIGHT = 15.0
#: Characters of ordinary text in one unit of column width (the width of the digit 0).
CHARS_PER_WIDTH = 1.2
#: The most lines a row is given (Excel's row height limit is 409 points).
MAX_LINES = 27


def wrapped_columns(table: OutputTable, widths: Sequence[float]) -> list[bool]:
    """Which columns wrap their text: a text column holding something longer than its width."""
    wrap = []
    for index, column in enumerate(table.columns):
        limit = widths[index]
        wrap.append(
            column.kind is Kind.TEXT
            and column.name not in LINK_TEXTS
            and any(isinstance(row[index], str) and len(row[index]) > limit for row in table.rows)
        )
    return wrap


def row_height(values: Sequence[Any], widths: Sequence[float], wrap: Sequence[bool]) -> float | None:
    """The height of a row whose wrapped text needs more than one line (None: the default height)."""
    lines = 1
    for value, width, wraps in zip(values, widths, wrap, strict=False):
        if wraps and isinstance(value, str) and len(value) > width:
            # A width counts the digit 0; text averages a little narrower, less a word that will not fit.
            per_line = max(int(width * CHARS_PER_WIDTH) - 2, 1)
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in value.split("\n")))
    return min(lines, MAX_LINES) * LINE_HEIGHT if lines > 1 else None


# --- Printing -------------------------------------------------------------------------------

#: Excel's paper size code for A4.
PAPER_A4 = 9
#: The widest sheet (in characters, its columns' widths added up) that prints in portrait at a
#: readable size; a wider one prints landscape. Either way it is fitted to one page wide.
PORTRAIT_WIDTH = 100
#: Page margins in inches: left, right, top, bottom, header, footer (Excel's "Narrow" sides).
MARGINS = (0.5, 0.5, 0.6, 0.6, 0.3, 0.3)
#: Tab colours: output sheets (written by a run) apart from input sheets (typed by the user).
OUTPUT_TAB = "548235"
INPUT_TAB = "2F5597"
REGISTER_TAB = "7F7F7F"


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: A4, fitted to one page wide (as many pages down as it needs)."""

    landscape: bool
    #: The sheet rows (first, last) repeated at the top of every page: the table's header.
    title_rows: tuple[int, int] | None
    #: The footer's three parts in Excel's header/footer codes (``&A`` the sheet, ``&P`` the
    #: page, ``&N`` the pages; a literal ``&`` doubled): the LA, the sheet, "Page X of N".
    footer_left: str
    footer_centre: str = "&A"
    footer_right: str = "Page &P of &N"

    @property
    def footer(self) -> str:
        """The whole footer as one code string (``oddFooter`` in the sheet's XML)."""
        return f"&L{self.footer_left}&C{self.footer_centre}&R{self.footer_right}"


#: Excel allows 255 characters in a whole page header or footer (codes included; XlsxWriter drops a longer
#: one): a name of up to 150 in one part always leaves room for the other parts and their codes.
PAGE_TEXT_LIMIT = 150


def page_text(text: str, limit: int = PAGE_TEXT_LIMIT) -> str:
    """Text for one part of a page header or footer: ``&`` doubled so Excel does not read it as a code
    ("Brighton & Hove"), and a long name cut to ``limit`` characters with an ellipsis (never inside a
    doubled ``&``)."""
    if len(text.replace("&", "&&")) > limit:
        cut = text[: limit - 1]
        while len(cut.replace("&", "&&")) > limit - 1:
            cut = cut[:-1]
        text = cut.rstrip() + "\u2026"
    return text.replace("&", "&&")


#: The longest sheet title a footer shows: its centre, with the sheet's name after it, stays clear of the
#: LA on the left and "Page X of N" on the right of a portrait page (and within Excel's 255 characters).
FOOTER_TITLE_LIMIT = 36


def footer_title(title: str) -> str:
    """The footer's centre: the sheet's title, then its tab's name (``&A``) to find it by:
    "Stage 1: the AP budget shared… (DistrictAllocations)"; the name alone without one."""
    title = title.strip()
    if not title:
        return "&A"
    if len(title) > FOOTER_TITLE_LIMIT:  # cut at a word, with an ellipsis
        title = title[: FOOTER_TITLE_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" :,;") + "\u2026"
    return f"{page_text(title)} (&A)"


def print_setup(widths: Sequence[float], la: str, header_row: int | None = HEADER_ROW, title: str = "") -> PrintSetup:
    """The print setup of a sheet whose columns are ``widths`` wide, with its header on ``header_row``
    and ``title`` in A1 (in the footer, beside the sheet's name)."""
    return PrintSetup(
        landscape=sum(widths) > PORTRAIT_WIDTH,
        title_rows=(header_row, header_row) if header_row is not None else None,
        footer_left=page_text(la),
        footer_centre=footer_title(title),
    )


@dataclass(frozen=True)
class NewSheet:
    """How a new output sheet is laid out, worked out once for every writer (openpyxl, the patch
    writer, the live adapter) so the three leave the same sheet."""

    #: The title in A1 (the table's title, else its name), which the footer names too.
    title: str
    widths: list[float]
    setup: PrintSetup
    #: The header row's height when its wrapped names need more than one line (None: the default).
    header_height: float | None


def new_sheet_layout(table: OutputTable) -> NewSheet:
    """The title, column widths (``fitted_width``), print setup and header height of a new sheet for ``table``."""
    title = table.title or table.name
    widths = [fitted_width(table, index) for index in range(len(table.columns))]
    return NewSheet(
        title,
        widths,
        print_setup(widths, table.la, title=title),
        header_height([column.name for column in table.columns], widths),
    )


#: The defined name of a sheet's rows repeated on every printed page.
PRINT_TITLES = "_xlnm.Print_Titles"


def print_titles(sheet: str, rows: tuple[int, int]) -> str:
    """The ``_xlnm.Print_Titles`` formula of a sheet's repeated rows (``'Trace'!$3:$3``)."""
    return "'" + sheet.replace("'", "''") + f"'!${rows[0]}:${rows[1]}"


def dashboard_print_setup(la: str) -> PrintSetup:
    """The Dashboard prints landscape, one page wide: each chart's figures with the chart beside them."""
    return replace(print_setup([], la, header_row=None, title=DASHBOARD_TITLE), landscape=True)
