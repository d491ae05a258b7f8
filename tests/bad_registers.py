"""Hand edits of the invoice register, beside the hostile corpus of tests/bad_workbooks.py.

Used by tests/integration/test_bad_registers.py. Every case starts from the same workbook:
the small county with an exclusion at Alder (maintained) and a placement at Cedar Academy,
run and issued for Autumn 2025 (domain/register.py; README "Trust and scale"):

- AP-2025-26-00001  BA|100001|Autumn 2025   Budget adjustment  2,221.15  Issued  (sheet row 2)
- AP-2025-26-00002  INV|100003|Autumn 2025  Invoice            1,200.00  Issued  (sheet row 3)

The user has added a Notes column and a totals row to the register. Then each case makes
one hand edit to the register, and the placement is lengthened by a week, so a run that
trusted the register would credit invoice 00002 and bill Cedar again. A correct run keeps
every register cell exactly as typed (the Notes and the totals row too), hands out no new
number and lists the edit as Errors naming the row and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from apmodel.cli import main
from apmodel.workbook.interface import column_letter
from tests.acceptance.test_invoice_sequence import county_with_placement

#: (code, table, sheet row, column) of one Warnings row the edit must produce.
Expected = tuple[str, str, int | None, str | None]

FROZEN: Expected = ("REGISTER_NOT_UPDATED", "InvoiceRegister", None, None)
ALDER_ROW, CEDAR_ROW = 2, 3


def issued_county(folder: Path) -> Path:
    """The small county run on 1 Dec 2025 and issued for Autumn 2025 on 2 Dec (see the module docstring)."""
    source = county_with_placement(folder)
    first, issued = folder / "first.xlsx", folder / "issued.xlsx"
    assert main(["run", str(source), "-o", str(first), "--date", "2025-12-01", "-q"]) == 0
    assert main(["issue", str(first), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-02"]) == 0
    first.unlink()
    source.unlink()
    return issued


def add_notes_and_totals(sheet: Worksheet) -> None:
    """A user's Notes column after the register's own and a totals row under it, as Excel's Table Design adds them."""
    table = sheet.tables["InvoiceRegister"]
    width = len(table.tableColumns)
    notes = column_letter(width + 1)
    sheet[f"{notes}1"], sheet[f"{notes}2"], sheet[f"{notes}3"] = "Notes", "journal 4471", "chased 5 Dec"
    sheet["A4"], sheet["H4"] = "Total", "=SUBTOTAL(109,InvoiceRegister[Gross])"
    table.tableColumns.append(TableColumn(id=width + 1, name="Notes"))
    table.tableColumns[0].totalsRowLabel = "Total"
    table.tableColumns[7].totalsRowFunction = "sum"
    table.ref, table.totalsRowCount = f"A1:{notes}4", 1
    if table.autoFilter is not None:
        table.autoFilter.ref = f"A1:{notes}3"


def lengthen_placement(book: openpyxl.Workbook) -> None:
    # End 10 Oct instead of 3 Oct: 25 days x £60 = £1,500.00 wanted, not the £1,200.00 issued.
    book["Placements"]["I2"] = date(2025, 10, 10)


@dataclass(frozen=True)
class RegisterCase:
    """One hand edit of the issued register and the Errors a run must report for it."""

    name: str
    edit: Callable[[Worksheet], None]
    expected: tuple[Expected, ...]


def _set(ref: str, value: Any) -> Callable[[Worksheet], None]:
    def edit(sheet: Worksheet) -> None:
        sheet[ref] = value

    return edit


def _delete_cedar_row(sheet: Worksheet) -> None:
    sheet.delete_rows(CEDAR_ROW)  # the totals row moves up to row 3: the table follows it
    table = sheet.tables["InvoiceRegister"]
    last = column_letter(len(table.tableColumns))
    table.ref = f"A1:{last}3"
    if table.autoFilter is not None:
        table.autoFilter.ref = f"A1:{last}2"


def register_cases() -> list[RegisterCase]:
    return [
        RegisterCase(
            "status_typed_as_sent",
            _set(f"I{CEDAR_ROW}", "Sent"),
            (("NOT_ALLOWED", "InvoiceRegister", CEDAR_ROW, "Status"), FROZEN),
        ),
        RegisterCase(
            "status_typed_as_paid",
            _set(f"I{ALDER_ROW}", "Paid"),
            (("NOT_ALLOWED", "InvoiceRegister", ALDER_ROW, "Status"), FROZEN),
        ),
        RegisterCase(
            "number_cleared",
            _set(f"A{CEDAR_ROW}", None),
            (("REQUIRED_VALUE", "InvoiceRegister", CEDAR_ROW, "Number"), FROZEN),
        ),
        RegisterCase(
            "two_rows_with_the_same_number",
            _set(f"A{CEDAR_ROW}", "AP-2025-26-00001"),
            (("DUPLICATE_ID", "InvoiceRegister", CEDAR_ROW, "Number"), FROZEN),
        ),
        RegisterCase(
            "another_years_prefix_on_this_years_row",
            _set(f"A{CEDAR_ROW}", "AP-2024-25-00002"),
            (("REGISTER_WRONG_SERIES", "InvoiceRegister", CEDAR_ROW, "Number"), FROZEN),
        ),
        RegisterCase(
            "issued_row_deleted",
            _delete_cedar_row,
            (("REGISTER_ROW_DELETED", "InvoiceRegister", None, "Number"), FROZEN),
        ),
        RegisterCase(
            "issued_gross_edited",
            _set(f"H{CEDAR_ROW}", 1000),
            (("REGISTER_EDITED", "InvoiceRegister", CEDAR_ROW, "Gross"), FROZEN),
        ),
        RegisterCase(
            "issued_net_edited",
            _set(f"F{CEDAR_ROW}", 1500),
            (("REGISTER_EDITED", "InvoiceRegister", CEDAR_ROW, "Net"), FROZEN),
        ),
        RegisterCase(
            "issued_row_set_back_to_draft",
            _set(f"I{CEDAR_ROW}", "Draft"),
            (("REGISTER_EDITED", "InvoiceRegister", CEDAR_ROW, "Status"), FROZEN),
        ),
    ]


def edited_county(folder: Path, case: RegisterCase) -> Path:
    """The issued county with the user's Notes and totals row, ``case``'s edit and the longer placement."""
    path = issued_county(folder)
    book = openpyxl.load_workbook(path)
    sheet = book["InvoiceRegister"]
    add_notes_and_totals(sheet)
    case.edit(sheet)
    lengthen_placement(book)
    target = folder / "county.xlsx"
    book.save(target)
    path.unlink()
    return target


def sheet_cells(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """Every cell value of a sheet, row by row (formulas as their text): what the user sees and typed."""
    book = openpyxl.load_workbook(path)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


def table_ref(path: Path) -> tuple[str, int | None]:
    """The register table's range and its totals row count."""
    found = openpyxl.load_workbook(path)["InvoiceRegister"].tables["InvoiceRegister"]
    return found.ref, found.totalsRowCount
