"""The invoice register survives hand edits (forum-workbook.md, "Persistent table"; domain/register.py).

Each case of tests/bad_registers.py is a register edited by hand after Autumn 2025 was
issued, with a later change that a trusting run would credit and re-bill. The run must end
with exit 1, the register exactly as typed (user column and totals row included), its log
unchanged, no new number, and an Error naming the row and column. Then: a deleted Draft's
number is never handed out again (through both writers), and a user's own column survives
every run, new rows and credit notes included.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import TableColumn

from apmodel.cli import main
from apmodel.service import run_workbook
from apmodel.workbook.contract import INVOICE_REGISTER
from apmodel.workbook.interface import column_letter
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from tests.acceptance.test_invoice_sequence import county_with_placement
from tests.acceptance.test_small_county import records
from tests.bad_registers import (
    RegisterCase,
    edited_county,
    issued_county,
    lengthen_placement,
    register_cases,
    sheet_cells,
    table_ref,
)
from tests.integration.test_bad_workbooks import run, sha256, warning_keys

CASES = register_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hand_edited_register_is_kept_as_typed_and_nothing_is_numbered(
    case: RegisterCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = edited_county(tmp_path, case)
    before = sha256(source)
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["run", str(source), "-o", str(out), "--date", "2025-12-03", "-q"], capsys)
    assert code == 1, err
    assert sha256(source) == before
    found = warning_keys(read_tables(out))
    for expected in case.expected:
        assert expected in found, f"{expected} not in {sorted(found, key=str)}"
    assert sheet_cells(out, "InvoiceRegister") == sheet_cells(source, "InvoiceRegister")
    assert table_ref(out) == table_ref(source)
    assert read_tables(out)["RegisterLog"].rows == read_tables(source)["RegisterLog"].rows
    # No document beyond the two issued ones: nothing credited, nothing billed again.
    numbers = {r["Number"] for r in records(read_tables(out)["Invoices"]) if r["Number"]}
    assert numbers <= {"AP-2025-26-00001", "AP-2025-26-00002"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_issuing_from_a_hand_edited_register_issues_nothing(
    case: RegisterCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = edited_county(tmp_path, case)
    out = tmp_path / "out.xlsx"
    code, printed, err = run(
        ["issue", str(source), "--period", "Autumn 2025", "-o", str(out), "--date", "2025-12-03"], capsys
    )
    assert code == 1, err
    assert "Issued 0 document(s)" in printed
    assert sheet_cells(out, "InvoiceRegister") == sheet_cells(source, "InvoiceRegister")


def _delete_draft_00002(path: Path, target: Path) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book["InvoiceRegister"]
    sheet.delete_rows(3)
    table = sheet.tables["InvoiceRegister"]
    table.ref = f"A1:{column_letter(len(table.tableColumns))}2"
    book.save(target)
    return target


def _save_through_openpyxl(source: Path, target: Path) -> None:
    book = FileWorkbook(source)
    run_workbook(book, today=None)
    book.book  # noqa: B018 (loading the whole workbook takes the openpyxl route when saving)
    book.save(target)


@pytest.mark.parametrize("writer", ["patch", "openpyxl"])
def test_a_deleted_drafts_number_is_never_handed_out_again(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = county_with_placement(tmp_path)
    first = tmp_path / "first.xlsx"
    if writer == "patch":
        assert main(["run", str(source), "-o", str(first), "--date", "2025-12-01", "-q"]) == 0
    else:
        _save_through_openpyxl(source, first)
    # Drafts 00001 (Alder) and 00002 (Cedar); the user deletes Cedar's row, the highest number.
    edited = _delete_draft_00002(first, tmp_path / "edited.xlsx")
    second = tmp_path / "second.xlsx"
    code, _out, err = run(["run", str(edited), "-o", str(second), "--date", "2025-12-02", "-q"], capsys)
    assert code == 0, err
    rows = {r["Key"]: r["Number"] for r in records(read_tables(second)["InvoiceRegister"]) if r["Number"]}
    # Cedar is wanted again: it gets 00003, never the deleted 00002.
    assert rows == {"BA|100001|Autumn 2025": "AP-2025-26-00001", "INV|100003|Autumn 2025": "AP-2025-26-00003"}
    assert ("REGISTER_GAP", "InvoiceRegister", None, "Number") in warning_keys(read_tables(second))
    log = {r["Number"] for r in records(read_tables(second)["RegisterLog"])}
    assert log == {"AP-2025-26-00001", "AP-2025-26-00002", "AP-2025-26-00003"}


def test_the_register_log_is_on_a_hidden_sheet(tmp_path: Path) -> None:
    source = county_with_placement(tmp_path)
    out = tmp_path / "out.xlsx"
    _save_through_openpyxl(source, out)
    assert openpyxl.load_workbook(out)["RegisterLog"].sheet_state == "hidden"


@pytest.mark.parametrize("writer", ["patch", "openpyxl"])
def test_a_users_own_register_column_survives_every_run(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = issued_county(tmp_path)
    book = openpyxl.load_workbook(issued)
    sheet = book["InvoiceRegister"]
    # A Notes column typed between Gross and Status: the user's column, in the user's place.
    table = sheet.tables["InvoiceRegister"]
    names = [c.name for c in table.tableColumns]
    names.insert(names.index("Status"), "Notes")
    sheet.insert_cols(9)
    sheet["I1"], sheet["I2"], sheet["I3"] = "Notes", "journal 4471", "chased 5 Dec"
    table.ref = f"A1:{column_letter(len(names))}3"
    table.tableColumns = [TableColumn(id=i + 1, name=n) for i, n in enumerate(names)]
    table.autoFilter = None
    lengthen_placement(book)
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    out = tmp_path / "out.xlsx"
    if writer == "patch":
        code, _out, err = run(["run", str(changed), "-o", str(out), "--date", "2025-12-03", "-q"], capsys)
        assert code == 0, err
    else:
        _save_through_openpyxl(changed, out)
    register = read_tables(out)["InvoiceRegister"]
    assert register.header == names
    got = [(r["Number"], r["Notes"], r["Status"]) for r in records(register)]
    # 00002 is credited (a credit note 00003) and re-invoiced at £1,500 (00004): the Notes stay on their rows.
    assert got == [
        ("AP-2025-26-00001", "journal 4471", "Issued"),
        ("AP-2025-26-00002", "chased 5 Dec", "Credited"),
        ("AP-2025-26-00003", None, "Draft"),
        ("AP-2025-26-00004", None, "Draft"),
    ]


def test_a_register_the_model_creates_has_its_key_last_and_narrow_with_help_saying_what_it_is(
    tmp_path: Path,
) -> None:
    book = openpyxl.load_workbook(county_with_placement(tmp_path))
    del book["InvoiceRegister"]  # the workbook has none yet: the first run creates it
    source = tmp_path / "no-register.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    _save_through_openpyxl(source, out)
    register = read_tables(out)["InvoiceRegister"]
    assert register.header == [c.name for c in INVOICE_REGISTER.columns]
    assert register.header[0] == "Number" and register.header[-1] == "Key"
    assert [r["Key"] for r in records(register) if r["Number"]]  # still written, at the end
    key = next(c for c in INVOICE_REGISTER.columns if c.name == "Key")
    assert key.width is not None and key.width <= 10 and "never edit it" in key.help


def test_a_register_with_its_key_second_as_older_registers_had_keeps_that_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.load_workbook(county_with_placement(tmp_path))
    sheet = book["InvoiceRegister"]
    table = sheet.tables["InvoiceRegister"]
    names = [c.name for c in table.tableColumns]
    older = [names[0], "Key", *(n for n in names[1:] if n != "Key")]
    for index, name in enumerate(older, start=1):
        sheet.cell(row=1, column=index, value=name)
    table.tableColumns = [TableColumn(id=i + 1, name=n) for i, n in enumerate(older)]
    changed = tmp_path / "older.xlsx"
    book.save(changed)
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["run", str(changed), "-o", str(out), "--date", "2025-12-03", "-q"], capsys)
    assert code == 0, err
    register = read_tables(out)["InvoiceRegister"]
    assert register.header[: len(older)] == older and register.header.index("Key") == 1
    assert all(str(r["Key"]).startswith(("INV|", "BA|")) for r in records(register) if r["Number"])
