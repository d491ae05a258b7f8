"""AP outcomes per tier and provider (docs/forum-workbook.md, "APOutcomes").

Calendar: tests.unit.recoup_builders (FY 2025-26; half terms 27-31 Oct and 16-20 Feb). Weeks
are calendar weeks (Monday to Sunday) holding at least one of the placement's school days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apmodel.domain.calendar import SchoolCalendar
from apmodel.domain.equality import SUPPRESSED, is_primary
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ChargeBasis, ModelInputs
from apmodel.domain.outcomes import OutcomeRow, OutcomesResult, ap_outcomes
from apmodel.domain.recoupment import recoup
from apmodel.reports.outcomes_tables import ap_outcomes_table, ap_outcomes_totals_table
from tests.unit.recoup_builders import D, inputs, placement, provider


def county() -> ModelInputs:
    return inputs(
        providers=(provider("PRU-1"), provider("IND-1", charge_basis=ChargeBasis.NONE, charge_rate=None)),
        placements=(
            # 3 Nov to 21 Nov 2025: weeks of 3, 10 and 17 Nov = 3 weeks; 15 school days.
            placement(
                "PL-A",
                tier=2,
                start=date(2025, 11, 3),
                end=date(2025, 11, 21),
                planned_weeks=D(6),
                outcome="Returned to mainstream",
            ),
            # 3 Nov to 19 Dec 2025: 7 weeks, more than its 6 planned; 20 + 15 = 35 school days.
            placement(
                "PL-B",
                tier=2,
                start=date(2025, 11, 3),
                end=date(2025, 12, 19),
                planned_weeks=D(6),
                outcome="Special school",
            ),
            # 5 Jan 2026, open: runs to 31 Mar, the last term's end. Weeks: 4 in January, 3 in
            # February (the half-term week has no school day), 5 in March = 12; 57 school days.
            placement("PL-C", tier=3, start=date(2026, 1, 5), end=None, planned_weeks=D(39), outcome="Continuing"),
            # Wed 3 Sep to Fri 10 Oct 2025: weeks of 1, 8, 15, 22, 29 Sep and 6 Oct = 6 weeks.
            placement(
                "PL-D",
                tier=3,
                provider_id="IND-1",
                start=date(2025, 9, 3),
                end=date(2025, 10, 10),
                outcome=" returned to MAINSTREAM ",
            ),
            # Ended before the year began: not counted.
            placement("PL-E", tier=3, start=date(2024, 9, 2), end=date(2025, 3, 28)),
        ),
    )


def outcomes(model: ModelInputs) -> OutcomesResult:
    assert model.settings is not None
    calendar = SchoolCalendar.build(model.settings.financial_year, model.terms, model.closure_days)
    return ap_outcomes(model, calendar, recoup(model, Findings()).lines)


def row(result: OutcomesResult, tier: int | None, provider_id: str | None) -> OutcomeRow:
    [found] = [r for r in result.rows if r.tier == tier and r.provider_id == provider_id]
    return found


def test_rows_are_each_tiers_providers_then_the_tier_then_all_tiers() -> None:
    result = outcomes(county())
    assert [(r.tier, r.provider_id) for r in result.rows] == [
        (1, None),
        (2, "PRU-1"),
        (2, None),
        (3, "IND-1"),
        (3, "PRU-1"),
        (3, None),
        (None, None),
    ]


def test_weeks_are_school_weeks_and_an_open_placement_runs_to_the_last_term() -> None:
    result = outcomes(county())
    tier2, tier3 = row(result, 2, None), row(result, 3, None)
    # Tier 2: 3 and 7 weeks -> average (3 + 7) / 2 = 5.0, longest 7.
    assert (tier2.placements, tier2.average_weeks, tier2.longest_weeks) == (2, Decimal("5.0"), 7)
    # Tier 3: 12 and 6 weeks -> average 9.0, longest 12 (PL-E is outside the year).
    assert (tier3.placements, tier3.average_weeks, tier3.longest_weeks) == (2, Decimal("9.0"), 12)
    # All tiers: (3 + 7 + 12 + 6) / 4 = 7.0
    assert row(result, None, None).average_weeks == Decimal("7.0")


def test_a_placement_past_its_planned_weeks_is_counted_as_over_running() -> None:
    result = outcomes(county())
    assert row(result, 2, "PRU-1").over_planned == 1  # PL-B: 7 weeks > 6 planned
    assert row(result, 3, "PRU-1").over_planned == 0  # PL-C: 12 weeks < 39 planned


def test_reintegration_rate_is_returned_to_mainstream_over_ended_placements() -> None:
    result = outcomes(county())
    # Tier 2: PL-A returned, PL-B to a special school: 1 / 2 = 0.5000.
    assert row(result, 2, None).reintegration_rate == Decimal("0.5000")
    # Tier 3: PL-C has not ended; PL-D returned ("returned to MAINSTREAM" read as the same): 1 / 1.
    assert row(result, 3, None).reintegration_rate == Decimal("1.0000")
    # All tiers: 2 returned of 3 ended = 0.6666... -> 0.6667
    assert row(result, None, None).reintegration_rate == Decimal("0.6667")
    assert row(result, 1, None).reintegration_rate is None  # nothing ended in tier 1


def test_money_recovered_is_the_recoverable_placement_charges_per_tier_and_provider() -> None:
    result = outcomes(county())
    # PL-A 15 days x 60 = 900.00 + PL-B 35 days x 60 = 2,100.00 = 3,000.00
    assert row(result, 2, "PRU-1").recovered == Decimal("3000.00")
    # PL-C 57 days x 60 = 3,420.00; IND-1 charges nothing.
    assert row(result, 3, "PRU-1").recovered == Decimal("3420.00")
    assert row(result, 3, "IND-1").recovered == Decimal("0.00")
    # 3,000.00 + 3,420.00 = 6,420.00
    assert row(result, None, None).recovered == Decimal("6420.00")


def test_without_a_calendar_there_are_no_rows_and_the_public_table_is_empty() -> None:
    result = ap_outcomes(county(), None, [])
    assert result.rows == ()
    assert ap_outcomes_table(result, public=True).rows == []
    assert ap_outcomes_totals_table(result, public=True).rows == []


def test_the_workbook_table_shows_every_figure() -> None:
    table = ap_outcomes_table(outcomes(county()))
    pru = next(r for r in table.rows if r[0] == "Tier 2" and r[1] == "PRU-1")
    assert pru[3:] == [2, Decimal("5.0"), 7, 1, 2, 1, Decimal("0.5000"), Decimal("3000.00")]
    totals = ap_outcomes_totals_table(outcomes(county()))
    tier2 = next(r for r in totals.rows if r[0] == "Tier 2")
    # Tier, Providers (PRU-1 alone), then the figures of its one provider.
    assert tier2 == ["Tier 2", 1, 2, Decimal("5.0"), 7, 1, 2, 1, Decimal("0.5000"), Decimal("3000.00")]


def test_no_total_row_in_ap_outcomes_the_tiers_and_all_tiers_are_ap_outcomes_totals() -> None:
    result = outcomes(county())
    table = ap_outcomes_table(result)
    # The providers' rows only, tier by tier, in the domain's order; no "All providers" row, no All tiers.
    assert [(r[0], r[1]) for r in table.rows] == [("Tier 2", "PRU-1"), ("Tier 3", "IND-1"), ("Tier 3", "PRU-1")]
    totals = ap_outcomes_totals_table(result)
    assert [c.name for c in totals.columns] == [
        "Tier", "Providers", "Placements", "Average Weeks", "Longest Weeks", "Over Planned Weeks", "Ended",
        "Returned to Mainstream", "Reintegration Rate", "Recovered £",
    ]  # fmt: skip
    assert [r[:2] for r in totals.rows] == [["Tier 1", 0], ["Tier 2", 1], ["Tier 3", 2], ["All tiers", 3]]
    by_tier = {r[0]: dict(zip([c.name for c in totals.columns], r, strict=True)) for r in totals.rows}
    # All tiers' placements: tier 1 0 + tier 2 2 + tier 3 2 = 4; the providers' rows add up to the same 2 + 1 + 1.
    assert by_tier["All tiers"]["Placements"] == 0 + 2 + 2 == 4 == sum(r[3] for r in table.rows)
    # Recovered £: tier 2 3,000.00 + tier 3 (0.00 + 3,420.00) = 6,420.00, exactly (Decimal).
    assert by_tier["Tier 3"]["Recovered £"] == Decimal("0.00") + Decimal("3420.00") == Decimal("3420.00")
    assert by_tier["All tiers"]["Recovered £"] == Decimal("3000.00") + Decimal("3420.00") == Decimal("6420.00")
    assert by_tier["All tiers"]["Recovered £"] == sum((r[10] for r in table.rows), Decimal(0))
    # Average weeks (3 + 7 + 12 + 6) / 4 = 7.0, longest 12; 2 returned of 3 ended = 0.6667.
    assert (by_tier["All tiers"]["Average Weeks"], by_tier["All tiers"]["Longest Weeks"]) == (Decimal("7.0"), 12)
    assert by_tier["All tiers"]["Reintegration Rate"] == Decimal("0.6667")
    assert by_tier["Tier 1"]["Placements"] == 0 and by_tier["Tier 1"]["Average Weeks"] is None


def test_the_public_table_shows_no_count_from_1_to_4_nor_anything_worked_out_from_one() -> None:
    table = ap_outcomes_table(outcomes(county()), public=True)
    columns = [c.name for c in table.columns]
    counted = [columns.index(n) for n in ("Placements", "Over Planned Weeks", "Ended", "Returned to Mainstream")]
    for values in table.rows:
        assert not any(isinstance(values[i], int) and is_primary(values[i]) for i in counted), values
        if values[columns.index("Placements")] == SUPPRESSED:
            assert values[columns.index("Average Weeks")] == values[columns.index("Longest Weeks")] == SUPPRESSED
        if SUPPRESSED in (values[columns.index("Ended")], values[columns.index("Returned to Mainstream")]):
            assert values[columns.index("Reintegration Rate")] == SUPPRESSED
    # Every count here is 0 to 4, so the tiers and providers are hidden, but not the money.
    assert all(values[columns.index("Recovered £")] != SUPPRESSED for values in table.rows)
    # The tiers' and all tiers' totals, in APOutcomesTotals, are suppressed just the same.
    totals = ap_outcomes_totals_table(outcomes(county()), public=True)
    columns = [c.name for c in totals.columns]
    counted = [columns.index(n) for n in ("Placements", "Over Planned Weeks", "Ended", "Returned to Mainstream")]
    for values in totals.rows:
        assert not any(isinstance(values[i], int) and is_primary(values[i]) for i in counted), values
    # Tier 2's 2 placements and tier 3's 2 are [c]; the weeks worked out from them too; money shown.
    tier2 = next(v for v in totals.rows if v[0] == "Tier 2")
    assert tier2[2:5] == [SUPPRESSED] * 3 and tier2[9] == Decimal("3000.00")
