"""The school calendar: complete weeks as reg 39 counts them, school days, billing periods.

Boundary days are where date rules go wrong: 31 March, 1 April, term edges and 29 February.
"""

from __future__ import annotations

from datetime import date

from apmodel.domain.calendar import SchoolCalendar, clip, complete_weeks, days_inclusive, part_weeks, weekdays
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ClosureDay, FinancialYear, Term
from tests.unit.recoup_builders import closures, codes, terms

FY_2025 = FinancialYear(start_year=2025)


def calendar_2025() -> SchoolCalendar:
    return SchoolCalendar.build(FY_2025, terms(), closures())


def test_3_november_to_31_march_is_149_days_and_21_complete_weeks() -> None:
    # Nov 3-30 = 28, Dec 31, Jan 31, Feb 28, Mar 31 -> 149 days; 149 / 7 = 21.28 -> 21.
    assert days_inclusive(date(2025, 11, 3), FY_2025.end) == 149
    assert complete_weeks(date(2025, 11, 3), FY_2025.end) == 21


def test_2_december_to_31_march_is_120_days_and_17_complete_weeks() -> None:
    # Dec 2-31 = 30, Jan 31, Feb 28, Mar 31 -> 120 days; 120 / 7 = 17.14 -> 17.
    assert days_inclusive(date(2025, 12, 2), FY_2025.end) == 120
    assert complete_weeks(date(2025, 12, 2), FY_2025.end) == 17


def test_31_march_itself_counts_as_one_day_and_no_complete_week() -> None:
    assert days_inclusive(date(2026, 3, 31), FY_2025.end) == 1
    assert complete_weeks(date(2026, 3, 31), FY_2025.end) == 0


def test_25_march_gives_exactly_one_complete_week() -> None:
    # 25 to 31 March, both included = 7 days = 1 week; 26 March = 6 days = 0 weeks.
    assert complete_weeks(date(2026, 3, 25), FY_2025.end) == 1
    assert complete_weeks(date(2026, 3, 26), FY_2025.end) == 0


def test_1_april_counts_the_whole_year_as_52_weeks() -> None:
    # 1 Apr 2025 to 31 Mar 2026 = 365 days; 365 / 7 = 52.14 -> 52.
    assert days_inclusive(FY_2025.start, FY_2025.end) == 365
    assert complete_weeks(FY_2025.start, FY_2025.end) == 52


def test_leap_day_2028_adds_the_day_that_completes_a_week() -> None:
    fy_2027 = FinancialYear(start_year=2027)
    # FY 2027-28 holds 29 Feb 2028: 1 Apr 2027 to 31 Mar 2028 = 366 days.
    assert days_inclusive(fy_2027.start, fy_2027.end) == 366
    # 29 Jan 2028 to 31 Mar 2028: Jan 3 + Feb 29 + Mar 31 = 63 days = 9 weeks exactly.
    assert complete_weeks(date(2028, 1, 29), fy_2027.end) == 9
    # The same date a year earlier: Jan 3 + Feb 28 + Mar 31 = 62 days = 8 weeks.
    assert complete_weeks(date(2027, 1, 29), FinancialYear(start_year=2026).end) == 8


def test_a_range_ending_before_it_starts_has_no_days() -> None:
    assert days_inclusive(date(2025, 11, 3), date(2025, 11, 2)) == 0
    assert complete_weeks(date(2025, 11, 3), date(2025, 11, 2)) == 0


def test_clip_keeps_only_the_part_in_the_financial_year() -> None:
    assert clip(date(2026, 3, 1), date(2026, 4, 30), FY_2025) == (date(2026, 3, 1), date(2026, 3, 31))
    assert clip(date(2025, 3, 1), date(2025, 4, 1), FY_2025) == (date(2025, 4, 1), date(2025, 4, 1))
    assert clip(date(2025, 3, 1), date(2025, 3, 31), FY_2025) is None
    assert clip(date(2026, 4, 1), date(2026, 4, 30), FY_2025) is None


def test_school_days_are_term_weekdays_less_closures() -> None:
    calendar = calendar_2025()
    # See recoup_builders: Summer 66; Autumn 78 weekdays - 5 half term = 73; Spring 62 - 5 = 57.
    assert [(p.name, len(p.school_days)) for p in calendar.periods] == [
        ("Summer 2025", 66),
        ("Autumn 2025", 73),
        ("Spring 2026", 57),
    ]
    assert calendar.school_days_in_year == 196


def test_term_edges_are_school_days_and_the_day_after_is_not() -> None:
    calendar = calendar_2025()
    # Autumn starts Wed 3 Sep and ends Fri 19 Dec: 3 Sep to 5 Sep = 3 days; 19 Dec to 22 Dec = 1 day.
    assert calendar.school_days_between(date(2025, 9, 3), date(2025, 9, 5)) == 3
    assert calendar.school_days_between(date(2025, 9, 2), date(2025, 9, 2)) == 0
    assert calendar.school_days_between(date(2025, 12, 19), date(2025, 12, 22)) == 1


def test_31_march_is_a_school_day_and_1_april_belongs_to_the_next_year() -> None:
    spring_to_summer = (
        Term(row=2, name="Spring 2026", start=date(2026, 1, 5), end=date(2026, 3, 31)),
        Term(row=3, name="Summer 2026", start=date(2026, 3, 31), end=date(2026, 7, 22)),
    )
    findings = Findings()
    calendar = SchoolCalendar.build(FY_2025, spring_to_summer[:1], (), findings)
    # Tue 31 March 2026 is the last school day of FY 2025-26.
    assert calendar.periods[0].school_days[-1] == date(2026, 3, 31)
    # A term reaching past 31 March keeps only its in-year days: Summer 2026 here holds 31 March alone.
    straddling = SchoolCalendar.build(FY_2025, spring_to_summer[1:], (), findings)
    assert straddling.periods[0].school_days == (date(2026, 3, 31),)
    assert straddling.periods[0].end == date(2026, 3, 31)


def test_a_term_wholly_outside_the_year_is_not_a_billing_period() -> None:
    findings = Findings()
    outside = Term(row=5, name="Summer 2026", start=date(2026, 4, 20), end=date(2026, 7, 22))
    calendar = SchoolCalendar.build(FY_2025, (*terms(), outside), closures(), findings)
    assert [p.name for p in calendar.periods] == ["Summer 2025", "Autumn 2025", "Spring 2026"]
    assert codes(findings) == ["TERM_OUTSIDE_YEAR"]


def test_weekend_closures_and_closures_outside_terms_change_nothing() -> None:
    weekend = ClosureDay(row=4, start=date(2025, 11, 8), end=date(2025, 11, 9))
    summer_holiday = ClosureDay(row=5, start=date(2025, 8, 4), end=date(2025, 8, 29))
    calendar = SchoolCalendar.build(FY_2025, terms(), (*closures(), weekend, summer_holiday))
    assert calendar.school_days_in_year == 196


def test_a_single_closure_day_removes_one_school_day() -> None:
    inset = ClosureDay(row=4, start=date(2025, 9, 3), end=date(2025, 9, 3), reason="INSET")
    calendar = SchoolCalendar.build(FY_2025, terms(), (*closures(), inset))
    # Autumn 73 - 1 INSET day = 72.
    assert len(calendar.periods[1].school_days) == 72


def test_overlapping_terms_count_shared_days_once_with_a_warning() -> None:
    findings = Findings()
    overlapping = (
        Term(row=2, name="Autumn 1", start=date(2025, 9, 1), end=date(2025, 9, 12)),
        Term(row=3, name="Autumn 2", start=date(2025, 9, 8), end=date(2025, 9, 19)),
    )
    calendar = SchoolCalendar.build(FY_2025, overlapping, (), findings)
    # 1 to 19 Sep 2025 = 3 full weeks = 15 weekdays, not 10 + 10.
    assert [len(p.school_days) for p in calendar.periods] == [10, 5]
    assert codes(findings) == ["TERMS_OVERLAP"]


def test_a_date_in_the_christmas_holiday_is_billed_with_the_next_term() -> None:
    calendar = calendar_2025()
    assert calendar.billing_period_for(date(2025, 12, 29)) == calendar.periods[2]
    assert calendar.billing_period_for(date(2025, 10, 29)) == calendar.periods[1]
    assert calendar.billing_period_for(date(2025, 4, 1)) == calendar.periods[0]
    assert calendar.period_containing(date(2025, 12, 29)) is None


def test_a_date_after_the_last_term_is_billed_with_the_last_term() -> None:
    short = (Term(row=2, name="Autumn 2025", start=date(2025, 9, 3), end=date(2025, 12, 19)),)
    calendar = SchoolCalendar.build(FY_2025, short)
    assert calendar.billing_period_for(date(2026, 2, 2)) == calendar.periods[0]
    assert calendar.last_day_of_terms == date(2025, 12, 19)


def test_without_terms_the_last_day_is_the_year_end() -> None:
    calendar = SchoolCalendar.build(FY_2025, ())
    assert calendar.last_day_of_terms == date(2026, 3, 31)
    assert calendar.billing_period_for(date(2025, 11, 3)) is None


def test_part_weeks_count_calendar_weeks_touched() -> None:
    # Wed 3 Sep to Mon 8 Sep 2025: weekdays 3, 4, 5 and 8 fall in two Monday-to-Sunday weeks.
    assert part_weeks(weekdays(date(2025, 9, 3), date(2025, 9, 8))) == 2
    assert part_weeks([]) == 0
