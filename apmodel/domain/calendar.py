"""The school calendar of a financial year: complete weeks, school days and billing periods.

Rules (docs/funding-rules.md, "Financial year", "Recoupment 1" and "Recoupment 2"):

- The funding period is the financial year, 1 April to 31 March; anything that crosses
  31 March is split and only the part in the year counts.
- Complete weeks as the School and Early Years Finance (England) Regulations count them
  (reg 39 of the 2024 amending regulations): ``B = floor(days from the relevant date to
  the end of the period, both days included, / 7)``. 3 Nov 2025 to 31 Mar 2026 is 149 days,
  so 21 complete weeks.
- School days come from the ``Terms`` table: the weekdays between each term's start and
  end (both included), less the dates in ``ClosureDays``. The terms are the billing
  periods. A term reaching outside the year keeps only its in-year days; a day claimed by
  two overlapping terms belongs to the earlier one (the overlap is a Warning).
- "Complete or part weeks" of school days (the ``Weekly`` charge basis) are the calendar
  weeks, Monday to Sunday, holding at least one of the school days counted.
- The weeks a placement has run, for its ``Planned Weeks``, count from its real start: its
  school weeks in the year plus, for a start before 1 April, the calendar weeks holding a
  weekday between the start and 31 March (this year's Terms say nothing of the year before).

Everything here is pure date arithmetic: no money and no I/O.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ClosureDay, FinancialYear, Term

DAYS_PER_WEEK = 7
#: Monday to Friday (``date.weekday()`` 0 to 4).
_LAST_WEEKDAY = 4


def days_inclusive(start: date, end: date) -> int:
    """Days from ``start`` to ``end``, both included; 0 when ``end`` is before ``start``."""
    return max((end - start).days + 1, 0)


def complete_weeks(start: date, end: date) -> int:
    """Complete weeks from ``start`` to ``end`` as the regulations count them.

    ``floor(days_inclusive / 7)``: 3 Nov 2025 to 31 Mar 2026 is 149 days, 21 weeks.
    """
    return days_inclusive(start, end) // DAYS_PER_WEEK


def clip(start: date, end: date, year: FinancialYear) -> tuple[date, date] | None:
    """The part of ``start``..``end`` inside the financial year, or None if none of it is."""
    first, last = max(start, year.start), min(end, year.end)
    return (first, last) if first <= last else None


def weekdays(start: date, end: date) -> list[date]:
    """Monday to Friday dates from ``start`` to ``end``, both included."""
    days: list[date] = []
    day = start
    while day <= end:
        if day.weekday() <= _LAST_WEEKDAY:
            days.append(day)
        day += timedelta(days=1)
    return days


def part_weeks(days: Iterable[date]) -> int:
    """Complete or part calendar weeks (Monday to Sunday) holding at least one of ``days``."""
    # Ordinal 1 (1 January of year 1) is a Monday, so (ordinal - 1) // 7 numbers the Monday-to-Sunday weeks.
    return len({(day.toordinal() - 1) // DAYS_PER_WEEK for day in days})


@dataclass(frozen=True)
class BillingPeriod:
    """One term of the year: a billing period and its school days."""

    name: str
    #: The term's sheet row in ``Terms``.
    row: int
    #: The term's dates, clipped to the financial year.
    start: date
    end: date
    school_days: tuple[date, ...]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def school_days_between(self, start: date, end: date) -> tuple[date, ...]:
        """This term's school days from ``start`` to ``end``, both included."""
        # school_days is in date order: two binary searches instead of a scan (placements x terms).
        return self.school_days[bisect_left(self.school_days, start) : bisect_right(self.school_days, end)]


@dataclass(frozen=True)
class SchoolCalendar:
    """The financial year with its terms (billing periods, in date order) and school days."""

    year: FinancialYear
    periods: tuple[BillingPeriod, ...]

    @classmethod
    def build(
        cls,
        year: FinancialYear,
        terms: Sequence[Term],
        closures: Sequence[ClosureDay] = (),
        findings: Findings | None = None,
    ) -> SchoolCalendar:
        """Terms in date order with their school days; terms wholly outside the year are left out (Info)."""
        closed: set[date] = set()
        for closure in closures:
            closed.update(weekdays(closure.start, closure.end))
        periods: list[BillingPeriod] = []
        claimed: set[date] = set()
        previous: Term | None = None
        for term in sorted(terms, key=lambda t: (t.start, t.row)):
            in_year = clip(term.start, term.end, year)
            if in_year is None:
                if findings is not None:
                    findings.info(
                        "TERM_OUTSIDE_YEAR",
                        "Terms",
                        term.row,
                        "Start",
                        term.start,
                        f"{term.name} is outside the financial year {year.label}; it is not a billing period.",
                    )
                continue
            if previous is not None and term.start <= previous.end and findings is not None:
                findings.warning(
                    "TERMS_OVERLAP",
                    "Terms",
                    term.row,
                    "Start",
                    term.start,
                    f"{term.name} starts before {previous.name} ends; the shared days count in {previous.name} only.",
                )
            previous = term
            days = tuple(d for d in weekdays(*in_year) if d not in closed and d not in claimed)
            claimed.update(days)
            periods.append(BillingPeriod(term.name, term.row, in_year[0], in_year[1], days))
        return cls(year, tuple(periods))

    # The calendar is frozen, so what follows from it is worked out once (these run per placement).

    @cached_property
    def school_days_in_year(self) -> int:
        return sum(len(p.school_days) for p in self.periods)

    @cached_property
    def last_day_of_terms(self) -> date:
        """The end of the last term in the year (the year end when there are no terms)."""
        return self.periods[-1].end if self.periods else self.year.end

    def placement_end(self, end: date | None) -> date:
        """A placement's End Date, or the end of the last term in the year when it has none."""
        return end if end is not None else self.last_day_of_terms

    def placement_span(self, start: date, end: date | None) -> tuple[date, date] | None:
        """The part of a placement inside the financial year (one with no End Date runs to the end of the
        last term), or None if none of it is."""
        return clip(start, self.placement_end(end), self.year)

    def school_weeks(self, span: tuple[date, date] | None) -> int:
        """Complete or part weeks of school days in a ``placement_span`` (0 for None), by lookup."""
        return 0 if span is None else self.part_weeks_between(*span)

    def weeks_run(self, start: date, end: date | None) -> int:
        """The weeks a placement has run by the end of its in-year span, counted from its real start.

        School weeks in the year, plus the calendar weeks (Monday to Sunday) holding a weekday of the
        placement before 1 April; a week holding both is counted once.
        """
        in_year = self.school_weeks(self.placement_span(start, end))
        if start >= self.year.start:
            return in_year
        before_end = min(self.placement_end(end), self.year.start - timedelta(days=1))
        before = part_weeks(weekdays(start, before_end))
        # The week holding 31 March may also hold school days of the placement after 1 April.
        week_end = before_end + timedelta(days=DAYS_PER_WEEK - 1 - before_end.weekday())
        shared = before_end == self.year.start - timedelta(days=1) and self.part_weeks_between(
            self.year.start, min(week_end, self.placement_end(end))
        )
        return before + in_year - (1 if shared and before else 0)

    def school_days_between(self, start: date, end: date) -> int:
        """School days from ``start`` to ``end``, both included, over every term."""
        return sum(len(p.school_days_between(start, end)) for p in self.periods)

    @cached_property
    def _week_index(self) -> tuple[tuple[date, ...], tuple[int, ...], tuple[bool, ...]]:
        """Every school day of the year in order; how many weeks the first k of them touch; week starts."""
        days = tuple(sorted(d for period in self.periods for d in period.school_days))
        weeks = [(day.toordinal() - 1) // DAYS_PER_WEEK for day in days]
        starts = tuple(i == 0 or weeks[i] != weeks[i - 1] for i in range(len(days)))
        touched = [0]
        for start in starts:
            touched.append(touched[-1] + start)
        return days, tuple(touched), starts

    def part_weeks_between(self, start: date, end: date) -> int:
        """``part_weeks`` of the school days from ``start`` to ``end``, both included (by lookup, not a scan).

        The school days are in order, so the weeks touched by a run of them are the weeks that
        start inside the run, plus the run's first week when it started before the run did.
        """
        days, touched, starts = self._week_index
        first, last = bisect_left(days, start), bisect_right(days, end)
        if first >= last:
            return 0
        return touched[last] - touched[first] + (0 if starts[first] else 1)

    def first_term_start_after(self, day: date) -> date | None:
        """The start of the first term that begins after ``day`` (None when no term does)."""
        for period in self.periods:
            if period.start > day:
                return period.start
        return None

    def period_containing(self, day: date) -> BillingPeriod | None:
        for period in self.periods:
            if period.contains(day):
                return period
        return None

    def billing_period_for(self, day: date) -> BillingPeriod | None:
        """The term containing ``day``; in a holiday the next term; after the last term the last one.

        A charge dated in a holiday is billed with the term that follows, never with one
        already past (whose documents may already be issued).
        """
        for period in self.periods:
            if day <= period.end:
                return period
        return self.periods[-1] if self.periods else None
