"""Rollover: this year's Forum workbook made ready for the next financial year.

Rule (README, "Next year: rollover"):

- Financial year moves on one year (``--year`` must be the next one); AP budget = this year's
  x (1 + Uplift), to the penny (Uplift 0 when not set);
- each district's Previous Allocation = this year's final allocation (protection next year is
  measured against it);
- Terms and ClosureDays cannot be known: they are moved on 52 weeks (same weekdays) and the
  years in the term names moved on, as a draft for the officer to replace with the published
  dates (a Warning says so);
- placements still open on 1 April (no End Date, or ending on or after it) are carried, as they
  are: next year's run counts only their part in the new year; those that ended are left with
  this year's workbook. Exclusions are carried when any of their dates (Relevant Date, else
  Exclusion Date; Admission Date; Reinstated Date) is on or after 1 April;
- a date-like setting (``School year end``, any setting of kind date) typed as a real date, or as a
  text with its year (``31 July 2025``), moves on one year; a text without a year (``31 July``)
  already means that day of each year and is left as it is;
- this year's inputs are kept as they are in the LastYear tables (every placement and exclusion,
  also those that ended), so the new year's runs recompute this year's documents and credit those
  a correction changes (settlement.LastYear, register.reconcile_last_year);
- InvoiceRegister is kept whole: this year's Issued documents stay Issued (with their Exported
  On), and the new year's numbers start the new year's series at 00001.

What moved is a row of ``RolloverLog`` (Table, Item, Old, New, Note).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apmodel.domain.inputs import normalise
from apmodel.domain.money import money

#: How far draft terms and closure days move: 52 weeks keeps each date's weekday.
DRAFT_SHIFT = dt.timedelta(weeks=52)
_YEAR = re.compile(r"\b(19|20)(\d\d)\b")

DateOf = Callable[[object], dt.date | None]


@dataclass(frozen=True)
class LogRow:
    table: str
    item: str
    old: object
    new: object
    note: str


@dataclass
class Rolled:
    """A table's rows for next year and what changed."""

    rows: list[list[object]]
    log: list[LogRow] = field(default_factory=list)
    carried: int = 0
    left: int = 0


def next_budget(budget: Decimal, uplift: Decimal) -> Decimal:
    """This year's budget x (1 + Uplift), rounded half up to the penny."""
    return money(budget * (1 + uplift))


def next_name(name: str) -> str:
    """Every year in a term's name moved on one: ``Spring 2026`` -> ``Spring 2027``."""
    return _YEAR.sub(lambda m: str(int(m.group(0)) + 1), name)


def next_day(value: object, to_date: DateOf) -> dt.date | None:
    """A date setting's Value one year on (29 February -> 28 February), or None when it stays as typed.

    A text with no year in it (``31 July``) already means that day of each year: None.
    """
    if isinstance(value, str) and not any(ch.isdigit() for ch in value.strip()[-4:]):
        return None
    day = to_date(value)
    if day is None:
        return None
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year + 1, day=28)
    return day.replace(year=day.year + 1)


def _columns(header: Sequence[str]) -> dict[str, int]:
    return {normalise(h): i for i, h in enumerate(header)}


def draft_dates(
    table: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    dates: Sequence[str],
    to_date: DateOf,
    name_column: str | None = None,
) -> Rolled:
    """Every date in ``dates`` moved on 52 weeks (and the years in ``name_column`` moved on)."""
    col = _columns(header)
    result = Rolled([])
    for original in rows:
        row = list(original)
        for name in dates:
            at = col.get(normalise(name))
            day = to_date(row[at]) if at is not None and at < len(row) else None
            if at is not None and day is not None:
                row[at] = day + DRAFT_SHIFT
        if name_column is not None and (at := col.get(normalise(name_column))) is not None and row[at]:
            row[at] = next_name(str(row[at]))
        result.rows.append(row)
        result.carried += 1
    if rows:
        result.log.append(
            LogRow(table, f"{len(rows)} row(s)", "this year's dates", "moved on 52 weeks",
                   "A DRAFT only: replace with next year's published term dates, INSET days and holidays.")
        )  # fmt: skip
    return result


def carried_placements(
    header: Sequence[str], rows: Sequence[Sequence[object]], new_start: dt.date, to_date: DateOf
) -> Rolled:
    """The placements still open on ``new_start`` (1 April), as they are."""
    col = _columns(header)
    end_at, id_at = col["end date"], col["placement id"]
    result = Rolled([])
    for row in rows:
        end = to_date(row[end_at]) if end_at < len(row) else None
        if end is not None and end < new_start:
            result.left += 1
            continue
        result.rows.append(list(row))
        result.carried += 1
        result.log.append(
            LogRow("Placements", str(row[id_at]), None, None,
                   "Carried: still open on 1 April; next year's run charges its days from then.")
        )  # fmt: skip
    return result


def carried_exclusions(
    header: Sequence[str], rows: Sequence[Sequence[object]], new_start: dt.date, to_date: DateOf
) -> Rolled:
    """The exclusions with a date on or after ``new_start`` (their part in the new year), as they are."""
    col = _columns(header)
    id_at = col["exclusion id"]
    result = Rolled([])
    for row in rows:

        def day(name: str, cells: Sequence[object] = row) -> dt.date | None:
            at = col.get(name)
            return to_date(cells[at]) if at is not None and at < len(cells) else None

        relevant = day("relevant date") or day("exclusion date")
        dates = [d for d in (relevant, day("admission date"), day("reinstated date")) if d is not None]
        if not any(d >= new_start for d in dates):
            result.left += 1
            continue
        result.rows.append(list(row))
        result.carried += 1
        result.log.append(LogRow("Exclusions", str(row[id_at]), None, None, "Carried: it has a date in the new year."))
    return result
