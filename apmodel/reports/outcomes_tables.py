"""The ``APOutcomes`` output table (docs/forum-workbook.md, "Output tables").

Built from an ``OutcomesResult`` (apmodel.domain.outcomes): per tier, a row per provider and
the tier's total, then all tiers. In the workbook every figure is shown. The Forum copy is
public (``public=True``): each count column (Placements, Ended, Returned, Over Planned Weeks)
is suppressed like the equality tables (1 to 4 as ``[c]``, with secondary suppression within
each tier and across the tiers, and a hidden tier hiding all its providers: see
``suppress_hierarchy``), and a row's average and longest weeks and reintegration rate are
``[c]`` whenever a count they are worked out from is. Money recovered is ``[c]`` in the rows
the Forum copy's money suppression hides (``hidden_recovered``: apmodel.reports.forum_money).
"""

from __future__ import annotations

from typing import Any

from apmodel.domain.equality import SUPPRESSED, suppress_hierarchy
from apmodel.domain.outcomes import OutcomeRow, OutcomesResult
from apmodel.workbook.contract import AP_OUTCOMES, AP_OUTCOMES_SPEC
from apmodel.workbook.interface import OutputTable, out_columns

ALL_TIERS = "All tiers"


#: The count columns and how to read each from a row.
_COUNTS = ("placements", "over_planned", "ended", "returned")


def _hidden(result: OutcomesResult) -> dict[str, set[int]]:
    groups = result.groups()
    return {name: suppress_hierarchy([getattr(row, name) for row in result.rows], groups) for name in _COUNTS}


def _cells(row: OutcomeRow, hidden: dict[str, bool], recovered_hidden: bool) -> list[Any]:
    def count(name: str) -> Any:
        return SUPPRESSED if hidden[name] else getattr(row, name)

    weeks_hidden = hidden["placements"]
    rate_hidden = hidden["ended"] or hidden["returned"]
    return [
        ALL_TIERS if row.tier is None else f"Tier {row.tier}",
        row.provider_id,
        row.provider_name,
        count("placements"),
        SUPPRESSED if weeks_hidden else row.average_weeks,
        SUPPRESSED if weeks_hidden else row.longest_weeks,
        count("over_planned"),
        count("ended"),
        count("returned"),
        SUPPRESSED if rate_hidden else row.reintegration_rate,
        SUPPRESSED if recovered_hidden else row.recovered,
    ]


def ap_outcomes_table(
    result: OutcomesResult, *, public: bool = False, hidden_recovered: frozenset[int] = frozenset()
) -> OutputTable:
    hidden = _hidden(result) if public else {name: set() for name in _COUNTS}
    rows = [
        _cells(row, {name: i in hidden[name] for name in _COUNTS}, i in hidden_recovered)
        for i, row in enumerate(result.rows)
    ]
    note = (
        "counts from 1 to 4, and money of fewer than 5 pupils, shown as [c]"
        if public
        else "school weeks in the year; rate = returned / ended"
    )
    return OutputTable(
        AP_OUTCOMES,
        out_columns(AP_OUTCOMES_SPEC.columns),
        rows,
        title=f"AP outcomes per tier and provider ({note})",
    )
