"""The Dashboard's charts, as engine-neutral specifications built from a run's results.

Contract: docs/forum-workbook.md (outputs are rebuilt on every run). Three native Excel charts:

1. allocation by district, this year beside the previous allocation;
2. the scenario differences by district (each scenario's change from the baseline), only when
   the scenarios were computed (Compare scenarios, ``apmodel compare``, the Forum copy);
3. recoupment by term: recoverable charges, credits (negative) and the net, per billing period.

Each spec (``interface.ChartSpec``) carries its own data (categories and series values), which
the writers (apmodel.workbook.charts for files, XlwingsStore for a live book) put on the
Dashboard sheet beside the chart, where ``layout.place_charts`` places them: the chart then
reads cells that are always there, and the figures stay readable without the picture
(accessibility: colour is never the only signal).
"""

from __future__ import annotations

from apmodel.domain.allocation import AllocationResult
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.scenarios import Comparison, Level
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import ChartKind, ChartSpec, Series

#: The recoupment chart's key; its series are charged, credited and net, in that order.
RECOUPMENT_CHART = "RecoupmentByTerm"


def allocation_chart(allocation: AllocationResult) -> ChartSpec:
    districts = allocation.districts
    return ChartSpec(
        key="AllocationByDistrict",
        title="Allocation by district: this year and previous year",
        kind=ChartKind.COLUMN,
        category_title="District",
        value_title="£",
        categories=tuple(d.name for d in districts),
        series=(
            Series("This year £", tuple(d.final_allocation for d in districts)),
            Series("Previous year £", tuple(d.previous if d.previous is not None else ZERO for d in districts)),
        ),
        description="Each district's final allocation this year beside its previous allocation.",
    )


def change_charts(allocation: AllocationResult) -> list[ChartSpec]:
    """Who gains, who loses: each district's change from its previous allocation, in £ and in %.

    Districts with no previous allocation have no change and are left out. In each chart the
    biggest loss (in £, or in %) comes first; the value axis is not forced to start at zero, so small changes show.
    """
    changed = [d for d in allocation.districts if d.change is not None and d.change_pct is not None]
    if not changed:
        return []
    # Each chart in the order of its own measure: a big district's small share can be the most pounds.
    rows = sorted(changed, key=lambda d: (d.change or ZERO, d.name))
    by_share = sorted(changed, key=lambda d: (d.change_pct or ZERO, d.name))
    names = tuple(d.name for d in rows)
    return [
        ChartSpec(
            key="ChangeByDistrict",
            title="Who gains, who loses: change from last year by district (£)",
            kind=ChartKind.BAR,
            category_title="District",
            value_title="Change £",
            categories=names,
            series=(Series("Change £", tuple(d.change or ZERO for d in rows)),),
            description="Final allocation minus previous allocation; negative: the district loses.",
        ),
        ChartSpec(
            key="ChangePercentByDistrict",
            title="Who gains, who loses: change from last year by district (%)",
            kind=ChartKind.BAR,
            category_title="District",
            value_title="Change %",
            categories=tuple(d.name for d in by_share),
            series=(Series("Change %", tuple(d.change_pct or ZERO for d in by_share)),),
            description="The change as a share of the previous allocation (protection keeps it between floor and cap).",
            value_kind=Kind.PERCENT,
        ),
    ]


def scenario_chart(comparison: Comparison) -> ChartSpec:
    rows = sorted(comparison.level(Level.DISTRICT), key=lambda r: r.entity.name.casefold())
    return ChartSpec(
        key="ScenarioDifferences",
        title="Scenario differences by district (change from the baseline)",
        kind=ChartKind.BAR,
        category_title="District",
        value_title="Change £",
        categories=tuple(r.entity.name for r in rows),
        series=tuple(
            Series(f"{name} change £", tuple(r.changes[i] for r in rows))
            for i, name in enumerate(comparison.scenario_names)
        ),
        description="How much each district gains (positive) or loses (negative) in each scenario.",
    )


def recoupment_chart(recoupment: RecoupmentResult) -> ChartSpec:
    periods = [p.name for p in recoupment.calendar.periods] if recoupment.calendar is not None else []
    for line in recoupment.recoverable:
        if line.period and line.period not in periods:
            periods.append(line.period)
    charged = {p: ZERO for p in periods}
    credited = {p: ZERO for p in periods}
    for line in recoupment.recoverable:
        if line.period in charged:
            if line.amount > 0:
                charged[line.period] += line.amount
            else:
                credited[line.period] += line.amount
    return ChartSpec(
        key=RECOUPMENT_CHART,
        title="Recoupment by term (recoverable lines)",
        kind=ChartKind.COLUMN,
        category_title="Term",
        value_title="£",
        categories=tuple(periods),
        series=(
            Series("Charged £", tuple(charged[p] for p in periods)),
            Series("Credited £", tuple(credited[p] for p in periods)),
            Series("Net £", tuple(charged[p] + credited[p] for p in periods)),
        ),
        description="Charges to schools, credits to schools (negative) and the net, per billing period.",
    )


def dashboard_charts(
    allocation: AllocationResult | None, recoupment: RecoupmentResult | None, comparison: Comparison | None
) -> list[ChartSpec]:
    """The charts a run can draw (none of a part that could not be computed)."""
    charts: list[ChartSpec] = []
    if allocation is not None and allocation.districts:
        charts.append(allocation_chart(allocation))
        charts += change_charts(allocation)
    if comparison is not None and comparison.scenario_names and comparison.level(Level.DISTRICT):
        charts.append(scenario_chart(comparison))
    if recoupment is not None and recoupment.calendar is not None and recoupment.calendar.periods:
        charts.append(recoupment_chart(recoupment))
    return charts
