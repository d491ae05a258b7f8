"""One run of the model: allocation, then recoupment and settlement, over validated inputs.

The order follows docs/funding-rules.md: stage 1 (districts), stage 2 (inside districts),
financial redress; then the statutory exclusion adjustment and placement charges, then
settlement into budget adjustments, invoices and credit notes with their numbers. Nothing
here knows about Excel: the service layer reads and writes the workbook around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from apmodel.domain.allocation import AllocationResult, allocate
from apmodel.domain.findings import Findings, Severity
from apmodel.domain.inputs import ModelInputs
from apmodel.domain.recoupment import RecoupmentResult, recoup
from apmodel.domain.settlement import LastYear, SettlementResult, settle
from apmodel.domain.trace import TraceLine


@dataclass(frozen=True)
class Results:
    inputs: ModelInputs
    allocation: AllocationResult | None
    recoupment: RecoupmentResult | None
    settlement: SettlementResult | None

    @property
    def trace(self) -> list[TraceLine]:
        lines: list[TraceLine] = []
        if self.allocation is not None:
            lines.extend(self.allocation.trace)
        if self.recoupment is not None:
            lines.extend(self.recoupment.trace)
        if self.settlement is not None:
            lines.extend(self.settlement.trace)
        return lines


@dataclass(frozen=True)
class LastYearInputs:
    """Last year's inputs as read (rollover keeps them) and what reading them found."""

    inputs: ModelInputs
    findings: Findings


def recompute_last_year(last_year: LastYearInputs) -> LastYear:
    """Last year's Recoupment lines from its inputs; its problems are added to ``last_year.findings``."""
    lines = recoup(last_year.inputs, last_year.findings).lines if last_year.inputs.settings is not None else []
    return LastYear(last_year.inputs, tuple(lines), last_year.findings.count(Severity.ERROR))


def run_model(
    inputs: ModelInputs, findings: Findings, today: date, last_year: LastYearInputs | None = None
) -> Results:
    """Compute everything that can be computed; problems go to ``findings``. With ``last_year``
    (a workbook rolled over), last year's documents are recomputed and corrected too.

    Without usable Settings (no financial year or budget) nothing can be allocated or
    charged: the Errors already say why, and the run still writes Warnings and Summary.
    """
    if inputs.settings is None:
        return Results(inputs, None, None, None)
    allocation = allocate(inputs, findings)
    recoupment = recoup(inputs, findings)
    last = recompute_last_year(last_year) if last_year is not None else None
    settlement = settle(recoupment.lines, inputs, today, findings, last)
    return Results(inputs, allocation, recoupment, settlement)
