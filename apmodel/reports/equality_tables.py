"""The ``EqualityAnalysis`` output table (docs/forum-workbook.md; docs/funding-rules.md, "Privacy").

Built from an ``EqualityResult`` (apmodel.domain.equality), whose suppression is already
decided: a hidden count shows ``[c]`` and so do its rate and share of AP, which would give the
count back (the group's roll and share of the roll are the school census's, not the count's,
and stay shown). Each breakdown's total (``[c]`` when the total itself is 1 to 4) is not a row of
the table (a sort, a filter or a SUM would catch it): ``EqualityAnalysisTotals`` has one row per
breakdown, its figures worked out exactly as the Total row's were (a total's share of AP and of
the roll, 1 by definition, are not repeated). A rate is per 1,000 pupils of the group on roll
(``On Roll``); ``[x]`` where the Schools table gives no roll for the group; a tier's share of the
roll is ``[z]`` (not applicable: a tier is a kind of provision, not a group of pupils).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apmodel.domain.equality import LARGEST_SUPPRESSED, SUPPRESSED, BreakdownCounts, EqualityResult, rate
from apmodel.workbook.contract import (
    EQUALITY_ANALYSIS,
    EQUALITY_ANALYSIS_SPEC,
    EQUALITY_ANALYSIS_TOTALS,
    EQUALITY_ANALYSIS_TOTALS_SPEC,
)
from apmodel.workbook.interface import OutputTable, out_columns

TOTAL = "Total"
SHARE_PLACES = Decimal("0.0001")
#: The GSS symbols for "not available" and "not applicable".
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"


def _share(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, ROUND_HALF_UP) if whole else None


def _or_x(value: Decimal | None) -> Decimal | str:
    return NOT_AVAILABLE if value is None else value


def _row(
    b: BreakdownCounts, group: str, count: int, hidden: bool, roll: Decimal | None, result: EqualityResult
) -> list[Any]:
    on_roll: Decimal | str = _or_x(roll)
    if not b.of_pupils and group != TOTAL:
        roll_share: Decimal | str = NOT_APPLICABLE
    else:
        roll_share = _or_x(_share(roll, result.pupils_on_roll) if roll is not None else None)
    if hidden:
        shown: list[Any] = [SUPPRESSED, SUPPRESSED, SUPPRESSED]
    else:
        shown = [count, _or_x(rate(count, roll)), _share(count, b.total)]
    if roll is not None and 0 < roll <= LARGEST_SUPPRESSED:
        # A group of 1 to 4 pupils in the county: its roll, rate and share of the roll are [c] too.
        on_roll = roll_share = shown[1] = SUPPRESSED
    return [b.measure.value, b.breakdown.value, group, shown[0], on_roll, shown[1], shown[2], roll_share]


def equality_rows(result: EqualityResult) -> list[list[Any]]:
    """Each breakdown's groups, breakdown by breakdown (their totals are ``equality_total_rows``)."""
    return [_row(b, g.group, g.count, g.hidden, g.roll, result) for b in result.breakdowns for g in b.groups]


def equality_total_rows(result: EqualityResult) -> list[list[Any]]:
    """One row per breakdown: Measure, Breakdown, how many groups it has, then its total's Count, On Roll
    and Per 1,000 Pupils as a Total row of the breakdown would show them (``[c]`` when the total is 1 to 4;
    the whole roll, ``[x]`` when not given)."""
    rows: list[list[Any]] = []
    for b in result.breakdowns:
        measure, breakdown, _group, count, on_roll, per_1000, *_shares = _row(
            b, TOTAL, b.total, b.total_hidden, result.pupils_on_roll, result
        )
        rows.append([measure, breakdown, len(b.groups), count, on_roll, per_1000])
    return rows


def equality_table(result: EqualityResult) -> OutputTable:
    population = (
        f"{result.pupils_on_roll:,.0f} pupils on roll"
        if result.pupils_on_roll
        else "the Schools table gives no Pupils figure for every school"
    )
    return OutputTable(
        EQUALITY_ANALYSIS,
        out_columns(EQUALITY_ANALYSIS_SPEC.columns),
        equality_rows(result),
        title=(
            "Equality analysis: counts from 1 to 4 (and any that would reveal them) shown as [c]; "
            f"rates per 1,000 pupils of each group on roll, [x] where the roll is not given; {population}"
        ),
    )


def equality_totals_table(result: EqualityResult) -> OutputTable:
    return OutputTable(
        EQUALITY_ANALYSIS_TOTALS,
        out_columns(EQUALITY_ANALYSIS_TOTALS_SPEC.columns),
        equality_total_rows(result),
        title=f"{EQUALITY_ANALYSIS} added up per breakdown (counts from 1 to 4 shown as [c])",
    )
