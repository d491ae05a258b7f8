"""Stage 1 (docs/funding-rules.md, "Stage 1"): the AP budget shared between districts, with protection."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import FundingModel, ModelInputs
from apmodel.domain.money import money
from apmodel.domain.stage1 import ProtectionCase, Stage1Result, allocate_districts, protect
from tests.unit.alloc_builders import (
    D,
    codes,
    district,
    district_factor,
    inputs,
    only,
    school,
    settings,
)


def run(model: ModelInputs) -> tuple[Stage1Result, Findings]:
    assert model.settings is not None
    findings = Findings()
    return allocate_districts(model.settings, model, findings), findings


def finals(result: Stage1Result) -> dict[str, Decimal]:
    return {d.district.name: d.final_allocation for d in result.districts}


def three_districts() -> ModelInputs:
    return inputs(
        settings(1_000_000, 100_000),
        [district("Ashford", lump=20_000), district("Bromley", lump=30_000), district("Canterbury", lump=50_000)],
        [
            school(100001, "Ashford", phase="Secondary", Pupils=1000, FSM6_Pupils=200, LAC=10),
            school(100002, "Ashford", phase="Primary", Pupils=500, FSM6_Pupils=100, LAC=5),
            school(100003, "Bromley", phase="Primary", Pupils=1500, FSM6_Pupils=300, LAC=25),
            school(100004, "Canterbury", phase="Secondary", Pupils=2000, FSM6_Pupils=400, LAC=10),
            school(100005, "canterbury", phase="PRIMARY", Pupils=1000, FSM6_Pupils=100, LAC=0),
        ],
        [
            district_factor("Pupils", "Pupils", "0.5"),
            district_factor("Primary FSM6", "FSM6 Pupils", "0.3", phase="primary"),
            district_factor("Looked after", "LAC", "0.2"),
        ],
    )


def test_districts_get_lump_sum_plus_weighted_share_of_the_pot() -> None:
    result, findings = run(three_districts())
    # pot = 1,000,000 - 100,000 retained - (20,000 + 30,000 + 50,000) lump sums = 800,000
    assert result.pot == Decimal("800000.00")
    # factor pots: 50% = 400,000; 30% = 240,000; 20% = 160,000
    assert result.factor_pots == {
        "Pupils": Decimal("400000.00"),
        "Primary FSM6": Decimal("240000.00"),
        "Looked after": Decimal("160000.00"),
    }
    rows = {d.district.name: d for d in result.districts}
    # Pupils 1,500 / 1,500 / 3,000 of 6,000 -> 100,000 / 100,000 / 200,000
    assert rows["Ashford"].factor_amounts["Pupils"] == Decimal("100000.00")
    # Primary FSM6 counts primary schools only: 100 / 300 / 100 of 500 -> 48,000 / 144,000 / 48,000
    assert rows["Ashford"].factor_values["Primary FSM6"] == Decimal(100)
    assert rows["Bromley"].factor_amounts["Primary FSM6"] == Decimal("144000.00")
    assert rows["Canterbury"].factor_amounts["Primary FSM6"] == Decimal("48000.00")
    # LAC 15 / 25 / 10 of 50 -> 48,000 / 80,000 / 32,000
    assert rows["Bromley"].factor_amounts["Looked after"] == Decimal("80000.00")
    # Ashford 20,000 + 100,000 + 48,000 + 48,000 = 216,000
    # Bromley 30,000 + 100,000 + 144,000 + 80,000 = 354,000
    # Canterbury 50,000 + 200,000 + 48,000 + 32,000 = 330,000
    assert finals(result) == {
        "Ashford": Decimal("216000.00"),
        "Bromley": Decimal("354000.00"),
        "Canterbury": Decimal("330000.00"),
    }
    assert rows["Canterbury"].formula_amount == Decimal("280000.00")  # 200,000 + 48,000 + 32,000
    assert result.total_allocated == Decimal("900000.00")  # = budget - centrally retained
    assert not findings.items


def test_thirds_put_the_spare_penny_on_the_earlier_district_in_table_order() -> None:
    model = inputs(
        settings("100.01"),
        [district("Zeta"), district("Alpha"), district("Mid")],
        [school(100003, "Zeta", Pupils=1), school(100001, "Alpha", Pupils=1), school(100002, "Mid", Pupils=1)],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, _ = run(model)
    # 10,001p / 3 = 3,333.67p each: floors 3,333 x 3 = 9,999p; the 2 spare pennies go to the equal
    # remainders in Districts table order (Zeta, Alpha), not by name -> 33.34, 33.34, 33.33 (= 100.01).
    assert finals(result) == {"Zeta": Decimal("33.34"), "Alpha": Decimal("33.34"), "Mid": Decimal("33.33")}


def test_each_factor_column_conserves_its_own_pot() -> None:
    model = inputs(
        settings("1000.00"),
        [district("A"), district("B"), district("C")],
        [school(100001, "A", X=1, Y=1), school(100002, "B", X=1, Y=1), school(100003, "C", X=1, Y=1)],
        [district_factor("X", "X", "0.5"), district_factor("Y", "Y", "0.5")],
    )
    result, _ = run(model)
    # Each factor pot is 500.00 = 50,000p; / 3 = 16,666.67p: 166.67, 166.67, 166.66 in both columns,
    # so A and B get 333.34 and C 333.32: still 1,000.00 in all.
    for factor in ("X", "Y"):
        assert [d.factor_amounts[factor] for d in result.districts] == [D("166.67"), D("166.67"), D("166.66")]
    assert list(finals(result).values()) == [D("333.34"), D("333.34"), D("333.32")]
    assert result.total_allocated == Decimal("1000.00")


def test_weights_not_adding_to_100_percent_are_an_error_and_used_as_typed() -> None:
    model = inputs(
        settings(1000),
        [district("A"), district("B")],
        [school(100001, "A", X=1, Y=1), school(100002, "B", X=1, Y=1)],
        [district_factor("X", "X", "0.5"), district_factor("Y", "Y", "0.4")],
    )
    result, findings = run(model)
    finding = only(findings, "WEIGHTS_NOT_100")
    assert (finding.severity, finding.table, finding.value) == (Severity.ERROR, "DistrictFactors", "90%")
    # 90% of 1,000 = 900 shared 500 / 400 between X and Y; each district 250 + 200 = 450.
    assert finals(result) == {"A": Decimal("450.00"), "B": Decimal("450.00")}
    assert result.total_allocated == Decimal("900.00")  # the Summary's difference will show 100.00


def test_a_factor_totalling_zero_is_an_error_and_its_share_is_not_allocated() -> None:
    model = inputs(
        settings(1000),
        [district("A"), district("B")],
        [school(100001, "A", X=3), school(100002, "B", X=1)],
        [district_factor("X", "X", "0.6"), district_factor("Empty", "Awaiting EHCP", "0.4", row=7)],
    )
    result, findings = run(model)
    finding = only(findings, "FACTOR_TOTAL_ZERO")
    assert (finding.severity, finding.table, finding.row, finding.column) == (
        Severity.ERROR,
        "DistrictFactors",
        7,
        "Source Column",
    )
    assert "400.00" in finding.message
    # X: 600 shared 3:1 -> 450 / 150; the 400 of "Empty" goes nowhere.
    assert finals(result) == {"A": Decimal("450.00"), "B": Decimal("150.00")}


def test_duplicate_district_is_an_error_and_counted_once() -> None:
    model = inputs(
        settings(1000),
        [district("North", lump=100), district("north ", lump=500, row=9)],
        [school(100001, "North", X=1)],
        [district_factor("X", "X", "1")],
    )
    result, findings = run(model)
    finding = only(findings, "DUPLICATE_DISTRICT")
    assert (finding.table, finding.row, finding.column) == ("Districts", 9, "District")
    # Only the first row counts: 100 lump + (1,000 - 100) formula = 1,000.
    assert finals(result) == {"North": Decimal("1000.00")}


def test_school_in_an_unknown_district_is_an_error_and_left_out() -> None:
    model = inputs(
        settings(1000),
        [district("A"), district("B")],
        [school(100001, "A", X=1), school(100002, "B", X=1), school(100003, "Nowhere", X=8, row=12)],
        [district_factor("X", "X", "1")],
    )
    result, findings = run(model)
    finding = only(findings, "UNKNOWN_DISTRICT")
    assert (finding.severity, finding.table, finding.row, finding.column, finding.value) == (
        Severity.ERROR,
        "Schools",
        12,
        "District",
        "Nowhere",
    )
    # The 8 pupils of the unknown district's school do not count: 1:1 -> 500 / 500.
    assert finals(result) == {"A": Decimal("500.00"), "B": Decimal("500.00")}
    assert result.schools_by_district["a"][0].urn == 100001


def test_lump_sums_above_the_budget_give_a_negative_pot_error() -> None:
    model = inputs(
        settings(1000),
        [district("A", lump=800), district("B", lump=400)],
        [school(100001, "A", X=1), school(100002, "B", X=1)],
        [district_factor("X", "X", "1")],
    )
    result, findings = run(model)
    assert "NEGATIVE_POT" in codes(findings)
    # pot = 1,000 - 1,200 = -200: never shared as negative money, so each district keeps its lump sum only
    # (A 800, B 400 = 1,200) and the Summary's Difference shows the 200 overspend.
    assert finals(result) == {"A": Decimal("800.00"), "B": Decimal("400.00")}
    assert result.total_allocated == Decimal("1200.00")


def test_no_district_factors_is_an_error() -> None:
    result, findings = run(inputs(settings(1000), [district("A", lump=10)], [school(100001, "A", X=1)]))
    assert "NO_DISTRICT_FACTORS" in codes(findings)
    assert finals(result) == {"A": Decimal("10.00")}


def protected_county(floor: str, cap: str) -> ModelInputs:
    # Unprotected: Pupils 300 / 500 / 200 of 1,000 -> 300,000 / 500,000 / 200,000.
    return inputs(
        settings(1_000_000, floor=floor, cap=cap),
        [
            district("A", previous=320_000),
            district("B", previous=450_000),
            district("C", previous=230_000),
        ],
        [school(100001, "A", Pupils=300), school(100002, "B", Pupils=500), school(100003, "C", Pupils=200)],
        [district_factor("Pupils", "Pupils", "1")],
    )


def test_protection_holds_districts_at_the_floor_and_scales_the_gains_above_it() -> None:
    result, findings = run(protected_county(floor="-0.02", cap="0.05"))
    # Floors (-2%): A 313,600; B 441,000; C 225,400. Caps (+5%): A 336,000; B 472,500; C 241,500.
    # Cap first: B 500,000 -> 472,500. A (300,000) and C (200,000) are below their floors: held there.
    # B alone has a gain above its floor: 472,500 - 441,000 = 31,500. What is left for gains:
    #   1,000,000 - 313,600 - 225,400 - 441,000 = 20,000, so s = 20,000 / 31,500 and B = 441,000 + 20,000.
    assert finals(result) == {
        "A": Decimal("313600.00"),
        "B": Decimal("461000.00"),
        "C": Decimal("225400.00"),
    }
    adjustments = {d.district.name: d.protection_adjustment for d in result.districts}
    # Adjustments = final - unprotected: +13,600.00, -39,000.00, +25,400.00 (sum 0).
    assert adjustments == {"A": D("13600.00"), "B": D("-39000.00"), "C": D("25400.00")}
    assert result.total_allocated == Decimal("1000000.00")
    assert not findings.items
    traced = {t.entity: t.value for t in result.trace if t.figure == "Protection adjustment"}
    assert traced == adjustments


def test_protection_keeps_the_order_of_the_formula_changes() -> None:
    # The case: previous 100,000 each; formula +20%, +20%, +4.2% and -44.2%.
    model = inputs(
        settings(400_000, floor="-0.02", cap="0.05"),
        [district(name, previous=100_000) for name in "ABCD"],
        [
            school(100001, "A", Pupils=120_000),
            school(100002, "B", Pupils=120_000),
            school(100003, "C", Pupils=104_200),
            school(100004, "D", Pupils=55_800),
        ],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, findings = run(model)
    # Floors 98,000, caps 105,000. Cap first: A, B 120,000 -> 105,000. D (55,800) is held at 98,000.
    # Gains above the floor: A 7,000, B 7,000, C 104,200 - 98,000 = 6,200; total 20,200.
    # Left for gains: 400,000 - 4 x 98,000 = 8,000, so s = 8,000 / 20,200 = 0.396040 (< 1: the capped
    # districts pay towards the floor too). A: 8,000 x 7,000 / 20,200 = 2,772.2772...; B the same;
    # C: 8,000 x 6,200 / 20,200 = 2,455.4455...; floors 2,772.27 + 2,772.27 + 2,455.44 = 7,999.98 and the
    # 2 pennies go to the largest remainders (A .72, B .72): A 2,772.28, B 2,772.28, C 2,455.44.
    assert finals(result) == {
        "A": D("100772.28"),  # +0.77%
        "B": D("100772.28"),  # +0.77%
        "C": D("100455.44"),  # +0.46%: still below A and B, as its formula change was
        "D": D("98000.00"),  # -2.00%
    }
    assert result.total_allocated == D("400000.00")
    assert not findings.items
    scaling = [t.inputs for t in result.trace if t.figure == "Protection adjustment" and t.entity == "C"]
    assert "common scaling of gains above the floor = 0.39604" in scaling[0]


def test_a_district_pushed_over_its_cap_by_the_savings_is_capped_next_round() -> None:
    model = inputs(
        settings(1_000_000, cap="0.05"),
        [district("A", previous=500_000), district("B", previous=290_000), district("C", previous=200_000)],
        [school(100001, "A", Pupils=600), school(100002, "B", Pupils=300), school(100003, "C", Pupils=100)],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, _ = run(model)
    # Unprotected 600,000 / 300,000 / 100,000; caps 525,000 / 304,500 / 210,000; no floor, so the
    # gains count from zero. Round 1: kept 525,000 + 300,000 + 100,000 = 925,000 shares 1,000,000:
    # s = 1.0811 takes A (567,567.57) and B (324,324.32) above their caps: both held at the cap.
    # Round 2: C alone shares 1,000,000 - 525,000 - 304,500 = 170,500 (s = 1.705, under its cap).
    assert finals(result) == {"A": D("525000.00"), "B": D("304500.00"), "C": D("170500.00")}


def test_district_without_previous_allocation_is_outside_protection() -> None:
    model = inputs(
        settings(1_000_000, floor="-0.02"),
        [district("A", previous=500_000), district("B", previous=300_000), district("C", row=5)],
        [school(100001, "A", Pupils=400), school(100002, "B", Pupils=400), school(100003, "C", Pupils=200)],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, findings = run(model)
    # A: 400,000 against a floor of 490,000 is held at the floor; B's gain above its floor (294,000) is
    # 106,000 and what is left for gains is 800,000 - 490,000 - 294,000 = 16,000: B = 310,000.
    # C keeps its formula 200,000.
    assert finals(result) == {"A": D("490000.00"), "B": D("310000.00"), "C": D("200000.00")}
    info = only(findings, "UNPROTECTED_DISTRICT")
    assert (info.severity, info.row, info.column) == (Severity.INFO, 5, "Previous Allocation")


def test_cap_savings_go_only_to_protected_districts() -> None:
    model = inputs(
        settings(1_000_000, cap="0.05"),
        [district("A", previous=500_000), district("B", previous=300_000), district("C")],
        [school(100001, "A", Pupils=600), school(100002, "B", Pupils=200), school(100003, "C", Pupils=200)],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, _ = run(model)
    # A: 600,000 capped at 525,000; the 800,000 of A and B scaled over 525,000 + 200,000 (s = 1.1034)
    # takes A over its cap: held at 525,000, and B alone (cap 315,000) gets 800,000 - 525,000 = 275,000.
    # C, outside protection, keeps 200,000.
    assert finals(result) == {"A": D("525000.00"), "B": D("275000.00"), "C": D("200000.00")}


def test_unaffordable_floor_is_an_error_and_shares_what_the_gains_allow() -> None:
    model = inputs(
        settings(1_000_000, floor="-0.02"),
        [district("A", previous=500_000), district("B", previous=880_000)],
        [school(100001, "A", Pupils=100), school(100002, "B", Pupils=900)],
        [district_factor("Pupils", "Pupils", "1")],
    )
    result, findings = run(model)
    assert only(findings, "PROTECTION_FLOOR_UNAFFORDABLE").severity is Severity.ERROR
    # A needs 490,000 - 100,000 = 390,000; B's gain above its floor (862,400) is only 37,600:
    # B goes to 862,400 and A gets 100,000 + 37,600 = 137,600. Total unchanged.
    assert finals(result) == {"A": D("137600.00"), "B": D("862400.00")}


def test_floor_above_cap_is_an_error_and_protection_is_not_applied() -> None:
    result, findings = run(protected_county(floor="0.10", cap="0.05"))
    assert only(findings, "PROTECTION_FLOOR_ABOVE_CAP").table == "Settings"
    assert finals(result) == {"A": D("300000.00"), "B": D("500000.00"), "C": D("200000.00")}


def test_protect_holds_at_the_cap_in_rounds_and_reports_the_common_scaling() -> None:
    cases = [
        ProtectionCase("A", D("600000.00"), D("500000.00")),
        ProtectionCase("B", D("300000.00"), D("290000.00")),
        ProtectionCase("C", D("100000.00"), D("200000.00")),
    ]
    outcome = protect(cases, None, D("0.05"), Findings())
    # As in the hand-worked example above: round 1 holds A and B at their caps, round 2 finds C under
    # its cap with s = 170,500 / 100,000 = 1.705.
    assert outcome.rounds == 2
    assert outcome.scaling == D("1.705")
    assert outcome.floors == (None, None, None)
    assert outcome.caps == (D("525000.00"), D("304500.00"), D("210000.00"))
    assert outcome.allocations == (D("525000.00"), D("304500.00"), D("170500.00"))


@st.composite
def protection_cases(draw: st.DrawFn) -> tuple[list[ProtectionCase], Decimal | None, Decimal | None]:
    n = draw(st.integers(2, 7))
    cases = []
    for i in range(n):
        previous = D(draw(st.integers(10_000_00, 2_000_000_00))) / 100
        change = D(draw(st.integers(-600, 600))) / 1000  # -60% to +60%
        cases.append(ProtectionCase(f"D{i}", money(previous * (1 + change)), previous))
    floor = draw(st.sampled_from([None, D("-0.02"), D("-0.05"), D("0")]))
    cap = draw(st.sampled_from([None, D("0.05"), D("0.02"), D("0.10")]))
    return cases, floor, cap


@hyp_settings(max_examples=300, deadline=None)
@given(protection_cases())
def test_protection_keeps_the_total_the_band_and_the_order_of_changes(
    drawn: tuple[list[ProtectionCase], Decimal | None, Decimal | None],
) -> None:
    cases, floor, cap = drawn
    findings = Findings()
    outcome = protect(cases, floor, cap, findings)
    finals_ = outcome.allocations
    # The total is unchanged to the penny.
    assert sum(finals_, D(0)) == sum((c.unprotected for c in cases), D(0))
    assert all(a == money(a) for a in finals_)
    # Nobody below its floor or above its cap, unless a finding says the band cannot hold.
    if not findings.items:
        for a, f, c in zip(finals_, outcome.floors, outcome.caps, strict=True):
            assert f is None or a >= f
            assert c is None or a <= c
    # A larger formula change never ends with a smaller % change, to within rounding: the floors and
    # caps are rounded to the penny (up to 0.5p) and so are the shares (under 1p): 2p each way.
    slack = D("0.02")
    for i, ci in enumerate(cases):
        for j, cj in enumerate(cases):
            assert ci.previous is not None and cj.previous is not None
            if ci.unprotected / ci.previous > cj.unprotected / cj.previous:
                assert (finals_[i] + slack) / ci.previous >= (finals_[j] - slack) / cj.previous


def test_every_district_allocation_is_in_the_trace() -> None:
    result, _ = run(three_districts())
    traced = {t.entity: t.value for t in result.trace if t.figure == "District allocation"}
    assert traced == finals(result)
    amounts = [t for t in result.trace if t.figure == "District factor amount"]
    assert len(amounts) == 9  # 3 districts x 3 factors


@st.composite
def counties(draw: st.DrawFn, protection: bool | None = None) -> tuple[ModelInputs, bool]:
    n_districts = draw(st.integers(1, 6) if protection is None else st.integers(3, 6))
    n_factors = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n_factors - 1, max_size=n_factors - 1)))
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    lumps = [draw(st.integers(0, 50_000)) for _ in range(n_districts)]
    retained = draw(st.integers(0, 100_000))
    extra_pence = draw(st.integers(0, 500_000_000))
    budget = (Decimal(sum(lumps) + retained) + Decimal(extra_pence) / 100).quantize(Decimal("0.01"))
    protected = draw(st.booleans()) if protection is None else protection
    districts = [
        district(
            f"D{i}",
            FundingModel.DEVOLVED,
            lump=lumps[i],
            # Previous allocations near an equal share, so that protection is usually affordable.
            previous=int((budget - retained) / n_districts * draw(st.integers(80, 120)) / 100)
            if protected and draw(st.integers(0, 4))
            else None,
        )
        for i in range(n_districts)
    ]
    schools = []
    urn = 100000
    for i in range(n_districts):
        for _ in range(draw(st.integers(1, 4))):
            urn += 1
            values: dict[str, str | int] = {f"F{j}": draw(st.integers(1, 3000)) for j in range(n_factors)}
            schools.append(school(urn, f"D{i}", columns=values))
    factors = [district_factor(f"F{j}", f"F{j}", str(Decimal(percents[j]) / 100)) for j in range(n_factors)]
    floor, cap = ("-0.02", "0.05") if protected else (None, None)
    return inputs(settings(budget, retained, floor=floor, cap=cap), districts, schools, factors), protected


@hyp_settings(max_examples=150, deadline=None)
@given(counties())
def test_district_allocations_always_add_up_to_the_budget_less_centrally_retained(
    county: tuple[ModelInputs, bool],
) -> None:
    check_county(county)


@hyp_settings(max_examples=100, deadline=None)
@given(counties(protection=True))
def test_protection_keeps_the_total_and_every_protected_district_inside_its_band(
    county: tuple[ModelInputs, bool],
) -> None:
    check_county(county)


def check_county(county: tuple[ModelInputs, bool]) -> None:
    model, protected = county
    result, findings = run(model)
    assert model.settings is not None
    budget = model.settings.ap_budget - model.settings.centrally_retained
    assert result.total_allocated == budget
    assert all(d.final_allocation == d.final_allocation.quantize(Decimal("0.01")) for d in result.districts)
    if not protected:
        assert all(d.final_allocation >= 0 for d in result.districts)
    elif not findings.has_errors() and not findings.count(Severity.WARNING):
        for d in result.districts:
            previous = d.district.previous_allocation
            if previous is not None:
                assert money(previous * D("0.98")) <= d.final_allocation <= money(previous * D("1.05"))


def test_a_cap_every_gainer_passes_is_a_warning_and_the_rest_goes_pro_rata_to_previous() -> None:
    cases = [ProtectionCase("A", D("120000.00"), D("100000.00")), ProtectionCase("B", D("130000.00"), D("100000.00"))]
    findings = Findings()
    outcome = protect(cases, None, D("0.05"), findings)
    # Both capped at 105,000 and 250,000 - 210,000 = 40,000 is left: 40,000 x 100,000 / 200,000 each.
    assert outcome.allocations == (D("125000.00"), D("125000.00"))
    assert only(findings, "PROTECTION_CAP_NOT_APPLIED").severity is Severity.WARNING


def test_a_previous_allocation_of_nothing_keeps_the_total() -> None:
    findings = Findings()
    outcome = protect([ProtectionCase("A", D("0.01"), D("0"))], D("-0.02"), D("0.05"), findings)
    # Floor and cap are both 0.00; the 0.01 cannot be capped away (nobody else to take it): kept, with a Warning.
    assert outcome.allocations == (D("0.01"),)
    assert only(findings, "PROTECTION_CAP_NOT_APPLIED").severity is Severity.WARNING
