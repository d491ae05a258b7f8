"""Run, issue Autumn, change an Autumn placement, run again: issued invoices are never rewritten."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from apmodel.cli import main
from apmodel.workbook.xlsx_reader import read_tables
from tests.acceptance.test_small_county import money, records
from tests.builders import small_county, write_workbook

# Cedar Academy (100003) signs an AP agreement; its pupil attends South PRU (Daily, £60) in Autumn 2025.
# No ClosureDays: Autumn 2025 runs Wed 3 Sep to Fri 19 Dec.
PLACEMENT = [
    "PL-1",
    "P-C1",
    100003,
    "PRU-S",
    2,
    "Dual",
    "At risk of exclusion",
    date(2025, 9, 8),
    date(2025, 10, 3),
    5,
    9,
    None,
    None,
    6,
    "Returned to mainstream",
    "No",
    "No",
    "No",
    "F",
    "White",
]


def county_with_placement(tmp_path: Path) -> Path:
    tables = small_county()
    header, schools = tables["Schools"]
    schools = [list(row) for row in schools]
    schools[2][6] = "Yes"
    tables["Schools"] = (header, schools)
    tables["Placements"] = (tables["Placements"][0], [PLACEMENT])
    return write_workbook(tmp_path / "county.xlsx", tables)


def register(path: Path) -> list[dict[str, object]]:
    return [r for r in records(read_tables(path)["InvoiceRegister"]) if r["Number"]]


def test_changed_issued_invoice_gets_a_credit_note_and_a_new_invoice(tmp_path: Path) -> None:
    source = county_with_placement(tmp_path)
    first, issued, changed, second = (tmp_path / f"{n}.xlsx" for n in ("first", "issued", "changed", "second"))
    assert main(["run", str(source), "-o", str(first), "--date", "2025-12-01", "-q"]) == 0
    before = {r["Key"]: r for r in register(first)}
    invoice = before["INV|100003|Autumn 2025"]
    # 8 Sep to 3 Oct 2025: 4 weeks x 5 school days = 20 days x £60 = £1,200.00.
    assert money(invoice["Net"]) == Decimal("1200.00")
    assert main(["issue", str(first), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-02"]) == 0
    issued_row = {r["Key"]: r for r in register(issued)}["INV|100003|Autumn 2025"]
    assert issued_row["Status"] == "Issued" and issued_row["Issued On"] == date(2025, 12, 2)

    # The placement ran a week longer than recorded: end 10 Oct (25 days x £60 = £1,500.00).
    book = openpyxl.load_workbook(issued)
    book["Placements"]["I2"] = date(2025, 10, 10)
    book.save(changed)
    assert main(["run", str(changed), "-o", str(second), "--date", "2025-12-03", "-q"]) == 0

    after = register(second)
    numbers = [str(r["Number"]) for r in after]
    assert len(numbers) == len(set(numbers))  # no duplicates
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(1, len(sequence) + 1))  # no gaps
    old = next(r for r in after if r["Number"] == invoice["Number"])
    # The issued invoice is untouched but for its status: same amount, same issue date.
    assert (old["Status"], money(old["Net"]), old["Issued On"]) == ("Credited", Decimal("1200.00"), date(2025, 12, 2))
    new_rows = after[len(before) :]
    assert [(r["Kind"], money(r["Net"]), r["Supersedes"]) for r in new_rows] == [
        ("Credit note", Decimal("-1200.00"), invoice["Number"]),
        ("Invoice", Decimal("1500.00"), invoice["Number"]),
    ]
    assert [int(str(r["Number"]).rsplit("-", 1)[1]) for r in new_rows] == [len(before) + 1, len(before) + 2]


def test_the_schools_pack_shows_the_credit_note_and_the_invoice_it_reverses(tmp_path: Path) -> None:
    source = county_with_placement(tmp_path)
    first, issued, changed, second = (tmp_path / f"{n}.xlsx" for n in ("first", "issued", "changed", "second"))
    assert main(["run", str(source), "-o", str(first), "--date", "2025-12-01", "-q"]) == 0
    assert main(["issue", str(first), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-02"]) == 0
    book = openpyxl.load_workbook(issued)
    book["Placements"]["I2"] = date(2025, 10, 10)  # a week longer: 25 days x £60 = £1,500.00
    book.save(changed)
    assert main(["run", str(changed), "-o", str(second), "--date", "2025-12-03", "-q"]) == 0
    invoice = {r["Key"]: r for r in register(issued)}["INV|100003|Autumn 2025"]["Number"]
    packs = tmp_path / "packs"
    assert main(["packs", str(second), "-o", str(packs), "--date", "2025-12-03", "-q"]) == 0
    [pack] = packs.glob("100003 *.xlsx")
    sheets = openpyxl.load_workbook(pack)
    [credit] = [s for s in sheets.worksheets if s.title.startswith("Credit")]
    details = {row[0]: row[1] for row in credit.iter_rows(values_only=True) if row and row[0]}
    # The credit note of -1,200.00 says which invoice it takes back; the pack's contents say so too.
    assert details["Replaces"] == invoice
    assert any(f"reverses {invoice}" in str(row[1]) for row in sheets["Cover"].iter_rows(values_only=True) if row[1])
