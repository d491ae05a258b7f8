"""Reading one cell as the contract says (docs/forum-workbook.md, "How the workbook is read").

Yes/No cells accept Yes/No/Y/N/TRUE/FALSE; dates accept real Excel dates, Excel serial
numbers or ISO and UK text; amounts accept numbers or "£1,234.56" text. A cell that fits
none of these raises ``CellProblem`` with a plain message, which the parser turns into a
Warnings row: never a crash.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from apmodel.workbook.interface import CellError


class CellProblem(ValueError):
    """A cell that cannot be read as its column's type; ``code`` is the stable Warnings code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
#: The texts read as Yes and as No (after stripping and case-folding).
YES_TEXTS: frozenset[str] = frozenset({"yes", "y", "true", "1"})
NO_TEXTS: frozenset[str] = frozenset({"no", "n", "false", "0"})
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not isinstance(value, CellError) and value.strip() == "")


def check_error(value: object) -> None:
    if isinstance(value, CellError):
        if value.uncalculated:
            raise CellProblem(
                "FORMULA_NOT_CALCULATED",
                f"The formula {value} has no calculated value (the file was saved by a program that does not "
                "calculate). Open and save it in Excel, or type the value.",
            )
        if value.startswith("#MERGED("):
            raise CellProblem(
                "MERGED_CELL",
                f"This cell is merged into {value[8:-1]}, so it holds no value of its own. "
                "Unmerge the cells and type each row's value.",
            )
        raise CellProblem("CELL_ERROR", f"The cell shows the Excel error {value}; fix the formula or type the value.")


def as_text(value: object) -> str:
    check_error(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value).strip()


def as_decimal(value: object) -> Decimal:
    """A number from a number cell or from text such as "£1,234.56", "(250.00)", "12.5%"."""
    check_error(value)
    if isinstance(value, bool):
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found {as_text(value)}.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellProblem("NOT_A_NUMBER", "Expected a number, found a value that is not a finite number.")
        # repr() is the shortest text that round-trips: 0.1 stays 0.1, not 0.1000000000000000055...
        return Decimal(repr(value))
    if isinstance(value, date):
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found the date {as_text(value)}.")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    is_percent = text.endswith("%")
    text = text.rstrip("%").replace("£", "").replace(",", "")
    if text.startswith("-£"):
        text = "-" + text[2:]
    if not _NUMBER_TEXT.match(text):
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found the text {str(value).strip()!r}.")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found {str(value).strip()!r}.") from exc
    if negative:
        number = -number
    if is_percent:
        number = number / 100
    return number


def as_int(value: object) -> int:
    number = as_decimal(value)
    if number != number.to_integral_value():
        raise CellProblem("NOT_A_WHOLE_NUMBER", f"Expected a whole number, found {as_text(value)}.")
    return int(number)


def as_yes_no(value: object) -> bool:
    check_error(value)
    if isinstance(value, bool):
        return value
    text = as_text(value).casefold()
    if text in YES_TEXTS:
        return True
    if text in NO_TEXTS:
        return False
    raise CellProblem("NOT_YES_NO", f"Expected Yes or No, found {as_text(value)!r}.")


def as_date(value: object) -> date:
    """A real Excel date, an Excel serial number, or text: 2025-11-03, 03/11/2025, 3 Nov 2025, 3-Nov-25."""
    check_error(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellProblem("NOT_A_DATE", f"Expected a date, found {as_text(value)}.")
    if isinstance(value, int | float):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellProblem("NOT_A_DATE", f"Expected a date, found the number {as_text(value)}.")
    text = str(value).strip()
    parsed = _parse_date_text(text)
    if parsed is None:
        raise CellProblem("NOT_A_DATE", f"Expected a date (for example 2025-11-03 or 03/11/2025), found {text!r}.")
    return parsed


def _parse_date_text(text: str) -> date | None:
    text = text.strip().rstrip(".")
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", "ymd"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
        (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", "dmy"),
        (r"(\d{1,2})-(\d{1,2})-(\d{4})", "dmy"),
        (r"(\d{1,2})/(\d{1,2})/(\d{2})", "dmy2"),
    ):
        match = re.fullmatch(pattern, text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c if order == "dmy" else 2000 + c, b, a)
            return _safe_date(year, month, day)
    match = re.fullmatch(r"(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)[\s,-]+(\d{2}|\d{4})", text)
    if match:
        month_number = _MONTHS.get(match.group(2).casefold())
        if month_number is None:
            return None
        short_year = int(match.group(3))
        return _safe_date(short_year + 2000 if short_year < 100 else short_year, month_number, int(match.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
