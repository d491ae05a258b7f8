"""How the live-book adapter formats what it wrote: one plan per write, applied in one go.

Every round trip from Python into Excel costs (a cross-process COM call on Windows), and a
sheet's formatting is most of a click's round trips when done call by call: its title and note
fonts, column widths, number formats, wrapped columns, page setup, tab colour, link fonts, a
chart's alternative text. So ``XlwingsStore`` writes values, sheets and tables straight away
and gathers all formatting in a ``Plan``, applied when the write ends, in one of two ways:

- **through the add-in** (Excel for Windows, the add-in of the same version): the whole plan
  goes as one text to the add-in's VBA ``apmodel_layout.ApplyLayout`` (``addin/resources/
  apmodel_layout.bas``) in one ``Application.Run``, and Excel applies every step in its own
  process. It answers with the steps it could not apply (none, normally), and those are
  applied directly. If the macro cannot be run at all (an older add-in, a macro blocked by
  policy), the whole plan is applied directly, and the add-in is not asked again that click;
- **directly** (every other engine: macOS, the remote engine the tests use; and the fallback
  above): step by step through xlwings, each step in the fewest calls (a font fetched once;
  page setup, alternative text and underline through Excel for Windows' object model only,
  as xlwings has no call for them).

Both ways apply the same steps in the same order, so they leave the same formats; the step
names and their fields are declared here once (``OPS``) and a test checks the VBA handles
exactly these (tests/unit/test_addin_build.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import xlwings as xw

from apmodel.workbook.interface import ChartSpec
from apmodel.workbook.layout import MARGINS, PAPER_A4, Font, PrintSetup, chart_alt_text

#: Step names and the fields each sends to the VBA after (op, sheet, target).
OPS: dict[str, tuple[str, ...]] = {
    "font": ("bold", "italic", "size", "colour", "underline"),
    "width": ("width",),
    "height": ("height",),
    "widen": ("width",),
    "format": ("number format",),
    "wrap": (),
    "bottom": (),
    "page": (
        "paper",
        "orientation",
        "left margin",
        "right margin",
        "top margin",
        "bottom margin",
        "header margin",
        "footer margin",
        "title rows",
        "left footer",
        "centre footer",
        "right footer",
        "tab colour",
    ),
    "alt": ("title", "alternative text"),
    "freeze": ("rows",),
}
#: What separates the steps of a plan, and the fields of a step, in the text sent to the VBA:
#: ASCII's record and unit separators, which no sheet name, address, format or footer holds.
STEP_SEPARATOR, FIELD_SEPARATOR = "\x1e", "\x1f"

#: Excel's XlPageOrientation values (COM).
PORTRAIT, LANDSCAPE = 1, 2
#: Points to the inch, as Excel counts page margins.
POINTS_PER_INCH = 72
#: Excel's xlUnderlineStyleSingle (COM).
UNDERLINE_SINGLE = 2


@dataclass(frozen=True)
class Step:
    """One formatting step: ``op`` (a key of ``OPS``) on ``target`` (an A1 address, or a chart's
    name for ``alt``) of the sheet named ``sheet``; ``args`` as the direct way takes them."""

    op: str
    sheet: str
    target: str
    args: tuple[Any, ...] = ()

    def fields(self) -> list[str]:
        """The step as the VBA reads it: op, sheet, target, then ``OPS[op]``'s fields, as text."""
        return [self.op, self.sheet, self.target, *(_clean(field) for field in _fields(self))]


def _fields(step: Step) -> list[str]:
    if step.op == "font":
        (font,) = step.args
        return [
            "1" if font.bold else "",
            "1" if font.italic else "",
            _number(font.size) if font.size is not None else "",
            font.colour or "",
            "1" if font.underline else "",
        ]
    if step.op == "freeze":
        return [str(step.args[0])]
    if step.op in ("width", "widen", "height", "format"):
        return [str(step.args[0]) if step.op == "format" else _number(step.args[0])]
    if step.op == "page":
        setup, tab_colour = step.args
        margins = [_number(inches * POINTS_PER_INCH) for inches in MARGINS]
        rows = f"${setup.title_rows[0]}:${setup.title_rows[1]}" if setup.title_rows is not None else ""
        footers = [setup.footer_left, setup.footer_centre, setup.footer_right]
        orientation = LANDSCAPE if setup.landscape else PORTRAIT
        return [str(PAPER_A4), str(orientation), *margins, rows, *footers, str(excel_colour(tab_colour))]
    if step.op == "alt":
        (spec,) = step.args
        return [spec.title, chart_alt_text(spec)]
    return []


def _number(value: float) -> str:
    """A number as VBA's ``Val`` reads it in any locale (a point for the decimals, no grouping)."""
    return repr(float(value)).removesuffix(".0")


def _clean(text: str) -> str:
    """A field with the separators taken out (no field should hold one; a typed LA name might)."""
    return text.replace(STEP_SEPARATOR, " ").replace(FIELD_SEPARATOR, " ")


def excel_colour(rrggbb: str) -> int:
    """An RRGGBB colour as Excel's COM colour number (BGR)."""
    return int(rrggbb[4:6] + rrggbb[2:4] + rrggbb[0:2], 16)


def encode(steps: Iterable[Step]) -> str:
    """A plan as the one text ``ApplyLayout`` takes."""
    return STEP_SEPARATOR.join(FIELD_SEPARATOR.join(step.fields()) for step in steps)


def decode(text: str) -> list[list[str]]:
    """What ``ApplyLayout`` reads from ``encode``'s text: each step's fields (the tests check the round trip)."""
    return [record.split(FIELD_SEPARATOR) for record in text.split(STEP_SEPARATOR) if record]


def failed_steps(answer: Any, count: int) -> list[int] | None:
    """The steps ``ApplyLayout`` says it could not apply (0-based), or None if its answer is not one it gives.

    It answers "" when every step was applied, else the failed steps' numbers, comma-separated.
    """
    if answer is None or answer == "":
        return []
    if not isinstance(answer, str):
        return None
    try:
        numbers = [int(part) for part in answer.split(",")]
    except ValueError:
        return None
    if any(not 0 <= number < count for number in numbers):
        return None
    return numbers


class Plan:
    """The formatting steps of one write, in the order they are to be applied."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def font(self, sheet: str, target: str, look: Font) -> None:
        self.steps.append(Step("font", sheet, target, (look,)))

    def width(self, sheet: str, target: str, width: float) -> None:
        self.steps.append(Step("width", sheet, target, (width,)))

    def widen(self, sheet: str, target: str, width: float) -> None:
        """Each column of ``target`` narrower than ``width`` is widened to it (layout.figure_widths)."""
        self.steps.append(Step("widen", sheet, target, (width,)))

    def height(self, sheet: str, target: str, height: float) -> None:
        """The rows of ``target`` are ``height`` points tall (a wrapped header's lines)."""
        self.steps.append(Step("height", sheet, target, (height,)))

    def number_format(self, sheet: str, target: str, number_format: str) -> None:
        self.steps.append(Step("format", sheet, target, (number_format,)))

    def wrap(self, sheet: str, target: str) -> None:
        self.steps.append(Step("wrap", sheet, target))

    def bottom(self, sheet: str, target: str) -> None:
        """Text of ``target`` sits at the bottom of its cells (a header over its figures)."""
        self.steps.append(Step("bottom", sheet, target))

    def page(self, sheet: str, setup: PrintSetup, tab_colour: str) -> None:
        self.steps.append(Step("page", sheet, "", (setup, tab_colour)))

    def freeze(self, sheet: str, rows: int) -> None:
        """The sheet's top ``rows`` rows stay in view as it scrolls (frozen panes)."""
        self.steps.append(Step("freeze", sheet, "", (rows,)))

    def alt_text(self, sheet: str, spec: ChartSpec) -> None:
        self.steps.append(Step("alt", sheet, spec.key, (spec,)))

    def take(self) -> list[Step]:
        """The steps so far, leaving the plan empty."""
        steps, self.steps = self.steps, []
        return steps


def windows_excel(app: xw.App) -> bool:
    """Is this Excel for Windows (COM), where the object model beyond xlwings' calls is reachable?"""
    return sys.platform == "win32" and app.engine.name == "excel"


def apply_directly(step: Step, sheet: xw.Sheet, app: xw.App) -> None:
    """One step through xlwings (and, for what xlwings has no call for, Excel for Windows' COM)."""
    if step.op == "page":
        setup, tab_colour = step.args
        set_print_setup(sheet, setup, tab_colour, app)
        return
    if step.op == "alt":
        set_alt_text(sheet, step.args[0], app)
        return
    if step.op == "freeze":
        set_frozen_rows(sheet, step.args[0], app)
        return
    cells = sheet.range(step.target)
    if step.op == "font":
        set_font(cells, step.args[0], app)
    elif step.op == "width":
        cells.column_width = step.args[0]
    elif step.op == "widen":
        widen_columns(cells, step.args[0], app)
    elif step.op == "height":
        cells.row_height = step.args[0]
    elif step.op == "format":
        cells.number_format = step.args[0]
    elif step.op == "wrap":
        cells.wrap_text = True
    elif step.op == "bottom":
        cells.vertical_alignment = "bottom"
    else:
        raise ValueError(f"no such layout step: {step.op}")


def widen_columns(cells: xw.Range, width: float, app: xw.App) -> None:
    """Each column of ``cells`` narrower than ``width`` widened to it, reading each one's width (a call
    each) where the engine reads synchronously (Excel through COM or AppleScript); the remote engine
    cannot, and its columns keep their widths."""
    if app.engine.name != "excel":
        return
    for column in cells.columns:
        if (column.column_width or 0) < width:
            column.column_width = width


def set_font(cells: xw.Range, look: Font, app: xw.App) -> None:
    """The layout's font on a range (only what it sets: the rest stays Excel's default)."""
    font = cells.font  # fetched once: each ``cells.font`` is a call into Excel
    if look.bold:
        font.bold = True
    if look.size is not None:
        font.size = look.size
    if look.italic:
        font.italic = True
    if look.colour is not None:
        red, green, blue = (int(look.colour[i : i + 2], 16) for i in (0, 2, 4))
        font.color = (red, green, blue)
    if look.underline:
        set_underline(cells, app)


def set_underline(cells: xw.Range, app: xw.App) -> None:
    """A single underline on ``cells``: xlwings has no call for it, so this is Excel for Windows'
    object model (two COM calls); on other engines the cells keep their colour only."""
    if not windows_excel(app):
        return
    cells.api.Font.Underline = UNDERLINE_SINGLE


def set_frozen_rows(sheet: xw.Sheet, rows: int, app: xw.App) -> None:
    """Freeze the sheet's top ``rows`` rows, as the file adapter does (its title, note and header).

    Excel freezes panes on a window, not a sheet, so on Excel for Windows the sheet is shown for a
    moment (screen updating is off) and the sheet that was showing is shown again (COM); the remote
    engine has a call for it; Excel for Mac through xlwings has neither, and the rows stay unfrozen.
    """
    if windows_excel(app):
        excel = app.api
        shown = excel.ActiveSheet
        sheet.api.Activate()
        window = excel.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn = 0
        window.SplitRow = rows
        window.FreezePanes = True
        shown.Activate()
        return
    try:
        sheet.freeze_panes.freeze_at(f"1:{rows}")
    except (AttributeError, NotImplementedError):
        return


def set_alt_text(sheet: xw.Sheet, spec: ChartSpec, app: xw.App | None = None) -> None:
    """The chart's alternative text (layout.chart_alt_text), as the file adapter writes it.

    xlwings has no call for it, so this is Excel for Windows' object model (the chart's Shape,
    named by its key); on other engines the chart is drawn without it. ``app``: the book's
    Excel, when the caller has it already (``sheet.book.app`` is three COM calls).
    """
    app = app or sheet.book.app
    if not windows_excel(app):
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
    if not windows_excel(app):
        return
    excel = app.api
    page = sheet.api.PageSetup
    excel.PrintCommunication = False  # one round trip to the printer driver, not one per property
    try:
        page.PaperSize = PAPER_A4
        page.Orientation = LANDSCAPE if setup.landscape else PORTRAIT
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
    sheet.api.Tab.Color = excel_colour(tab_colour)  # Excel's BGR
