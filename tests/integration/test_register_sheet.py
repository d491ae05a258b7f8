"""The InvoiceRegister sheet a run creates says what the register is, not "edits here are replaced".

The register is kept, not replaced (README, "Editing the register"): your own columns and Finance Ref
survive every run, and Issued rows must not be edited. Its sheet's note line says so.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from apmodel.cli import main
from apmodel.workbook.contract import INVOICE_REGISTER
from apmodel.workbook.layout import NOTE_TEXT
from tests.builders import write_workbook
from tests.integration.test_rollover import county


def test_a_register_sheet_the_run_creates_carries_the_registers_own_note(tmp_path: Path) -> None:
    tables = county()
    tables.pop(INVOICE_REGISTER.name, None)
    source = write_workbook(tmp_path / "county.xlsx", tables)
    out = tmp_path / "ran.xlsx"
    assert main(["run", str(source), "-o", str(out), "--date", "2025-12-01", "-q"]) in (0, 1)
    book = openpyxl.load_workbook(out)
    note = book[INVOICE_REGISTER.name]["A2"].value
    assert note == INVOICE_REGISTER.note and "Do not edit Issued rows" in note and note != NOTE_TEXT
    # Output sheets keep the output note.
    assert book["Warnings"]["A2"].value == NOTE_TEXT
