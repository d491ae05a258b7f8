"""rollover: next year's workbook from this year's, and then a run of it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apmodel.cli import main
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import TableRows, small_county, write_workbook


def county(**settings: object) -> dict[str, TableRows]:
    tables = small_county(**settings)
    header, _rows = tables["Placements"]
    ended = ["PL-1", "P-A1", 100001, "PRU-S", 2, "Dual", "At risk of exclusion", date(2025, 9, 8),
             date(2025, 12, 12), 5, 9, None, None, None, None, "No", "No", "No", None, None]  # fmt: skip
    open_on = ["PL-2", "P-A2", 100001, "PRU-S", 2, "Dual", "At risk of exclusion", date(2026, 3, 2),
               None, 5, 9, None, None, None, None, "No", "No", "No", None, None]  # fmt: skip
    tables["Placements"] = (header, [ended, open_on])
    header, rows = tables["Exclusions"]
    # Excluded on 25 March 2026; its Relevant Date, 2 April 2026, is in the new year.
    late = ["EX-2", "P-A3", 100001, date(2026, 3, 25), date(2026, 4, 2), 9, "No", "No", "No", "No", 5500,
            None, None, None, None, None]  # fmt: skip
    tables["Exclusions"] = (header, [*rows, late])
    return tables


def records(book: Path, name: str) -> list[dict[str, Any]]:
    table = read_tables(book)[name]
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def roll(tmp_path: Path) -> Path:
    source = write_workbook(tmp_path / "county.xlsx", county(Uplift=0.02))
    issued = tmp_path / "issued.xlsx"
    assert main(["issue", str(source), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-01"]) == 0
    out = tmp_path / "next.xlsx"
    assert main(["rollover", str(issued), "-o", str(out), "--year", "2026-27", "--date", "2026-03-31"]) == 0
    return out


@pytest.fixture
def rolled(tmp_path: Path) -> Path:
    return roll(tmp_path)


def settings(book: Path) -> dict[str, Any]:
    return {row["Setting"]: row["Value"] for row in records(book, "Settings")}


def test_the_year_moves_on_and_the_budget_takes_the_uplift(rolled: Path) -> None:
    values = settings(rolled)
    assert values["Financial year"] == "2026-27"
    # 1,000,000 x 1.02 = 1,020,000.00
    assert Decimal(str(values["AP budget"])) == Decimal("1020000")


def test_previous_allocation_is_this_years_final_allocation(rolled: Path) -> None:
    previous = {row["District"]: Decimal(str(row["Previous Allocation"])) for row in records(rolled, "Districts")}
    # North = 50,000 + 300,000 + 75,000 = 425,000.00; South = 50,000 + 300,000 + 125,000 = 475,000.00 (this year).
    assert previous == {"North": Decimal("425000"), "South": Decimal("475000")}


def test_terms_are_a_draft_52_weeks_on_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rolled = roll(tmp_path)
    terms = {row["Term"]: (day(row["Start"]), day(row["End"])) for row in records(rolled, "Terms")}
    # 3 Sep 2025 + 364 days = 2 Sep 2026 (a Wednesday, like 3 Sep 2025).
    assert terms["Autumn 2026"] == (date(2026, 9, 2), date(2026, 12, 18))
    assert set(terms) == {"Summer 2026", "Autumn 2026", "Spring 2027"}
    assert "ROLLOVER_DATES_TO_CHECK" in capsys.readouterr().out
    log = records(rolled, "RolloverLog")
    assert any(row["Table"] == "Terms" and "DRAFT" in row["Note"] for row in log)


def test_placements_and_exclusions_crossing_31_march_are_carried_and_the_rest_left(rolled: Path) -> None:
    assert [row["Placement ID"] for row in records(rolled, "Placements")] == ["PL-2"]
    assert [row["Exclusion ID"] for row in records(rolled, "Exclusions")] == ["EX-2"]


def test_this_years_issued_documents_are_kept_and_new_numbers_start_the_new_series(
    rolled: Path, tmp_path: Path
) -> None:
    kept = [(row["Number"], row["Status"]) for row in records(rolled, "InvoiceRegister")]
    assert ("AP-2025-26-00001", "Issued") in kept
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(rolled), "-o", str(ran), "--date", "2026-05-01", "-q"]) == 0
    register = records(ran, "InvoiceRegister")
    assert [(r["Number"], r["Status"]) for r in register if r["Number"].startswith("AP-2025-26")] == kept
    new = [r for r in register if r["Number"].startswith("AP-2026-27-")]
    assert new and new[0]["Number"] == "AP-2026-27-00001"
    lines = {row["Source ID"]: row for row in records(ran, "Recoupment")}
    # EX-2, relevant 2 Apr 2026: 2 Apr 2026 to 31 Mar 2027, both included, = 364 days = 52 complete weeks,
    # so 5,500 x 52 / 52 = 5,500.00, charged in the new year.
    assert Decimal(str(lines["EX-2"]["Amount"])) == Decimal("5500.00")
    assert "PL-2" in {row["Source ID"] for row in records(ran, "Recoupment")}


def test_rollover_to_a_year_that_is_not_the_next_writes_nothing(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", county())
    out = tmp_path / "next.xlsx"
    assert main(["rollover", str(source), "-o", str(out), "--year", "2027-28"]) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # A real Excel date: 31 July 2025 (inside 2025-26) moves on one year to 31 July 2026 (inside 2026-27).
        (date(2025, 7, 31), date(2026, 7, 31)),
        # A text with its year moves on too.
        ("20 July 2025", date(2026, 7, 20)),
    ],
)
def test_a_school_year_end_typed_as_a_date_moves_on_one_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: object, expected: date
) -> None:
    source = write_workbook(tmp_path / "county.xlsx", county(**{"School year end": typed}))
    out = tmp_path / "next.xlsx"
    assert main(["rollover", str(source), "-o", str(out), "--year", "2026-27", "--date", "2026-03-31"]) == 0
    assert day(settings(out)["School year end"]) == expected
    log = records(out, "RolloverLog")
    assert any(row["Item"] == "School year end" and day(row["New"]) == expected for row in log)
    capsys.readouterr()
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(out), "-o", str(ran), "--date", "2026-05-01", "-q"]) == 0
    # Before the fix the date stayed in 2025, outside 2026-27: DATE_OUTSIDE_YEAR on the new year's run.
    codes = {row["Code"] for row in records(ran, "Warnings")}
    assert "DATE_OUTSIDE_YEAR" not in codes


def test_a_school_year_end_without_a_year_is_left_as_typed(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", county(**{"School year end": "31 July"}))
    out = tmp_path / "next.xlsx"
    assert main(["rollover", str(source), "-o", str(out), "--year", "2026-27", "--date", "2026-03-31"]) == 0
    assert settings(out)["School year end"] == "31 July"


def test_a_frozen_register_is_carried_as_it_is_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    source = write_workbook(tmp_path / "county.xlsx", county())
    issued = tmp_path / "issued.xlsx"
    assert main(["issue", str(source), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-01"]) == 0
    book = openpyxl.load_workbook(issued)
    sheet = next(ws for ws in book.worksheets if "InvoiceRegister" in ws.tables)
    ref = sheet.tables["InvoiceRegister"].ref
    top = int(ref.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    header = [cell.value for cell in sheet[top]]
    first = sheet.cell(row=top + 1, column=header.index("Net") + 1)
    first.value = float(first.value) + 1  # an Issued document's Net edited by hand: the register is frozen
    book.save(issued)
    capsys.readouterr()
    out = tmp_path / "next.xlsx"
    assert main(["rollover", str(issued), "-o", str(out), "--year", "2026-27", "--date", "2026-03-31"]) == 0
    assert "ROLLOVER_REGISTER_FROZEN" in capsys.readouterr().out
    carried = records(out, "InvoiceRegister")
    assert carried and carried[0]["Net"] == first.value  # exactly as it is, the edit included
