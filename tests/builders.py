"""Build small Forum workbooks in code, exactly as a user's file would hold them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import Table

from apmodel.workbook.interface import column_letter

TableRows = tuple[Sequence[str], Sequence[Sequence[Any]]]


def write_workbook(path: Path, tables: dict[str, TableRows], *, header_row: int = 1) -> Path:
    """One sheet per table (named like it), each an Excel table with the given header and rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(name[:31])
        for offset, text in enumerate(header, start=1):
            sheet.cell(row=header_row, column=offset, value=text)
        for r, values in enumerate(rows, start=header_row + 1):
            for offset, value in enumerate(values, start=1):
                sheet.cell(row=r, column=offset, value=value)
        last = header_row + max(len(rows), 1)
        sheet.add_table(Table(displayName=name, ref=f"A{header_row}:{column_letter(len(header))}{last}"))
    book.save(path)
    return path


def settings(**values: object) -> TableRows:
    base: dict[str, object] = {
        "LA name": "Testshire",
        "Financial year": "2025-26",
        "AP budget": 1_000_000,
        "Centrally retained": 100_000,
        "Place funding rate": 10_000,
        "Invoice prefix": "AP",
        "Payment terms (days)": 30,
        "VAT rate": 0,
    }
    base.update(values)
    return (["Setting", "Value", "Notes"], [[k, v, ""] for k, v in base.items()])


def small_county(**setting_overrides: object) -> dict[str, TableRows]:
    """Two districts (North devolved, South delegated), three schools, one exclusion.

    Stage 1 by hand: pot = 1,000,000 - 100,000 retained - 2 x 50,000 lump sums = 800,000.
    Pupils (75%): North 600 + 400 = 1,000, South 1,000 -> 300,000 each.
    IDACI (25%): North 100 + 50 = 150, South 250 of 400 -> 75,000 and 125,000.
    North = 50,000 + 300,000 + 75,000 = 425,000.00; South = 50,000 + 300,000 + 125,000 = 475,000.00.
    """
    return {
        "Settings": settings(**setting_overrides),
        "Districts": (
            ["District", "Area", "Funding Model", "Devolved Share", "Lead PRU", "Previous Allocation", "Lump Sum"],
            [["North", "N", "Devolved", None, None, 430_000, 50_000],
             ["South", "S", "Delegated", None, "PRU-S", 400_000, 50_000]],
        ),
        "Schools": (
            ["URN", "School Name", "District", "Phase", "Type", "Trust", "AP Agreement", "Cost Centre", "PO Number",
             "Pupils", "IDACI Pupils"],
            [[100001, "Alder Secondary", "North", "Secondary", "Maintained", None, "Yes", "CC1", "PO1", 600, 100],
             [100002, "Birch Primary", "North", "Primary", "Maintained", None, "Yes", "CC2", None, 400, 50],
             [100003, "Cedar Academy", "South", "Secondary", "Academy", "Oak Trust", "No", None, None, 1000, 250]],
        ),
        "DistrictFactors": (
            ["Factor", "Source Column", "Phase", "Weight"],
            [["Pupils", "Pupils", None, 0.75], ["Deprivation", "IDACI Pupils", None, 0.25]],
        ),
        "SchoolFactors": (
            ["Factor", "Source Column", "Method", "Value"],
            [["Per pupil", "Pupils", "Unit Rate", 100], ["IDACI", "IDACI Pupils", "Unit Rate", 500]],
        ),
        "RedressRules": (["Rule", "Measure", "Per 1000 Of", "Threshold", "Deduction Method", "Rate"], []),
        "Providers": (
            ["Provider ID", "Provider Name", "Type", "District", "Commissioned Places", "Top-up per Place",
             "Charge Basis", "Charge Rate", "Charge Medical"],
            [["PRU-S", "South PRU", "PRU", "South", 30, None, "Daily", 60, "No"]],
        ),
        "PupilRates": (
            ["Key Stage", "Basic Entitlement", "FSM6", "IDACI", "EAL", "LPA", "Pupil Premium"],
            [["KS1", 3800, 500, 300, 400, 600, 1480], ["KS2", 3800, 500, 300, 400, 600, 1480],
             ["KS3", 5300, 600, 400, 500, 700, 1050], ["KS4", 6000, 600, 400, 500, 700, 1050]],
        ),
        "Terms": (
            ["Term", "Start", "End"],
            [["Summer 2025", date(2025, 4, 22), date(2025, 7, 22)],
             ["Autumn 2025", date(2025, 9, 3), date(2025, 12, 19)],
             ["Spring 2026", date(2026, 1, 5), date(2026, 3, 31)]],
        ),
        "ClosureDays": (["From", "To", "Reason"], []),
        "Placements": (
            ["Placement ID", "Pupil Ref", "Home URN", "Provider ID", "Tier", "Registration", "Reason", "Start Date",
             "End Date", "Days per Week", "Year Group", "Charge Basis", "Charge Rate", "Planned Weeks", "Outcome",
             "EHCP", "SEN Support", "FSM6", "Sex", "Ethnicity"],
            [],
        ),
        "Exclusions": (
            ["Exclusion ID", "Pupil Ref", "Excluding URN", "Exclusion Date", "Relevant Date", "Year Group", "FSM6",
             "IDACI", "EAL", "LPA", "Pupil-led Amount", "Pupil Premium", "Adjustment Order", "Admitting URN",
             "Admission Date", "Reinstated Date"],
            [["EX-1", "P-A1", 100001, date(2025, 10, 13), date(2025, 11, 3), 9, "No", "No", "No", "No", 5500,
              None, None, None, None, None]],
        ),
        "Scenarios": (["Scenario", "Target", "Key", "Value"], []),
        "InvoiceRegister": (
            ["Number", "Key", "Kind", "URN", "Period", "Net", "VAT", "Gross", "Status", "Issued On", "Supersedes"],
            [],
        ),
    }
