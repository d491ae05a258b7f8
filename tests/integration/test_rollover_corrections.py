"""Last year's documents after rollover: kept, never re-billed, and credited from the new year when corrected.

The round trip an LA goes through: run and issue in 2025-26, roll over to 2026-27, learn in May 2026
that a placement of the Spring 2026 term ended a week earlier than billed, correct it in
``LastYearPlacements`` and run and issue in 2026-27; then roll over again to 2027-28.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from apmodel.cli import main
from tests.builders import write_workbook
from tests.integration.test_rollover import county, records

# Cedar Academy (an academy of Oak Trust, with an AP agreement here): invoiced, so a correction is a
# credit note and a new invoice.
# At PRU-S, Daily, 60.00 a day, 5 days a week, Monday 2 March to Friday 13 March 2026 (Spring 2026).
LATE = ["PL-9", "P-C9", 100003, "PRU-S", 2, "Dual", "At risk of exclusion", date(2026, 3, 2), date(2026, 3, 13),
        5, 9, None, None, None, None, "No", "No", "No", None, None]  # fmt: skip


def set_cell(path: Path, table_name: str, key_column: str, key: object, column: str, value: object) -> None:
    """Type ``value`` into ``column`` of the row of ``table_name`` whose ``key_column`` is ``key``."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        if table_name in sheet.tables:
            low_col, low_row, high_col, high_row = range_boundaries(sheet.tables[table_name].ref)
            header = [sheet.cell(low_row, c).value for c in range(low_col, high_col + 1)]
            for r in range(low_row + 1, high_row + 1):
                if sheet.cell(r, low_col + header.index(key_column)).value == key:
                    sheet.cell(r, low_col + header.index(column)).value = value
                    book.save(path)
                    return
    raise AssertionError(f"{key} not found in {table_name}")


def cli(*args: str) -> None:
    assert main([*args, "-q"] if args[0] == "run" else list(args)) == 0


def register(book: Path) -> list[dict[str, Any]]:
    return records(book, "InvoiceRegister")


def series(rows: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    return [row for row in rows if str(row["Number"]).startswith(start)]


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["Kind"], row["Period"], Decimal(str(row["Net"])), row["Status"], row["Supersedes"] or "")


@pytest.fixture
def rolled(tmp_path: Path) -> Path:
    tables = county()
    header, rows = tables["Placements"]
    tables["Placements"] = (header, [*rows, LATE])
    header, rows = tables["Schools"]
    # Cedar Academy signs the AP agreement, so its placements are recharged (invoiced to Oak Trust).
    tables["Schools"] = (header, [[*row[:6], "Yes", *row[7:]] if row[0] == 100003 else row for row in rows])
    source = write_workbook(tmp_path / "county.xlsx", tables)
    autumn, spring = tmp_path / "autumn.xlsx", tmp_path / "spring.xlsx"
    cli("issue", str(source), "--period", "Autumn 2025", "-o", str(autumn), "--date", "2025-12-01")
    cli("issue", str(autumn), "--period", "Spring 2026", "-o", str(spring), "--date", "2026-03-20")
    out = tmp_path / "2026-27.xlsx"
    cli("rollover", str(spring), "-o", str(out), "--year", "2026-27", "--date", "2026-03-31")
    return out


def cedar_spring(rows: list[dict[str, Any]]) -> dict[str, Any]:
    [row] = [r for r in series(rows, "AP-2025-26-") if r["Key"] == "INV|100003|Spring 2026"]
    return row


def test_the_old_placement_is_kept_in_last_years_table(rolled: Path) -> None:
    # PL-1 and PL-9 ended before 1 April 2026: not in next year's Placements, but kept in LastYearPlacements.
    assert [row["Placement ID"] for row in records(rolled, "Placements")] == ["PL-2"]
    assert [row["Placement ID"] for row in records(rolled, "LastYearPlacements")] == ["PL-1", "PL-2", "PL-9"]
    assert {row["Setting"]: row["Value"] for row in records(rolled, "LastYearSettings")}["Financial year"] == "2025-26"


def test_an_unchanged_old_document_is_never_credited_or_billed_again(rolled: Path, tmp_path: Path) -> None:
    before = series(register(rolled), "AP-2025-26-")
    # Cedar's Spring 2026 invoice: 10 weekdays (2-6 and 9-13 March 2026) x 60.00 = 600.00, issued on 20 March.
    invoice = cedar_spring(before)
    assert figures(invoice) == ("Invoice", "Spring 2026", Decimal("600.00"), "Issued", "")
    ran = tmp_path / "ran.xlsx"
    cli("run", str(rolled), "-o", str(ran), "--date", "2026-05-01")
    after = register(ran)
    assert series(after, "AP-2025-26-") == before
    last_years_terms = {"Summer 2025", "Autumn 2025", "Spring 2026"}
    assert series(after, "AP-2026-27-")  # 2026-27's own documents (PL-2, EX-2) are numbered...
    assert not [row for row in series(after, "AP-2026-27-") if row["Period"] in last_years_terms]  # ...none of 2025-26
    codes = {row["Code"] for row in records(ran, "Warnings")}
    assert "LAST_YEAR_CREDITED" not in codes and "LAST_YEAR_NOT_RECOMPUTED" not in codes


def test_a_corrected_old_placement_is_credited_and_re_billed_in_the_new_years_series(
    rolled: Path, tmp_path: Path
) -> None:
    old = cedar_spring(register(rolled))["Number"]
    # In May 2026 the officer learns PL-9 ended on Friday 6 March 2026, not 13 March.
    set_cell(rolled, "LastYearPlacements", "Placement ID", "PL-9", "End Date", date(2026, 3, 6))
    ran, issued, again = tmp_path / "ran.xlsx", tmp_path / "issued.xlsx", tmp_path / "again.xlsx"
    cli("run", str(rolled), "-o", str(ran), "--date", "2026-05-01")
    new_year = series(register(ran), "AP-2026-27-")
    corrections = [row for row in new_year if row["Period"] == "Spring 2026"]
    # Credit note reversing the invoice in full: -600.00. New invoice: 5 weekdays (2-6 March) x 60.00 = 300.00.
    # Both numbered in 2026-27's series, after 2026-27's own documents, and both naming the old number.
    assert [figures(row) for row in corrections] == [
        ("Credit note", "Spring 2026", Decimal("-600.00"), "Draft", old),
        ("Invoice", "Spring 2026", Decimal("300.00"), "Draft", old),
    ]
    assert [row["Key"] for row in corrections] == [f"CR|{old}", "INV|100003|Spring 2026"]
    numbers = [int(str(row["Number"])[-5:]) for row in new_year]
    assert numbers == list(range(1, len(new_year) + 1))
    assert figures(cedar_spring(register(ran))) == ("Invoice", "Spring 2026", Decimal("600.00"), "Credited", "")
    # Every other 2025-26 document is as it was.
    others = [r for r in series(register(rolled), "AP-2025-26-") if r["Number"] != old]
    assert [r for r in series(register(ran), "AP-2025-26-") if r["Number"] != old] == others
    assert any(row["Code"] == "LAST_YEAR_CREDITED" for row in records(ran, "Warnings"))
    invoices = {row["Number"]: row for row in records(ran, "Invoices")}
    assert {invoices[row["Number"]]["School"] for row in corrections} == {"Cedar Academy"}

    cli("issue", str(ran), "--period", "Spring 2026", "-o", str(issued), "--date", "2026-05-02")
    assert [row["Status"] for row in register(issued) if row["Period"] == "Spring 2026"
            and str(row["Number"]).startswith("AP-2026-27-")] == ["Issued", "Issued"]  # fmt: skip
    # Run again: nothing more to credit or bill, no number handed out.
    cli("run", str(issued), "-o", str(again), "--date", "2026-05-03")
    assert register(again) == register(issued)


def test_a_second_rollover_leaves_both_old_years_as_they_are(rolled: Path, tmp_path: Path) -> None:
    set_cell(rolled, "LastYearPlacements", "Placement ID", "PL-9", "End Date", date(2026, 3, 6))
    issued, third, ran = tmp_path / "issued.xlsx", tmp_path / "2027-28.xlsx", tmp_path / "ran.xlsx"
    cli("issue", str(rolled), "--period", "Spring 2026", "-o", str(issued), "--date", "2026-05-02")
    cli("rollover", str(issued), "-o", str(third), "--year", "2027-28", "--date", "2027-03-31")
    # LastYear tables now hold 2026-27's inputs (no 2025-26 row is left in them).
    assert {row["Setting"]: row["Value"] for row in records(third, "LastYearSettings")}["Financial year"] == "2026-27"
    assert [row["Placement ID"] for row in records(third, "LastYearPlacements")] == ["PL-2"]
    cli("run", str(third), "-o", str(ran), "--date", "2027-05-01")
    before = register(issued)
    after = register(ran)
    assert [r for r in after if not str(r["Number"]).startswith("AP-2027-28-")] == before
    assert not any(row["Severity"] == "Error" for row in records(ran, "Warnings"))


def test_an_error_in_last_years_tables_credits_nothing(rolled: Path, tmp_path: Path) -> None:
    # An End Date before the Start Date: the placement cannot be used (an Error), so last year is not
    # recomputed (its line would otherwise be missing and the 600.00 invoice credited in full).
    set_cell(rolled, "LastYearPlacements", "Placement ID", "PL-9", "End Date", date(2026, 2, 27))
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(rolled), "-o", str(ran), "--date", "2026-05-01", "-q"]) == 1
    assert series(register(ran), "AP-2025-26-") == series(register(rolled), "AP-2025-26-")
    assert not [row for row in series(register(ran), "AP-2026-27-") if row["Period"] == "Spring 2026"]
    warnings = records(ran, "Warnings")
    assert any(row["Table"] == "LastYearPlacements" and row["Severity"] == "Error" for row in warnings)
    assert any(row["Code"] == "LAST_YEAR_NOT_RECOMPUTED" for row in warnings)


def test_a_warning_in_last_years_tables_is_shown_under_its_table(rolled: Path, tmp_path: Path) -> None:
    # A date that cannot be read is a Warning and treated as blank (as in this year's tables): PL-9 then
    # runs to the end of Spring 2026, 2 to 31 March = 22 weekdays x 60.00 = 1,320.00, a Draft to check.
    set_cell(rolled, "LastYearPlacements", "Placement ID", "PL-9", "End Date", "6 Marhc 2026")
    ran = tmp_path / "ran.xlsx"
    cli("run", str(rolled), "-o", str(ran), "--date", "2026-05-01")
    warnings = records(ran, "Warnings")
    assert [(row["Code"], row["Table"]) for row in warnings if row["Severity"] == "Warning"] == [
        ("NOT_A_DATE", "LastYearPlacements")
    ]
    [new] = [row for row in series(register(ran), "AP-2026-27-") if row["Key"] == "INV|100003|Spring 2026"]
    assert figures(new)[:4] == ("Invoice", "Spring 2026", Decimal("1320.00"), "Draft")


def test_the_pack_shows_a_corrected_old_document_credited_last_year_and_its_credit_note_this_year(
    rolled: Path, tmp_path: Path
) -> None:
    from tests.integration.test_packs import money, open_pack, table_records

    old = cedar_spring(register(rolled))["Number"]
    set_cell(rolled, "LastYearPlacements", "Placement ID", "PL-9", "End Date", date(2026, 3, 6))
    out = tmp_path / "packs"
    assert main(["packs", str(rolled), "-o", str(out), "--date", "2026-05-01", "-q"]) == 0
    book = open_pack(out, 100003)
    listed = {row["Number"]: row for row in table_records(book["Last year"], "LastYearDocuments")}
    # The 600.00 invoice of Spring 2026 (PL-9, 2-13 March 2026: 10 weekdays x 60.00) is Credited by this run.
    assert money(listed[old]["Net (£)"]) == Decimal("600.00")
    assert listed[old]["Document"] == "Invoice for Spring 2026, issued 20 March 2026, since credited."
    rows = {row["Item"]: row for row in table_records(book["Last year"], "YearOnYear")}
    # It still counts last year; this year's credit note -600.00 (Draft) and invoice 300.00 (Draft) count this year.
    assert money(rows["Credit notes"]["This year (£)"]) == Decimal("-600.00")
    assert (money(rows["Invoices"]["Last year (£)"]), money(rows["Invoices"]["This year (£)"])) == (
        Decimal("600.00"),
        Decimal("300.00"),
    )
    # Net: last year 600.00; this year -600.00 + 300.00 = -300.00.
    assert money(rows["Net of all documents"]["This year (£)"]) == Decimal("-300.00")


def test_contents_lists_last_years_tables_as_kept(rolled: Path, tmp_path: Path) -> None:
    ran = tmp_path / "ran.xlsx"
    cli("run", str(rolled), "-o", str(ran), "--date", "2026-05-01")
    kinds = {row["Sheet"]: row["Kind"] for row in records(ran, "Contents")}
    assert kinds["LastYearPlacements"] == kinds["LastYearExclusions"] == kinds["InvoiceRegister"] == "Kept"
    # The hidden LastYear tables (settings, rates, terms...) are not offered as sheets to go to.
    assert "LastYearSettings" not in kinds
