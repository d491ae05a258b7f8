"""export-finance: Issued documents to ar-invoices.csv and balanced journals.csv, each exported once."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apmodel.cli import main
from apmodel.domain.ledger import AR_FIELDS, JOURNAL_FIELDS, ORACLE_FUSION, ORACLE_FUSION_GL
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import TableRows, small_county, write_workbook

FINANCE = {
    "AP cost centre": "HN-AP",
    "Recoupment income account": "9410",
    "School budget account": "1890",
    "VAT code": "OS",
}


def county(**extra_tables: TableRows) -> dict[str, TableRows]:
    tables = small_county(**FINANCE)
    header, rows = tables["Schools"]
    # Cedar Academy signs the AP agreement, so its exclusion adjustment is invoiced; PO Number PO9.
    tables["Schools"] = (header, [[*r[:6], "Yes", r[7], "PO9", *r[9:]] if r[0] == 100003 else r for r in rows])
    header, rows = tables["Exclusions"]
    academy_exclusion = ["EX-2", "P-B7", 100003, date(2025, 10, 13), date(2025, 11, 3), 10, "No", "No", "No", "No",
                         6000, None, None, None, None, None]
    tables["Exclusions"] = (header, [*rows, academy_exclusion])
    tables.update(extra_tables)
    return tables


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def issued(tmp_path: Path, tables: dict[str, TableRows], name: str = "issued") -> Path:
    source = write_workbook(tmp_path / f"{name}-input.xlsx", tables)
    out = tmp_path / f"{name}.xlsx"
    assert main(["issue", str(source), "--period", "Autumn 2025", "-o", str(out), "--date", "2025-12-01"]) == 0
    return out


def export(book: Path, out_dir: Path, day: str, *extra: str) -> int:
    return main(["export-finance", str(book), "-o", str(out_dir), "--date", day, *extra])


def register(book: Path) -> list[dict[str, Any]]:
    table = read_tables(book)["InvoiceRegister"]
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def test_issued_invoices_and_journals_are_exported_with_codes_from_settings(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    [invoice] = read_csv(tmp_path / "ledger" / "ar-invoices.csv")
    # Cedar Academy: 6,000 x 21 / 52 = 2,423.076... -> 2,423.08 (3 Nov 2025 to 31 Mar 2026: 21 weeks).
    assert invoice["Kind"] == "Invoice"
    assert invoice["Customer"] == "Oak Trust"
    assert (invoice["URN"], invoice["Net"], invoice["Gross"]) == ("100003", "2423.08", "2423.08")
    assert (invoice["VAT"], invoice["PO Number"]) == ("0.00", "PO9")
    assert (invoice["Date"], invoice["Due"]) == ("2025-12-01", "2025-12-31")  # 1 Dec + 30 days
    assert (invoice["Cost Centre"], invoice["Account Code"], invoice["VAT Code"]) == ("HN-AP", "9410", "OS")
    journal = read_csv(tmp_path / "ledger" / "journals.csv")
    # Alder Secondary: 5,500 x 21 / 52 = 2,221.15, debited to the school and credited to the AP budget.
    assert [(j["Cost Centre"], j["Account Code"], j["Debit"], j["Credit"]) for j in journal] == [
        ("CC1", "1890", "2221.15", ""),
        ("HN-AP", "9410", "", "2221.15"),
    ]
    assert len({j["Journal"] for j in journal}) == 1


def test_every_journal_nets_to_zero(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    totals: dict[str, Decimal] = {}
    for line in read_csv(tmp_path / "ledger" / "journals.csv"):
        amount = Decimal(line["Debit"] or "0") - Decimal(line["Credit"] or "0")
        totals[line["Journal"]] = totals.get(line["Journal"], Decimal("0")) + amount
    assert totals and all(total == Decimal("0.00") for total in totals.values())


def test_export_then_export_again_exports_nothing(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "first", "2025-12-02") == 0
    exported = {row["Number"]: row["Exported On"] for row in register(book)}
    assert len(exported) == 2
    assert {str(day)[:10] for day in exported.values()} == {"2025-12-02"}
    assert export(book, tmp_path / "second", "2025-12-03") == 0
    assert not (tmp_path / "second").exists()
    assert {row["Number"]: row["Exported On"] for row in register(book)} == exported


def test_the_input_is_kept_as_a_backup_or_left_alone_with_workbook_out(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    before = book.read_bytes()
    out = tmp_path / "exported.xlsx"
    assert export(book, tmp_path / "ledger", "2025-12-02", "--workbook-out", str(out)) == 0
    assert book.read_bytes() == before
    assert all(row["Exported On"] is not None for row in register(out))


def test_a_credit_in_a_later_export_names_the_credited_invoice(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "first", "2025-12-02") == 0
    [invoice] = [r for r in register(book) if r["Kind"] == "Invoice"]
    tables = read_tables(book)
    changed = county()
    header, rows = changed["Exclusions"]
    changed["Exclusions"] = (header, [[*row[:10], 5200, *row[11:]] if row[0] == "EX-2" else row for row in rows])
    changed["InvoiceRegister"] = (tables["InvoiceRegister"].header, tables["InvoiceRegister"].rows)
    again = issued(tmp_path, changed, "reissued")
    assert export(again, tmp_path / "second", "2026-01-05") == 0
    lines = read_csv(tmp_path / "second" / "ar-invoices.csv")
    credit = next(line for line in lines if line["Kind"] == "Credit note")
    # The Issued 2,423.08 is reversed whole; the new invoice is 5,200 x 21 / 52 = 2,100.00.
    assert credit["Gross"] == "-2423.08"
    assert invoice["Number"] in credit["Description"]
    assert [line["Gross"] for line in lines if line["Kind"] == "Invoice"] == ["2100.00"]
    # Alder's budget adjustment did not change, so it is not exported again: the journals file is its header.
    assert len((tmp_path / "second" / "journals.csv").read_text().splitlines()) == 1


def test_no_pupil_reference_is_in_any_export(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    for name in ("ar-invoices.csv", "journals.csv"):
        text = (tmp_path / "ledger" / name).read_text()
        assert "P-A1" not in text and "P-B7" not in text and "Pupil" not in text


def test_finance_export_table_renames_and_orders_the_invoice_columns(tmp_path: Path) -> None:
    layout = (["Field", "Column Header"], [["Gross", "AMOUNT"], ["Document Number", "INVOICE_NO"], ["Nonsense", "X"]])
    book = issued(tmp_path, county(FinanceExport=layout))
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    with (tmp_path / "ledger" / "ar-invoices.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "AMOUNT,INVOICE_NO"
    warnings = read_tables(book)["Warnings"]
    assert any(row[1] == "FINANCE_EXPORT_FIELD" for row in warnings.rows)


def test_oracle_fusion_layout_gives_autoinvoice_lines_with_a_unique_reference(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "ledger", "2025-12-02", "--layout", "oracle-fusion") == 0
    [line] = read_csv(tmp_path / "ledger" / "ar-invoices.csv")
    assert list(line) == [header for _, header in ORACLE_FUSION]
    assert line["INTERFACE_LINE_CONTEXT"] == "APMODEL"
    assert (line["INTERFACE_LINE_ATTRIBUTE1"], line["INTERFACE_LINE_ATTRIBUTE2"]) == (line["TRX_NUMBER"], "1")
    assert (line["AMOUNT"], line["CURRENCY_CODE"], line["LINE_TYPE"]) == ("2423.08", "GBP", "LINE")
    assert line["CUST_TRX_TYPE_NAME"] == "Invoice"


def test_a_frozen_register_exports_nothing_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Net of an Issued row edited by hand: the register is frozen, so nothing is exported, and the
    # message says so (it said "every Issued document has an Exported On date", with exit 0).
    book = issued(tmp_path, county())
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["InvoiceRegister"]
    top = next(r[0].row for r in sheet.iter_rows() if r[0].value == "Number")
    header = [cell.value for cell in sheet[top]]
    row = next(r for r in sheet.iter_rows(min_row=top + 1) if r[header.index("Status")].value == "Issued")
    row[header.index("Net")].value = 1.0
    workbook.save(book)
    before = book.read_bytes()
    capsys.readouterr()
    assert export(book, tmp_path / "ledger", "2025-12-02") == 1
    out = capsys.readouterr().out
    assert "REGISTER_EDITED" in out and "Nothing exported" in out and "frozen" in out
    assert "Exported On date" not in out
    assert not (tmp_path / "ledger").exists()
    assert book.read_bytes() == before


# -- journals.csv layouts ---------------------------------------------------------------------------


def test_finance_export_rows_for_journals_rename_and_order_the_journal_columns(tmp_path: Path) -> None:
    layout = (
        ["Field", "Column Header", "File"],
        [
            ["Journal", "JNL", "journals.csv"],
            ["Line Number", "LINE", "journals.csv"],
            ["Debit", "DR", "journals.csv"],
            ["Credit", "CR", "journals.csv"],
            ["Cost Centre", None, "Journals.CSV"],
        ],
    )
    book = issued(tmp_path, county(FinanceExport=layout))
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    # Alder Secondary: 5,500 x 21 / 52 = 2,221.15 debited to its cost centre, credited to the AP budget's.
    lines = read_csv(tmp_path / "ledger" / "journals.csv")
    assert [list(line.values()) for line in lines] == [
        [lines[0]["JNL"], "1", "2221.15", "", "CC1"],
        [lines[0]["JNL"], "2", "", "2221.15", "HN-AP"],
    ]
    assert list(lines[0]) == ["JNL", "LINE", "DR", "CR", "Cost Centre"]
    # No row names ar-invoices.csv: it keeps its generic layout.
    [invoice] = read_csv(tmp_path / "ledger" / "ar-invoices.csv")
    assert list(invoice) == list(AR_FIELDS)
    assert not [row for row in read_tables(book)["Warnings"].rows if row[2] == "FinanceExport"]


def test_one_finance_export_table_describes_both_files_and_a_header_may_repeat_across_them(tmp_path: Path) -> None:
    layout = (
        ["File", "Field", "Column Header"],
        [
            [None, "Document Number", "REF"],
            ["ar-invoices.csv", "Gross", "AMOUNT"],
            ["journals.csv", "Journal", "REF"],
            ["journals.csv", "Debit", "AMOUNT_DR"],
            ["journals.csv", "Credit", "AMOUNT_CR"],
        ],
    )
    book = issued(tmp_path, county(FinanceExport=layout))
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    [invoice] = read_csv(tmp_path / "ledger" / "ar-invoices.csv")
    assert invoice == {"REF": invoice["REF"], "AMOUNT": "2423.08"}  # Cedar: 6,000 x 21 / 52
    journal = read_csv(tmp_path / "ledger" / "journals.csv")
    assert [(j["AMOUNT_DR"], j["AMOUNT_CR"]) for j in journal] == [("2221.15", ""), ("", "2221.15")]
    assert not [row for row in read_tables(book)["Warnings"].rows if row[2] == "FinanceExport"]


def test_bad_finance_export_rows_are_warnings_with_their_row_and_column_and_nothing_crashes(tmp_path: Path) -> None:
    layout = (
        ["Field", "Column Header", "File"],
        [
            ["Journal", "JNL", "journals.csv"],  # row 2
            ["Debit", "DR", "journals.csv"],
            ["Credit", "CR", "journals.csv"],
            ["Customer", "WHO", "journals.csv"],  # row 5: an invoice field, not a journal one
            ["Description", "JNL", "journals.csv"],  # row 6: JNL twice in journals.csv
            [None, "BLANK", "journals.csv"],  # row 7: no Field
            ["Gross", "AMOUNT", "payments.csv"],  # row 8: not a file
            ["Gross", "AMOUNT", None],  # row 9: ar-invoices.csv
        ],
    )
    book = issued(tmp_path, county(FinanceExport=layout))
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    rows = [row for row in read_tables(book)["Warnings"].rows if row[2] == "FinanceExport"]
    found = {(row[3], row[4]): (row[0], row[1]) for row in rows}
    assert found == {
        (5, "Field"): ("Warning", "FINANCE_EXPORT_FIELD"),
        (6, "Column Header"): ("Warning", "FINANCE_EXPORT_FIELD"),
        (7, "Field"): ("Error", "REQUIRED_VALUE"),
        (8, "File"): ("Warning", "FINANCE_EXPORT_FIELD"),
    }
    messages = {row[3]: row[6] for row in rows}
    assert "'Customer' is not a field of journals.csv" in str(messages[5])
    assert "'payments.csv' is not a file of export-finance" in str(messages[8])
    assert list(read_csv(tmp_path / "ledger" / "journals.csv")[0]) == ["JNL", "DR", "CR"]
    assert list(read_csv(tmp_path / "ledger" / "ar-invoices.csv")[0]) == ["AMOUNT"]


def test_a_journals_layout_without_debit_or_credit_is_a_warning_and_the_generic_layout_is_kept(tmp_path: Path) -> None:
    layout = (["Field", "Column Header", "File"], [["Journal", "JNL", "journals.csv"], ["Debit", "DR", "journals.csv"]])
    book = issued(tmp_path, county(FinanceExport=layout))
    assert export(book, tmp_path / "ledger", "2025-12-02") == 0
    assert list(read_csv(tmp_path / "ledger" / "journals.csv")[0]) == list(JOURNAL_FIELDS)
    [warning] = [row for row in read_tables(book)["Warnings"].rows if row[2] == "FinanceExport"]
    assert warning[1] == "FINANCE_EXPORT_FIELD" and "no Debit or no Credit" in str(warning[6])


def test_oracle_fusion_layout_gives_gl_interface_journals_that_each_net_to_zero(tmp_path: Path) -> None:
    book = issued(tmp_path, county())
    assert export(book, tmp_path / "ledger", "2025-12-02", "--layout", "oracle-fusion") == 0
    lines = read_csv(tmp_path / "ledger" / "journals.csv")
    assert list(lines[0]) == [header for _, header in ORACLE_FUSION_GL]
    # Alder Secondary's 2,221.15: the school's cost centre and budget account debited, the AP budget's credited.
    assert [(j["SEGMENT1"], j["SEGMENT2"], j["ENTERED_DR"], j["ENTERED_CR"]) for j in lines] == [
        ("CC1", "1890", "2221.15", ""),
        ("HN-AP", "9410", "", "2221.15"),
    ]
    for line in lines:
        assert (line["STATUS"], line["ACTUAL_FLAG"], line["CURRENCY_CODE"]) == ("NEW", "A", "GBP")
        assert (line["USER_JE_SOURCE_NAME"], line["USER_JE_CATEGORY_NAME"]) == ("APMODEL", "APMODEL")
        assert line["ACCOUNTING_DATE"] == line["DATE_CREATED"] == "2025-12-01"  # Issued On
        assert line["LEDGER_NAME"] == "Testshire"  # the LA name setting
        assert line["REFERENCE1"] == "Alternative Provision recoupment Autumn 2025"
        assert line["REFERENCE5"] == line["REFERENCE10"] and "Alder" in line["REFERENCE10"]
    totals: dict[str, Decimal] = {}
    for line in lines:
        amount = Decimal(line["ENTERED_DR"] or "0") - Decimal(line["ENTERED_CR"] or "0")
        totals[line["REFERENCE4"]] = totals.get(line["REFERENCE4"], Decimal("0")) + amount
    assert totals == {lines[0]["REFERENCE4"]: Decimal("0.00")}
    text = (tmp_path / "ledger" / "journals.csv").read_text()
    assert "P-A1" not in text and "P-B7" not in text and "Pupil" not in text
