"""Financial redress (docs/funding-rules.md, "Financial redress"): deductions, the cap, and where the money goes."""

from __future__ import annotations

from decimal import Decimal

from apmodel.domain.allocation import AllocationResult, allocate
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import FundingModel, ModelInputs, RedressDestination, RedressRule, School
from apmodel.domain.redress import deduction_for
from tests.unit.alloc_builders import (
    D,
    by_key,
    district,
    district_factor,
    inputs,
    only,
    per_unit_rule,
    percent_rule,
    provider,
    school,
    settings,
    weight_factor,
)

EXCLUSIONS = "Permanent Exclusions 3yr"


def exclusions_rule(rate: str = "5000") -> RedressRule:
    """£rate per exclusion above 2 per 1,000 pupils."""
    return per_unit_rule("Exclusions", EXCLUSIONS, "2", rate, per_1000_of="Pupils")


def county(
    rules: list[RedressRule],
    schools: list[School] | None = None,
    *,
    destination: RedressDestination = RedressDestination.DISTRICT_SCHOOLS,
    lead: str | None = "PRU-N",
) -> ModelInputs:
    """One devolved district with all 300,000; schools share it per pupil.

    Default schools: 100001 1,200 pupils (120,000), 100002 and 100003 900 pupils each (90,000).
    """
    if schools is None:
        schools = [
            school(100001, "North", Pupils=1200, Permanent_Exclusions_3yr=5, Suspensions=60),
            school(100002, "North", Pupils=900, Permanent_Exclusions_3yr=1, Suspensions=10),
            school(100003, "North", Pupils=900, Permanent_Exclusions_3yr=0, Suspensions=50),
        ]
    return inputs(
        settings(300_000, destination=destination),
        [district("North", FundingModel.DEVOLVED, lead=lead, row=3)],
        schools,
        [district_factor("Pupils", "Pupils", "1")],
        [weight_factor("Per pupil", "Pupils", "1")],
        [provider("PRU-N")],
        rules,
    )


def run(model: ModelInputs) -> tuple[AllocationResult, Findings]:
    findings = Findings()
    return allocate(model, findings), findings


def test_per_unit_per_1000_charges_the_exclusions_above_the_expected_number() -> None:
    result, findings = run(county([exclusions_rule()]))
    schools = by_key(result.schools, "urn")
    # 100001: 5 / 1,200 x 1,000 = 4.17 per 1,000 > 2; expected 2 x 1,200 / 1,000 = 2.4 exclusions,
    # excess 5 - 2.4 = 2.6; deduction 2.6 x 5,000 = 13,000.00.
    # 100002: 1 / 900 x 1,000 = 1.11 per 1,000: below the threshold, no deduction.
    assert schools[100001].redress_withheld == Decimal("13000.00")
    assert schools[100002].redress_withheld == Decimal("0.00")
    # 13,000 goes to the schools not redressed, pro rata to 90,000 : 90,000 -> 6,500 each.
    assert schools[100002].redress_received == Decimal("6500.00")
    assert schools[100003].redress_received == Decimal("6500.00")
    # Finals: 120,000 - 13,000 = 107,000; 90,000 + 6,500 = 96,500 twice; total still 300,000.
    assert [s.final_devolved for s in result.schools] == [D("107000.00"), D("96500.00"), D("96500.00")]
    assert result.total_to_schools == Decimal("300000.00")
    [line] = [t for t in result.trace if t.figure == "Redress deduction"]
    assert line.value == Decimal("13000.00")
    assert "excess = 5 - 2 x 1,200 / 1,000 = 2.6" in line.inputs
    assert "threshold = 2 per 1,000" in line.inputs
    assert not findings.items


def test_per_unit_without_per_1000_uses_measure_minus_threshold() -> None:
    rule = per_unit_rule("Suspensions", "Suspensions", "40", "100")
    deduction = deduction_for(rule, school(100001, "North", Suspensions=55), D("90000.00"), Findings())
    assert deduction is not None
    # excess 55 - 40 = 15; 15 x 100 = 1,500.00
    assert (deduction.excess, deduction.amount) == (Decimal(15), Decimal("1500.00"))


def test_measure_at_the_threshold_is_not_redressed() -> None:
    rule = per_unit_rule("Suspensions", "Suspensions", "40", "100")
    assert deduction_for(rule, school(100001, "North", Suspensions=40), D("90000.00"), Findings()) is None


def test_percent_method_takes_a_share_of_the_devolved_allocation_above_the_threshold() -> None:
    result, _ = run(county([percent_rule("Suspensions", "Suspensions", "50", "0.05")]))
    schools = by_key(result.schools, "urn")
    # 100001: 60 suspensions > 50 -> 5% x 120,000 = 6,000.00; 100003: 50 is not above 50.
    assert schools[100001].redress_withheld == Decimal("6000.00")
    assert schools[100003].redress_withheld == Decimal("0.00")
    # 6,000 shared 90,000 : 90,000 between 100002 and 100003 -> 3,000 each.
    assert schools[100003].redress_received == Decimal("3000.00")


def test_a_percent_of_allocation_rate_of_10_means_10_percent_not_1000() -> None:
    result, _ = run(county([percent_rule("Suspensions", "Suspensions", "50", "10")]))
    # 100001: 60 suspensions > 50 -> 10% x 120,000 = 12,000.00 (not 1,000% of it, capped at the allocation).
    assert by_key(result.schools, "urn")[100001].redress_withheld == Decimal("12000.00")


def test_percent_method_with_per_1000_compares_the_rate() -> None:
    rule = percent_rule("Exclusion rate", EXCLUSIONS, "3", "0.1", per_1000_of="Pupils")
    low = school(100001, "North", Pupils=1000, Permanent_Exclusions_3yr=3)
    high = school(100002, "North", Pupils=500, Permanent_Exclusions_3yr=2)
    # 3 per 1,000 is not above 3; 2 / 500 x 1,000 = 4 per 1,000 is: 10% x 50,000 = 5,000.00.
    assert deduction_for(rule, low, D("100000.00"), Findings()) is None
    deduction = deduction_for(rule, high, D("50000.00"), Findings())
    assert deduction is not None
    assert (deduction.rate_per_1000, deduction.amount) == (Decimal(4), Decimal("5000.00"))


def test_redress_is_capped_at_the_devolved_allocation() -> None:
    result, _ = run(county([exclusions_rule("50000"), percent_rule("Suspensions", "Suspensions", "50", "0.05")]))
    schools = by_key(result.schools, "urn")
    # 100001: 2.6 x 50,000 = 130,000 + 5% x 120,000 = 6,000 -> 136,000, capped at its 120,000.
    assert schools[100001].redress_withheld == Decimal("120000.00")
    assert schools[100001].final_devolved == Decimal("0.00")
    [cap] = [t for t in result.trace if t.figure == "Redress cap"]
    assert cap.value == Decimal("120000.00")
    # 120,000 shared 90,000 : 90,000 -> 60,000 each: 150,000 twice.
    assert schools[100002].final_devolved == Decimal("150000.00")
    assert result.total_to_schools == Decimal("300000.00")


def test_redress_received_conserves_with_awkward_thirds() -> None:
    schools = [
        school(100001, "North", Pupils=1000, Suspensions=99),
        school(100002, "North", Pupils=1000, Suspensions=0),
        school(100003, "North", Pupils=1000, Suspensions=0),
        school(100004, "North", Pupils=1000, Suspensions=0),
    ]
    result, _ = run(county([per_unit_rule("Suspensions", "Suspensions", "0", "1")], schools))
    received = [s.redress_received for s in result.schools]
    # 99 x 1 = 99.00 withheld, shared 1 : 1 : 1 -> 33.00 each exactly.
    assert received == [D("0.00"), D("33.00"), D("33.00"), D("33.00")]
    schools[0] = school(100001, "North", Pupils=1000, Suspensions=100)
    result, _ = run(county([per_unit_rule("Suspensions", "Suspensions", "0", "1")], schools))
    # 100.00 / 3 = 33.333...: the spare penny to the lowest URN among the receivers (100002).
    assert [s.redress_received for s in result.schools] == [D("0.00"), D("33.34"), D("33.33"), D("33.33")]


def test_lead_pru_destination_adds_the_redress_to_its_top_up() -> None:
    result, _ = run(county([exclusions_rule()], destination=RedressDestination.LEAD_PRU))
    [pru] = result.providers
    # 13,000 withheld from 100001 goes to PRU-N: top-up 0 + 13,000; it has no places to fund.
    assert (pru.redress_received, pru.top_up, pru.delegated_allocation) == (
        D("13000.00"),
        D("13000.00"),
        D("13000.00"),
    )
    assert sum((s.redress_received for s in result.schools), Decimal(0)) == Decimal("0.00")
    assert result.total_to_schools + result.total_to_providers == Decimal("300000.00")


def test_when_every_school_is_redressed_the_money_goes_to_the_lead_pru() -> None:
    schools = [
        school(100001, "North", Pupils=1000, Suspensions=60),
        school(100002, "North", Pupils=1000, Suspensions=70),
    ]
    result, _ = run(county([percent_rule("Suspensions", "Suspensions", "50", "0.1")], schools))
    # 10% of 150,000 from each school: 30,000 with no unredressed school to receive it -> PRU-N.
    assert result.providers[0].redress_received == Decimal("30000.00")


def test_with_no_lead_pru_the_redress_stays_with_the_la_and_warns() -> None:
    result, findings = run(county([exclusions_rule()], destination=RedressDestination.LEAD_PRU, lead=None))
    finding = only(findings, "REDRESS_RETAINED_CENTRALLY")
    assert (finding.severity, finding.table, finding.row) == (Severity.WARNING, "Districts", 3)
    assert result.redress_retained_centrally == Decimal("13000.00")
    # 300,000 - 13,000 kept by the LA = 287,000 to schools.
    assert result.total_to_schools == Decimal("287000.00")


def test_per_1000_of_an_empty_column_warns_and_deducts_nothing() -> None:
    findings = Findings()
    rule = exclusions_rule()
    no_pupils = school(100009, "North", row=11, Permanent_Exclusions_3yr=2)
    assert deduction_for(rule, no_pupils, D("1000.00"), findings) is None
    finding = only(findings, "REDRESS_NO_PUPILS")
    assert (finding.table, finding.row, finding.column) == ("Schools", 11, "Pupils")


def test_schools_without_devolved_funding_are_never_redressed() -> None:
    model = county([exclusions_rule()])
    model = model.model_copy(update={"districts": (district("North", FundingModel.DELEGATED, lead="PRU-N"),)})
    result, _ = run(model)
    assert all(s.redress_withheld == 0 for s in result.schools)
    assert not [t for t in result.trace if t.figure == "Redress deduction"]
