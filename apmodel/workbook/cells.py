"""Reading one cell as the contract says (docs/forum-workbook.md, "How the workbook is read").

Yes/No cells accept Yes/No/Y/N/TRUE/FALSE; dates accept real Excel dates, Excel serial
numbers or ISO and UK text; amounts accept numbers or "£1,234.56" text. A cell that fits
none of these raises ``CellProblem`` with a plain message, which the parser turns into a
Warnings row: never a crash.

Amounts typed as text follow one rule (``as_decimal``): commas are thousands separators only
in groups of three before any point ("1,234.56"); any other comma is a decimal comma
("50,00", "12,5", "1.234,56"), an Error, never read as 5,000, 125 or 1.23. "(50.00)" and
"50.00 CR" are negative, as accountants write them ("50.00 DR" is positive); a number of
10^18 or more ("1e999999") is an Error, not a number to compute with.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from apmodel.domain.percent import percent
from apmodel.workbook.interface import EXCEL_EPOCH, CellError


class CellProblem(ValueError):
    """A cell that cannot be read as its column's type; ``code`` is the stable Warnings code.

    ``error``: an Error in any column (a value that would be misread, not merely missing).
    """

    def __init__(self, code: str, message: str, *, error: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.error = error


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
#: Commas as thousands separators: groups of three digits, before any decimal point.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
#: A decimal comma, perhaps after point-separated thousands: 50,00  12,5  1.234,56.
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+$")
#: No amount or count of a council comes near this; beyond it is a slip (or "1e999999").
LARGEST_NUMBER = Decimal("1e18")


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
        number = Decimal(repr(value))
        _check_size(number, repr(value))
        return number
    if isinstance(value, date):
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found the date {as_text(value)}.")
    typed = str(value).strip()
    text = typed.replace("\u00a0", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    suffix = text[-2:].upper()
    if suffix in ("CR", "DR") and not negative:
        negative = suffix == "CR"
        text = text[:-2]
    is_percent = text.endswith("%")
    if is_percent:
        text = text[:-1]  # one sign: "70%%" is not read as 70%
    text = text.replace("£", "", 1)  # one pound sign: "££70" is not read as £70
    if text.startswith("-£"):
        text = "-" + text[2:]
    if "," in text:
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        elif _DECIMAL_COMMA.match(text):
            raise CellProblem(
                "DECIMAL_COMMA",
                f"{typed!r} has a decimal comma; type it with a decimal point ({_with_point(text)}). "
                "It is not read rather than guessed (50,00 must never become 5,000).",
                error=True,
            )
    if not _NUMBER_TEXT.match(text):
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found the text {typed!r}.")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellProblem("NOT_A_NUMBER", f"Expected a number, found {typed!r}.") from exc
    _check_size(number, typed)
    if negative:
        number = -number
    if is_percent:
        number = number / 100
    return number


def _with_point(text: str) -> str:
    """The decimal-comma text as the point-decimal number it means: 1.234,56 -> 1234.56."""
    return text.replace(".", "").replace(",", ".")


def _check_size(number: Decimal, typed: str) -> None:
    if not number.is_finite() or abs(number) >= LARGEST_NUMBER:
        raise CellProblem(
            "NUMBER_TOO_LARGE",
            f"{typed} is far too large to be an amount, rate or count (10^18 or more); it is not read.",
            error=True,
        )


def as_percent(value: object) -> Decimal:
    """A percentage cell as a fraction, by the one rule of ``domain.percent``: "10", "10%" and 0.10 are 10%."""
    number = as_decimal(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        return number
    return percent(number)


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
            return EXCEL_EPOCH + timedelta(days=int(value))
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


#: The DfE's check-letter alphabet for UPNs (no I, O or S): a remainder of 0 is A, 22 is Z.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")


def is_upn(text: str) -> bool:
    """True when ``text`` is a valid Unique Pupil Number: 13 characters, its check letter right.

    DfE, "Unique pupil numbers (UPN)", the check letter: characters 2 to 13 are multiplied by
    their positions (2 to 13; a letter in position 13, a temporary UPN, counts as its place in
    ``UPN_LETTERS``), the products summed, and the remainder on dividing by 23 names the letter.
    """
    upn = text.strip().upper()
    if not _UPN_SHAPE.match(upn):
        return False
    total = sum(
        weight * (int(char) if char.isdigit() else UPN_LETTERS.index(char))
        for weight, char in enumerate(upn[1:], start=2)
    )
    return upn[0] == UPN_LETTERS[total % 23]
