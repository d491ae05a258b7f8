"""Cells and headings as every openpyxl writer writes them (the file adapter, the Dashboard, the Forum copy).

Text is always written as text (never a formula) and characters XML cannot hold are escaped
as Excel escapes them; fonts are the layout's (``layout.TITLE_FONT``...), as openpyxl's.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from apmodel.workbook import layout
from apmodel.workbook.layout import excel_value


def font(look: layout.Font) -> Font:
    """The layout's font as openpyxl's."""
    return Font(
        bold=look.bold or None,
        italic=look.italic or None,
        size=look.size,
        color=look.colour,
        underline="single" if look.underline else None,
    )


TITLE_FONT = font(layout.TITLE_FONT)
NOTE_FONT = font(layout.NOTE_FONT)
LINK_FONT = font(layout.LINK_FONT)
#: Headers wrap from the top of the cell; long text wraps down to the row's foot, where the
#: row's other cells sit.
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")
WRAPPED = Alignment(wrap_text=True)


#: Text Excel would read as an ``_xHHHH_`` character escape.
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def set_text_safe(cell: Cell, value: Any) -> None:
    """Write a value; text that looks like a formula (=, +, -, @) stays text, never a formula.

    Characters XML cannot hold (a control character pasted into a name) are written as Excel's
    own ``_xHHHH_`` escape, which Excel reads back as the character: openpyxl would refuse them.
    A carriage return is escaped too (``_x000D_``, as Excel writes it): XML readers turn a raw
    one into a line feed. Text that already looks like such an escape has its underscore
    escaped (``_x005F_``), as Excel does, so it reads back as written rather than as the
    character it spells. The patch writer (``xlsx_patch.cells.xml_text``) escapes the same way.
    """
    if isinstance(value, str):
        if "_x" in value:
            value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
        if "\r" in value:
            value = value.replace("\r", "_x000D_")
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    cell.value = excel_value(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"


def write_heading(sheet: Worksheet, title: str, note: str) -> None:
    """A sheet the writers create starts with its title in A1 and a note in A2."""
    sheet["A1"] = title
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = note
    sheet["A2"].font = NOTE_FONT


def set_print_setup(sheet: Worksheet, setup: layout.PrintSetup, tab_colour: str) -> None:
    """A4, one page wide, the header rows repeated, the footer and the tab's colour (layout.print_setup)."""
    sheet.page_setup.paperSize = layout.PAPER_A4
    sheet.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.sheet_properties.tabColor = "FF" + tab_colour
    sheet.page_margins = PageMargins(*layout.MARGINS)
    if setup.title_rows is not None:
        sheet.print_title_rows = f"{setup.title_rows[0]}:{setup.title_rows[1]}"
    sheet.oddFooter.left.text = setup.footer_left
    sheet.oddFooter.center.text = setup.footer_centre
    sheet.oddFooter.right.text = setup.footer_right
