"""The run's own output tables: Summary, Warnings and Trace (docs/forum-workbook.md, "Output tables")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from apmodel.domain.findings import Finding
from apmodel.domain.trace import TraceLine
from apmodel.workbook.contract import SUMMARY, TRACE, WARNINGS, Kind
from apmodel.workbook.interface import OutColumn, OutputTable

SummaryItem = tuple[str, object]


def summary_table(items: Sequence[SummaryItem]) -> OutputTable:
    """Item / Value rows; Decimal values are money and are written as £ numbers."""
    rows: list[list[object]] = [[item, value] for item, value in items]
    return OutputTable(
        SUMMARY,
        [OutColumn("Item", Kind.TEXT, 34), OutColumn("Value", Kind.TEXT, 60)],
        rows,
        title="AP funding model: summary of the last run",
    )


def warnings_table(findings: Sequence[Finding], locate: Callable[[Finding], str | None]) -> OutputTable:
    """One row per finding, Errors first; ``Link`` jumps to the offending cell."""
    rows = [[f.severity.value, f.code, f.table, f.row, f.column, f.value, f.message, locate(f)] for f in findings]
    return OutputTable(
        WARNINGS,
        [
            OutColumn("Severity", Kind.TEXT, 10),
            OutColumn("Code", Kind.TEXT, 28),
            OutColumn("Table", Kind.TEXT, 16),
            OutColumn("Row", Kind.INT, 7),
            OutColumn("Column", Kind.TEXT, 20),
            OutColumn("Value", Kind.TEXT, 20),
            OutColumn("Message", Kind.TEXT, 90),
            OutColumn("Link", Kind.TEXT, 12),
        ],
        rows,
        title="Validation: problems found in the inputs (Errors block what depends on them)",
    )


def trace_table(lines: Sequence[TraceLine]) -> OutputTable:
    return OutputTable(
        TRACE,
        [
            OutColumn("Figure", Kind.TEXT, 30),
            OutColumn("Entity", Kind.TEXT, 36),
            OutColumn("Formula", Kind.TEXT, 60),
            OutColumn("Inputs", Kind.TEXT, 80),
            OutColumn("Value", Kind.NUMBER, 18),
        ],
        [[t.figure, t.entity, t.formula, t.inputs, t.value] for t in lines],
        title="Calculation trace: how every published figure was worked out",
    )
