"""The ``APOutcomes`` output table and its ``APOutcomesTotals`` (docs/forum-workbook.md, "Output tables").

Built from an ``OutcomesResult`` (apmodel.domain.outcomes), whose rows are, per tier, a row per
provider and the tier's total, then all tiers. ``APOutcomes`` holds the providers' rows only (no
total row for a sort, a filter or a SUM to catch); ``APOutcomesTotals`` holds the total rows, one
per tier then All tiers, with how many provider rows each adds up. Both are cut from the same
cells, worked out row by row of the result as before, so every figure and every ``[c]`` is the
same wherever it is printed. In the workbook every figure is shown. The Forum copy is
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
from apmodel.workbook.contract import AP_OUTCOMES, AP_OUTCOMES_SPEC, AP_OUTCOMES_TOTALS, AP_OUTCOMES_TOTALS_SPEC
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


def _all_cells(result: OutcomesResult, public: bool, hidden_recovered: frozenset[int]) -> list[list[Any]]:
    """Every row of ``result`` (providers and totals, in its order) as APOutcomes' columns show it:
    suppression is decided over all of them (``result.groups()``: by row index), as one table."""
    hidden = _hidden(result) if public else {name: set() for name in _COUNTS}
    return [
        _cells(row, {name: i in hidden[name] for name in _COUNTS}, i in hidden_recovered)
        for i, row in enumerate(result.rows)
    ]


def _note(public: bool) -> str:
    return (
        "counts from 1 to 4, and money of fewer than 5 pupils, shown as [c]"
        if public
        else "school weeks in the year; rate = returned / ended"
    )


def ap_outcomes_table(
    result: OutcomesResult, *, public: bool = False, hidden_recovered: frozenset[int] = frozenset()
) -> OutputTable:
    """The providers' rows, tier by tier (the tiers' and all tiers' totals are ``ap_outcomes_totals_table``).
    ``hidden_recovered`` holds indices of ``result.rows``."""
    cells = _all_cells(result, public, hidden_recovered)
    rows = [cells[i] for i, row in enumerate(result.rows) if row.provider_id is not None]
    return OutputTable(
        AP_OUTCOMES,
        out_columns(AP_OUTCOMES_SPEC.columns),
        rows,
        title=f"AP outcomes per tier and provider ({_note(public)})",
    )


def ap_outcomes_totals_table(
    result: OutcomesResult, *, public: bool = False, hidden_recovered: frozenset[int] = frozenset()
) -> OutputTable:
    """The total rows of ``result``, each tier's then All tiers': the tier, how many provider rows of
    APOutcomes it adds up, then its figures exactly as the total row had them (the same cells, the same
    ``[c]``), without the Provider ID and Provider columns."""
    cells = _all_cells(result, public, hidden_recovered)
    provider_tiers = [r.tier for r in result.rows if r.provider_id is not None]
    rows: list[list[Any]] = []
    for i, row in enumerate(result.rows):
        if row.provider_id is not None:
            continue
        providers = len(provider_tiers) if row.tier is None else provider_tiers.count(row.tier)
        tier, _provider_id, _provider, *figures = cells[i]
        rows.append([tier, providers, *figures])
    return OutputTable(
        AP_OUTCOMES_TOTALS,
        out_columns(AP_OUTCOMES_TOTALS_SPEC.columns),
        rows,
        title=f"{AP_OUTCOMES} added up per tier, then all tiers ({_note(public)})",
    )
