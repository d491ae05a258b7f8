"""Recoupment: the statutory exclusion adjustment and the local placement charges, together.

Rules: docs/funding-rules.md, "Recoupment 1" (``exclusions``), "Recoupment 2" (``charges``) and
"Limits on charging". This module builds the year's school calendar (``calendar``) once and
runs both rule families over it, so the ``Recoupment`` table lists the exclusion lines (in
Exclusions row order) and then the placement lines (in Placements row order, term by term).
Settlement of the recoverable lines is ``settlement``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from apmodel.domain.calendar import SchoolCalendar
from apmodel.domain.charges import placement_lines
from apmodel.domain.exclusions import exclusion_lines
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ModelInputs
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment_lines import (
    LegalBasis,
    LineStatus,
    LineType,
    RecoupmentLine,
    SettlementKind,
    lookups,
)
from apmodel.domain.trace import TraceLine

__all__ = [
    "LegalBasis",
    "LineStatus",
    "LineType",
    "RecoupmentLine",
    "RecoupmentResult",
    "SettlementKind",
    "recoup",
]


@dataclass(frozen=True)
class RecoupmentResult:
    lines: list[RecoupmentLine] = field(default_factory=list)
    trace: list[TraceLine] = field(default_factory=list)
    #: The calendar the lines were worked out on (None without Settings).
    calendar: SchoolCalendar | None = None

    @property
    def recoverable(self) -> list[RecoupmentLine]:
        """The lines that are settled: status Recoverable."""
        return [line for line in self.lines if line.settled]

    @property
    def total_charged(self) -> Decimal:
        """Recoverable charges (positive lines)."""
        return sum((line.amount for line in self.recoverable if line.amount > 0), ZERO)

    @property
    def total_credited(self) -> Decimal:
        """Recoverable credits (negative lines), as a negative amount."""
        return sum((line.amount for line in self.recoverable if line.amount < 0), ZERO)


def recoup(inputs: ModelInputs, findings: Findings) -> RecoupmentResult:
    """Every recoupment line of the year; problems go to ``findings``, nothing raises."""
    if inputs.settings is None:
        return RecoupmentResult()
    calendar = SchoolCalendar.build(inputs.settings.financial_year, inputs.terms, inputs.closure_days, findings)
    keyed = lookups(inputs)
    exclusions = exclusion_lines(inputs, calendar, findings, keyed)
    placements = placement_lines(inputs, calendar, findings, keyed)
    return RecoupmentResult(
        lines=[*exclusions.lines, *placements.lines],
        trace=[*exclusions.trace, *placements.trace],
        calendar=calendar,
    )
