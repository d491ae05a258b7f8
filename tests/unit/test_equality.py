"""Equality analysis and its small-number suppression (docs/funding-rules.md, "Privacy").

The suppression tests play the strongest reader we can think of: one who knows every
published count, every total (even one shown as [c]), that the counts are whole numbers of
at least 0, and the suppression rule itself. For each table they list every table the rule
would have published in exactly the same way; a 1 to 4 count is recoverable if it has the
same value in all of them. Small tables are checked exhaustively.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from apmodel.domain.equality import (
    SUPPRESSED,
    Breakdown,
    EqualityResult,
    Measure,
    analyse_equality,
    is_primary,
    suppress_group,
    suppress_hierarchy,
)
from apmodel.domain.inputs import Reason, School
from apmodel.reports.equality_tables import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    equality_table,
    equality_totals_table,
)
from tests.unit.recoup_builders import exclusion, inputs, placement

# -- The reader's search ---------------------------------------------------------------------------


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way of writing ``total`` as ``parts`` whole numbers of at least 0."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def possible_values(counts: Sequence[int]) -> dict[int, set[int]]:
    """For each hidden count, every value consistent with what is published and with the rule."""
    hidden = suppress_group(counts)
    cells = sorted(hidden)
    hidden_sum = sum(counts[i] for i in cells)
    values: dict[int, set[int]] = {i: set() for i in cells}
    for guess in compositions(hidden_sum, len(cells)):
        table = list(counts)
        for i, value in zip(cells, guess, strict=True):
            table[i] = value
        if suppress_group(table) == hidden:
            for i, value in zip(cells, guess, strict=True):
                values[i].add(value)
    return values


def recoverable(counts: Sequence[int]) -> list[int]:
    """Indices of 1 to 4 counts that are shown, or that only one value fits."""
    values = possible_values(counts)
    return [i for i, c in enumerate(counts) if is_primary(c) and (i not in values or len(values[i]) < 2)]


@pytest.mark.slow
@pytest.mark.parametrize("size", [2, 3, 4])
def test_no_count_from_1_to_4_is_recoverable_in_any_small_group(size: int) -> None:
    leaks = [counts for counts in itertools.product(range(9), repeat=size) if recoverable(counts)]
    assert leaks == []


def test_one_small_count_hides_the_next_smallest_and_zeros_stay_shown() -> None:
    # 3 is hidden; alone it would be 45 - 12 - 30 = 3, so the next smallest, 12, is hidden too.
    assert suppress_group([12, 3, 30, 0]) == {0, 1}


def test_a_count_equal_to_the_chosen_secondary_is_hidden_too() -> None:
    # Hiding only one 5 would tell a reader who knows the rule that the first 5 was chosen.
    assert suppress_group([5, 5, 3]) == {0, 1, 2}


def test_small_counts_that_are_all_ones_hide_another_count() -> None:
    # Two hidden counts summing to 2 can only be 1 and 1.
    assert suppress_group([1, 1, 9, 20]) == {0, 1, 2}
    # Two hidden counts summing to 8, each at most 4, can only be 4 and 4.
    assert suppress_group([4, 4, 9, 20]) == {0, 1, 2}
    # 1 + 3 = 4 could be 1 + 3, 2 + 2 or 3 + 1: nothing more is needed.
    assert suppress_group([1, 3, 9, 20]) == {0, 1}


def test_a_small_count_among_zeros_hides_the_zeros() -> None:
    assert suppress_group([0, 0, 2]) == {0, 1, 2}


def test_nothing_is_hidden_when_no_count_is_from_1_to_4() -> None:
    assert suppress_group([0, 5, 17]) == frozenset()


# -- Hierarchies (providers within tiers within all tiers) -----------------------------------------

#: Two tiers of two providers each: indices 0-3 providers, 4-5 tier totals, 6 all tiers.
TREE = [([4, 5], 6), ([0, 1], 4), ([2, 3], 5)]


def tree_counts(leaves: Sequence[int]) -> list[int]:
    return [*leaves, leaves[0] + leaves[1], leaves[2] + leaves[3], sum(leaves)]


def tree_possible(leaves: Sequence[int]) -> dict[int, set[int]]:
    counts = tree_counts(leaves)
    hidden = suppress_hierarchy(counts, TREE)
    values: dict[int, set[int]] = {i: set() for i in hidden}
    for guess in compositions(counts[6], 4):
        trial = tree_counts(guess)
        if (
            all(trial[i] == counts[i] for i in range(7) if i not in hidden)
            and suppress_hierarchy(trial, TREE) == hidden
        ):
            for i in hidden:
                values[i].add(trial[i])
    return values


@pytest.mark.slow
def test_no_count_from_1_to_4_is_recoverable_through_tier_or_grand_totals() -> None:
    leaks = []
    for leaves in itertools.product(range(7), repeat=4):
        counts = tree_counts(leaves)
        values = tree_possible(leaves)
        # The grand total is treated as public (its own 1 to 4 is shown as [c] but known elsewhere).
        leaks += [(leaves, i) for i in range(6) if is_primary(counts[i]) and len(values.get(i, ())) < 2]
    assert leaks == []


def test_a_provider_alone_in_its_tier_is_hidden_exactly_when_its_tier_is() -> None:
    # Indices: 0 the only provider of tier 1, 1 tier 1, 2 tier 2, 3 all tiers.
    groups = [([1, 2], 3), ([0], 1)]
    assert suppress_hierarchy([3, 3, 17, 20], groups) == {0, 1, 2}
    assert suppress_hierarchy([8, 8, 17, 25], groups) == set()


def test_a_hidden_tier_total_hides_all_its_providers_so_it_cannot_be_added_up_again() -> None:
    # Tier 1 is 2 (hidden), so tier 2 (12) is hidden too; tier 2's providers 5 and 7 would add
    # up to it, so they are hidden as well.
    assert suppress_hierarchy(tree_counts([2, 0, 5, 7]), TREE) == {0, 1, 2, 3, 4, 5}
    # With both tiers shown, a provider's 3 hides only the next smallest provider of its tier.
    assert suppress_hierarchy(tree_counts([3, 6, 5, 7]), TREE) == {0, 1}


# -- The analysis ----------------------------------------------------------------------------------


def school_with_pupils(urn: int, pupils: int) -> School:
    return School(
        row=2,
        urn=urn,
        name=f"School {urn}",
        district="North",
        phase="Secondary",
        type="Maintained",
        values={"pupils": Decimal(pupils)},
    )


def counts(result: EqualityResult, measure: Measure, breakdown: Breakdown) -> dict[str, Any]:
    [b] = [b for b in result.breakdowns if b.measure is measure and b.breakdown is breakdown]
    return {g.group: (SUPPRESSED if g.hidden else g.count) for g in b.groups} | {"Total": b.total}


def true_counts(result: EqualityResult, measure: Measure, breakdown: Breakdown) -> dict[str, int]:
    [b] = [b for b in result.breakdowns if b.measure is measure and b.breakdown is breakdown]
    return {g.group: g.count for g in b.groups}


def many(prefix: str, n: int, **fields: Any) -> list[Any]:
    return [placement(f"{prefix}{i}", **fields) for i in range(n)]


def test_placements_are_counted_by_each_characteristic_with_not_recorded_for_blanks() -> None:
    rows = [
        *many("F", 6, sex="F", ethnicity="White", year_group=9, tier=1),
        *many("M", 7, sex="male", ethnicity="white", year_group=10, tier=2, sen_support=True),
        *many("E", 5, sex="", ethnicity="Mixed", year_group=None, tier=3, ehcp=True, sen_support=True),
    ]
    result = analyse_equality(inputs(placements=tuple(rows)))
    assert counts(result, Measure.PLACEMENTS, Breakdown.SEX) == {"Female": 6, "Male": 7, "Not recorded": 5, "Total": 18}
    # "white" is counted with "White", the first spelling seen.
    assert counts(result, Measure.PLACEMENTS, Breakdown.ETHNICITY) == {
        "Mixed": 5,
        "White": 13,
        "Not recorded": 0,
        "Total": 18,
    }
    assert counts(result, Measure.PLACEMENTS, Breakdown.YEAR_GROUP) == {
        "Year 9": 6,
        "Year 10": 7,
        "Not recorded": 5,
        "Total": 18,
    }
    # An EHCP counts as EHCP even with SEN Support ticked.
    assert counts(result, Measure.PLACEMENTS, Breakdown.SEN_STATUS) == {
        "EHCP": 5,
        "SEN support": 7,
        "No SEN": 6,
        "Not recorded": 0,
        "Total": 18,
    }
    assert counts(result, Measure.PLACEMENTS, Breakdown.TIER) == {"1": 6, "2": 7, "3": 5, "Total": 18}


def test_placements_outside_the_financial_year_are_not_counted() -> None:
    rows = [
        *many("IN", 6),
        placement("OLD", start=date(2024, 9, 2), end=date(2025, 3, 28)),
        placement("CARRIED", start=date(2025, 3, 3), end=date(2025, 4, 30)),
    ]
    result = analyse_equality(inputs(placements=tuple(rows)))
    # 6 in the year + the one carried over from March into April = 7; the one ended by 31 March is out.
    assert counts(result, Measure.PLACEMENTS, Breakdown.TIER)["Total"] == 7


def test_an_exclusion_takes_sex_ethnicity_and_sen_from_the_pupils_exclusion_placement() -> None:
    excluded = [exclusion(f"EX-{i}", pupil_ref=f"P{i}", year_group=10) for i in range(7)]
    described = [
        placement(
            f"AR-{i}", pupil_ref=f"P{i}", sex="Male", ethnicity="Mixed", start=date(2025, 9, 8), end=date(2025, 10, 3)
        )
        for i in range(7)
    ] + [
        placement(
            f"PX-{i}",
            pupil_ref=f"P{i}",
            sex="Female",
            ethnicity="White",
            ehcp=True,
            reason=Reason.PERMANENT_EXCLUSION,
            start=date(2025, 10, 20),
            end=None,
        )
        for i in range(5)
    ]
    result = analyse_equality(inputs(exclusions=tuple(excluded), placements=tuple(described)))
    # Five pupils have a permanent-exclusion placement (Female); two only an earlier one (Male).
    assert true_counts(result, Measure.EXCLUSIONS, Breakdown.SEX) == {"Female": 5, "Male": 2, "Not recorded": 0}
    assert true_counts(result, Measure.EXCLUSIONS, Breakdown.SEN_STATUS)["EHCP"] == 5
    # As published, the 2 is hidden and so is the 5, which would give it back (7 - 5 = 2).
    sex = counts(result, Measure.EXCLUSIONS, Breakdown.SEX)
    assert sex == {"Female": SUPPRESSED, "Male": SUPPRESSED, "Not recorded": 0, "Total": 7}


def test_an_exclusion_with_no_placement_is_not_recorded() -> None:
    excluded = [exclusion(f"EX-{i}", pupil_ref=f"Q{i}") for i in range(6)]
    result = analyse_equality(inputs(exclusions=tuple(excluded)))
    assert counts(result, Measure.EXCLUSIONS, Breakdown.ETHNICITY) == {"Not recorded": 6, "Total": 6}
    assert [b.breakdown for b in result.breakdowns if b.measure is Measure.EXCLUSIONS] == [
        Breakdown.YEAR_GROUP,
        Breakdown.SEX,
        Breakdown.ETHNICITY,
        Breakdown.SEN_STATUS,
    ]


def test_rates_are_per_1000_pupils_on_roll() -> None:
    rows = many("P", 9)
    result = analyse_equality(
        inputs(placements=tuple(rows), schools=(school_with_pupils(100001, 1200), school_with_pupils(100002, 1800)))
    )
    assert result.pupils_on_roll == Decimal(3000)
    # 9 x 1,000 / 3,000 = 3.00
    assert result.rate(9) == Decimal("3.00")
    # 7 x 1,000 / 3,000 = 2.333... -> 2.33
    assert result.rate(7) == Decimal("2.33")


def test_without_pupil_numbers_there_are_no_rates() -> None:
    result = analyse_equality(inputs(placements=tuple(many("P", 9))))
    assert result.pupils_on_roll is None and result.rate(9) is None


# -- The published table ---------------------------------------------------------------------------


def published_groups(rows: Sequence[Sequence[Any]]) -> dict[tuple[str, str], list[Any]]:
    """Each breakdown's published counts (the table holds no Total row: EqualityAnalysisTotals has them)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for measure, breakdown, group, count, *_ in rows:
        if group != "Total":
            groups.setdefault((measure, breakdown), []).append(count)
    return groups


def test_the_published_table_never_lets_a_1_to_4_count_be_worked_out_from_a_total() -> None:
    # Small numbers everywhere: 1 Female, 3 "Mixed", single pupils in a year group, a tier of 4.
    rows = [
        placement("A1", sex="Female", ethnicity="Mixed", year_group=7, tier=1),
        *many("B", 2, sex="Male", ethnicity="Mixed", year_group=8, tier=1, ehcp=True),
        *many("C", 4, sex="Male", ethnicity="White", year_group=9, tier=2),
        *many("D", 9, sex="Male", ethnicity="White", year_group=10, tier=3, sen_support=True),
    ]
    table = equality_table(analyse_equality(inputs(placements=tuple(rows))))
    for row in table.rows:
        if row[3] == SUPPRESSED:
            assert row[5] == row[6] == SUPPRESSED  # a rate or share of AP would give the count back
        elif isinstance(row[3], int):
            assert not is_primary(row[3]), row
    result = analyse_equality(inputs(placements=tuple(rows)))
    for b in result.breakdowns:
        true_counts = [g.count for g in b.groups]
        assert recoverable(true_counts) == [], (b.measure, b.breakdown)
        # What is published agrees with the suppression the reader's search assumed.
        shown = published_groups(table.rows)[(b.measure.value, b.breakdown.value)]
        assert [c == SUPPRESSED for c in shown] == [g.hidden for g in b.groups]


def test_a_total_from_1_to_4_is_itself_shown_as_c() -> None:
    result = analyse_equality(inputs(placements=tuple(many("P", 3)), schools=CENSUS))
    totals = [row for row in equality_totals_table(result).rows if row[0] == "Placements"]
    # Measure, Breakdown, Groups, Count, On Roll, Per 1,000 Pupils: the count (3) and its rate are [c]; the
    # roll (the census's 3,500, not the count's) stays shown.
    assert len(totals) == 5
    assert all([row[3], row[5]] == [SUPPRESSED] * 2 and row[4] == Decimal(3500) for row in totals)


def test_no_breakdown_has_a_total_row_and_equality_analysis_totals_adds_each_up() -> None:
    rows = [*many("M", 12, sex="Male", tier=2), *many("F", 6, sex="Female", tier=3), *many("N", 5, tier=1)]
    result = analyse_equality(inputs(placements=tuple(rows), schools=CENSUS))
    table = equality_table(result)
    assert "Total" not in {row[2] for row in table.rows}
    totals = equality_totals_table(result)
    header = ["Measure", "Breakdown", "Groups", "Count", "On Roll", "Per 1,000 Pupils"]
    assert [c.name for c in totals.columns] == header
    # One row per breakdown, in the table's order: 5 of placements, 4 of exclusions (no tier).
    assert [tuple(row[:2]) for row in totals.rows] == list(dict.fromkeys(tuple(row[:2]) for row in table.rows))
    for measure, breakdown, groups, count, *_ in totals.rows:
        shown = [row[3] for row in table.rows if (row[0], row[1]) == (measure, breakdown)]
        assert groups == len(shown)
        if SUPPRESSED not in shown:
            assert count == sum(shown), (measure, breakdown)
    sex = next(row for row in totals.rows if row[:2] == ["Placements", "Sex"])
    # Female 6 + Male 12 + Not recorded 5 = 23 placements; 23 / 3,500 x 1,000 = 6.571... -> 6.57
    assert sex == ["Placements", "Sex", 3, 23, Decimal(3500), Decimal("6.57")]
    tier = next(row for row in totals.rows if row[:2] == ["Placements", "Tier"])
    # Tier 1 5 + tier 2 12 + tier 3 6 = 23, of the whole roll: the same 6.57.
    assert tier == ["Placements", "Tier", 3, 23, Decimal(3500), Decimal("6.57")]
    # No exclusions: each exclusion breakdown adds up to 0, 0.00 per 1,000.
    assert {tuple(row[3:]) for row in totals.rows if row[0] == "Exclusions"} == {(0, Decimal(3500), Decimal("0.00"))}


# -- Rates per group (docs/funding-rules.md, "Privacy and equality") -------------------------------


def census_school(urn: int, **columns: int) -> School:
    """A school with roll columns by their Schools header (``Boys=900``), normalised as parse does."""
    values = {name.replace("_", " ").casefold(): Decimal(v) for name, v in columns.items()}
    return School(row=2, urn=urn, name=f"School {urn}", district="North", phase="Secondary", type="Maintained",
                  values=values)


#: Two schools: 3,500 pupils, 1,800 boys, 1,700 girls, 100 with an EHCP, 450 on SEN support.
CENSUS = (
    census_school(100001, pupils=2000, boys=1000, girls=1000, ehcp_pupils=60, sen_support_pupils=250),
    census_school(100002, pupils=1500, boys=800, girls=700, ehcp_pupils=40, sen_support_pupils=200),
)
HEADER = ["Measure", "Breakdown", "Group", "Count", "On Roll", "Per 1,000 Pupils", "Share of AP", "Share of Roll"]


def published(rows: Sequence[Sequence[Any]], measure: str, breakdown: str) -> dict[str, dict[str, Any]]:
    return {
        row[2]: dict(zip(HEADER[3:], row[3:], strict=True))
        for row in rows
        if row[0] == measure and row[1] == breakdown
    }


def test_the_table_has_the_declared_columns() -> None:
    table = equality_table(analyse_equality(inputs(placements=tuple(many("P", 9)))))
    assert [column.name for column in table.columns] == HEADER


def test_a_groups_rate_is_per_1000_pupils_of_that_group_beside_its_shares_of_ap_and_of_the_roll() -> None:
    rows = [*many("M", 12, sex="Male"), *many("F", 6, sex="Female")]
    table = equality_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS)))
    sex = published(table.rows, "Placements", "Sex")
    # 12 boys placed / 1,800 boys on roll x 1,000 = 6.666... -> 6.67
    # share of AP 12 / 18 = 0.6667; share of roll 1,800 / 3,500 = 0.514285... -> 0.5143
    assert sex["Male"] == {"Count": 12, "On Roll": Decimal(1800), "Per 1,000 Pupils": Decimal("6.67"),
                           "Share of AP": Decimal("0.6667"), "Share of Roll": Decimal("0.5143")}
    # 6 girls placed / 1,700 girls x 1,000 = 3.529... -> 3.53; 6 / 18 = 0.3333; 1,700 / 3,500 = 0.4857
    assert sex["Female"] == {"Count": 6, "On Roll": Decimal(1700), "Per 1,000 Pupils": Decimal("3.53"),
                             "Share of AP": Decimal("0.3333"), "Share of Roll": Decimal("0.4857")}
    # Boys are over-represented: 66.67% of placements against 51.43% of the roll.
    # Not recorded has no roll: [x]. Total: 18 / 3,500 x 1,000 = 5.142... -> 5.14, all the roll.
    assert sex["Not recorded"]["On Roll"] == sex["Not recorded"]["Per 1,000 Pupils"] == NOT_AVAILABLE
    assert "Total" not in sex
    totals = equality_totals_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS))).rows
    assert next(row for row in totals if row[:2] == ["Placements", "Sex"]) == [
        "Placements", "Sex", 3, 18, Decimal(3500), Decimal("5.14")
    ]


def test_no_sen_is_the_roll_less_ehcp_and_sen_support_pupils() -> None:
    rows = [*many("E", 5, ehcp=True), *many("S", 7, sen_support=True), *many("N", 6)]
    table = equality_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS)))
    sen = published(table.rows, "Placements", "SEN status")
    # EHCP: 5 / 100 x 1,000 = 50.00; SEN support: 7 / 450 x 1,000 = 15.555... -> 15.56
    assert (sen["EHCP"]["Per 1,000 Pupils"], sen["SEN support"]["Per 1,000 Pupils"]) == (Decimal(50), Decimal("15.56"))
    # No SEN on roll: 3,500 - 100 - 450 = 2,950; 6 / 2,950 x 1,000 = 2.033... -> 2.03; 2,950 / 3,500 = 0.8429
    assert sen["No SEN"]["On Roll"] == Decimal(2950)
    assert sen["No SEN"]["Per 1,000 Pupils"] == Decimal("2.03")
    assert sen["No SEN"]["Share of Roll"] == Decimal("0.8429")


def test_a_roll_not_given_by_every_school_is_x_not_a_rate_of_part_of_the_county() -> None:
    # The second school leaves Girls blank: 1,000 girls of one school would make 6 girls 6.00 per 1,000.
    schools = (CENSUS[0], census_school(100002, pupils=1500, boys=800))
    rows = [*many("M", 12, sex="Male"), *many("F", 6, sex="Female")]
    table = equality_table(analyse_equality(inputs(placements=tuple(rows), schools=schools)))
    sex = published(table.rows, "Placements", "Sex")
    assert [sex["Female"][k] for k in ("On Roll", "Per 1,000 Pupils", "Share of Roll")] == [NOT_AVAILABLE] * 3
    assert sex["Female"]["Share of AP"] == Decimal("0.3333")  # 6 / 18: no roll needed
    # 12 / 1,800 x 1,000 = 6.67 still: every school gives Boys.
    assert sex["Male"]["Per 1,000 Pupils"] == Decimal("6.67")
    # No roll by year group or ethnicity in the workbook: [x] for every such group.
    for breakdown in ("Year group", "Ethnicity"):
        groups = published(table.rows, "Placements", breakdown)
        assert {g["Per 1,000 Pupils"] for name, g in groups.items() if name != "Total"} == {NOT_AVAILABLE}
    # Without EHCP and SEN support columns, No SEN cannot be worked out either.
    sen = published(table.rows, "Placements", "SEN status")
    assert sen["No SEN"]["On Roll"] == NOT_AVAILABLE


def test_a_tiers_rate_is_per_1000_of_the_whole_roll_and_it_has_no_share_of_the_roll() -> None:
    rows = [*many("A", 7, tier=1), *many("B", 14, tier=2), *many("C", 0, tier=3)]
    tier = published(
        equality_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS))).rows, "Placements", "Tier"
    )
    # 14 / 3,500 x 1,000 = 4.00; a tier is provision, not a group of pupils: share of roll [z].
    assert tier["2"]["Per 1,000 Pupils"] == Decimal("4.00") and tier["2"]["Share of Roll"] == NOT_APPLICABLE
    # The tiers added up: 7 + 14 + 0 = 21 of the whole roll, 21 / 3,500 x 1,000 = 6.00.
    totals = equality_totals_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS))).rows
    assert next(row for row in totals if row[:2] == ["Placements", "Tier"])[3:] == [21, Decimal(3500), Decimal("6.00")]


def test_a_hidden_counts_rate_and_share_of_ap_are_hidden_and_its_roll_is_shown() -> None:
    rows = [*many("M", 12, sex="Male"), *many("F", 3, sex="Female")]
    sex = published(
        equality_table(analyse_equality(inputs(placements=tuple(rows), schools=CENSUS))).rows, "Placements", "Sex"
    )
    # 3 girls is [c]; 12 would give it back (15 - 12 = 3), so it is [c] too, and so are their
    # rates (3 / 1,700 x 1,000 = 1.76 gives 3 back) and shares of AP (3 / 15 = 0.2000).
    for group in ("Female", "Male"):
        assert [sex[group][k] for k in ("Count", "Per 1,000 Pupils", "Share of AP")] == [SUPPRESSED] * 3
    # The census roll is not the AP count: 1,700 girls and 1,700 / 3,500 = 0.4857 stay shown.
    assert (sex["Female"]["On Roll"], sex["Female"]["Share of Roll"]) == (Decimal(1700), Decimal("0.4857"))


def test_a_group_of_1_to_4_pupils_on_roll_is_not_published_by_its_roll() -> None:
    # 3 pupils with an EHC plan in the whole county: 0 of them placed would say something of
    # each of the 3, so their roll, rate and share of the roll are [c]; the count 0 stays.
    schools = (census_school(100001, pupils=900, ehcp_pupils=3, sen_support_pupils=97),)
    table = equality_table(analyse_equality(inputs(placements=tuple(many("N", 9)), schools=schools)))
    sen = published(table.rows, "Placements", "SEN status")
    assert [sen["EHCP"][k] for k in ("On Roll", "Per 1,000 Pupils", "Share of Roll")] == [SUPPRESSED] * 3
    # No SEN: 900 - 3 - 97 = 800 on roll; 9 / 800 x 1,000 = 11.25
    assert sen["No SEN"]["Per 1,000 Pupils"] == Decimal("11.25")
