"""Stage 2 (docs/funding-rules.md, "Stage 2"): delegated, devolved and hybrid districts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from apmodel.domain.allocation import AllocationResult, allocate
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import District, FundingModel, ModelInputs, Provider, School, SchoolFactor
from apmodel.domain.stage2 import DevolvedShares, check_school_factors, share_devolved_pot
from apmodel.domain.trace import TraceLine, TraceUnit
from tests.unit.alloc_builders import (
    D,
    by_key,
    codes,
    district,
    district_factor,
    inputs,
    only,
    provider,
    school,
    settings,
    unit_rate,
    weight_factor,
)


def run(model: ModelInputs) -> tuple[AllocationResult, Findings]:
    findings = Findings()
    return allocate(model, findings), findings


def share(
    pot: str, schools: list[School], factors: list[SchoolFactor], name: str = "Swale"
) -> tuple[DevolvedShares, Findings, list[TraceLine]]:
    findings = Findings()
    trace: list[TraceLine] = []
    shares = share_devolved_pot(D(pot), district(name), schools, factors, findings, trace)
    return shares, findings, trace


def one_district(
    the_district: District,
    schools: list[School] | None = None,
    *,
    budget: str | int = 475_000,
    providers: tuple[Provider, ...] = (),
    school_factors: list[SchoolFactor] | None = None,
) -> ModelInputs:
    """A county of one district with the whole budget: its allocation is the budget."""
    name = the_district.name
    return inputs(
        settings(budget),
        [the_district],
        schools if schools is not None else [school(100001, name, Pupils=1)],
        [district_factor("Pupils", "Pupils", "1")],
        school_factors if school_factors is not None else [weight_factor("Per pupil", "Pupils", "1")],
        providers,
    )


# --- Delegated -----------------------------------------------------------------------------


def test_delegated_district_funds_lead_pru_places_then_top_up() -> None:
    model = one_district(
        district("South", FundingModel.DELEGATED, lead="PRU-S"),
        providers=(provider("PRU-S", places=30), provider("PRU-X", places=5, row=8)),
    )
    result, findings = run(model)
    providers = by_key(result.providers, "provider_id")
    # 30 places x 10,000 = 300,000 place funding; 475,000 - 300,000 = 175,000 top-up.
    assert providers["PRU-S"].place_funding == Decimal("300000.00")
    assert providers["PRU-S"].top_up == Decimal("175000.00")
    assert providers["PRU-S"].delegated_allocation == Decimal("475000.00")
    # A provider no district names as Lead PRU still appears, with nothing delegated.
    assert (providers["PRU-X"].places, providers["PRU-X"].delegated_allocation) == (5, Decimal("0.00"))
    assert only(findings, "PROVIDER_NOT_LEAD_PRU").row == 8
    [row] = result.districts
    assert (row.delegated_amount, row.devolved_amount) == (Decimal("475000.00"), Decimal("0.00"))
    # Schools of a delegated district receive nothing from stage 2.
    assert result.schools[0].final_devolved == Decimal("0.00")
    assert not findings.has_errors()


def test_delegated_allocation_below_place_funding_is_an_error() -> None:
    model = one_district(
        district("South", FundingModel.DELEGATED, lead="PRU-S"), providers=(provider("PRU-S", places=50, row=4),)
    )
    result, findings = run(model)
    finding = only(findings, "PLACE_FUNDING_ABOVE_ALLOCATION")
    assert (finding.severity, finding.table, finding.row, finding.column) == (
        Severity.ERROR,
        "Providers",
        4,
        "Commissioned Places",
    )
    # 50 x 10,000 = 500,000 place funding against 475,000: top-up 475,000 - 500,000 = -25,000.
    assert result.providers[0].top_up == Decimal("-25000.00")


def test_delegated_district_without_lead_pru_is_an_error_and_its_money_reaches_no_provider() -> None:
    result, findings = run(one_district(district("South", FundingModel.DELEGATED, row=3)))
    finding = only(findings, "NO_LEAD_PRU")
    assert (finding.severity, finding.table, finding.row, finding.column) == (
        Severity.ERROR,
        "Districts",
        3,
        "Lead PRU",
    )
    assert result.total_not_distributed == Decimal("475000.00")


def test_unknown_lead_pru_is_an_error() -> None:
    model = one_district(district("South", FundingModel.DELEGATED, lead="PRU-Q"), providers=(provider("PRU-S"),))
    result, findings = run(model)
    assert only(findings, "UNKNOWN_LEAD_PRU").value == "PRU-Q"
    assert result.total_to_providers == Decimal("0.00")
    assert result.total_not_distributed == Decimal("475000.00")


# --- Devolved: Weight ----------------------------------------------------------------------


def test_weight_factors_share_their_part_of_the_pot_pro_rata_to_the_column() -> None:
    schools = [
        school(100003, "Swale", Pupils=300, FSM6=20),
        school(100001, "Swale", Pupils=100, FSM6=10),
        school(100002, "Swale", Pupils=200, FSM6=0),
    ]
    shares, findings, _ = share(
        "100000.00", schools, [weight_factor("Pupils", "Pupils", "0.7"), weight_factor("FSM6", "FSM6", "0.3")]
    )
    # Pupils part 70,000 shared 100 : 200 : 300 -> 11,666.666..., 23,333.333..., 35,000: floors leave
    # 1p, which goes to the largest remainder (.67, URN 100001).
    assert [shares.amounts[u]["Pupils"] for u in (100001, 100002, 100003)] == [
        D("11666.67"),
        D("23333.33"),
        D("35000.00"),
    ]
    # FSM6 part 30,000 shared 10 : 0 : 20 -> 10,000 / 0 / 20,000.
    assert [shares.amounts[u]["FSM6"] for u in (100001, 100002, 100003)] == [
        D("10000.00"),
        D("0.00"),
        D("20000.00"),
    ]
    assert shares.unit_rate_scaling is None
    assert not findings.items


def test_weight_factor_with_a_phase_counts_only_schools_of_that_phase() -> None:
    schools = [
        school(100001, "Swale", phase="Primary", Pupils=200),
        school(100002, "Swale", phase="Secondary", Pupils=600),
        school(100003, "Swale", phase="primary", Pupils=300),
    ]
    factors = [
        weight_factor("Primary pupils", "Pupils", "0.4", phase="Primary"),
        weight_factor("Secondary pupils", "Pupils", "0.6", phase="Secondary"),
    ]
    shares, _, _ = share("10000.00", schools, factors)
    # Primary part 4,000 shared 200 : 300 -> 1,600 / 2,400; secondary part 6,000 all to 100002.
    assert shares.amounts[100001] == {"Primary pupils": D("1600.00"), "Secondary pupils": D("0.00")}
    assert shares.amounts[100002] == {"Primary pupils": D("0.00"), "Secondary pupils": D("6000.00")}
    assert shares.amounts[100003] == {"Primary pupils": D("2400.00"), "Secondary pupils": D("0.00")}


def test_weight_factor_totalling_zero_in_a_district_is_an_error_and_not_distributed() -> None:
    schools = [school(100001, "Swale", phase="Secondary", Pupils=600)]
    factors = [
        weight_factor("Primary pupils", "Pupils", "0.25", phase="Primary", row=6),
        weight_factor("All pupils", "Pupils", "0.75"),
    ]
    shares, findings, _ = share("1000.00", schools, factors)
    finding = only(findings, "FACTOR_TOTAL_ZERO")
    assert (finding.table, finding.row, finding.column) == ("SchoolFactors", 6, "Source Column")
    assert "Swale" in finding.message
    # 25% of 1,000 = 250 has no primary school to go to; the other 750 goes to the one school.
    assert shares.not_distributed == D("250.00")
    assert shares.amounts[100001]["All pupils"] == D("750.00")


# --- Devolved: Unit Rate (Kent 2019-20 style) ----------------------------------------------

KENT_RATES = [
    unit_rate("Per pupil", "Pupils", "69.31"),
    unit_rate("IDACI", "IDACI Pupils", "488.20"),
    unit_rate("Looked after", "LAC", "751.74"),
    unit_rate("EAL", "EAL", "479.70"),
]


def test_kent_unit_rates_are_scaled_by_one_factor_per_district() -> None:
    swale = [
        school(118001, "Swale", Pupils=1000, IDACI_Pupils=150, LAC=5, EAL=60),
        school(118002, "Swale", Pupils=600, IDACI_Pupils=40, LAC=2, EAL=100),
    ]
    # 118001: 1,000 x 69.31 = 69,310 + 150 x 488.20 = 73,230 + 5 x 751.74 = 3,758.70 + 60 x 479.70 = 28,782
    #         = 175,080.70
    # 118002: 600 x 69.31 = 41,586 + 40 x 488.20 = 19,528 + 2 x 751.74 = 1,503.48 + 100 x 479.70 = 47,970
    #         = 110,587.48
    # Sum 285,668.18; Swale's pot 428,502.27 -> scaling 428,502.27 / 285,668.18 = 1.5 exactly.
    shares, findings, trace = share("428502.27", swale, KENT_RATES)
    assert shares.unit_rate_scaling == Decimal("1.5")
    assert shares.amounts[118001] == {
        "Per pupil": D("103965.00"),  # 69,310 x 1.5
        "IDACI": D("109845.00"),  # 73,230 x 1.5
        "Looked after": D("5638.05"),  # 3,758.70 x 1.5
        "EAL": D("43173.00"),  # 28,782 x 1.5
    }
    assert shares.amounts[118002] == {
        "Per pupil": D("62379.00"),  # 41,586 x 1.5
        "IDACI": D("29292.00"),  # 19,528 x 1.5
        "Looked after": D("2255.22"),  # 1,503.48 x 1.5
        "EAL": D("71955.00"),  # 47,970 x 1.5
    }
    assert not findings.items
    [scaling] = [t for t in trace if t.figure == "Unit-rate scaling"]
    assert scaling.value == Decimal("1.5")
    # A multiplier, not money: the Trace table shows it under Value, not Value £.
    assert scaling.unit is TraceUnit.RATE
    assert all(t.unit is TraceUnit.MONEY for t in trace if t is not scaling)

    maidstone = [
        school(118003, "Maidstone", Pupils=500, IDACI_Pupils=100),
        school(118004, "Maidstone", Pupils=300, LAC=4),
    ]
    # 118003: 500 x 69.31 = 34,655 + 100 x 488.20 = 48,820 -> 83,475
    # 118004: 300 x 69.31 = 20,793 + 4 x 751.74 = 3,006.96 -> 23,799.96
    # Sum 107,274.96; Maidstone's pot 53,637.48 -> its own scaling 0.5.
    shares, _, _ = share("53637.48", maidstone, KENT_RATES, name="Maidstone")
    assert shares.unit_rate_scaling == Decimal("0.5")
    assert shares.amounts[118003]["Per pupil"] == D("17327.50")  # 34,655 x 0.5
    assert shares.amounts[118003]["IDACI"] == D("24410.00")  # 48,820 x 0.5
    assert shares.amounts[118004]["Per pupil"] == D("10396.50")  # 20,793 x 0.5
    assert shares.amounts[118004]["Looked after"] == D("1503.48")  # 3,006.96 x 0.5


def test_unit_rate_pennies_go_to_the_lowest_urn_on_ties() -> None:
    schools = [school(100003, "Swale", Pupils=1), school(100001, "Swale", Pupils=1), school(100002, "Swale", Pupils=1)]
    shares, _, _ = share("100.00", schools, [unit_rate("Per pupil", "Pupils", "5")])
    # Each earns 5; scaling 100 / 15 = 6.666...; 10,000p / 3 = 3,333.33p: the spare penny to URN 100001.
    assert [shares.amounts[u]["Per pupil"] for u in (100001, 100002, 100003)] == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]


def test_unit_rates_fill_what_the_weight_factors_leave() -> None:
    schools = [school(100001, "Swale", Pupils=100, EAL=10), school(100002, "Swale", Pupils=300, EAL=30)]
    factors = [weight_factor("Base", "Pupils", "0.4"), unit_rate("EAL", "EAL", "100")]
    shares, _, _ = share("10000.00", schools, factors)
    # Weight part 40% x 10,000 = 4,000 shared 100 : 300 -> 1,000 / 3,000.
    # Unit-rate part 10,000 x (1 - 40%) = 6,000; earned 10 x 100 = 1,000 and 30 x 100 = 3,000;
    # scaling 6,000 / 4,000 = 1.5 -> 1,500 / 4,500.
    assert shares.amounts[100001] == {"Base": D("1000.00"), "EAL": D("1500.00")}
    assert shares.amounts[100002] == {"Base": D("3000.00"), "EAL": D("4500.00")}
    assert shares.unit_rate_scaling == Decimal("1.5")


def test_unit_rates_earning_nothing_in_a_district_are_an_error() -> None:
    shares, findings, _ = share("500.00", [school(100001, "Swale", Pupils=10)], [unit_rate("EAL", "EAL", "100")])
    assert only(findings, "FACTOR_TOTAL_ZERO").table == "SchoolFactors"
    assert shares.not_distributed == D("500.00")


# --- Factor table checks -------------------------------------------------------------------


def test_weights_above_100_percent_are_an_error() -> None:
    findings = Findings()
    check_school_factors([weight_factor("A", "Pupils", "0.7"), weight_factor("B", "Pupils", "0.5")], findings)
    finding = only(findings, "WEIGHTS_ABOVE_100")
    assert (finding.severity, finding.table, finding.value) == (Severity.ERROR, "SchoolFactors", "120%")


def test_weights_alone_not_adding_to_100_percent_are_an_error_and_used_as_typed() -> None:
    factors = [weight_factor("A", "Pupils", "0.5"), weight_factor("B", "FSM6", "0.3")]
    findings = Findings()
    check_school_factors(factors, findings)
    assert only(findings, "WEIGHTS_NOT_100").value == "80%"
    shares, _, _ = share("1000.00", [school(100001, "Swale", Pupils=1, FSM6=1)], factors)
    # As typed: 50% -> 500, 30% -> 300; the school gets 800 of the 1,000.
    assert shares.amounts[100001] == {"A": D("500.00"), "B": D("300.00")}


def test_weights_below_100_percent_with_unit_rates_are_fine() -> None:
    findings = Findings()
    check_school_factors([weight_factor("A", "Pupils", "0.5"), unit_rate("B", "EAL", "10")], findings)
    assert not findings.items


def test_weights_of_100_percent_leave_nothing_for_unit_rates_a_warning() -> None:
    findings = Findings()
    check_school_factors([weight_factor("A", "Pupils", "1"), unit_rate("B", "EAL", "10")], findings)
    assert only(findings, "UNIT_RATES_GET_NOTHING").severity is Severity.WARNING


def test_devolved_district_with_no_schools_is_an_error() -> None:
    # The formula money all follows North's one pupil; Empty has only its 100 lump sum to devolve.
    model = inputs(
        settings(1000),
        [district("North"), district("Empty", lump=100, row=6)],
        [school(100001, "North", Pupils=1)],
        [district_factor("Pupils", "Pupils", "1")],
        [weight_factor("Per pupil", "Pupils", "1")],
    )
    result, findings = run(model)
    finding = only(findings, "NO_ELIGIBLE_SCHOOLS")
    assert (finding.table, finding.row) == ("Districts", 6)
    # Empty's 100 lump sum reaches no school; North's 900 reaches its school.
    assert result.total_not_distributed == Decimal("100.00")
    assert result.total_to_schools == Decimal("900.00")


# --- Hybrid --------------------------------------------------------------------------------


def test_hybrid_devolves_its_share_to_the_penny_and_delegates_the_rest() -> None:
    model = one_district(
        district("Thanet", FundingModel.HYBRID, lead="PRU-H", share="0.6"),
        [school(100001, "Thanet", Pupils=1), school(100002, "Thanet", Pupils=1)],
        budget="100000.01",
        providers=(provider("PRU-H", places=4),),
    )
    result, findings = run(model)
    [row] = result.districts
    # 100,000.01 x 60% = 60,000.006 -> 60,000.01 devolved; 100,000.01 - 60,000.01 = 40,000.00 delegated.
    assert (row.devolved_amount, row.delegated_amount) == (Decimal("60000.01"), Decimal("40000.00"))
    # Devolved 60,000.01 shared 1 : 1 -> 30,000.01 (lower URN takes the penny) / 30,000.00.
    assert [s.final_devolved for s in result.schools] == [D("30000.01"), D("30000.00")]
    # 4 places x 10,000 = 40,000 place funding, top-up 40,000 - 40,000 = 0.
    [pru] = result.providers
    assert (pru.place_funding, pru.top_up, pru.delegated_allocation) == (D("40000.00"), D("0.00"), D("40000.00"))
    assert not findings.items


def test_hybrid_without_devolved_share_assumes_half() -> None:
    model = one_district(
        district("Thanet", FundingModel.HYBRID, lead="PRU-H"), budget="1000", providers=(provider("PRU-H"),)
    )
    result, findings = run(model)
    assert "REQUIRED_VALUE" in codes(findings)
    assert result.districts[0].devolved_amount == Decimal("500.00")  # 1,000 x 50%


# --- Property: everything shared conserves -------------------------------------------------


@st.composite
def counties(draw: st.DrawFn) -> ModelInputs:
    n_districts = draw(st.integers(1, 5))
    models = [draw(st.sampled_from(list(FundingModel))) for _ in range(n_districts)]
    districts = [
        district(
            f"D{i}",
            model,
            lump=draw(st.integers(0, 10_000)),
            lead="PRU-1" if i % 2 == 0 else "PRU-2",
            share=str(Decimal(draw(st.integers(0, 100))) / 100) if model is FundingModel.HYBRID else None,
        )
        for i, model in enumerate(models)
    ]
    schools = []
    urn = 100000
    for i in range(n_districts):
        for _ in range(draw(st.integers(1, 5))):
            urn += 1
            columns: dict[str, str | int] = {
                "Pupils": draw(st.integers(1, 2000)),
                "FSM6": draw(st.integers(1, 500)),
                "EAL": draw(st.integers(1, 300)),
            }
            schools.append(school(urn, f"D{i}", columns=columns))
    weight = Decimal(draw(st.integers(0, 100))) / 100
    school_factors = [weight_factor("Base", "Pupils", str(weight))]
    if weight < 1 or draw(st.booleans()):
        school_factors += [unit_rate("FSM6", "FSM6", "488.20"), unit_rate("EAL", "EAL", "479.70")]
    pence = draw(st.integers(0, 1_000_000_000))
    budget = Decimal(sum(d.lump_sum for d in districts)) + Decimal(pence) / 100
    return inputs(
        settings(budget),
        districts,
        schools,
        [district_factor("Pupils", "Pupils", "0.7"), district_factor("FSM6", "FSM6", "0.3")],
        school_factors,
        [provider("PRU-1", places=draw(st.integers(0, 20))), provider("PRU-2", places=draw(st.integers(0, 20)))],
    )


@pytest.mark.slow
@hyp_settings(max_examples=150, deadline=None)
@given(counties())
def test_schools_add_up_to_each_devolved_pot_and_providers_to_the_delegated_money(model: ModelInputs) -> None:
    result, _ = run(model)
    assert model.settings is not None
    assert result.total_allocated == model.settings.ap_budget
    for d in result.districts:
        assert d.devolved_amount + d.delegated_amount == d.final_allocation
        schools = [s for s in result.schools if s.district == d.name]
        assert sum((s.final_devolved for s in schools), Decimal(0)) == d.devolved_amount
        assert all(s.final_devolved >= 0 for s in schools)
    assert result.total_to_providers == sum((d.delegated_amount for d in result.districts), Decimal(0))
    assert result.total_to_schools + result.total_to_providers == result.total_allocated
