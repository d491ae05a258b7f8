"""Scenario comparison: each named scenario's allocations beside the baseline's, with the changes.

Contract: docs/forum-workbook.md, ``Scenarios`` and ``ScenarioComparison``. A scenario is the whole
model run again on the inputs with its overrides in (``apmodel.workbook.scenario_overrides``
builds those inputs, so every override is validated like a typed cell); this module only
lines the results up. What is compared is the money each body receives:

- a district: its final allocation (stage 1 and protection);
- a school: its final devolved allocation (stage 2 and redress);
- a provider: its delegated allocation (place funding plus top-up, redress received included).

Money moves between these without being created: switching a district from Delegated to
Devolved moves its Lead PRU's delegated allocation to the district's schools, so the PRU's loss
and the schools' gains add up to zero. Schools and providers that receive nothing in the
baseline or in any scenario are left out. Rows are sorted within each level by their largest
loss in any scenario (the biggest losers first), then by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from apmodel.domain.findings import Finding, Findings, Severity
from apmodel.domain.inputs import normalise
from apmodel.domain.model import Results
from apmodel.domain.money import ZERO

CHANGE_PLACES = Decimal("0.0001")


class Level(StrEnum):
    DISTRICT = "District"
    SCHOOL = "School"
    PROVIDER = "Provider"


@dataclass(frozen=True)
class ScenarioRun:
    name: str
    results: Results
    #: The scenario's overrides in words (``IDACI Weight 25% -> 35%``), in Scenarios row order.
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    level: Level
    #: The URN of a school, the Provider ID of a provider, blank for a district.
    code: str
    name: str
    district: str


@dataclass(frozen=True)
class ComparisonRow:
    entity: Entity
    baseline: Decimal
    #: One amount per scenario, in ``Comparison.scenario_names`` order.
    scenarios: tuple[Decimal, ...]

    @property
    def changes(self) -> tuple[Decimal, ...]:
        return tuple(amount - self.baseline for amount in self.scenarios)

    def change_pct(self, index: int) -> Decimal | None:
        """The change as a fraction of the baseline (four places); None when the baseline is 0."""
        if not self.baseline:
            return None
        return (self.changes[index] / self.baseline).quantize(CHANGE_PLACES)

    @property
    def largest_loss(self) -> Decimal:
        return min(self.changes, default=ZERO)


@dataclass(frozen=True)
class Comparison:
    scenario_names: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    #: Each scenario's overrides in words, in ``scenario_names`` order.
    changes: tuple[tuple[str, ...], ...] = ()

    def level(self, level: Level) -> list[ComparisonRow]:
        return [row for row in self.rows if row.entity.level is level]

    def total(self, level: Level) -> tuple[Decimal, tuple[Decimal, ...]]:
        """The level's baseline total and each scenario's total."""
        rows = self.level(level)
        baseline = sum((r.baseline for r in rows), ZERO)
        totals = tuple(sum((r.scenarios[i] for r in rows), ZERO) for i in range(len(self.scenario_names)))
        return baseline, totals


def _amounts(results: Results) -> dict[tuple[Level, str], tuple[Entity, Decimal]]:
    """Every district, school and provider of one run with the money it receives."""
    found: dict[tuple[Level, str], tuple[Entity, Decimal]] = {}
    allocation = results.allocation
    if allocation is None:
        return found
    for d in allocation.districts:
        found[(Level.DISTRICT, normalise(d.name))] = (Entity(Level.DISTRICT, "", d.name, d.name), d.final_allocation)
    for s in allocation.schools:
        found[(Level.SCHOOL, str(s.urn))] = (Entity(Level.SCHOOL, str(s.urn), s.name, s.district), s.final_devolved)
    for p in allocation.providers:
        entity = Entity(Level.PROVIDER, p.provider_id, p.name, p.district)
        found[(Level.PROVIDER, normalise(p.provider_id))] = (entity, p.delegated_allocation)
    return found


def compare(baseline: Results, runs: Sequence[ScenarioRun]) -> Comparison:
    """Baseline and scenario amounts side by side, per district, school and provider."""
    base = _amounts(baseline)
    each = [_amounts(run.results) for run in runs]
    keys: list[tuple[Level, str]] = list(base)
    for amounts in each:
        keys += [k for k in amounts if k not in base and k not in keys]
    rows: list[ComparisonRow] = []
    for key in keys:
        entity = (base.get(key) or next(a[key] for a in each if key in a))[0]
        baseline_amount = base[key][1] if key in base else ZERO
        scenario_amounts = tuple(a[key][1] if key in a else ZERO for a in each)
        if entity.level is not Level.DISTRICT and not baseline_amount and not any(scenario_amounts):
            continue
        rows.append(ComparisonRow(entity, baseline_amount, scenario_amounts))
    order = {Level.DISTRICT: 0, Level.SCHOOL: 1, Level.PROVIDER: 2}
    rows.sort(key=lambda r: (order[r.entity.level], r.largest_loss, r.entity.name.casefold(), r.entity.code))
    return Comparison(tuple(run.name for run in runs), tuple(rows), tuple(run.changes for run in runs))


def scenario_findings(name: str, baseline: Findings, scenario: Iterable[Finding], add: Findings) -> None:
    """Add to ``add`` what a scenario's run found that the baseline did not, marked as the scenario's.

    An Error in a scenario is reported as a Warning: it makes that scenario's figures unreliable
    but blocks nothing of the baseline's (no invoice or allocation depends on a scenario).
    """
    known = set(baseline.items)
    report: Callable[[str, str, int | None, str | None, object, str], None]
    for finding in scenario:
        if finding in known:
            continue
        report = add.info if finding.severity is Severity.INFO else add.warning
        report(
            finding.code,
            finding.table,
            finding.row,
            finding.column,
            finding.value,
            f"In scenario {name!r}: {finding.message}",
        )
