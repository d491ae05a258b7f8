"""The statutory adjustment on permanent exclusion (reg 39): deduction = A x B / 52 + C.

docs/funding-rules.md, "Recoupment 1". The worked examples of the rules are the first tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from apmodel.domain.calendar import SchoolCalendar
from apmodel.domain.exclusions import next_school_year_start, weeks_remaining
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import Exclusion
from apmodel.domain.money import money
from apmodel.domain.recoupment import LegalBasis, LineStatus, LineType, RecoupmentLine, SettlementKind, recoup
from tests.unit.recoup_builders import (
    ACADEMY,
    ACADEMY_NO_AGREEMENT,
    MAINTAINED,
    MAINTAINED_2,
    SPECIAL,
    D,
    exclusion,
    finding,
    inputs,
    settings,
)


def run(*exclusions: Exclusion, **overrides: object) -> tuple[list[RecoupmentLine], Findings]:
    findings = Findings()
    result = recoup(inputs(exclusions=exclusions, **overrides), findings)
    return result.lines, findings


def only(lines: list[RecoupmentLine], suffix: str = "/A") -> RecoupmentLine:
    [line] = [line for line in lines if line.line_id.endswith(suffix)]
    return line


def test_excluding_school_loses_21_weeks_of_A() -> None:
    lines, findings = run(exclusion(relevant_date=date(2025, 11, 3)))
    [line] = lines
    # Worked example: 3 Nov 2025 to 31 Mar 2026 = 149 days = 21 weeks; 5,500 x 21 / 52 = 2,221.153... -> 2,221.15.
    assert line.amount == Decimal("2221.15")
    assert (line.a, line.b, line.days) == (Decimal("5500.00"), 21, 149)
    assert line.line_id == "EX-0001/A"
    assert line.type is LineType.EXCLUSION_ADJUSTMENT
    assert line.legal_basis is LegalBasis.STATUTORY
    assert line.settlement is SettlementKind.BUDGET_ADJUSTMENT
    assert line.status is LineStatus.RECOVERABLE
    assert line.period == "Autumn 2025"
    assert findings.items == []


def test_relevant_date_of_2_december_gives_17_weeks() -> None:
    line = only(run(exclusion(relevant_date=date(2025, 12, 2)))[0])
    # Worked example: 2 Dec 2025 to 31 Mar 2026 = 120 days = 17 weeks; 5,500 x 17 / 52 = 1,798.076... -> 1,798.08.
    assert line.amount == Decimal("1798.08")
    assert (line.b, line.days) == (17, 120)


def test_A_is_the_key_stage_rate_plus_the_pupils_flags() -> None:
    line = only(run(exclusion(pupil_led_amount=None, year_group=9, fsm6=True, eal=True))[0])
    # KS3: basic 5,000 + FSM6 500 + EAL 200 = 5,700; 5,700 x 21 / 52 = 2,301.923... -> 2,301.92.
    assert line.a == Decimal("5700.00")
    assert line.amount == Decimal("2301.92")


def test_every_flag_adds_its_rate_to_A() -> None:
    line = only(run(exclusion(pupil_led_amount=None, fsm6=True, idaci=True, eal=True, lpa=True))[0])
    # KS3: 5,000 + 500 + 300 + 200 + 100 = 6,100; 6,100 x 21 / 52 = 2,463.461... -> 2,463.46.
    assert line.a == Decimal("6100.00")
    assert line.amount == Decimal("2463.46")


def test_pupil_led_amount_overrides_the_rates() -> None:
    no_premium = settings(recoup_pupil_premium=False)
    lines, _ = run(exclusion(pupil_led_amount=D(5500), fsm6=True, idaci=True), settings=no_premium)
    line = only(lines)
    # A = 5,500 as given (not 5,000 + 500 + 300); 5,500 x 21 / 52 -> 2,221.15.
    assert line.a == Decimal("5500.00")
    assert line.amount == Decimal("2221.15")


def test_adjustment_order_C_is_added_after_the_weeks() -> None:
    line = only(run(exclusion(adjustment_order=D(1000)))[0])
    # 5,500 x 21 / 52 + 1,000 = 3,221.153... -> 3,221.15; D (before C) = 2,221.15.
    assert line.amount == Decimal("3221.15")
    assert line.c == Decimal("1000.00")
    assert line.d == Decimal("2221.15")


def test_each_line_rounds_half_up_to_the_penny() -> None:
    line = only(run(exclusion(relevant_date=date(2026, 3, 25), pupil_led_amount=D("5200.26")))[0])
    # 25 to 31 Mar = 7 days = 1 week; 5,200.26 x 1 / 52 = 100.005 exactly -> 100.01 (half up, not half even).
    assert line.b == 1
    assert line.amount == Decimal("100.01")


def test_relevant_date_on_31_march_leaves_no_complete_week_so_only_C() -> None:
    line = only(run(exclusion(relevant_date=date(2026, 3, 31), adjustment_order=D(250)))[0])
    # 1 day = 0 weeks; 5,500 x 0 / 52 + 250 = 250.00.
    assert line.b == 0
    assert line.amount == Decimal("250.00")


def test_relevant_date_on_1_april_takes_the_whole_year() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 3, 20), relevant_date=date(2025, 4, 1)))[0])
    # 365 days = 52 weeks; 5,500 x 52 / 52 = 5,500.00.
    assert line.b == 52
    assert line.amount == Decimal("5500.00")
    assert line.period == "Summer 2025"


def test_blank_relevant_date_uses_the_exclusion_date_with_a_warning() -> None:
    lines, findings = run(exclusion(exclusion_date=date(2025, 11, 3), relevant_date=None))
    # Exclusion Date 3 Nov 2025 -> 21 weeks; 5,500 x 21 / 52 -> 2,221.15.
    assert only(lines).amount == Decimal("2221.15")
    warning = finding(findings, "RELEVANT_DATE_MISSING")
    assert warning.severity is Severity.WARNING
    assert (warning.table, warning.column) == ("Exclusions", "Relevant Date")


def test_relevant_date_before_exclusion_date_is_an_error_and_blocks_settlement() -> None:
    lines, findings = run(exclusion(exclusion_date=date(2025, 11, 10), relevant_date=date(2025, 11, 3)))
    line = only(lines)
    assert finding(findings, "RELEVANT_DATE_BEFORE_EXCLUSION").severity is Severity.ERROR
    assert line.status is LineStatus.BLOCKED
    assert line.settlement is SettlementKind.NONE
    # Still computed for the reader: 5,500 x 21 / 52 -> 2,221.15.
    assert line.amount == Decimal("2221.15")


def test_year_11_excluded_in_the_summer_term_counts_only_to_31_july() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 5, 20), relevant_date=date(2025, 6, 2), year_group=11))[0])
    # Phase change: 2 Jun to 31 Jul 2025 = 29 + 31 = 60 days = 8 weeks; 5,500 x 8 / 52 = 846.153... -> 846.15.
    assert (line.b, line.days) == (8, 60)
    assert line.amount == Decimal("846.15")


def test_year_10_excluded_the_same_day_counts_to_31_march() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 5, 20), relevant_date=date(2025, 6, 2), year_group=10))[0])
    # 2 Jun 2025 to 31 Mar 2026 = 29+31+31+30+31+30+31+31+28+31 = 303 days = 43 weeks;
    # 5,500 x 43 / 52 = 4,548.076... -> 4,548.08.
    assert (line.b, line.days) == (43, 303)
    assert line.amount == Decimal("4548.08")


def test_year_11_excluded_in_the_next_school_year_counts_to_31_march() -> None:
    line = only(run(exclusion(year_group=11))[0])
    # 3 Nov 2025 falls in the school year 2025-26, whose 1 April (2026) is after the financial year:
    # no leaving-year exception, so 21 weeks; 5,500 x 21 / 52 -> 2,221.15.
    assert line.b == 21
    assert line.amount == Decimal("2221.15")


def test_year_11_excluded_after_the_school_year_end_would_have_left_so_B_is_0() -> None:
    lines, findings = run(exclusion(exclusion_date=date(2025, 8, 4), relevant_date=date(2025, 8, 11), year_group=11))
    line = only(lines)
    # 11 Aug 2025 is after the school year end (31 Jul) and before the next school year starts (the Autumn
    # term, 3 Sep): the pupil would have left. B = 0, so 5,500 x 0 / 52 + 0 = 0.00 (it was 233 days, B = 33,
    # 5,500 x 33 / 52 = 3,490.38, before this rule).
    assert (line.b, line.amount) == (0, Decimal("0.00"))
    info = finding(findings, "LEAVING_YEAR_AFTER_YEAR_END")
    assert (info.severity, info.column) == (Severity.INFO, "Relevant Date")


def test_an_adjustment_order_still_applies_when_a_leaver_has_B_of_0() -> None:
    line = only(
        run(
            exclusion(
                exclusion_date=date(2025, 8, 4), relevant_date=date(2025, 9, 2), year_group=6, adjustment_order=D(300)
            )
        )[0]
    )
    # 2 Sep is still before the Autumn term (3 Sep): Year 6 would have left; 5,500 x 0 / 52 + 300 = 300.00.
    assert (line.b, line.amount) == (0, Decimal("300.00"))


def test_a_leaving_year_excluded_on_the_first_day_of_the_next_school_year_counts_to_31_march() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 9, 3), relevant_date=date(2025, 9, 3), year_group=11))[0])
    # 3 Sep 2025 starts the school year 2025-26: 3 Sep to 31 Mar = 210 days = 30 weeks; 5,500 x 30 / 52 =
    # 3,173.076... -> 3,173.08.
    assert (line.b, line.days, line.amount) == (30, 210, Decimal("3173.08"))


def test_year_10_excluded_after_the_school_year_end_counts_to_31_march() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 8, 4), relevant_date=date(2025, 8, 11), year_group=10))[0])
    # Not a leaving year: 11 Aug 2025 to 31 Mar 2026 = 233 days = 33 weeks; 5,500 x 33 / 52 = 3,490.384... -> 3,490.38.
    assert (line.b, line.days, line.amount) == (33, 233, Decimal("3490.38"))


def test_without_a_term_after_the_school_year_end_the_next_school_year_starts_on_1_september() -> None:
    county = settings()
    calendar = SchoolCalendar.build(county.financial_year, ())
    start = next_school_year_start(county, calendar)
    assert start == date(2025, 9, 1)
    # 31 Aug is still the old school year (B = 0 for a leaver); 1 Sep counts to 31 March: 212 days = 30 weeks.
    assert weeks_remaining(date(2025, 8, 31), 11, county, start).weeks == 0
    assert weeks_remaining(date(2025, 9, 1), 11, county, start).weeks == 30


def test_phase_change_year_groups_come_from_settings() -> None:
    line = only(
        run(
            exclusion(exclusion_date=date(2025, 5, 20), relevant_date=date(2025, 6, 2), year_group=11),
            settings=settings(phase_change_year_groups=(6,)),
        )[0]
    )
    # Year 11 is not a phase-change year here: 43 weeks as for year 10 -> 4,548.08.
    assert line.amount == Decimal("4548.08")


def test_pupil_premium_follows_an_fsm6_pupil_as_its_own_line() -> None:
    lines, _ = run(exclusion(fsm6=True))
    premium = only(lines, "/PP")
    # KS3 Pupil Premium 1,050 x 21 / 52 = 424.038... -> 424.04.
    assert premium.amount == Decimal("424.04")
    assert premium.type is LineType.PUPIL_PREMIUM
    assert (premium.a, premium.b) == (Decimal("1050.00"), 21)
    assert premium.legal_basis is LegalBasis.STATUTORY


def test_the_rows_own_pupil_premium_is_recouped_without_fsm6() -> None:
    premium = only(run(exclusion(pupil_premium=D(985)))[0], "/PP")
    # 985 x 21 / 52 = 397.788... -> 397.79.
    assert premium.amount == Decimal("397.79")


def test_no_pupil_premium_line_when_the_setting_is_no() -> None:
    lines, _ = run(exclusion(fsm6=True), settings=settings(recoup_pupil_premium=False))
    assert [line.line_id for line in lines] == ["EX-0001/A"]


def test_no_pupil_premium_line_for_a_pupil_who_does_not_attract_it() -> None:
    lines, _ = run(exclusion(fsm6=False))
    assert [line.line_id for line in lines] == ["EX-0001/A"]


def test_admitting_school_is_credited_D_x_E_over_F() -> None:
    lines, findings = run(exclusion(admitting_urn=MAINTAINED_2, admission_date=date(2025, 12, 1)))
    credit = only(lines, "/AC")
    # D = 5,500 x 21 / 52; E = 1 Dec to 31 Mar = 31+31+28+31 = 121 days = 17 weeks; F = 21;
    # D x 17 / 21 = 5,500 x 17 / 52 = 1,798.076... -> credit of -1,798.08.
    assert credit.amount == Decimal("-1798.08")
    assert (credit.d, credit.e, credit.f) == (Decimal("2221.15"), 17, 21)
    assert credit.urn == MAINTAINED_2
    assert credit.type is LineType.ADMITTING_CREDIT
    assert credit.settlement is SettlementKind.BUDGET_ADJUSTMENT
    assert credit.period == "Autumn 2025"
    # The excluding school's deduction is unchanged: 2,221.15.
    assert only(lines).amount == Decimal("2221.15")
    assert findings.items == []


def test_no_admitting_credit_when_the_setting_is_no() -> None:
    lines, _ = run(
        exclusion(admitting_urn=MAINTAINED_2, admission_date=date(2025, 12, 1)),
        settings=settings(admitting_school_credit=False),
    )
    assert [line.line_id for line in lines] == ["EX-0001/A"]


def test_admission_before_the_relevant_date_is_a_warning_and_credits_all_of_D() -> None:
    lines, findings = run(exclusion(admitting_urn=MAINTAINED_2, admission_date=date(2025, 10, 20)))
    # Counted from the relevant date: E = F = 21; D x 21 / 21 = 2,221.153... -> -2,221.15.
    assert only(lines, "/AC").amount == Decimal("-2221.15")
    assert finding(findings, "ADMISSION_BEFORE_RELEVANT_DATE").severity is Severity.WARNING


def test_admitting_academy_without_an_agreement_is_not_credited() -> None:
    lines, findings = run(exclusion(admitting_urn=ACADEMY_NO_AGREEMENT, admission_date=date(2025, 12, 1)))
    credit = only(lines, "/AC")
    assert credit.status is LineStatus.NOT_RECOVERABLE
    assert credit.legal_basis is LegalBasis.NOT_RECOVERABLE
    assert finding(findings, "NO_AP_AGREEMENT").column == "Admitting URN"


def test_unknown_admitting_urn_is_an_error_and_gives_no_credit() -> None:
    lines, findings = run(exclusion(admitting_urn=999999, admission_date=date(2025, 12, 1)))
    assert [line.line_id for line in lines] == ["EX-0001/A"]
    error = finding(findings, "UNKNOWN_URN")
    assert (error.severity, error.column) == (Severity.ERROR, "Admitting URN")


def test_reinstated_pupil_repays_the_excluding_school_for_the_weeks_left() -> None:
    lines, _ = run(exclusion(reinstated_date=date(2026, 1, 5)))
    repayment = only(lines, "/RR")
    # 5 Jan to 31 Mar = 27 + 28 + 31 = 86 days = 12 weeks; D x 12 / 21 = 5,500 x 12 / 52 = 1,269.230... -> -1,269.23.
    assert repayment.amount == Decimal("-1269.23")
    assert (repayment.e, repayment.f) == (12, 21)
    assert repayment.urn == MAINTAINED
    assert repayment.type is LineType.REINSTATEMENT_REPAYMENT
    assert repayment.period == "Spring 2026"


def test_reinstatement_repays_the_pupil_premium_in_the_same_proportion_as_D() -> None:
    lines, _ = run(exclusion(fsm6=True, pupil_led_amount=None, reinstated_date=date(2026, 1, 5)))
    premium, repayment = only(lines, "/PP"), only(lines, "/RP")
    # Recouped: KS3 Pupil Premium 1,050 x 21 / 52 = 424.04. Repaid for the 12 weeks left of the 21:
    # 1,050 x 21 / 52 x 12 / 21 = 1,050 x 12 / 52 = 242.307... -> -242.31.
    assert premium.amount == Decimal("424.04")
    assert repayment.amount == Decimal("-242.31")
    assert (repayment.a, repayment.d, repayment.e, repayment.f) == (Decimal("1050.00"), Decimal("424.04"), 12, 21)
    assert repayment.type is LineType.REINSTATEMENT_REPAYMENT
    assert (repayment.urn, repayment.period) == (MAINTAINED, "Spring 2026")
    # A: KS3 5,000 + FSM6 500 = 5,500, so D is repaid as before: 5,500 x 12 / 52 -> -1,269.23.
    assert only(lines, "/RR").amount == Decimal("-1269.23")


def test_no_admitting_credit_when_nothing_was_recovered_from_the_excluding_academy() -> None:
    lines, findings = run(
        exclusion(excluding_urn=ACADEMY_NO_AGREEMENT, admitting_urn=MAINTAINED_2, admission_date=date(2025, 12, 1))
    )
    # Reg 27(3) SEYFR 2018: the credit is statutory only where the excluding school is maintained.
    assert [line.line_id for line in lines] == ["EX-0001/A"]
    assert only(lines).status is LineStatus.NOT_RECOVERABLE
    assert finding(findings, "ADMITTING_CREDIT_NOTHING_RECOVERED").severity is Severity.INFO


def test_an_la_funded_admitting_credit_says_so_in_its_legal_basis_and_a_warning() -> None:
    lines, findings = run(
        exclusion(excluding_urn=ACADEMY_NO_AGREEMENT, admitting_urn=MAINTAINED_2, admission_date=date(2025, 12, 1)),
        settings=settings(admitting_credit_when_nothing_recovered=True),
    )
    credit = only(lines, "/AC")
    # As when recovered: D x E / F = 5,500 x 21 / 52 x 17 / 21 = 5,500 x 17 / 52 = 1,798.076... -> -1,798.08.
    assert credit.amount == Decimal("-1798.08")
    assert credit.legal_basis is LegalBasis.LA_FUNDED
    assert (credit.status, credit.settlement) == (LineStatus.RECOVERABLE, SettlementKind.BUDGET_ADJUSTMENT)
    warning = finding(findings, "ADMITTING_CREDIT_LA_FUNDED")
    assert (warning.severity, warning.column) == (Severity.WARNING, "Admitting URN")
    assert "AP budget" in warning.message


def test_academy_with_an_agreement_is_invoiced_under_the_local_agreement() -> None:
    line = only(run(exclusion(excluding_urn=ACADEMY))[0])
    assert line.legal_basis is LegalBasis.LOCAL_AGREEMENT
    assert line.settlement is SettlementKind.INVOICE
    assert line.status is LineStatus.RECOVERABLE
    # 5,500 x 21 / 52 -> 2,221.15.
    assert line.amount == Decimal("2221.15")


def test_academy_without_an_agreement_is_shown_but_not_recoverable() -> None:
    lines, findings = run(exclusion(excluding_urn=ACADEMY_NO_AGREEMENT))
    line = only(lines)
    assert line.legal_basis is LegalBasis.NOT_RECOVERABLE
    assert line.status is LineStatus.NOT_RECOVERABLE
    assert line.settlement is SettlementKind.NONE
    # Shown for information: 5,500 x 21 / 52 -> 2,221.15.
    assert line.amount == Decimal("2221.15")
    warning = finding(findings, "NO_AP_AGREEMENT")
    assert (warning.severity, warning.column) == (Severity.WARNING, "Excluding URN")


def test_exclusion_from_a_special_school_is_info_and_no_line() -> None:
    lines, findings = run(exclusion(excluding_urn=SPECIAL))
    assert lines == []
    assert finding(findings, "EXCLUSION_NOT_MAINSTREAM").severity is Severity.INFO


def test_unknown_excluding_urn_is_an_error_and_no_line() -> None:
    lines, findings = run(exclusion(excluding_urn=123456))
    assert lines == []
    error = finding(findings, "UNKNOWN_URN")
    assert (error.severity, error.column, error.value) == (Severity.ERROR, "Excluding URN", "123456")


def test_the_same_pupil_excluded_twice_is_a_warning_on_the_second_row() -> None:
    first = exclusion("EX-0001", pupil_ref="P-9")
    second = exclusion("EX-0002", pupil_ref="p-9 ", excluding_urn=MAINTAINED_2)
    lines, findings = run(first, second)
    warning = finding(findings, "PUPIL_EXCLUDED_TWICE")
    assert (warning.severity, warning.row) == (Severity.WARNING, second.row)
    assert [line.line_id for line in lines] == ["EX-0001/A", "EX-0002/A"]


def test_relevant_date_outside_the_year_is_info_and_no_charge() -> None:
    lines, findings = run(exclusion(exclusion_date=date(2026, 4, 1), relevant_date=date(2026, 4, 10)))
    line = only(lines)
    assert line.status is LineStatus.OUT_OF_YEAR
    assert line.amount == Decimal("0.00")
    assert line.period == ""
    assert finding(findings, "EXCLUSION_OUTSIDE_YEAR").severity is Severity.INFO


def test_missing_key_stage_rate_without_pupil_led_amount_is_an_error() -> None:
    lines, findings = run(exclusion(pupil_led_amount=None, year_group=1))
    assert lines == []
    assert finding(findings, "PUPIL_RATE_MISSING").severity is Severity.ERROR


def test_relevant_date_in_a_holiday_is_billed_with_the_next_term() -> None:
    line = only(run(exclusion(exclusion_date=date(2025, 12, 15), relevant_date=date(2025, 12, 29)))[0])
    assert line.period == "Spring 2026"
    # 29 Dec to 31 Mar = 3 + 31 + 28 + 31 = 93 days = 13 weeks; 5,500 x 13 / 52 = 1,375.00.
    assert line.amount == Decimal("1375.00")


def test_every_line_of_an_exclusion_has_a_trace_that_recomputes_it() -> None:
    findings = Findings()
    result = recoup(inputs(exclusions=(exclusion(fsm6=True, reinstated_date=date(2026, 1, 5)),)), findings)
    assert [t.value for t in result.trace] == [line.amount for line in result.lines]
    assert result.trace[0].formula == "A x B / 52 + C"
    assert "B = 21 (149 days from 03 Nov 2025 to 31 Mar 2026)" in result.trace[0].inputs


def test_lines_of_several_exclusions_keep_row_order_and_stable_ids() -> None:
    rows = (exclusion("EX-0002"), exclusion("EX-0001", admitting_urn=ACADEMY, admission_date=date(2025, 12, 1)))
    first, _ = run(*rows)
    second, _ = run(*rows)
    assert [line.line_id for line in first] == ["EX-0002/A", "EX-0001/A", "EX-0001/AC"]
    assert first == second


@settings_hypothesis(max_examples=60, deadline=None)
@given(
    relevant=st.dates(min_value=date(2025, 4, 1), max_value=date(2026, 3, 31)),
    admitted_after=st.integers(min_value=-30, max_value=400),
    amount=st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=2),
)
def test_credits_never_exceed_the_deduction_before_C(relevant: date, admitted_after: int, amount: Decimal) -> None:
    admitted = relevant + timedelta(days=admitted_after)
    row = exclusion(
        exclusion_date=relevant,
        relevant_date=relevant,
        pupil_led_amount=amount,
        adjustment_order=D(100),
        admitting_urn=MAINTAINED_2,
        admission_date=admitted,
        reinstated_date=admitted,
    )
    lines, _ = run(row)
    deduction = only(lines)
    # B is floor(days to 31 March / 7), and A x B / 52 never exceeds A.
    assert deduction.days is not None
    assert deduction.b == deduction.days // 7
    assert deduction.amount - Decimal("100.00") <= money(amount)
    for credit in (line for line in lines if line.amount < 0):
        assert -credit.amount <= deduction.amount - Decimal("100.00")
