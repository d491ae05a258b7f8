"""Properties that hold for every county, checked on random small ones (hypothesis).

docs/funding-rules.md, "Money" (pots conserve to the penny), "Financial redress" (a school's
final devolved allocation is never negative) and "Invoice numbers" (one gap-free, unique
series a year, never reused); README.md, "Code layout" (the domain is pure: the same inputs give the same
results).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import (
    District,
    FundingModel,
    ModelInputs,
    Provider,
    RedressDestination,
    RedressRule,
    School,
)
from apmodel.domain.model import run_model
from apmodel.domain.recoupment import recoup
from apmodel.domain.register import sequence_of, series
from apmodel.domain.settlement import issue_period, settle
from tests.unit import alloc_builders as ab
from tests.unit import recoup_builders as rb

TODAY = date(2025, 12, 1)
PENNY = Decimal("0.01")


@st.composite
def counties(draw: st.DrawFn) -> ModelInputs:
    """1-3 districts (devolved, delegated or hybrid), 0-4 schools each, optional redress.

    The budget always covers the retained amount and the lump sums, and the first district
    has a school, so every factor has something to share over: the inputs carry no Error
    that would, by the rules, leave money unallocated.
    """
    destination = draw(st.sampled_from(list(RedressDestination)))
    districts: list[District] = []
    schools: list[School] = []
    providers: list[Provider] = []
    urn = 100_000
    for d in range(draw(st.integers(min_value=1, max_value=3))):
        name = f"D{d}"
        model = draw(st.sampled_from(list(FundingModel)))
        lead = None
        if model is not FundingModel.DEVOLVED:
            lead = f"PRU-{d}"
            providers.append(ab.provider(lead, places=draw(st.integers(min_value=0, max_value=5))))
        districts.append(
            ab.district(
                name,
                model,
                lump=draw(st.integers(min_value=0, max_value=20_000)),
                lead=lead,
                share=draw(st.sampled_from(["0.25", "0.5", "0.8"])) if model is FundingModel.HYBRID else None,
                previous=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=1_000_000))),
            )
        )
        for _ in range(draw(st.integers(min_value=1 if d == 0 else 0, max_value=4))):
            urn += 1
            schools.append(
                ab.school(
                    urn,
                    name,
                    Pupils=draw(st.integers(min_value=1, max_value=2000)),
                    IDACI_Pupils=draw(st.integers(min_value=1, max_value=500)),
                    Exclusions=draw(st.integers(min_value=0, max_value=6)),
                )
            )
    retained = Decimal(draw(st.integers(min_value=0, max_value=10_000_000))) / 100
    spare = Decimal(draw(st.integers(min_value=0, max_value=500_000_000))) / 100
    budget = retained + sum((d.lump_sum for d in districts), Decimal(0)) + spare
    weight = draw(st.integers(min_value=0, max_value=100))
    rules: list[RedressRule] = []
    if draw(st.booleans()):
        rules.append(
            ab.per_unit_rule(
                "Exclusions", "Exclusions", str(draw(st.integers(0, 3))), str(draw(st.integers(0, 80_000)))
            )
        )
    return ab.inputs(
        ab.settings(budget, retained, destination=destination),
        districts,
        schools,
        district_factors=[
            ab.district_factor("Pupils", "Pupils", str(Decimal(weight) / 100)),
            ab.district_factor("Deprivation", "IDACI Pupils", str(Decimal(100 - weight) / 100)),
        ],
        school_factors=[
            ab.unit_rate("Per pupil", "Pupils", str(draw(st.integers(0, 200)))),
            ab.unit_rate("IDACI", "IDACI Pupils", str(draw(st.integers(0, 800)))),
        ],
        providers=providers,
        redress_rules=rules,
    )


@settings(max_examples=25, deadline=None)
@given(counties())
def test_district_allocations_add_up_to_budget_less_retained_to_the_penny(county: ModelInputs) -> None:
    results = run_model(county, Findings(), TODAY)
    assert results.allocation is not None and county.settings is not None
    allocation = results.allocation
    expected = county.settings.ap_budget - county.settings.centrally_retained
    assert sum((d.final_allocation for d in allocation.districts), Decimal(0)) == expected
    assert allocation.total_allocated == expected
    for figure in (d.final_allocation for d in allocation.districts):
        assert figure == figure.quantize(PENNY)


@settings(max_examples=25, deadline=None)
@given(counties())
def test_every_pound_allocated_reaches_a_school_a_pru_or_is_accounted_for(county: ModelInputs) -> None:
    allocation = run_model(county, Findings(), TODAY).allocation
    assert allocation is not None
    reached = (
        allocation.total_to_schools
        + allocation.total_to_providers
        + allocation.total_not_distributed
        + allocation.redress_retained_centrally
    )
    assert reached == allocation.total_allocated


@settings(max_examples=25, deadline=None)
@given(counties())
def test_no_school_ends_with_a_negative_devolved_allocation_after_redress(county: ModelInputs) -> None:
    allocation = run_model(county, Findings(), TODAY).allocation
    assert allocation is not None
    for school in allocation.schools:
        assert school.final_devolved >= 0, school
        assert school.final_devolved == school.final_devolved.quantize(PENNY)


@settings(max_examples=25, deadline=None)
@given(counties())
def test_running_twice_on_the_same_inputs_gives_equal_results(county: ModelInputs) -> None:
    first_findings, second_findings = Findings(), Findings()
    first = run_model(county, first_findings, TODAY)
    second = run_model(county, second_findings, TODAY)
    assert first == second
    assert first_findings.items == second_findings.items


# --- Invoice numbers over a sequence of runs -------------------------------------------------

TERMS = ["Summer 2025", "Autumn 2025", "Spring 2026"]
URNS = [rb.MAINTAINED, rb.MAINTAINED_2, rb.ACADEMY, rb.SPECIAL]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("settle"), st.none(), st.none()),
        st.tuples(st.just("change"), st.integers(0, 3), st.integers(0, 9000)),
        st.tuples(st.just("issue"), st.sampled_from(TERMS), st.none()),
    ),
    min_size=1,
    max_size=8,
)
starts = st.sampled_from([date(2025, 5, 6), date(2025, 9, 15), date(2025, 11, 3), date(2026, 1, 12)])


@st.composite
def recoupment_county(draw: st.DrawFn) -> ModelInputs:
    """Up to four placements across terms and schools; an exclusion or not."""
    placements = tuple(
        rb.placement(
            f"PL-{i}",
            home_urn=draw(st.sampled_from(URNS)),
            start=(start := draw(starts)),
            end=date.fromordinal(start.toordinal() + draw(st.integers(3, 60))),
            charge_rate=Decimal(draw(st.integers(1, 300))),
        )
        for i in range(4)
    )
    exclusions = (rb.exclusion(),) if draw(st.booleans()) else ()
    return rb.inputs(placements=placements, exclusions=exclusions)


def assert_numbers_gap_free(county: ModelInputs, numbers: list[str]) -> None:
    assert county.settings is not None
    start = series(county.settings.invoice_prefix, county.settings.financial_year.label)
    sequences = [sequence_of(n, start) for n in numbers]
    assert None not in sequences
    assert len(set(numbers)) == len(numbers), numbers
    assert sorted(s for s in sequences if s is not None) == list(range(1, len(numbers) + 1)), numbers


@settings(max_examples=25, deadline=None)
@given(recoupment_county(), steps)
def test_invoice_numbers_stay_gap_free_and_unique_through_settle_change_and_issue(
    county: ModelInputs, plan: list[tuple[str, object, object]]
) -> None:
    settlement = settle(recoup(county, Findings()).lines, county, TODAY, Findings())
    issued_before: dict[str, tuple[str, Decimal]] = {}
    for action, first, second in plan:
        if action == "change" and isinstance(first, int) and isinstance(second, int):
            changed = list(county.placements)
            changed[first] = changed[first].model_copy(update={"charge_rate": Decimal(second) / 10})
            county = county.model_copy(update={"placements": tuple(changed)})
        if action == "issue" and isinstance(first, str):
            settlement = issue_period(settlement, county, first, TODAY)
        else:
            settlement = settle(recoup(county, Findings()).lines, county, TODAY, Findings())
        county = county.model_copy(update={"invoice_register": tuple(settlement.register)})
        numbers = [entry.number for entry in settlement.register]
        assert_numbers_gap_free(county, numbers)
        # An issued document keeps its number, key and amount; at most it is later Credited (reversed).
        for entry in settlement.register:
            if entry.number in issued_before:
                assert (entry.key, entry.net) == issued_before[entry.number]
                assert entry.status in ("Issued", "Credited")
        issued_before = {e.number: (e.key, e.net) for e in settlement.register if e.status != "Draft"}
