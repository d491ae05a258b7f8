"""The ``EqualityAnalysis`` output table (docs/forum-workbook.md; docs/funding-rules.md, "Privacy").

Built from an ``EqualityResult`` (apmodel.domain.equality), whose suppression is already
decided: a hidden count shows ``[c]`` and so do its rate and share, which would give the count
back. Each breakdown ends with its ``Total`` row (shown as ``[c]`` when the total itself is 1
to 4). Rates are per 1,000 pupils on roll; shares are of the breakdown's total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apmodel.domain.equality import SUPPRESSED, EqualityResult
from apmodel.workbook.contract import EQUALITY_ANALYSIS, EQUALITY_ANALYSIS_SPEC
from apmodel.workbook.interface import OutputTable, out_columns

TOTAL = "Total"
SHARE_PLACES = Decimal("0.0001")



def _share(count: int, total: int) -> Decimal | None:
    return (Decimal(count) / total).quantize(SHARE_PLACES, ROUND_HALF_UP) if total else None


def equality_rows(result: EqualityResult) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for b in result.breakdowns:
        for g in b.groups:
            if g.hidden:
                rows.append([b.measure.value, b.breakdown.value, g.group, SUPPRESSED, SUPPRESSED, SUPPRESSED])
            else:
                rows.append(
                    [
                        b.measure.value,
                        b.breakdown.value,
                        g.group,
                        g.count,
                        result.rate(g.count),
                        _share(g.count, b.total),
                    ]
                )
        if b.total_hidden:
            rows.append([b.measure.value, b.breakdown.value, TOTAL, SUPPRESSED, SUPPRESSED, SUPPRESSED])
        else:
            rows.append(
                [b.measure.value, b.breakdown.value, TOTAL, b.total, result.rate(b.total), _share(b.total, b.total)]
            )
    return rows


def equality_table(result: EqualityResult) -> OutputTable:
    population = (
        f"rates per 1,000 of the {result.pupils_on_roll:,.0f} pupils on roll"
        if result.pupils_on_roll
        else "no rates: the Schools table gives no Pupils figures"
    )
    return OutputTable(
        EQUALITY_ANALYSIS,
        out_columns(EQUALITY_ANALYSIS_SPEC.columns),
        equality_rows(result),
        title=f"Equality analysis: counts from 1 to 4 (and any that would reveal them) shown as [c]; {population}",
    )
