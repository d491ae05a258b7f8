"""Cell XML: text escaped as Excel does, dates as serial numbers, Python values as the openpyxl writer shows them."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from apmodel.workbook.interface import EXCEL_EPOCH
from apmodel.workbook.layout import cell_format
from apmodel.workbook.xlsx_patch.styles import CellStyle, StyleSheet

#: Excel's limit on the text of one cell; longer text makes Excel "repair" the file.
MAX_CELL_TEXT = 32_767

_EXCEL_EPOCH = datetime.combine(EXCEL_EPOCH, time())
_EPOCH_1904 = datetime(1904, 1, 1)


_SECONDS_PER_DAY = 86_400

_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_match(match: re.Match[str]) -> str:
    text = match.group()
    if text in _ESCAPES:
        return _ESCAPES[text]
    if text.startswith("_x"):
        # A literal "_x0041_" would be read back as "A": escape its underscore as Excel does.
        return "_x005F" + text
    return f"_x{ord(text):04X}_"


def is_plain_text(text: str) -> bool:
    """Text that goes into a cell as it is: not empty, nothing to escape, no edge spaces or new lines, not too long."""
    return (
        0 < len(text) <= MAX_CELL_TEXT
        and not text[0].isspace()
        and not text[-1].isspace()
        and "\n" not in text
        and _NEEDS_ESCAPE.search(text) is None
    )


def xml_text(text: str) -> str:
    """Text as element content: XML-escaped, with characters XML cannot hold as Excel's _xHHHH_."""
    return _NEEDS_ESCAPE.sub(_escape_match, text) if _NEEDS_ESCAPE.search(text) else text


def xml_attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def excel_serial(value: date, date1904: bool = False) -> float | int:
    """A date or datetime as Excel's serial number: 1900 date system as openpyxl counts it, or 1904's.

    A workbook saved with the 1904 date system (``<workbookPr date1904="1"/>``, old Mac Excel)
    counts days from 1 January 1904, with no 29 February 1900: the same date is 1,462 less.
    """
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    moment = moment.replace(tzinfo=None)
    delta = moment - (_EPOCH_1904 if date1904 else _EXCEL_EPOCH)
    days = delta.days
    if not date1904 and 0 < days <= 60:
        days -= 1  # Excel's 29 February 1900, a day that never was
    if delta.seconds or delta.microseconds:
        return days + (delta.seconds + delta.microseconds / 1e6) / _SECONDS_PER_DAY
    return days


def text_tail(text: str) -> str:
    """What follows ``<c r="A1"`` for an unstyled text cell ("" for an empty text: no cell, as openpyxl)."""
    if not text:
        return ""
    if is_plain_text(text):
        return f' t="inlineStr"><is><t>{text}</t></is></c>'
    cell = inline_string("A1", 0, text)
    return cell[len('<c r="A1"') :]


def inline_string(ref: str, style: int, text: str) -> str:
    text = text[:MAX_CELL_TEXT]
    body = xml_text(text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{body}</t></is></c>'


class CellWriter:
    """Turns Python values into cell XML, as the openpyxl writer would show them."""

    def __init__(self, styles: StyleSheet, *, date1904: bool = False) -> None:
        self.styles = styles
        #: The workbook counts dates in the 1904 date system (``excel_serial``).
        self.date1904 = date1904
        self._index: dict[CellStyle, int] = {}

    def style(self, style: CellStyle) -> int:
        index = self._index.get(style)
        if index is None:
            index = self._index[style] = self.styles.xf(style)
        return index

    def value(self, ref: str, value: Any, kind_format: str | None, money_in_text: bool) -> str | None:
        """One cell's XML, or None for a blank cell (nothing written)."""
        if value is None or value == "":
            return None  # openpyxl writes an empty string as an empty cell too
        if isinstance(value, str):
            number_format = cell_format(value, kind_format, money_in_text)
            return inline_string(ref, self.style(CellStyle(number_format)) if number_format else 0, value)
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | Decimal | float):
            if isinstance(value, Decimal):
                if not value.is_finite():
                    return inline_string(ref, 0, str(value))
                # As excel_value: a whole Decimal with no places is an int, money keeps its pence.
                text = format(value, "f")
            elif isinstance(value, float):
                if value != value or value in (float("inf"), float("-inf")):
                    return inline_string(ref, 0, str(value))
                text = repr(value)
            else:
                text = str(value)
            number_format = cell_format(value, kind_format, money_in_text)
            if number_format is None:
                return f'<c r="{ref}"><v>{text}</v></c>'
            return f'<c r="{ref}" s="{self.style(CellStyle(number_format))}"><v>{text}</v></c>'
        if isinstance(value, date):
            number_format = cell_format(value, kind_format, money_in_text)
            serial = excel_serial(value, self.date1904)
            return f'<c r="{ref}" s="{self.style(CellStyle(number_format))}"><v>{serial}</v></c>'
        return inline_string(ref, 0, str(value))
