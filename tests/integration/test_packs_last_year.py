"""School packs after a rollover: last year's documents of the school (kept in the InvoiceRegister) beside this
year's, by kind, and each of last year's documents.

Rules: docs/forum-workbook.md, "School packs" ("Last year"); README, "Next year: rollover" (the register is
kept whole). Only rows numbered in last year's series count (``AP-2024-25-`` for a 2025-26 workbook); Issued
and Credited documents went to the school and count, a Draft never did.
"""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apmodel.cli import main
from apmodel.workbook import contract
from tests.builders import TableRows, small_county, write_workbook
from tests.integration.test_packs import money, open_pack, table_records, totals, write_packs
from tests.integration.test_rollover import county as rollover_county

LAST = "AP-2024-25-"


def _register_row(number: str, key: str, kind: str, urn: int, period: str, net: str, vat: str, status: str,
                  issued: date | None, supersedes: str = "") -> list[object]:  # fmt: skip
    gross = Decimal(net) + Decimal(vat)
    return [number, key, kind, urn, period, float(net), float(vat), float(gross), status, issued, supersedes]


def county_with_last_year() -> dict[str, TableRows]:
    tables = small_county()
    header, _ = tables["InvoiceRegister"]
    ba = "Budget adjustment"
    rows = [
        # Alder (maintained): Autumn 2024 issued at 1,500.00, then credited (reversed) and replaced at 1,250.00.
        _register_row(f"{LAST}00001", "BA|100001|Autumn 2024", ba, 100001, "Autumn 2024", "1500.00", "0", "Credited",
                      date(2024, 12, 2)),
        # Cedar (academy): an invoice with VAT, and later a credit note.
        _register_row(f"{LAST}00002", "INV|100003|Autumn 2024", "Invoice", 100003, "Autumn 2024", "800.00",
                      "160.00", "Issued", date(2024, 12, 2)),
        _register_row(f"{LAST}00003", f"CR|{LAST}00001", ba, 100001, "Autumn 2024", "-1500.00", "0", "Issued",
                      date(2025, 1, 15), f"{LAST}00001"),
        _register_row(f"{LAST}00004", "BA|100001|Autumn 2024", ba, 100001, "Autumn 2024", "1250.00", "0", "Issued",
                      date(2025, 1, 15), f"{LAST}00001"),
        # Never issued: listed, not counted.
        _register_row(f"{LAST}00005", "BA|100001|Spring 2025", ba, 100001, "Spring 2025", "-320.50", "0", "Draft",
                      None),
        _register_row(f"{LAST}00006", "INV|100003|Spring 2025", "Credit note", 100003, "Spring 2025", "-200.00",
                      "0", "Issued", date(2025, 3, 20)),
        # Two years ago: not last year's series, left out.
        _register_row("AP-2023-24-00009", "BA|100001|Spring 2024", ba, 100001, "Spring 2024", "999.99", "0",
                      "Issued", date(2024, 3, 20)),
    ]  # fmt: skip
    tables["InvoiceRegister"] = (header, rows)
    return tables


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_packs(tmp_path_factory.mktemp("last_year"), county_with_last_year())


def figures(packs: Path, urn: int) -> dict[str, dict[str, Any]]:
    return {r["Item"]: r for r in table_records(open_pack(packs, urn)["Last year"], "YearOnYear")}


def amounts(row: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    return money(row["Last year (£)"]), money(row["This year (£)"]), money(row["Change (£)"])


def test_a_maintained_school_sees_last_years_budget_adjustments_beside_this_years(packs: Path) -> None:
    rows = figures(packs, 100001)
    assert list(rows) == ["Budget adjustments", "Net of all documents"]
    # Last year: 1,500.00 (Credited) - 1,500.00 (its reversal) + 1,250.00 (the replacement) = 1,250.00; the Draft
    # -320.50 was never issued and the 2023-24 row is not last year's. This year: the Draft AP-2025-26-00001 of
    # 2,221.15 (EX-1: 5,500 x 21 / 52). Change 2,221.15 - 1,250.00 = 971.15.
    expected = (Decimal("1250.00"), Decimal("2221.15"), Decimal("971.15"))
    assert amounts(rows["Budget adjustments"]) == amounts(rows["Net of all documents"]) == expected
    assert rows["Budget adjustments"]["Note"] == (
        "Last year 3 documents; this year 1 document, 1 of them DRAFT (not yet issued)."
    )
    assert f"Last year's DRAFT {LAST}00005 was never issued: not counted." in rows["Net of all documents"]["Note"]


def test_each_of_last_years_documents_is_listed_as_issued(packs: Path) -> None:
    sheet = open_pack(packs, 100001)["Last year"]
    listed = table_records(sheet, "LastYearDocuments")
    assert [r["Number"] for r in listed] == [f"{LAST}0000{n}" for n in (1, 3, 4, 5)]
    assert [money(r["Net (£)"]) for r in listed] == [Decimal(x) for x in ("1500.00", "-1500.00", "1250.00", "-320.50")]
    assert listed[0]["Document"] == "Budget adjustment for Autumn 2024, issued 2 December 2024, since credited."
    assert listed[1]["Document"] == (
        f"Budget adjustment for Autumn 2024, issued 15 January 2025; reverses {LAST}00001."
    )
    assert listed[2]["Document"].endswith(f"; replaces {LAST}00001.")
    assert listed[3]["Document"] == "Budget adjustment for Spring 2025, DRAFT, never issued: not counted."
    assert sheet["A1"].value == "Recoupment documents 2024-25 beside 2025-26: Alder Secondary"


def test_an_academy_sees_last_years_invoices_and_credit_notes_by_kind(packs: Path) -> None:
    rows = figures(packs, 100003)
    assert list(rows) == ["Invoices", "Credit notes", "Net of all documents"]
    # Net before VAT: invoice 800.00 (its VAT 160.00 left out), credit note -200.00; nothing this year.
    assert amounts(rows["Invoices"]) == (Decimal("800.00"), Decimal("0.00"), Decimal("-800.00"))
    assert amounts(rows["Credit notes"]) == (Decimal("-200.00"), Decimal("0.00"), Decimal("200.00"))
    # 800.00 - 200.00 = 600.00 last year; 0.00 - 600.00 = -600.00.
    assert amounts(rows["Net of all documents"]) == (Decimal("600.00"), Decimal("0.00"), Decimal("-600.00"))
    cover = {r["Item"]: r for r in table_records(open_pack(packs, 100003)["Cover"], "SchoolFigures")}
    assert money(cover["Last year's documents (2024-25), net"]["Amount (£)"]) == Decimal("600.00")


def test_the_last_year_tables_have_the_columns_the_contract_declares(packs: Path) -> None:
    sheet = open_pack(packs, 100001)["Last year"]
    for spec in (contract.PACK_YEAR_FIGURES_SPEC, contract.PACK_LAST_YEAR_DOCUMENTS_SPEC):
        assert [c.name for c in sheet.tables[spec.name].tableColumns] == [c.name for c in spec.columns]


def test_a_school_without_documents_last_year_is_told_so(packs: Path) -> None:
    book = open_pack(packs, 100002)
    rows = figures(packs, 100002)
    assert list(rows) == ["Net of all documents"]
    assert amounts(rows["Net of all documents"]) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert "LastYearDocuments" not in book["Last year"].tables
    text = "\n".join(str(c) for row in book["Last year"].iter_rows(values_only=True) for c in row if c is not None)
    assert "None: the LA issued no invoice, credit note or budget adjustment to the school in 2024-25." in text


def test_no_pack_holds_another_schools_documents_of_last_year(packs: Path) -> None:
    own = {100001: {1, 3, 4, 5}, 100002: set(), 100003: {2, 6}}
    for urn, numbers in own.items():
        [path] = packs.glob(f"{urn} *.xlsx")
        with zipfile.ZipFile(path) as archive:
            text = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        for n in range(1, 7):
            assert (f"{LAST}0000{n}" in text) is (n in numbers), (urn, n)
        assert "AP-2023-24-00009" not in text
        assert "999.99" not in text


def test_without_last_years_series_in_the_register_there_is_no_last_year_sheet(tmp_path: Path) -> None:
    packs = write_packs(tmp_path, small_county())
    for urn in (100001, 100002, 100003):
        book = open_pack(packs, urn)
        assert "Last year" not in book.sheetnames
        assert "Last year" not in {r["Item"] for r in table_records(book["Cover"], "PackContents")}


def test_after_rollover_the_pack_shows_last_years_issued_budget_adjustment(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", rollover_county())
    issued = tmp_path / "issued.xlsx"
    assert main(["issue", str(source), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-01"]) == 0
    rolled = tmp_path / "next.xlsx"
    assert main(["rollover", str(issued), "-o", str(rolled), "--year", "2026-27", "--date", "2026-03-31"]) == 0
    out = tmp_path / "packs"
    assert main(["packs", str(rolled), "-o", str(out), "--date", "2026-05-01", "-q"]) == 0
    book = open_pack(out, 100001)
    issued, draft = table_records(book["Last year"], "LastYearDocuments")
    # Alder's Autumn 2025 budget adjustment, issued on 1 Dec 2025: EX-1 5,500 x 21 / 52 = 2,221.15, + PL-1 at
    # PRU-S 60.00 a day, 8 Sep to 12 Dec 2025 = 14 weeks of 5 school days = 70 days x 5/5 = 4,200.00;
    # 2,221.15 + 4,200.00 = 6,421.15.
    assert (issued["Number"], money(issued["Net (£)"])) == ("AP-2025-26-00001", Decimal("6421.15"))
    assert issued["Document"] == "Budget adjustment for Autumn 2025, issued 1 December 2025."
    # Spring 2026 was never issued: PL-2 from 2 Mar 2026 to 31 Mar 2026 = 22 school days x 60.00 = 1,320.00.
    assert (draft["Number"], money(draft["Net (£)"])) == ("AP-2025-26-00002", Decimal("1320.00"))
    assert draft["Document"] == "Budget adjustment for Spring 2026, DRAFT, never issued: not counted."
    rows = {r["Item"]: r for r in table_records(book["Last year"], "YearOnYear")}
    last, this, change = amounts(rows["Net of all documents"])
    assert last == Decimal("6421.15")
    # This year's: the Net of the new year's documents, each on its own sheet of the pack.
    sheets = [ws for ws in book.worksheets if ws.title.startswith("Adjustment AP-2026-27-")]
    assert len(sheets) == 3
    assert this == sum((totals(ws)["Net"] for ws in sheets), Decimal(0)) and change == this - last
