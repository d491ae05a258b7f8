"""From the workbook's raw tables to validated ``ModelInputs``, collecting every problem.

Lazy validation (pandera style): every table, row and cell is checked and
every problem becomes one finding with table, sheet row, column, the value seen and a plain
message; nothing stops at the first. A row whose required cell is unusable is left out of
the model (an Error); an optional cell that is unusable is treated as blank (a Warning).
Cross-table checks that need the rules (unknown district, unknown provider, overlapping
placements...) are made by the rule modules in ``apmodel.domain``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from apmodel.domain import inputs as m
from apmodel.domain.equality import ROLL_COLUMNS
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import normalise
from apmodel.domain.ledger import AR_FILE, LayoutRow
from apmodel.domain.percent import takes_more_than_all
from apmodel.workbook import contract as c
from apmodel.workbook.cells import (
    NO_TEXTS,
    YES_TEXTS,
    CellProblem,
    as_date,
    as_decimal,
    as_int,
    as_percent,
    as_text,
    as_yes_no,
    is_blank,
    is_upn,
)
from apmodel.workbook.interface import RawTable, table_named

ModelT = TypeVar("ModelT", bound=BaseModel)

#: Counts above this are almost certainly a typing slip (a URN in a pupil column, say).
_IMPLAUSIBLE_COUNT = Decimal(1_000_000)


@dataclass
class Row:
    """One data row of an input table, its cells already read as their column's type."""

    sheet_row: int
    values: dict[str, Any]
    #: Money columns whose cell had an Error and is read as blank: a charge from this row is held back.
    errors: tuple[str, ...] = ()

    def get(self, column: str, default: Any = None) -> Any:
        value = self.values.get(column)
        return default if value is None else value


#: The Yes/No spellings of ``cells.as_yes_no``, read directly by ``_coercer``.
_YES_NO: dict[str, bool] = {**dict.fromkeys(YES_TEXTS, True), **dict.fromkeys(NO_TEXTS, False)}
#: Each column's choices by their matching form (read once per choice list, not once per cell).
_CHOICES: dict[tuple[str, ...], dict[str, str]] = {}


def _decimal(value: object) -> Decimal:
    """``as_decimal``, with plain number cells read directly (the same results, faster)."""
    if type(value) is float and -1e18 < value < 1e18:  # finite and not absurd (cells.LARGEST_NUMBER)
        return Decimal(repr(value))
    if type(value) is int:
        return Decimal(value)
    return as_decimal(value)


#: Days from the 1900 date system's day 0 (30 Dec 1899) to the 1904 system's (1 Jan 1904).
_DAYS_1900_TO_1904 = 1462
#: Above this a 1904 serial would pass 31 December 9999, Excel's last day.
_LAST_1904_SERIAL = 2958466 - _DAYS_1900_TO_1904


def _coercer(column: c.Column, *, date1904: bool = False) -> Callable[[object], Any]:
    """How one column's cells are read as its kind, the one place each kind's reading is decided.

    The common cell types (a plain string, an int, a finite float, a real date, a bool) are
    read directly; anything else (text in a number column, a CellError, a date typed as
    text...) goes through the ``cells.as_*`` reader of the kind, and so gets exactly its
    checks and messages.
    """
    kind = column.kind
    if kind is c.Kind.TEXT and not column.choices:

        def text(value: object) -> Any:
            return value.strip() if type(value) is str else as_text(value)

        return text
    if kind is c.Kind.TEXT:
        # Each spelling already matched, with its choice: a column repeats a few spellings on every row.
        matched: dict[str, str] = {}

        def choice(value: object) -> Any:
            found = matched.get(value) if type(value) is str else None
            if found is None:
                found = _choice(column, as_text(value))
                if type(value) is str:
                    matched[value] = found
            return found

        return choice
    if kind is c.Kind.PERCENT:
        return as_percent
    if kind in (c.Kind.NUMBER, c.Kind.MONEY):
        return _decimal
    if kind in (c.Kind.INT, c.Kind.ID):
        allowed = frozenset(column.choices)

        def whole(value: object) -> Any:
            if type(value) is int:
                number = value
            elif type(value) is float and value.is_integer() and abs(value) < 2**53:
                number = int(value)
            else:
                number = as_int(value)
            if allowed and str(number) not in allowed:
                raise CellProblem("NOT_ALLOWED", f"Expected one of {', '.join(column.choices)}, found {number}.")
            return number

        return whole
    if kind is c.Kind.DATE:

        def day(value: object) -> Any:
            return value if type(value) is date else as_date(value)

        if date1904:

            def day_1904(value: object) -> Any:
                # A plain number in a 1904 workbook's date column (a real date comes as a date): its serial
                # counts from 1 January 1904, 1,462 days after the 1900 system's day of the same number.
                if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < _LAST_1904_SERIAL:
                    value = value + _DAYS_1900_TO_1904
                return day(value)

            return day_1904
        return day
    if kind is c.Kind.YES_NO:

        def yes_no(value: object) -> Any:
            if type(value) is bool:
                return value
            if type(value) is str:
                answer = _YES_NO.get(value.strip().casefold())
                if answer is not None:
                    return answer
            return as_yes_no(value)

        return yes_no
    raise AssertionError(kind)


def _choice_map(choices: tuple[str, ...]) -> dict[str, str]:
    """Each choice by its matching form (the first choice wins a tie), built once per choice list."""
    found = _CHOICES.get(choices)
    if found is None:
        found = _CHOICES[choices] = {normalise(choice): choice for choice in reversed(choices)}
    return found


def _choice(column: c.Column, text: str) -> str:
    found = _choice_map(column.choices).get(normalise(text)) or near_miss(column.choices, text)
    if found is not None:
        return found
    raise CellProblem("NOT_ALLOWED", f"Expected one of {', '.join(column.choices)}, found {text!r}.")


#: A near miss is at least this long (so "a" or "of" is never taken for a word) ...
_NEAR_MISS_SHORTEST = 3
#: ... and, when it is a misspelling rather than a part of the word, at least this like it (difflib's ratio).
_NEAR_MISS_LIKENESS = 0.85


def _near_miss_info(
    findings: Findings, table: str, row: int, column: str, typed: object, word: str, choices: tuple[str, ...]
) -> None:
    findings.info(
        "NEAR_MISS_WORD",
        table,
        row,
        column,
        typed,
        f"{as_text(typed)!r} is read as {word!r}, the one allowed word it can mean (allowed: {', '.join(choices)}).",
    )


def near_miss(choices: tuple[str, ...], text: str) -> str | None:
    """The one allowed word ``text`` unambiguously means, or None.

    Either ``text`` is whole words of exactly one allowed word ("District" for "District schools",
    "Risk of exclusion" for "At risk of exclusion"), or it is a misspelling close to exactly one
    ("Devolvd" for "Devolved"). Anything matching two allowed words ("Exclusion") is no near miss.
    """
    key = normalise(text)
    if len(key) < _NEAR_MISS_SHORTEST:
        return None
    words = re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])")
    containing = [choice for choice in choices if words.search(normalise(choice))]
    if len(containing) == 1:
        return containing[0]
    if containing:
        return None
    by_key = {normalise(choice): choice for choice in choices}
    close = difflib.get_close_matches(key, list(by_key), n=2, cutoff=_NEAR_MISS_LIKENESS)
    return by_key[close[0]] if len(close) == 1 else None


def read_rows(
    spec: c.TableSpec, raw: RawTable | None, findings: Findings, *, read_later: Iterable[str] = ()
) -> list[Row]:
    """The table's non-blank rows with each contract column read as its type.

    A missing required column makes the whole table unusable (an Error); a missing optional
    column is blank on every row. Optional columns named in ``read_later`` are not read here
    (the caller reads and reports them itself, so a bad cell gives one finding, not two).
    """
    later = {normalise(name) for name in read_later}
    if raw is None:
        if spec.required:
            findings.error(
                "MISSING_TABLE",
                spec.name,
                None,
                None,
                "",
                f"The workbook has no Excel table named {spec.name}. Add it (see the template).",
            )
        return []
    positions: dict[str, int] = {}
    usable = True
    for column in spec.columns:
        index = raw.index(column.name)
        if index is None:
            if column.required:
                usable = False
                findings.error(
                    "MISSING_COLUMN",
                    spec.name,
                    raw.header_row,
                    column.name,
                    "",
                    f"Table {spec.name} has no column headed {column.name!r}; its rows cannot be used.",
                )
            continue
        positions[column.name] = index
    seen_headers: dict[str, str] = {}
    for header in raw.header:
        key = normalise(header)
        if key in seen_headers and key:
            findings.warning(
                "DUPLICATE_COLUMN",
                spec.name,
                raw.header_row,
                header,
                header,
                f"Two columns are headed {header!r}; the first is used.",
            )
        seen_headers.setdefault(key, header)
    if not usable:
        return []
    rows: list[Row] = []
    # Each column's position, decided once per table rather than once per cell (None: not read
    # here, so blank on every row).
    plan = [
        (
            column,
            column.name,
            column.required,
            None if not column.required and normalise(column.name) in later else positions.get(column.name),
            _coercer(column, date1904=raw.date1904),
            column.kind is c.Kind.TEXT and bool(column.choices),
        )
        for column in spec.columns
    ]
    # Rows at least this long hold every position read; a shorter row's missing cells are blank.
    width = 1 + max((index for *_, index, _, _ in plan if index is not None), default=-1)
    first_row = raw.sheet_row(0)
    for data_index, cells in enumerate(raw.rows):
        sheet_row = first_row + data_index
        if all(is_blank(v) for v in cells):
            continue
        if len(cells) < width:
            cells = [*cells, *[None] * (width - len(cells))]
        values: dict[str, Any] = {}
        keep = True
        errors: tuple[str, ...] = ()
        for column, name, required, index, coerce, chooses in plan:
            value = None if index is None else cells[index]
            # is_blank, with its commonest answers first: a real value is rarely None or spaces.
            if value is None or (type(value) is str and not value.strip()):
                if required:
                    keep = False
                    findings.error(
                        "REQUIRED_VALUE",
                        spec.name,
                        sheet_row,
                        column.name,
                        "",
                        f"{column.name} is required; this row is left out.",
                    )
                values[name] = None
                continue
            try:
                values[name] = coerce(value)
                if chooses and normalise(value) != normalise(values[name]):
                    _near_miss_info(findings, spec.name, sheet_row, column.name, value, values[name], column.choices)
            except CellProblem as problem:
                values[name] = None
                if required:
                    keep = False
                    findings.error(
                        problem.code,
                        spec.name,
                        sheet_row,
                        column.name,
                        value,
                        problem.message + " This row is left out.",
                    )
                else:
                    # A money cell read as blank changes what somebody is paid: that is an Error,
                    # and so is a value that would be misread (a decimal comma, 1e999999).
                    money = column.sets_money
                    report = findings.error if money or problem.error else findings.warning
                    if money:
                        errors = (*errors, column.name)
                    report(
                        problem.code,
                        spec.name,
                        sheet_row,
                        column.name,
                        value,
                        problem.message + " It is treated as blank.",
                    )
        if keep:
            rows.append(Row(sheet_row, values, errors))
    return rows


def _non_negative(rows: list[Row], table: str, columns: Iterable[str], findings: Findings) -> None:
    """Counts and money cannot be negative: report and treat as blank."""
    for row in rows:
        for column in columns:
            value = row.values.get(column)
            if isinstance(value, Decimal | int) and not isinstance(value, bool) and value < 0:
                findings.error(
                    "NEGATIVE_VALUE",
                    table,
                    row.sheet_row,
                    column,
                    value,
                    f"{column} cannot be negative; it is treated as blank.",
                )
                row.values[column] = None
                row.errors = (*row.errors, column)


def _no_upns(rows: list[Row], table: str, findings: Findings) -> None:
    """A Pupil Ref that is a real UPN identifies the pupil (privacy): a Warning, the UPN itself not repeated."""
    for row in rows:
        ref = row.values.get("Pupil Ref")
        if isinstance(ref, str) and is_upn(ref):
            findings.warning(
                "UPN_AS_PUPIL_REF",
                table,
                row.sheet_row,
                "Pupil Ref",
                "(a UPN: not shown)",
                "This Pupil Ref is a valid Unique Pupil Number. UPNs identify a pupil and must not be used as "
                "references here (it reaches schools' packs and the Trace): use the LA's own pseudonymous reference.",
            )


#: No one pupil's rate, charge or adjustment comes near this (issue 11: "over £1m for one pupil").
_IMPLAUSIBLE_PER_PUPIL = Decimal(1_000_000)


def _plausible_per_pupil(rows: list[Row], table: str, columns: Iterable[str], findings: Findings) -> None:
    """A rate or amount for one pupil or place over £1m is a slip (pence typed as pounds, a total pasted in)."""
    for row in rows:
        for column in columns:
            value = row.values.get(column)
            if isinstance(value, Decimal) and value > _IMPLAUSIBLE_PER_PUPIL:
                findings.error(
                    "IMPLAUSIBLE_AMOUNT",
                    table,
                    row.sheet_row,
                    column,
                    value,
                    f"{column} of £{value:,.2f} is over £1,000,000 for one pupil or place; it is not used "
                    "and anything charged from this row is held back (Blocked) until it is corrected.",
                )
                row.values[column] = None
                row.errors = (*row.errors, column)


def _over_100(rows: list[Row], table: str, column: str, findings: Findings) -> None:
    """A percentage column's cells above 100% (of the pot, the allocation...) are Errors, treated as blank."""
    for row in rows:
        value = row.values.get(column)
        if isinstance(value, Decimal) and takes_more_than_all(value):
            findings.error(
                "PERCENT_OVER_100",
                table,
                row.sheet_row,
                column,
                value,
                f"{column} would be more than 100% (10, 10% and 0.10 all mean 10%); it is treated as blank.",
            )
            row.values[column] = None


def _row_percent(raw: RawTable | None, row: Row, table: str, column: str, findings: Findings) -> Decimal | None:
    """A number cell that is a percentage on this row (Percent of allocation, Percent of AWPU), as a fraction.

    Read from the cell as typed, by the one percentage rule; above 100% it is an Error, treated as blank,
    and the row's charge is Blocked (row.errors): never made at the provider's default rate instead.
    """
    if row.values.get(column) is None:
        return None
    value = raw_value(raw, row.sheet_row, column)
    fraction = as_percent(value)
    if takes_more_than_all(fraction):
        findings.error(
            "PERCENT_OVER_100",
            table,
            row.sheet_row,
            column,
            value,
            f"{column} {value} would take more than 100% (10, 10% and 0.10 all mean 10%); it is treated as blank.",
        )
        row.errors = (*row.errors, column)
        return None
    return fraction


def _unique(
    rows: list[Row], table: str, column: str, findings: Findings, key: Callable[[Any], Any] = lambda v: normalise(v)
) -> list[Row]:
    """Keep the first row of each ID; later duplicates are Errors and left out."""
    seen: dict[Any, int] = {}
    kept: list[Row] = []
    for row in rows:
        value = row.values.get(column)
        k = key(value)
        if k in seen:
            findings.error(
                "DUPLICATE_ID",
                table,
                row.sheet_row,
                column,
                value,
                f"{column} {value} already appears on row {seen[k]}; this row is left out.",
            )
            continue
        seen[k] = row.sheet_row
        kept.append(row)
    return kept


def _build(model: type[ModelT], table: str, row: Row, findings: Findings, **fields: Any) -> ModelT | None:
    data: dict[str, Any] = {"row": row.sheet_row}
    for name, value in fields.items():
        if value is not None:  # blank: the model's default
            data[name] = value
    return _validate(model, table, row, findings, data)


def _fields(row: Row, columns: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``_build``'s data for cells that go into the model as read: field name to value, blanks left out.

    ``columns`` pairs each column with its field; a blank cell is left to the model's default.
    """
    values = row.values
    data: dict[str, Any] = {"row": row.sheet_row}
    for column, name in columns:
        value = values[column]
        if value is not None:
            data[name] = value
    return data


def _validate(model: type[ModelT], table: str, row: Row, findings: Findings, data: dict[str, Any]) -> ModelT | None:
    """The model built from ``data`` (field name to value), or None with each problem as an Error."""
    try:
        # model_validate(data) runs the same validation as model(**data), without unpacking the keywords.
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            column = ".".join(str(p) for p in error["loc"])
            findings.error(
                "INVALID_VALUE",
                table,
                row.sheet_row,
                column,
                error.get("input", ""),
                f"{error['msg']}; this row is left out.",
            )
        return None


# --- Settings -------------------------------------------------------------------------------


#: The percentage settings that take a share of something (a floor below -100% would take more than the
#: whole previous allocation; VAT above 100% more than the net). The cap and any uplift add, so any size is allowed.
_TAKING_PERCENT_SETTINGS = frozenset({"Protection floor", "VAT rate"})


def parse_financial_year(value: object) -> m.FinancialYear:
    """``2025-26``, ``2025/26``, ``2025-2026``, ``FY2025-26`` or plain 2025."""
    text = as_text(value).upper().removeprefix("FY").strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?", text)
    if not match:
        raise CellProblem("NOT_A_FINANCIAL_YEAR", f"Expected a financial year such as 2025-26, found {text!r}.")
    start = int(match.group(1))
    if match.group(2) and int(match.group(2)) % 100 != (start + 1) % 100:
        raise CellProblem("NOT_A_FINANCIAL_YEAR", f"{text} is not a financial year (the years must be consecutive).")
    if not 1990 <= start <= 2100:
        raise CellProblem("NOT_A_FINANCIAL_YEAR", f"{text} is not a plausible financial year.")
    return m.FinancialYear(start_year=start)


def _school_year_end(value: object, year: m.FinancialYear) -> date:
    """ "31 July" (the end of the school year inside the financial year) or a real date."""
    if isinstance(value, str) and not any(ch.isdigit() for ch in value[-4:]):
        return as_date(f"{value} {year.start_year}")
    return as_date(value)


def _phase_years(value: object) -> tuple[int, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (as_int(value),)
    parts = [p for p in as_text(value).replace(";", ",").replace(" and ", ",").split(",") if p.strip()]
    years = tuple(as_int(p.strip().upper().removeprefix("Y").removeprefix("EAR").strip()) for p in parts)
    if any(not 0 <= y <= 14 for y in years):
        raise CellProblem("NOT_ALLOWED", "Year groups run from 0 (Reception) to 14.")
    return years


def parse_settings(raw: RawTable | None, findings: Findings) -> m.Settings | None:
    """Settings from the Setting/Value table; None (with Errors) when a required one is unusable."""
    rows = read_rows(c.SETTINGS, raw, findings)
    given: dict[str, tuple[int, object]] = {}
    for row in rows:
        label = c.SETTING_LABEL_BY_KEY.get(normalise(row.values["Setting"]))
        if label is None:
            findings.warning(
                "UNKNOWN_SETTING",
                "Settings",
                row.sheet_row,
                "Setting",
                row.values["Setting"],
                "This setting is not one the model uses (check its spelling); it is ignored.",
            )
            continue
        if label in given:
            findings.error(
                "DUPLICATE_ID",
                "Settings",
                row.sheet_row,
                "Setting",
                label,
                f"{label} is set twice; the first (row {given[label][0]}) is used.",
            )
            continue
        given[label] = (row.sheet_row, raw_value(raw, row.sheet_row, "Value"))
    fields: dict[str, Any] = {}
    year: m.FinancialYear | None = None
    if "Financial year" in given and not is_blank(given["Financial year"][1]):
        try:
            year = parse_financial_year(given["Financial year"][1])
        except CellProblem as problem:
            findings.error(
                problem.code,
                "Settings",
                given["Financial year"][0],
                "Value",
                given["Financial year"][1],
                problem.message,
            )
    for spec in m.SETTING_SPECS:
        if spec.label not in given or spec.kind is m.SettingKind.FINANCIAL_YEAR:
            continue
        sheet_row, value = given[spec.label]
        if is_blank(value) or (spec.kind is m.SettingKind.DAY and year is None):
            continue
        try:
            fields[spec.field] = _setting_value(spec, value, sheet_row, year, findings)
        except CellProblem as problem:
            findings.error(problem.code, "Settings", sheet_row, "Value", value, f"{spec.label}: {problem.message}")
    for label in (spec.label for spec in m.SETTING_SPECS if spec.required):
        if label not in given or is_blank(given[label][1]):
            findings.error(
                "MISSING_SETTING",
                "Settings",
                given[label][0] if label in given else None,
                "Value",
                "",
                f"The setting {label!r} is required; nothing can be allocated without it.",
            )
    if year is None or "ap_budget" not in fields:
        return None
    fields["financial_year"] = year
    school_year_end = c.SETTING_SPEC_BY_LABEL["School year end"]
    fields.setdefault(school_year_end.field, _school_year_end(school_year_end.default, year))
    if not year.contains(fields["school_year_end"]):
        findings.warning(
            "DATE_OUTSIDE_YEAR",
            "Settings",
            given.get("School year end", (None,))[0],
            "Value",
            fields["school_year_end"],
            f"School year end is outside the financial year {year.label}; 31 July {year.start_year} is used.",
        )
        fields["school_year_end"] = date(year.start_year, 7, 31)
    if fields.get("centrally_retained", Decimal(0)) > fields["ap_budget"]:
        findings.error(
            "OUT_OF_RANGE",
            "Settings",
            given["Centrally retained"][0],
            "Value",
            fields["centrally_retained"],
            "Centrally retained is more than the AP budget.",
        )
    try:
        return m.Settings(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            findings.error("INVALID_SETTING", "Settings", None, "Value", error.get("input", ""), error["msg"])
        return None


def _setting_value(
    spec: m.SettingSpec, value: object, sheet_row: int, year: m.FinancialYear | None, findings: Findings
) -> Any:
    """A non-blank setting's Value read as its declaration says (a CellProblem when it cannot be)."""
    kind = spec.kind
    if kind is m.SettingKind.MONEY or kind is m.SettingKind.WHOLE:
        number: Decimal | int = as_decimal(value) if kind is m.SettingKind.MONEY else as_int(value)
        if spec.bounds is not None and not spec.bounds[0] <= number <= spec.bounds[1]:
            low, high = spec.bounds
            raise CellProblem("OUT_OF_RANGE", f"{spec.label} must be between {low:,} and {high:,}.")
        return number
    if kind is m.SettingKind.PERCENT:
        fraction = as_percent(value)
        if spec.label in _TAKING_PERCENT_SETTINGS and takes_more_than_all(fraction):
            raise CellProblem("PERCENT_OVER_100", f"{value} would take more than 100% (10, 10% and 0.10 all mean 10%).")
        return fraction
    if kind is m.SettingKind.YES_NO:
        return as_yes_no(value)
    if kind is m.SettingKind.YEAR_GROUPS:
        return _phase_years(value)
    if kind is m.SettingKind.DAY:
        assert year is not None  # the caller reads School year end only once the year is known
        return _school_year_end(value, year)
    if kind is m.SettingKind.CHOICE:
        word = _choice(c.Column(spec.label, choices=spec.choices), as_text(value))
        if normalise(value) != normalise(word):
            _near_miss_info(findings, "Settings", sheet_row, "Value", value, word, spec.choices)
        return type(spec.default)(word)
    return as_text(value)


def raw_value(raw: RawTable | None, sheet_row: int, column: str) -> object:
    """The raw cell of a row (Settings values are typed per setting, not per column)."""
    if raw is None:
        return None
    index = raw.index(column)
    data_index = sheet_row - raw.header_row - 1
    if index is None or not 0 <= data_index < len(raw.rows):
        return None
    return raw.rows[data_index][index]


# --- The other tables -------------------------------------------------------------------------


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _numeric_school_columns(
    raw: RawTable | None,
    factors: Iterable[m.DistrictFactor | m.SchoolFactor],
    rules: Iterable[m.RedressRule],
    findings: Findings,
) -> list[str]:
    """The Schools columns the model reads as numbers: every column a factor or rule names, and the rolls."""
    wanted: dict[str, tuple[str, int, str]] = {}
    for factor in factors:
        table = "DistrictFactors" if isinstance(factor, m.DistrictFactor) else "SchoolFactors"
        wanted.setdefault(normalise(factor.source_column), (table, factor.row, factor.source_column))
    for rule in rules:
        wanted.setdefault(normalise(rule.measure), ("RedressRules", rule.row, rule.measure))
        if rule.per_1000_of:
            wanted.setdefault(normalise(rule.per_1000_of), ("RedressRules", rule.row, rule.per_1000_of))
    if raw is None:
        return []
    columns: list[str] = []
    for table, row, name in wanted.values():
        index = raw.index(name)
        if index is None:
            column = "Source Column" if table != "RedressRules" else "Measure"
            findings.error(
                "UNKNOWN_COLUMN",
                table,
                row,
                column,
                name,
                f"The Schools table has no column headed {name!r}; this factor counts as zero.",
            )
            continue
        columns.append(raw.header[index])
    # The equality analysis's rolls by group, read whenever the table has them (never an Error).
    for name in ROLL_COLUMNS:
        index = raw.index(name)
        if index is not None and normalise(name) not in wanted:
            columns.append(raw.header[index])
    return columns


def parse_inputs(tables: dict[str, RawTable], findings: Findings) -> m.ModelInputs:
    """Read every input table; every problem goes to ``findings``; bad rows are left out."""
    settings = parse_settings(table_named(tables, "Settings"), findings)

    district_factors = _district_factors(table_named(tables, "DistrictFactors"), findings)
    school_factors = _school_factors(table_named(tables, "SchoolFactors"), findings)
    redress_rules = _redress_rules(table_named(tables, "RedressRules"), findings)
    schools = _schools(table_named(tables, "Schools"), [*district_factors, *school_factors], redress_rules, findings)
    register, register_read = _register(c.INVOICE_REGISTER, table_named(tables, c.INVOICE_REGISTER.name), findings)
    log, log_read = _register(c.REGISTER_LOG, table_named(tables, c.REGISTER_LOG.name), findings)
    providers = tuple(_providers(table_named(tables, "Providers"), findings))

    return m.ModelInputs(
        settings=settings,
        districts=tuple(_districts(table_named(tables, "Districts"), findings)),
        schools=tuple(schools),
        district_factors=tuple(district_factors),
        school_factors=tuple(school_factors),
        redress_rules=tuple(redress_rules),
        providers=providers,
        pupil_rates=tuple(_pupil_rates(_if_needed(c.PUPIL_RATES, tables, findings), findings)),
        terms=tuple(_terms(_if_needed(c.TERMS, tables, findings), findings)),
        closure_days=tuple(_closure_days(table_named(tables, "ClosureDays"), findings)),
        placements=tuple(_placements(table_named(tables, "Placements"), providers, findings)),
        exclusions=tuple(_exclusions(table_named(tables, "Exclusions"), findings)),
        scenarios=tuple(_scenarios(table_named(tables, "Scenarios"), findings)),
        invoice_register=tuple(register),
        register_log=tuple(log),
        register_intact=register_read and log_read,
    )


def _if_needed(spec: c.TableSpec, tables: dict[str, RawTable], findings: Findings) -> RawTable | None:
    """The table; absent while every table that needs it is absent or empty, an empty one (with an Info)."""
    raw = table_named(tables, spec.name)
    if raw is not None or not spec.needed_by:
        return raw
    for name in spec.needed_by:
        needing = table_named(tables, name)
        if needing is not None and any(not all(is_blank(v) for v in row) for row in needing.rows):
            return None
    findings.info(
        "TABLE_NOT_NEEDED",
        spec.name,
        None,
        None,
        "",
        f"The workbook has no {spec.name} table; nothing needs it while {' and '.join(spec.needed_by)} have no rows.",
    )
    return RawTable(spec.name, "", spec.column_names, [])


def _districts(raw: RawTable | None, findings: Findings) -> list[m.District]:
    rows = _unique(read_rows(c.DISTRICTS, raw, findings), "Districts", "District", findings)
    _non_negative(rows, "Districts", ("Previous Allocation", "Lump Sum"), findings)
    result = []
    for row in rows:
        share = row.get("Devolved Share")
        model = m.FundingModel(row.values["Funding Model"])
        hybrid = model is m.FundingModel.HYBRID
        if share is not None and not Decimal(0) <= share <= Decimal(1):
            # One Error for the typed share: over 100% is the percentage rule's own code; a Hybrid
            # district then takes 50% as if the cell were blank (not a second, "blank" Error).
            message = "Devolved Share must be between 0% and 100%; " + (
                "50% is assumed, as for a blank share." if hybrid else "it is treated as blank."
            )
            if share > 1:
                shown = f"{(share * 100).normalize():f}%"
                findings.error("PERCENT_OVER_100", "Districts", row.sheet_row, "Devolved Share", shown, message)
            else:
                findings.error("OUT_OF_RANGE", "Districts", row.sheet_row, "Devolved Share", share, message)
            share = Decimal("0.5") if hybrid else None
        if hybrid and share is None:
            findings.error(
                "REQUIRED_VALUE",
                "Districts",
                row.sheet_row,
                "Devolved Share",
                "",
                "A Hybrid district needs a Devolved Share; 50% is assumed.",
            )
            share = Decimal("0.5")
        district = _build(
            m.District,
            "Districts",
            row,
            findings,
            name=row.values["District"],
            area=row.get("Area", ""),
            funding_model=model,
            devolved_share=share,
            lead_pru=_text_or_none(row.get("Lead PRU")),
            previous_allocation=row.get("Previous Allocation"),
            lump_sum=row.get("Lump Sum", Decimal(0)),
        )
        if district is not None:
            result.append(district)
    return result


def _schools(
    raw: RawTable | None,
    factors: list[m.DistrictFactor | m.SchoolFactor],
    rules: list[m.RedressRule],
    findings: Findings,
) -> list[m.School]:
    numeric = _numeric_school_columns(raw, factors, rules, findings)
    rows = _unique(read_rows(c.SCHOOLS, raw, findings, read_later=numeric), "Schools", "URN", findings, key=lambda v: v)
    result = []
    # Each numeric column's position and its matching form, found once for the table.
    numeric_at = [(column, raw.index(column) if raw is not None else None, normalise(column)) for column in numeric]
    for row in rows:
        values: dict[str, Decimal] = {}
        cells = raw.rows[row.sheet_row - raw.header_row - 1] if raw is not None else []
        for column, index, key in numeric_at:
            cell = cells[index] if index is not None and index < len(cells) else None
            if cell is None or is_blank(cell):
                continue
            try:
                number = _decimal(cell)
            except CellProblem as problem:
                findings.error(
                    problem.code, "Schools", row.sheet_row, column, cell, problem.message + " It counts as zero."
                )
                continue
            if number < 0:
                findings.error(
                    "NEGATIVE_VALUE",
                    "Schools",
                    row.sheet_row,
                    column,
                    cell,
                    f"{column} cannot be negative; it counts as zero.",
                )
                continue
            if number > _IMPLAUSIBLE_COUNT:
                findings.warning(
                    "IMPLAUSIBLE_VALUE",
                    "Schools",
                    row.sheet_row,
                    column,
                    cell,
                    f"{column} is over a million: check it is not a URN or a total pasted in.",
                )
            values[key] = number
        urn = row.values["URN"]
        if not 100000 <= urn <= 999999:
            findings.warning(
                "UNUSUAL_URN", "Schools", row.sheet_row, "URN", urn, "URNs are six-digit numbers; check this one."
            )
        school = _build(
            m.School,
            "Schools",
            row,
            findings,
            urn=urn,
            name=row.values["School Name"],
            district=row.values["District"],
            phase=row.values["Phase"],
            type=m.SchoolType(row.values["Type"]),
            trust=row.get("Trust", ""),
            trust_address=row.get("Trust Address", ""),
            ap_agreement=row.get("AP Agreement", False),
            cost_centre=row.get("Cost Centre", ""),
            po_number=row.get("PO Number", ""),
            values=values,
        )
        if school is not None:
            result.append(school)
            if row.get("Status") == "Closed":
                findings.warning(
                    "SCHOOL_CLOSED",
                    "Schools",
                    row.sheet_row,
                    "Status",
                    "Closed",
                    f"{school.name} is closed (GIAS): it is still funded and charged while it has a row here. "
                    "Clear its pupil counts, or delete the row once nothing more is owed.",
                )
    return result


def _district_factors(raw: RawTable | None, findings: Findings) -> list[m.DistrictFactor]:
    rows = _unique(read_rows(c.DISTRICT_FACTORS, raw, findings), "DistrictFactors", "Factor", findings)
    _non_negative(rows, "DistrictFactors", ("Weight",), findings)
    _over_100(rows, "DistrictFactors", "Weight", findings)
    return [
        f
        for row in rows
        if row.values["Weight"] is not None
        and (
            f := _build(
                m.DistrictFactor,
                "DistrictFactors",
                row,
                findings,
                factor=row.values["Factor"],
                source_column=row.values["Source Column"],
                phase=_factor_phase(row),
                weight=row.values["Weight"],
            )
        )
        is not None
    ]


def _factor_phase(row: Row) -> str | None:
    """A factor's phase filter: None (every school) when blank or All."""
    phase = _text_or_none(row.get("Phase"))
    return None if phase == c.ALL_PHASES else phase


def _school_factors(raw: RawTable | None, findings: Findings) -> list[m.SchoolFactor]:
    rows = _unique(read_rows(c.SCHOOL_FACTORS, raw, findings), "SchoolFactors", "Factor", findings)
    _non_negative(rows, "SchoolFactors", ("Value",), findings)
    return [
        f
        for row in rows
        if row.values["Value"] is not None
        and (
            f := _build(
                m.SchoolFactor,
                "SchoolFactors",
                row,
                findings,
                factor=row.values["Factor"],
                source_column=row.values["Source Column"],
                method=m.Method(row.values["Method"]),
                value=row.values["Value"],
                phase=_factor_phase(row),
            )
        )
        is not None
    ]


def _redress_rules(raw: RawTable | None, findings: Findings) -> list[m.RedressRule]:
    rows = _unique(read_rows(c.REDRESS_RULES, raw, findings), "RedressRules", "Rule", findings)
    _non_negative(rows, "RedressRules", ("Threshold", "Rate"), findings)
    for row in rows:
        if row.values["Deduction Method"] == m.DeductionMethod.PERCENT:
            row.values["Rate"] = _row_percent(raw, row, "RedressRules", "Rate", findings)
    return [
        r
        for row in rows
        if None not in (row.values["Threshold"], row.values["Rate"])
        and (
            r := _build(
                m.RedressRule,
                "RedressRules",
                row,
                findings,
                rule=row.values["Rule"],
                measure=row.values["Measure"],
                per_1000_of=_text_or_none(row.get("Per 1000 Of")),
                threshold=row.values["Threshold"],
                method=m.DeductionMethod(row.values["Deduction Method"]),
                rate=row.values["Rate"],
            )
        )
        is not None
    ]


#: A provider's cells its placements' charges fall back to: one with an Error blocks those charges.
_CHARGE_CELLS = ("Charge Basis", "Charge Rate")


def _providers(raw: RawTable | None, findings: Findings) -> list[m.Provider]:
    rows = _unique(read_rows(c.PROVIDERS, raw, findings), "Providers", "Provider ID", findings)
    _non_negative(rows, "Providers", ("Commissioned Places", "Top-up per Place", "Charge Rate"), findings)
    _plausible_per_pupil(rows, "Providers", ("Top-up per Place", "Charge Rate"), findings)
    result = []
    for row in rows:
        basis = row.get("Charge Basis")
        if basis == m.ChargeBasis.PERCENT_AWPU:
            row.values["Charge Rate"] = _row_percent(raw, row, "Providers", "Charge Rate", findings)
        provider = _build(
            m.Provider,
            "Providers",
            row,
            findings,
            provider_id=row.values["Provider ID"],
            name=row.values["Provider Name"],
            type=row.get("Type", ""),
            district=_text_or_none(row.get("District")),
            commissioned_places=row.get("Commissioned Places", 0),
            top_up_per_place=row.get("Top-up per Place"),
            charge_basis=m.ChargeBasis(basis) if basis else m.ChargeBasis.NONE,
            charge_rate=row.get("Charge Rate"),
            charge_medical=row.get("Charge Medical", False),
            blocked_by=next((column for column in _CHARGE_CELLS if column in row.errors), ""),
        )
        if provider is not None:
            result.append(provider)
    return result


def _pupil_rates(raw: RawTable | None, findings: Findings) -> list[m.PupilRate]:
    rows = _unique(read_rows(c.PUPIL_RATES, raw, findings), "PupilRates", "Key Stage", findings)
    money_columns = ("Basic Entitlement", "FSM6", "IDACI", "EAL", "LPA", "Pupil Premium")
    _non_negative(rows, "PupilRates", money_columns, findings)
    return [
        r
        for row in rows
        if row.values["Basic Entitlement"] is not None
        and (
            r := _build(
                m.PupilRate,
                "PupilRates",
                row,
                findings,
                key_stage=row.values["Key Stage"],
                basic_entitlement=row.values["Basic Entitlement"],
                fsm6=row.get("FSM6"),
                idaci=row.get("IDACI"),
                eal=row.get("EAL"),
                lpa=row.get("LPA"),
                pupil_premium=row.get("Pupil Premium"),
            )
        )
        is not None
    ]


def _terms(raw: RawTable | None, findings: Findings) -> list[m.Term]:
    rows = _unique(read_rows(c.TERMS, raw, findings), "Terms", "Term", findings)
    result = []
    for row in rows:
        if row.values["End"] < row.values["Start"]:
            findings.error(
                "END_BEFORE_START",
                "Terms",
                row.sheet_row,
                "End",
                row.values["End"],
                "The term ends before it starts; this row is left out.",
            )
            continue
        term = _build(
            m.Term, "Terms", row, findings, name=row.values["Term"], start=row.values["Start"], end=row.values["End"]
        )
        if term is not None:
            result.append(term)
    return result


def _closure_days(raw: RawTable | None, findings: Findings) -> list[m.ClosureDay]:
    result = []
    for row in read_rows(c.CLOSURE_DAYS, raw, findings):
        end = row.get("To", row.values["From"])
        if end < row.values["From"]:
            findings.error(
                "END_BEFORE_START",
                "ClosureDays",
                row.sheet_row,
                "To",
                end,
                "The closure ends before it starts; this row is left out.",
            )
            continue
        day = _build(
            m.ClosureDay, "ClosureDays", row, findings, start=row.values["From"], end=end, reason=row.get("Reason", "")
        )
        if day is not None:
            result.append(day)
    return result


#: Placements columns that go into ``Placement`` as read, with their fields. A blank cell takes the
#: model's default, as ``row.get(column, default)`` would have given it (Registration "Dual", Yes/No
#: columns No, texts ""); Reason and Charge Basis become their enums in ``_placements``.
_PLACEMENT_FIELDS = (
    ("Placement ID", "placement_id"),
    ("Pupil Ref", "pupil_ref"),
    ("Home URN", "home_urn"),
    ("Provider ID", "provider_id"),
    ("Tier", "tier"),
    ("Registration", "registration"),
    ("Start Date", "start"),
    ("End Date", "end"),
    ("Days per Week", "days_per_week"),
    ("Year Group", "year_group"),
    ("Charge Rate", "charge_rate"),
    ("Planned Weeks", "planned_weeks"),
    ("Outcome", "outcome"),
    ("EHCP", "ehcp"),
    ("SEN Support", "sen_support"),
    ("FSM6", "fsm6"),
    ("Sex", "sex"),
    ("Ethnicity", "ethnicity"),
)


def _placements(raw: RawTable | None, providers: Iterable[m.Provider], findings: Findings) -> list[m.Placement]:
    """The placements; a Charge Rate is a percentage when the placement's basis, or else its provider's, is
    Percent of AWPU, so "150%" typed there is 150% (an Error) whichever row names the basis, never 1.5%."""
    provider_basis = {normalise(p.provider_id): p.charge_basis for p in providers}
    rows = _unique(read_rows(c.PLACEMENTS, raw, findings), "Placements", "Placement ID", findings)
    _non_negative(rows, "Placements", ("Days per Week", "Charge Rate", "Planned Weeks"), findings)
    _plausible_per_pupil(rows, "Placements", ("Charge Rate",), findings)
    _no_upns(rows, "Placements", findings)
    result = []
    for row in rows:
        # The data dict built directly (not through _build's keywords): this runs for every placement.
        basis = row.values["Charge Basis"]
        effective = basis or provider_basis.get(normalise(row.values.get("Provider ID")))
        if effective == m.ChargeBasis.PERCENT_AWPU:
            row.values["Charge Rate"] = _row_percent(raw, row, "Placements", "Charge Rate", findings)
        data = _fields(row, _PLACEMENT_FIELDS)
        if row.errors:  # the Charge Basis first: charges.py reads it as "the basis is unknown"
            data["blocked_by"] = "Charge Basis" if "Charge Basis" in row.errors else row.errors[0]
        data["reason"] = m.Reason(row.values["Reason"])
        if basis:
            data["charge_basis"] = m.ChargeBasis(basis)
        placement = _validate(m.Placement, "Placements", row, findings, data)
        if placement is not None:
            result.append(placement)
    return result


def _exclusions(raw: RawTable | None, findings: Findings) -> list[m.Exclusion]:
    rows = _unique(read_rows(c.EXCLUSIONS, raw, findings), "Exclusions", "Exclusion ID", findings)
    money = ("Pupil-led Amount", "Pupil Premium", "Adjustment Order")
    _non_negative(rows, "Exclusions", money, findings)
    _plausible_per_pupil(rows, "Exclusions", money, findings)
    _no_upns(rows, "Exclusions", findings)
    result = []
    for row in rows:
        exclusion = _build(
            m.Exclusion,
            "Exclusions",
            row,
            findings,
            exclusion_id=row.values["Exclusion ID"],
            pupil_ref=row.values["Pupil Ref"],
            excluding_urn=row.values["Excluding URN"],
            exclusion_date=row.values["Exclusion Date"],
            relevant_date=row.get("Relevant Date"),
            year_group=row.values["Year Group"],
            fsm6=row.get("FSM6", False),
            idaci=row.get("IDACI", False),
            eal=row.get("EAL", False),
            lpa=row.get("LPA", False),
            pupil_led_amount=row.get("Pupil-led Amount"),
            pupil_premium=row.get("Pupil Premium"),
            adjustment_order=row.get("Adjustment Order"),
            admitting_urn=row.get("Admitting URN"),
            admission_date=row.get("Admission Date"),
            reinstated_date=row.get("Reinstated Date"),
            blocked_by=row.errors[0] if row.errors else None,
        )
        if exclusion is not None:
            result.append(exclusion)
    return result


def _scenarios(raw: RawTable | None, findings: Findings) -> list[m.ScenarioRow]:
    result = []
    for row in read_rows(c.SCENARIOS, raw, findings):
        scenario = _build(
            m.ScenarioRow,
            "Scenarios",
            row,
            findings,
            scenario=row.values["Scenario"],
            target=row.values["Target"],
            key=row.values["Key"],
            value=as_text(raw_value(raw, row.sheet_row, "Value")),
        )
        if scenario is not None:
            result.append(scenario)
    return result


def _register(spec: c.TableSpec, raw: RawTable | None, findings: Findings) -> tuple[list[m.RegisterEntry], bool]:
    """The rows of the register (or its log), and whether every non-blank row was read.

    A row left out (a Status the model does not know, a Number cleared, a Number twice) is
    an Error here, and the False freezes the register (domain/register.py, ``check``).
    """
    rows = _unique(read_rows(spec, raw, findings), spec.name, "Number", findings)
    entries = _register_entries(spec.name, rows, findings)
    non_blank = 0 if raw is None else sum(1 for cells in raw.rows if not all(is_blank(v) for v in cells))
    return entries, len(entries) == non_blank


def _register_entries(table: str, rows: list[Row], findings: Findings) -> list[m.RegisterEntry]:
    return [
        e
        for row in rows
        if (
            e := _build(
                m.RegisterEntry,
                table,
                row,
                findings,
                number=row.values["Number"],
                key=row.values["Key"],
                kind=row.values["Kind"],
                urn=row.get("URN"),
                period=row.get("Period", ""),
                net=row.get("Net"),
                vat=row.get("VAT"),
                gross=row.get("Gross"),
                status=row.values["Status"],
                issued_on=row.get("Issued On"),
                supersedes=row.get("Supersedes", ""),
                exported_on=row.get("Exported On"),
                finance_ref=row.get("Finance Ref", ""),
            )
        )
        is not None
    ]


# --- Tables of the commands that connect to the council's systems -------------------------------


def finance_layout_rows(tables: dict[str, RawTable], findings: Findings) -> list[LayoutRow]:
    """The FinanceExport table's rows (Field, Column Header, File), in order; empty when it is absent.

    A blank File (or no File column, as in workbooks made before it) is ar-invoices.csv; a File
    that is neither file is a Warning and its row is left out (never put in the other file).
    """
    raw = table_named(tables, c.FINANCE_EXPORT.name)
    rows = read_rows(c.FINANCE_EXPORT, raw, findings, read_later=("File",))
    if raw is None:
        return []
    at, first = raw.index("File"), raw.sheet_row(0)
    [file_column] = [column for column in c.FINANCE_EXPORT.columns if column.name == "File"]
    layout: list[LayoutRow] = []
    for row in rows:
        cells = raw.rows[row.sheet_row - first]
        typed = cells[at] if at is not None and at < len(cells) else None
        file = AR_FILE
        if not is_blank(typed):
            try:
                file = _choice(file_column, as_text(typed))
            except CellProblem:
                findings.warning(
                    "FINANCE_EXPORT_FIELD",
                    c.FINANCE_EXPORT.name,
                    row.sheet_row,
                    "File",
                    typed,
                    f"{as_text(typed)!r} is not a file of export-finance ({', '.join(file_column.choices)}); "
                    "the row is left out.",
                )
                continue
        layout.append(
            LayoutRow(row.sheet_row, as_text(row.values["Field"]), as_text(row.get("Column Header", "")), file)
        )
    return layout


def district_map(tables: dict[str, RawTable], findings: Findings) -> dict[str, str]:
    """The DistrictMap table as GIAS district (matching form) -> the LA's AP district."""
    rows = read_rows(c.DISTRICT_MAP, table_named(tables, c.DISTRICT_MAP.name), findings)
    return {normalise(row.values["GIAS District"]): as_text(row.values["District"]) for row in rows}


def last_year_tables(tables: dict[str, RawTable]) -> dict[str, RawTable] | None:
    """Last year's input tables under their own names (``LastYearPlacements`` as ``Placements``), or
    None when the workbook has none (it was never rolled over)."""
    found = {
        spec.name: table
        for spec in c.LAST_YEAR_SOURCES
        if (table := table_named(tables, c.last_year_name(spec.name))) is not None
    }
    return found or None
