"""The Dashboard's charts, as engine-neutral specifications built from a run's results.

Contract: docs/forum-workbook.md (outputs are rebuilt on every run). Three native Excel charts:

1. allocation by district, this year beside the previous allocation;
2. the scenario differences by district (each scenario's change from the baseline), only when
   the scenarios were computed (Compare scenarios, ``apmodel compare``, the Forum copy);
3. recoupment by term: recoverable charges, credits (negative) and the net, per billing period.

Each spec carries its own data (categories and series values), which the writers
(apmodel.workbook.charts for files, XlwingsStore for a live book) put on the Dashboard sheet
beside the chart: the chart then reads cells that are always there, and the figures stay
readable without the picture (accessibility: colour is never the only signal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from apmodel.domain.allocation import AllocationResult
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.scenarios import Comparison, Level

DASHBOARD = "Dashboard"
#: The recoupment chart's key; its series are charged, credited and net, in that order.
RECOUPMENT_CHART = "RecoupmentByTerm"


class ChartKind(StrEnum):
    #: Vertical bars side by side.
    COLUMN = "column"
    #: Horizontal bars side by side (long category names read better down the side).
    BAR = "bar"


@dataclass(frozen=True)
class Series:
    name: str
    #: The figures; ``[c]`` (text) where the Forum copy hides one (apmodel.reports.forum_money).
    values: tuple[Decimal | str, ...]


@dataclass(frozen=True)
class ChartSpec:
    #: Stable identifier (also the chart's name in Excel).
    key: str
    title: str
    kind: ChartKind
    category_title: str
    value_title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    #: One sentence shown above the chart's data: what it shows.
    description: str


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
    if comparison is not None and comparison.scenario_names and comparison.level(Level.DISTRICT):
        charts.append(scenario_chart(comparison))
    if recoupment is not None and recoupment.calendar is not None and recoupment.calendar.periods:
        charts.append(recoupment_chart(recoupment))
    return charts


def data_block(chart: ChartSpec) -> list[list[object]]:
    """The chart's data as a header row and one row per category (what the writers put in cells)."""
    block: list[list[object]] = [[chart.category_title, *(s.name for s in chart.series)]]
    for index, category in enumerate(chart.categories):
        block.append([category, *(s.values[index] for s in chart.series)])
    return block


#: The Dashboard's layout, shared by both writers so the two engines leave the same cells.
TITLE = "Dashboard: charts of the last run"
NOTE = "Drawn by apmodel on every run: edits here are replaced. Each chart's figures are beside it."
FIRST_ROW = 4
#: Rows a chart covers (about 9.5 cm at the default row height) and its width in cm.
CHART_ROWS = 20
CHART_WIDTH_CM = 18.0
CHART_HEIGHT_CM = 9.5
POINTS_PER_CM = 72 / 2.54


def note_text(charts: Sequence[ChartSpec]) -> str:
    return NOTE if charts else NOTE + " Nothing could be charted: see Warnings."


@dataclass(frozen=True)
class Placed:
    """Where one chart's description, data block (1-based sheet rows and columns) and chart go."""

    chart: ChartSpec
    description_row: int
    data_row: int
    data_rows: int
    data_columns: int
    chart_column: int


def layout(charts: Sequence[ChartSpec]) -> list[Placed]:
    """Each chart below the last: its description, then its data in column A on, the chart to the right."""
    placed: list[Placed] = []
    row = FIRST_ROW
    for chart in charts:
        rows = len(chart.categories) + 1
        columns = len(chart.series) + 1
        placed.append(Placed(chart, row, row + 1, rows, columns, columns + 2))
        row += 1 + max(rows, CHART_ROWS) + 2
    return placed
