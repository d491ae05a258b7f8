"""Service functions connecting the Forum workbook to the council's own systems.

``export_finance`` (the ledger), with ``import_schools`` (GIAS) and ``rollover`` (next year)
beside it: the CLI, the ribbon and the Python API all call these, over a ``WorkbookStore``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from apmodel.domain import ledger
from apmodel.reports.forum_tables import warnings_table
from apmodel.service import RunReport, compute, settlement_tables
from apmodel.workbook.contract import WARNINGS
from apmodel.workbook.csv_files import write_csv
from apmodel.workbook.interface import OutputTable, WorkbookStore
from apmodel.workbook.parse import finance_layout_rows


@dataclass
class FinanceExportReport:
    """What one export sent: the documents, the files, and each journal's balance."""

    numbers: list[str]
    files: list[Path]
    ar_lines: int = 0
    journals: dict[str, Decimal] = field(default_factory=dict)
    run: RunReport | None = None

    @property
    def journals_net(self) -> Decimal:
        return sum(self.journals.values(), Decimal("0.00"))


def finance_layout(report: RunReport, layout: str | None) -> list[tuple[str, str]]:
    """The columns of ar-invoices.csv: a shipped layout by name, else the FinanceExport table, else generic."""
    if layout is not None:
        return list(ledger.LAYOUTS[layout])
    rows = finance_layout_rows(report.loaded.tables, report.findings)
    chosen = ledger.layout_from_rows(rows, report.findings)
    return chosen or list(ledger.LAYOUTS["generic"])


def export_finance(
    store: WorkbookStore, out_dir: Path, *, today: date | None = None, layout: str | None = None
) -> FinanceExportReport:
    """Write DIR/ar-invoices.csv and DIR/journals.csv for the Issued documents not exported yet,
    then record their Exported On in the register (the caller saves the workbook).

    With nothing to export, no file is written and the register is unchanged.
    """
    day = today or date.today()
    report = compute(store, today=day)
    settlement = report.results.settlement
    if settlement is None or settlement.frozen:
        # A frozen register has Errors (edited or damaged rows): nothing is exported from it.
        return FinanceExportReport([], [], run=report)
    export = ledger.export_ledger(
        settlement.register, report.loaded.inputs, finance_layout(report, layout), report.findings
    )
    if not export.numbers:
        return FinanceExportReport([], [], run=report)
    files = [
        write_csv(out_dir / ledger.AR_FILE, export.ar_header, export.ar_rows),
        write_csv(out_dir / ledger.JOURNAL_FILE, export.journal_header, export.journal_rows),
    ]
    after = dataclasses.replace(settlement, register=ledger.mark_exported(settlement.register, export.numbers, day))
    replaced: dict[str, OutputTable] = {t.name: t for t in settlement_tables(report.loaded, after)}
    replaced[WARNINGS] = warnings_table(report.findings.sorted(), report.loaded.locate)
    report.tables = [replaced.get(t.name, t) for t in report.tables]
    store.write_tables(report.tables)
    store.status(f"Exported {len(export.numbers)} document(s) to {out_dir}")
    return FinanceExportReport(
        export.numbers, files, len(export.ar_rows), ledger.journal_balance(export.journal_rows), report
    )
