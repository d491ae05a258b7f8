"""An allocation-only workbook runs without Errors (docs/funding-rules.md, "Validation")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from apmodel import service
from apmodel.domain.findings import Severity
from apmodel.workbook.openpyxl_store import FileWorkbook
from tests.builders import small_county, write_workbook


def test_an_allocation_only_workbook_runs_without_errors(tmp_path: Path) -> None:
    tables = small_county()
    for name in ("Placements", "Exclusions", "PupilRates", "Terms", "ClosureDays"):
        del tables[name]
    path = write_workbook(tmp_path / "allocation-only.xlsx", tables)
    report = service.compute_results(FileWorkbook(path), today=date(2025, 12, 1))
    findings = report.findings
    assert [f for f in findings.items if f.severity is Severity.ERROR] == []
    assert {f.table for f in findings.items if f.code == "TABLE_NOT_NEEDED"} == {"PupilRates", "Terms"}
