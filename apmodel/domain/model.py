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
from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ModelInputs
from apmodel.domain.recoupment import RecoupmentResult, recoup
from apmodel.domain.settlement import SettlementResult, settle
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


def run_model(inputs: ModelInputs, findings: Findings, today: date) -> Results:
    """Compute everything that can be computed; problems go to ``findings``.

    Without usable Settings (no financial year or budget) nothing can be allocated or
    charged: the Errors already say why, and the run still writes Warnings and Summary.
    """
    if inputs.settings is None:
        return Results(inputs, None, None, None)
    allocation = allocate(inputs, findings)
    recoupment = recoup(inputs, findings)
    settlement = settle(recoupment.lines, inputs, today, findings)
    return Results(inputs, allocation, recoupment, settlement)
