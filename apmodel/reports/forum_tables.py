"""The run's own output tables: Summary, Warnings and Trace (docs/forum-workbook.md, "Output tables")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from apmodel.domain.findings import Finding, Severity
from apmodel.domain.trace import TraceLine, TraceUnit
from apmodel.workbook.contract import SUMMARY, SUMMARY_SPEC, TRACE, TRACE_SPEC, WARNINGS, WARNINGS_SPEC
from apmodel.workbook.interface import OutputTable, out_columns

SummaryItem = tuple[str, object]


def summary_table(items: Sequence[SummaryItem]) -> OutputTable:
    """Item / Value rows; Decimal values are money and are written as £ numbers."""
    rows: list[list[object]] = [[item, value] for item, value in items]
    return OutputTable(
        SUMMARY,
        out_columns(SUMMARY_SPEC.columns),
        rows,
        title="AP funding model: summary of the last run",
    )


#: The Warnings table's title after a run or a validation.
VALIDATION_TITLE = "Validation: problems found in the inputs (Errors block what depends on them)"


def warnings_table(
    findings: Sequence[Finding], locate: Callable[[Finding], str | None], title: str = VALIDATION_TITLE
) -> OutputTable:
    """One row per finding, Errors first; on Error and Warning rows ``Link`` jumps to the offending cell.

    Info rows name their table, row and column but carry no link: a link is the one thing the
    Excel add-in must write cell by cell, and a county can have thousands of Info rows.
    """
    rows = [
        [f.severity.value, f.code, f.table, f.row, f.column, f.value, f.message, _link(f, locate)] for f in findings
    ]
    return OutputTable(
        WARNINGS,
        out_columns(WARNINGS_SPEC.columns),
        rows,
        title=title,
    )


def _link(finding: Finding, locate: Callable[[Finding], str | None]) -> str | None:
    return None if finding.severity is Severity.INFO else locate(finding)


def trace_table(lines: Sequence[TraceLine]) -> OutputTable:
    """One row per traced figure; its value under ``Value £`` when it is money, else under ``Value``."""
    return OutputTable(
        TRACE,
        out_columns(TRACE_SPEC.columns),
        [
            [
                t.figure,
                t.urn,
                t.school or None,
                t.district or None,
                t.line_id or None,
                "; ".join(part for part in (t.provider, t.period, t.subject) if part) or None,
                t.formula,
                t.inputs,
                t.value if t.unit is TraceUnit.MONEY else None,
                None if t.unit is TraceUnit.MONEY else t.value,
            ]
            for t in lines
        ],
        title="Calculation trace: how every published figure was worked out",
    )
