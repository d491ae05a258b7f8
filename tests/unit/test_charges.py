"""Local placement charges ("money follows the child"): docs/funding-rules.md, "Recoupment 2".

School days in the hand arithmetic come from the calendar in ``recoup_builders`` (terms
Summer 2025, Autumn 2025, Spring 2026; half terms 27-31 Oct 2025 and 16-20 Feb 2026).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apmodel.domain.calendar import SchoolCalendar
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import ChargeBasis, FinancialYear, Placement, Provider, Reason, Term
from apmodel.domain.recoupment import LegalBasis, LineStatus, RecoupmentLine, SettlementKind, recoup
from tests.unit.recoup_builders import (
    ACADEMY,
    ACADEMY_NO_AGREEMENT,
    D,
    codes,
    finding,
    inputs,
    placement,
    provider,
)


def run(*placements: Placement, providers: tuple[Provider, ...] | None = None) -> tuple[list[RecoupmentLine], Findings]:
    findings = Findings()
    tables: dict[str, object] = {"placements": placements}
    if providers is not None:
        tables["providers"] = providers
    result = recoup(inputs(**tables), findings)
    return result.lines, findings


def test_daily_charge_is_rate_times_school_days() -> None:
    lines, findings = run(placement(start=date(2025, 11, 3), end=date(2025, 11, 21)))
    [line] = lines
    # Mon 3 to Fri 21 Nov 2025 = 3 weeks = 15 school days; 60 x 15 x 5 / 5 = 900.00.
    assert line.amount == Decimal("900.00")
    assert (line.days, line.rate, line.tier) == (15, Decimal("60"), 2)
    assert line.line_id == "PL-1/Autumn 2025"
    assert line.period == "Autumn 2025"
    assert line.legal_basis is LegalBasis.LOCAL_AGREEMENT
    assert line.settlement is SettlementKind.BUDGET_ADJUSTMENT
    assert line.status is LineStatus.RECOVERABLE
    assert findings.items == []


def test_part_time_placement_is_scaled_by_days_per_week() -> None:
    [line] = run(placement(days_per_week=D(3)))[0]
    # 60 x 15 school days x 3 / 5 = 540.00.
    assert line.amount == Decimal("540.00")


def test_half_term_days_are_not_charged() -> None:
    [line] = run(placement(start=date(2025, 10, 20), end=date(2025, 11, 7)))[0]
    # 20-24 Oct (5) + half term 27-31 Oct (0) + 3-7 Nov (5) = 10 school days; 60 x 10 = 600.00.
    assert line.days == 10
    assert line.amount == Decimal("600.00")


def test_a_placement_across_two_terms_gets_one_line_per_term() -> None:
    lines, _ = run(placement(start=date(2025, 12, 1), end=date(2026, 1, 16)))
    # Autumn: 1-19 Dec = 15 school days -> 60 x 15 = 900.00; Spring: 5-16 Jan = 10 -> 60 x 10 = 600.00.
    assert [(line.line_id, line.days, line.amount) for line in lines] == [
        ("PL-1/Autumn 2025", 15, Decimal("900.00")),
        ("PL-1/Spring 2026", 10, Decimal("600.00")),
    ]
    assert {line.tier for line in lines} == {2}


def test_weekly_charge_counts_complete_or_part_weeks_of_school_days() -> None:
    weekly = provider(charge_basis=ChargeBasis.WEEKLY, charge_rate=D(250))
    [line] = run(placement(start=date(2025, 10, 22), end=date(2025, 11, 5)), providers=(weekly,))[0]
    # School days 22-24 Oct (week of 20 Oct) and 3-5 Nov (week of 3 Nov); the half-term week has none:
    # 2 part weeks; 250 x 2 x 5 / 5 = 500.00.
    assert line.days == 6
    assert line.amount == Decimal("500.00")


def test_weekly_charge_is_scaled_by_days_per_week() -> None:
    weekly = provider(charge_basis=ChargeBasis.WEEKLY, charge_rate=D(250))
    [line] = run(placement(start=date(2025, 10, 22), end=date(2025, 11, 5), days_per_week=D(2)), providers=(weekly,))[0]
    # 250 x 2 weeks x 2 / 5 = 200.00.
    assert line.amount == Decimal("200.00")


def test_percent_of_awpu_charges_a_share_of_the_basic_entitlement() -> None:
    awpu = provider(charge_basis=ChargeBasis.PERCENT_AWPU, charge_rate=D(50))
    [line] = run(placement(start=date(2026, 1, 5), end=date(2026, 3, 31), year_group=9), providers=(awpu,))[0]
    # Spring: 57 school days of 196 in the year; 50% x 5,000 (KS3) x 57 / 196 = 727.040... -> 727.04.
    assert line.days == 57
    assert line.amount == Decimal("727.04")


def test_percent_of_awpu_typed_as_a_fraction_means_the_same() -> None:
    awpu = provider(charge_basis=ChargeBasis.PERCENT_AWPU, charge_rate=D("0.5"))
    [line] = run(placement(start=date(2026, 1, 5), end=date(2026, 3, 31), year_group=9), providers=(awpu,))[0]
    # 0.5 is a cell formatted 50%: 50% x 5,000 x 57 / 196 -> 727.04.
    assert line.amount == Decimal("727.04")


def test_percent_of_awpu_above_100_percent_is_an_error_and_no_charge() -> None:
    awpu = provider(charge_basis=ChargeBasis.PERCENT_AWPU, charge_rate=D(150))
    lines, findings = run(placement(start=date(2026, 1, 5), end=date(2026, 3, 31), year_group=9), providers=(awpu,))
    # 150 is 150% of the AWPU: more than all of it.
    assert lines == []
    error = finding(findings, "PERCENT_OVER_100")
    assert (error.severity, error.column) == (Severity.ERROR, "Charge Rate")


def test_percent_of_awpu_without_a_year_group_is_a_warning_and_no_charge() -> None:
    awpu = provider(charge_basis=ChargeBasis.PERCENT_AWPU, charge_rate=D(50))
    lines, findings = run(placement(year_group=None), providers=(awpu,))
    assert lines == []
    assert finding(findings, "YEAR_GROUP_MISSING").severity is Severity.WARNING


def test_the_placements_own_basis_and_rate_override_the_providers() -> None:
    own = placement(charge_basis=ChargeBasis.WEEKLY, charge_rate=D(300))
    [line] = run(own)[0]
    # 3-21 Nov = 3 weeks; 300 x 3 = 900.00 (not the provider's 60 a day).
    assert line.rate == Decimal("300")
    assert line.amount == Decimal("900.00")


def test_a_placement_rate_alone_uses_the_providers_basis() -> None:
    [line] = run(placement(charge_rate=D(80)))[0]
    # Provider basis Daily; 80 x 15 = 1,200.00.
    assert line.amount == Decimal("1200.00")


def test_provider_basis_none_means_no_charge() -> None:
    free = provider(charge_basis=ChargeBasis.NONE, charge_rate=None)
    lines, findings = run(placement(), providers=(free,))
    assert lines == []
    assert findings.items == []


def test_a_basis_without_any_rate_is_a_warning() -> None:
    unrated = provider(charge_rate=None)
    lines, findings = run(placement(), providers=(unrated,))
    assert lines == []
    assert finding(findings, "CHARGE_RATE_MISSING").severity is Severity.WARNING


def test_single_registered_pupil_is_off_roll_so_never_charged() -> None:
    lines, findings = run(placement(registration="Single"))
    assert lines == []
    assert finding(findings, "SINGLE_REGISTERED").severity is Severity.INFO


def test_permanent_exclusion_placements_are_never_charged_again() -> None:
    lines, findings = run(placement(reason=Reason.PERMANENT_EXCLUSION))
    assert lines == []
    assert findings.items == []


def test_medical_placements_are_charged_only_where_the_provider_says_so() -> None:
    assert run(placement(reason=Reason.MEDICAL))[0] == []
    hospital = provider(charge_medical=True)
    [line] = run(placement(reason=Reason.MEDICAL), providers=(hospital,))[0]
    # 60 x 15 = 900.00.
    assert line.amount == Decimal("900.00")


def test_school_without_an_agreement_gets_a_not_recoverable_line_and_a_warning() -> None:
    lines, findings = run(placement(home_urn=ACADEMY_NO_AGREEMENT))
    [line] = lines
    assert line.legal_basis is LegalBasis.NOT_RECOVERABLE
    assert line.status is LineStatus.NOT_RECOVERABLE
    assert line.settlement is SettlementKind.NONE
    assert finding(findings, "NO_AP_AGREEMENT").severity is Severity.WARNING


def test_academy_with_an_agreement_is_invoiced() -> None:
    [line] = run(placement(home_urn=ACADEMY))[0]
    assert line.settlement is SettlementKind.INVOICE
    assert line.legal_basis is LegalBasis.LOCAL_AGREEMENT


def test_a_placement_crossing_31_march_is_charged_only_for_the_year() -> None:
    lines, findings = run(placement(start=date(2026, 3, 2), end=date(2026, 4, 24)))
    [line] = lines
    # 2-31 Mar 2026: 4 full weeks (20) + Mon 30 and Tue 31 = 22 school days; 60 x 22 = 1,320.00.
    assert line.days == 22
    assert line.amount == Decimal("1320.00")
    assert finding(findings, "PLACEMENT_PARTLY_OUTSIDE_YEAR").severity is Severity.INFO


def test_a_placement_from_last_year_counts_from_1_april() -> None:
    [line] = run(placement(start=date(2025, 3, 3), end=date(2025, 4, 25)))[0]
    # Summer starts Tue 22 Apr: 22-25 Apr = 4 school days in the year; 60 x 4 = 240.00.
    assert line.period == "Summer 2025"
    assert line.amount == Decimal("240.00")


def test_a_placement_wholly_outside_the_year_is_info_and_an_out_of_year_line() -> None:
    lines, findings = run(placement(start=date(2026, 4, 20), end=date(2026, 5, 1)))
    [line] = lines
    assert line.status is LineStatus.OUT_OF_YEAR
    assert line.amount == Decimal("0.00")
    assert line.line_id == "PL-1/2025-26"
    assert finding(findings, "PLACEMENT_OUTSIDE_YEAR").severity is Severity.INFO


def test_an_open_placement_runs_to_the_end_of_the_last_term() -> None:
    lines, findings = run(placement(start=date(2026, 3, 2), end=None, planned_weeks=D(6)))
    [line] = lines
    # To Tue 31 Mar 2026 (end of Spring): 22 school days; 60 x 22 = 1,320.00; 5 school weeks <= 6 planned.
    assert line.amount == Decimal("1320.00")
    assert findings.items == []


def test_an_open_placement_beyond_its_planned_weeks_is_flagged() -> None:
    lines, findings = run(placement(start=date(2026, 3, 2), end=None, planned_weeks=D(2)))
    assert len(lines) == 1
    # School weeks 2, 9, 16, 23 and 30 March = 5 > 2 planned.
    warning = finding(findings, "PLACEMENT_OVER_PLANNED_WEEKS")
    assert (warning.severity, warning.column) == (Severity.WARNING, "Planned Weeks")
    assert "5 weeks since it started on 02 Mar 2026" in warning.message


def test_planned_weeks_count_from_the_placements_real_start_before_1_april() -> None:
    lines, findings = run(placement(start=date(2025, 1, 6), end=date(2025, 5, 30), planned_weeks=D(12)))
    # Before the year: Mon 6 Jan to Mon 31 Mar 2025 holds weekdays in 13 calendar weeks (6, 13, 20, 27 Jan;
    # 3, 10, 17, 24 Feb; 3, 10, 17, 24, 31 Mar). In the year: Summer term school days 22 Apr to 30 May in the
    # weeks of 21 and 28 Apr and 5, 12, 19, 26 May = 6 (1-4 Apr are holiday). 13 + 6 = 19 > 12 planned, though
    # only 6 of them are in this year. Only the in-year part is charged: 60 x 29 school days = 1,740.00.
    warning = finding(findings, "PLACEMENT_OVER_PLANNED_WEEKS")
    assert "19 weeks since it started on 06 Jan 2025" in warning.message
    assert sum(line.amount for line in lines) == Decimal("1740.00")


def test_a_week_on_both_sides_of_1_april_counts_once() -> None:
    summer = Term(row=2, name="Summer 2025", start=date(2025, 4, 1), end=date(2025, 7, 22))
    county = SchoolCalendar.build(FinancialYear(start_year=2025), (summer,))
    # Mon 24 Mar to Fri 11 Apr 2025: weeks of 24 Mar and 31 Mar before 1 April (2); school weeks of 31 Mar (Tue 1
    # to Fri 4 Apr) and 7 Apr in the year (2); the week of 31 Mar is one week: 2 + 2 - 1 = 3.
    assert county.weeks_run(date(2025, 3, 24), date(2025, 4, 11)) == 3


def test_unknown_provider_is_an_error_and_any_charge_is_blocked() -> None:
    lines, findings = run(placement(provider_id="NOPE", charge_basis=ChargeBasis.DAILY, charge_rate=D(60)))
    [line] = lines
    assert line.status is LineStatus.BLOCKED
    assert line.settlement is SettlementKind.NONE
    assert finding(findings, "UNKNOWN_PROVIDER").severity is Severity.ERROR


def test_unknown_provider_without_a_placement_basis_has_no_line() -> None:
    lines, findings = run(placement(provider_id="NOPE"))
    assert lines == []
    assert codes(findings) == ["UNKNOWN_PROVIDER"]


def test_unknown_home_urn_is_an_error() -> None:
    lines, findings = run(placement(home_urn=999999))
    assert lines == []
    assert finding(findings, "UNKNOWN_URN").column == "Home URN"


def test_end_before_start_is_an_error() -> None:
    lines, findings = run(placement(start=date(2025, 11, 21), end=date(2025, 11, 3)))
    assert lines == []
    assert finding(findings, "END_BEFORE_START").severity is Severity.ERROR


def test_days_per_week_above_five_is_an_error() -> None:
    lines, findings = run(placement(days_per_week=D(6)))
    assert lines == []
    assert finding(findings, "DAYS_PER_WEEK_OUT_OF_RANGE").severity is Severity.ERROR


def test_zero_days_per_week_charges_nothing() -> None:
    [line] = run(placement(days_per_week=D(0)))[0]
    # 60 x 15 x 0 / 5 = 0.00.
    assert line.amount == Decimal("0.00")


def test_overlapping_placements_of_one_pupil_are_a_warning_and_both_charged() -> None:
    first = placement("PL-1", pupil_ref="P-7")
    second = placement("PL-2", pupil_ref="P-7", start=date(2025, 11, 17), end=date(2025, 11, 28))
    lines, findings = run(first, second)
    warning = finding(findings, "PLACEMENT_OVERLAP")
    assert (warning.severity, warning.row) == (Severity.WARNING, second.row)
    # PL-1: 15 days -> 900.00; PL-2: 17-28 Nov = 10 days -> 600.00.
    assert [line.amount for line in lines] == [Decimal("900.00"), Decimal("600.00")]


def test_placements_of_one_pupil_that_touch_but_do_not_overlap_are_fine() -> None:
    first = placement("PL-1", pupil_ref="P-7", start=date(2025, 11, 3), end=date(2025, 11, 7))
    second = placement("PL-2", pupil_ref="P-7", start=date(2025, 11, 8), end=None)
    _, findings = run(first, second)
    assert "PLACEMENT_OVERLAP" not in codes(findings)


def test_a_placement_with_no_school_days_is_info() -> None:
    lines, findings = run(placement(start=date(2025, 8, 4), end=date(2025, 8, 29)))
    assert lines == []
    assert finding(findings, "PLACEMENT_NO_SCHOOL_DAYS").severity is Severity.INFO


def test_no_terms_means_no_school_days_and_a_warning() -> None:
    findings = Findings()
    result = recoup(inputs(placements=(placement(),), terms=()), findings)
    assert result.lines == []
    assert finding(findings, "NO_TERMS").severity is Severity.WARNING
