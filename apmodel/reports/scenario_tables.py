"""The ``ScenarioComparison`` output table and its ``ScenarioComparisonTotals`` (docs/forum-workbook.md,
"Output tables").

Built from a ``Comparison`` (apmodel.domain.scenarios). One row per district, school and
provider, the biggest losers first within each level, and no total row (sorting, filtering or
a SUM would break it): ``ScenarioComparisonTotals`` adds each level up in a row of its own, the
exact sums of the level's rows: the district totals show the budget is unchanged, and the
school and provider totals show where the money moved (their changes add up to zero when
nothing is left undistributed).
Columns: Level, Code, Name, District, Baseline £, then per scenario ``<name> £``,
``<name> Change £`` and ``<name> Change %``; the totals: Level, Rows, Baseline £ and the same
per scenario (a level's Change % is its Change £ / its Baseline £).
"""

from __future__ import annotations

from typing import Any

from apmodel.domain.money import ZERO
from apmodel.domain.scenarios import Comparison, ComparisonRow, Entity, Level
from apmodel.workbook.contract import (
    SCENARIO_COMPARISON,
    SCENARIO_COMPARISON_SPEC,
    SCENARIO_COMPARISON_TOTALS,
    SCENARIO_COMPARISON_TOTALS_SPEC,
)
from apmodel.workbook.interface import OutputTable, out_columns


def _amounts(row: ComparisonRow) -> list[Any]:
    """Baseline £, then each scenario's £, Change £ and Change %."""
    cells: list[Any] = [row.baseline]
    for index, amount in enumerate(row.scenarios):
        cells += [amount, row.changes[index], row.change_pct(index)]
    return cells


def _cells(row: ComparisonRow) -> list[Any]:
    entity = row.entity
    # A URN is a number in every other table; a Provider ID is text.
    code: Any = int(entity.code) if entity.level is Level.SCHOOL and entity.code.isdigit() else entity.code or None
    return [entity.level.value, code, entity.name, entity.district or None, *_amounts(row)]


def schools_by_district(comparison: Comparison) -> list[ComparisonRow]:
    """Each district's schools added up, one School row per district ("Schools of Swale"), the biggest
    losers first: the Forum copy's School level when it names no school. Without it a scenario that
    devolves a district shows its PRU losing everything and nobody gaining."""
    grouped: dict[str, list[ComparisonRow]] = {}
    for row in comparison.level(Level.SCHOOL):
        grouped.setdefault(row.entity.district, []).append(row)
    count = len(comparison.scenario_names)
    added = [
        ComparisonRow(
            Entity(Level.SCHOOL, "", f"Schools of {district}", district),
            sum((r.baseline for r in rows), ZERO),
            tuple(sum((r.scenarios[i] for r in rows), ZERO) for i in range(count)),
        )
        for district, rows in grouped.items()
    ]
    return sorted(added, key=lambda r: (r.changes[0] if r.changes else ZERO, r.entity.name.casefold()))


def _level_rows(comparison: Comparison, level: Level, schools_added_up: bool) -> list[ComparisonRow]:
    return schools_by_district(comparison) if level is Level.SCHOOL and schools_added_up else comparison.level(level)


def scenario_comparison_rows(comparison: Comparison, *, schools_added_up: bool = False) -> list[list[Any]]:
    """The table's rows, level by level (``schools_added_up``: a row per district's schools, not per
    school, as the Forum copy shows them unless it may name schools)."""
    return [_cells(row) for level in Level for row in _level_rows(comparison, level, schools_added_up)]


def _title(comparison: Comparison) -> str:
    return (
        "Scenarios compared with the baseline: " + ", ".join(comparison.scenario_names)
        if comparison.scenario_names
        else "Scenarios: baseline only (use Compare scenarios, or apmodel compare, to add each scenario)"
    )


def scenario_comparison_table(comparison: Comparison, *, schools_added_up: bool = False) -> OutputTable:
    columns = out_columns(SCENARIO_COMPARISON_SPEC.expand(scenario=comparison.scenario_names))
    rows = scenario_comparison_rows(comparison, schools_added_up=schools_added_up)
    return OutputTable(SCENARIO_COMPARISON, columns, rows, _title(comparison))


def scenario_comparison_totals_table(comparison: Comparison, *, schools_added_up: bool = False) -> OutputTable:
    """One row per level of ``scenario_comparison_table(comparison)``: how many rows it has, then
    its Baseline £ and each scenario's £ and Change £ added up (exactly, to the penny), and the level's
    Change % (its Change £ / its Baseline £)."""
    rows: list[list[Any]] = []
    for level in Level:
        baseline, totals = comparison.total(level)
        total = ComparisonRow(Entity(level, "", level.value, ""), baseline, totals)
        rows.append([level.value, len(_level_rows(comparison, level, schools_added_up)), *_amounts(total)])
    columns = out_columns(SCENARIO_COMPARISON_TOTALS_SPEC.expand(scenario=comparison.scenario_names))
    return OutputTable(
        SCENARIO_COMPARISON_TOTALS,
        columns,
        rows,
        f"{SCENARIO_COMPARISON} added up per level (each figure: the sum of the level's rows)",
    )
