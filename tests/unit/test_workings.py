"""Each recoupment line's workings in words and figures, checked against hand arithmetic.

docs/funding-rules.md, "Recoupment 1" and "Recoupment 2"; apmodel.reports.workings. School days
come from the calendar in ``recoup_builders`` (half terms 27-31 Oct 2025 and 16-20 Feb 2026;
196 school days in the year).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ChargeBasis
from apmodel.domain.recoupment import recoup
from apmodel.reports.workings import workings_text
from tests.unit.recoup_builders import ACADEMY, D, exclusion, inputs, placement, provider


def texts(**tables: Any) -> dict[str, str]:
    return {line.line_id: workings_text(line) for line in recoup(inputs(**tables), Findings()).lines}


def test_a_daily_charge_shows_provider_dates_rate_days_and_days_a_week() -> None:
    shown = texts(placements=(placement(days_per_week=D(3)),))
    # Mon 3 to Fri 21 Nov 2025 = 15 school days; 60 x 15 x 3 / 5 = 540.00.
    assert shown["PL-1/Autumn 2025"] == (
        "PRU-1 provider, daily rate, 3 Nov 2025 to 21 Nov 2025: £60.00 x 15 school days x 3/5 days a week = £540.00"
    )


def test_a_weekly_charge_shows_the_weeks_counted_and_their_school_days() -> None:
    weekly = provider(charge_basis=ChargeBasis.WEEKLY, charge_rate=D(250))
    shown = texts(placements=(placement(start=date(2025, 10, 22), end=date(2025, 11, 5)),), providers=(weekly,))
    # 22-24 Oct and 3-5 Nov: 2 part weeks, 6 school days; 250 x 2 x 5 / 5 = 500.00.
    assert shown["PL-1/Autumn 2025"] == (
        "PRU-1 provider, weekly rate, 22 Oct 2025 to 5 Nov 2025: £250.00 x 2 weeks (6 school days) x 5/5 days a week "
        "= £500.00"
    )


def test_a_percent_of_awpu_charge_shows_the_basic_entitlement_and_the_years_school_days() -> None:
    awpu = provider(charge_basis=ChargeBasis.PERCENT_AWPU, charge_rate=D(50))
    shown = texts(placements=(placement(start=date(2026, 1, 5), end=date(2026, 3, 31)),), providers=(awpu,))
    # 50% x 5,000 (KS3) x 57 / 196 = 727.040... -> 727.04.
    assert shown["PL-1/Spring 2026"] == (
        "PRU-1 provider, percent of AWPU, 5 Jan 2026 to 31 Mar 2026: 50% x basic entitlement £5,000.00 x 57 school "
        "days / 196 school days in the year = £727.04"
    )


def test_an_exclusion_adjustment_shows_a_b_in_weeks_and_days_c_and_d() -> None:
    shown = texts(exclusions=(exclusion(adjustment_order=D(100), fsm6=True),))
    # 3 Nov 2025 to 31 Mar 2026 = 149 days, 21 complete weeks; 5,500 x 21 / 52 = 2,221.153... -> D 2,221.15;
    # + C 100.00 = 2,321.15.
    assert shown["EX-0001/A"] == (
        "A £5,500.00 (Pupil-led Amount £5,500.00) x B 21 complete weeks (149 days, 3 Nov 2025 to 31 Mar 2026) / 52 "
        "= £2,221.15, + C £100.00 = £2,321.15"
    )
    # The excluded pupil's pupil premium: 1,050 x 21 / 52 = 424.038... -> 424.04.
    assert shown["EX-0001/PP"] == (
        "Pupil premium A £1,050.00 (PupilRates KS3) x B 21 complete weeks (149 days, 3 Nov 2025 to 31 Mar 2026) / 52 "
        "= £424.04"
    )


def test_credits_show_d_e_and_f_and_the_credit_as_a_negative_amount() -> None:
    shown = texts(exclusions=(exclusion(admitting_urn=ACADEMY, admission_date=date(2026, 1, 5)),))
    # 5 Jan to 31 Mar 2026 = 86 days, 12 complete weeks; 2,221.1538... x 12 / 21 = 1,269.23 credited.
    assert shown["EX-0001/AC"] == (
        "D £2,221.15 x E 12 complete weeks (86 days, 5 Jan 2026 to 31 Mar 2026) / F 21 weeks = £1,269.23, "
        "credited to the school: -£1,269.23"
    )
    repaid = texts(exclusions=(exclusion(reinstated_date=date(2026, 1, 12)),))
    # 12 Jan to 31 Mar 2026 = 79 days, 11 complete weeks; 2,221.1538... x 11 / 21 = 1,163.46.
    assert repaid["EX-0001/RR"] == (
        "D £2,221.15 x E 11 complete weeks (79 days, 12 Jan 2026 to 31 Mar 2026) / F 21 weeks = £1,163.46, "
        "credited to the school: -£1,163.46"
    )


def test_a_line_outside_the_year_says_so() -> None:
    shown = texts(exclusions=(exclusion(exclusion_date=date(2026, 4, 1), relevant_date=date(2026, 4, 10)),))
    assert shown["EX-0001/A"] == "The dates (10 Apr 2026) are outside the financial year: no charge this year."


def test_a_reinstated_pupils_pupil_premium_repayment_says_what_its_d_is() -> None:
    shown = texts(exclusions=(exclusion(reinstated_date=date(2026, 1, 12), fsm6=True),))
    # D = 1,050 x 21 / 52 = 424.038...; 12 Jan to 31 Mar 2026 = 11 complete weeks: 424.038 x 11 / 21 = 222.12.
    assert shown["EX-0001/RP"] == (
        "D £424.04 (the pupil premium £1,050.00 x B 21 / 52) x E 11 complete weeks (79 days, 12 Jan 2026 to "
        "31 Mar 2026) / F 21 weeks = £222.12, credited to the school: -£222.12"
    )
