"""The ``ScenarioComparison`` output table (docs/forum-workbook.md, "Output tables").

Built from a ``Comparison`` (apmodel.domain.scenarios). One row per district, school and
provider, the biggest losers first within each level, each level closed by a ``Total`` row:
the district totals show the budget is unchanged, and the school and provider totals show
where the money moved (their changes add up to zero when nothing is left undistributed).
Columns: Level, Code, Name, District, Baseline £, then per scenario ``<name> £``,
``<name> Change £`` and ``<name> Change %``.
"""

from __future__ import annotations

from typing import Any

from apmodel.domain.scenarios import Comparison, ComparisonRow, Entity, Level
from apmodel.workbook.contract import SCENARIO_COMPARISON, SCENARIO_COMPARISON_SPEC
from apmodel.workbook.interface import OutputTable, out_columns

TOTAL = "Total"


def _cells(row: ComparisonRow) -> list[Any]:
    entity = row.entity
    # A URN is a number in every other table; a Provider ID is text.
    code: Any = int(entity.code) if entity.level is Level.SCHOOL and entity.code.isdigit() else entity.code or None
    cells: list[Any] = [entity.level.value, code, entity.name, entity.district or None, row.baseline]
    for index, amount in enumerate(row.scenarios):
        cells += [amount, row.changes[index], row.change_pct(index)]
    return cells


def scenario_comparison_rows(comparison: Comparison, levels: tuple[Level, ...] = tuple(Level)) -> list[list[Any]]:
    """The table's rows for the given levels (the Forum copy leaves schools out unless allowed)."""
    rows: list[list[Any]] = []
    for level in levels:
        for row in comparison.level(level):
            rows.append(_cells(row))
        baseline, totals = comparison.total(level)
        rows.append(_cells(ComparisonRow(Entity(level, "", TOTAL, ""), baseline, totals)))
    return rows


def scenario_comparison_table(comparison: Comparison, levels: tuple[Level, ...] = tuple(Level)) -> OutputTable:
    title = (
        "Scenarios compared with the baseline: " + ", ".join(comparison.scenario_names)
        if comparison.scenario_names
        else "Scenarios: baseline only (use Compare scenarios, or apmodel compare, to add each scenario)"
    )
    columns = out_columns(SCENARIO_COMPARISON_SPEC.expand(scenario=comparison.scenario_names))
    return OutputTable(SCENARIO_COMPARISON, columns, scenario_comparison_rows(comparison, levels), title)
