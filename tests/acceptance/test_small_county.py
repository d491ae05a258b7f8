"""Whole-workbook acceptance: build a small county in code, run the CLI, check published figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apmodel.cli import main
from apmodel.workbook.interface import RawTable
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import small_county, write_workbook


def records(table: RawTable) -> list[dict[str, Any]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def money(value: object) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01")) if isinstance(value, float) else Decimal(str(value))


def summary(tables: dict[str, RawTable]) -> dict[str, Any]:
    return {row["Item"]: row["Value"] for row in records(tables["Summary"])}


@pytest.fixture
def ran(tmp_path: Path) -> dict[str, RawTable]:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    out = tmp_path / "out.xlsx"
    assert main(["run", str(source), "-o", str(out), "--date", "2025-12-01", "-q"]) == 0
    return read_tables(out)


def test_summary_shows_the_whole_budget_allocated(ran: dict[str, RawTable]) -> None:
    items = summary(ran)
    assert money(items["AP budget"]) == Decimal("1000000.00")
    assert money(items["Total allocated"]) == Decimal("1000000.00")
    assert money(items["Difference"]) == Decimal("0.00")
    assert items["Errors"] == 0


def test_districts_get_lump_sum_plus_weighted_shares(ran: dict[str, RawTable]) -> None:
    rows = {r["District"]: r for r in records(ran["DistrictAllocations"])}
    assert list(rows) == ["North", "South"]  # no Total row: DistrictAllocationTotals adds them up
    # See small_county(): North 50,000 + 300,000 + 75,000; South 50,000 + 300,000 + 125,000.
    assert money(rows["North"]["Final Allocation"]) == Decimal("425000.00")
    assert money(rows["South"]["Final Allocation"]) == Decimal("475000.00")


def test_devolved_schools_share_the_district_by_scaled_unit_rates(ran: dict[str, RawTable]) -> None:
    rows = {r["URN"]: r for r in records(ran["SchoolAllocations"])}
    assert list(rows) == [100001, 100002]
    # Unit amounts: Alder 600 x 100 + 100 x 500 = 110,000; Birch 400 x 100 + 50 x 500 = 65,000; total 175,000.
    # Scaled to 425,000: Alder 425,000 x 110 / 175 = 267,142.857 -> 267,142.86 (takes the spare penny);
    # Birch 425,000 x 65 / 175 = 157,857.142 -> 157,857.14. Together 425,000.00.
    assert money(rows[100001]["Final Devolved Allocation"]) == Decimal("267142.86")
    assert money(rows[100002]["Final Devolved Allocation"]) == Decimal("157857.14")


def test_delegated_district_funds_its_pru_places_then_top_up(ran: dict[str, RawTable]) -> None:
    rows = {r["Provider ID"]: r for r in records(ran["ProviderFunding"])}
    # 30 places x 10,000 = 300,000 place funding; 475,000 - 300,000 = 175,000 top-up.
    assert money(rows["PRU-S"]["Place Funding"]) == Decimal("300000.00")
    assert money(rows["PRU-S"]["Top-up"]) == Decimal("175000.00")


def test_exclusion_adjustment_becomes_a_budget_adjustment(ran: dict[str, RawTable]) -> None:
    [line] = [r for r in records(ran["Recoupment"]) if r["Source ID"] == "EX-1"]
    # 5,500 x 21 / 52 = 2,221.153... -> 2,221.15 (3 Nov 2025 to 31 Mar 2026 = 149 days = 21 complete weeks).
    assert money(line["Amount"]) == Decimal("2221.15")
    assert line["B"] == 21
    assert line["Legal Basis"] == "Statutory (reg 39)"
    [adjustment] = [r for r in records(ran["Invoices"]) if r["URN"] == 100001]
    assert adjustment["Kind"] == "Budget adjustment"
    assert money(adjustment["Net"]) == Decimal("2221.15")


def test_rerunning_on_its_own_output_gives_identical_figures(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert main(["run", str(source), "-o", str(first), "--date", "2025-12-01", "-q"]) == 0
    assert main(["run", str(first), "-o", str(second), "--date", "2025-12-01", "-q"]) == 0
    a, b = read_tables(first), read_tables(second)
    assert set(a) == set(b)
    for name in a:
        if name == "Summary":
            continue
        assert a[name].rows == b[name].rows, name
    volatile = {"Run at", "Run time (seconds)"}
    assert {k: v for k, v in summary(a).items() if k not in volatile} == {
        k: v for k, v in summary(b).items() if k not in volatile}


def test_summary_reconciles_charges_credits_net_recovery_and_invoiced(ran: dict[str, RawTable]) -> None:
    items = summary(ran)
    # The one recoverable line: EX-1's 2,221.15 charge, no credits: 2,221.15 + 0.00 = 2,221.15 net,
    # billed on one budget adjustment of 2,221.15: difference 0.00.
    assert money(items["Total recouped"]) == Decimal("2221.15")
    assert money(items["Total credited"]) == Decimal("0.00")
    assert money(items["Net recoupment"]) == Decimal("2221.15")
    assert money(items["Invoiced (Net of Invoices)"]) == Decimal("2221.15")
    assert money(items["Net recoupment - invoiced"]) == Decimal("0.00")
    # The totals tables are tables of their own, and Recoupment and Invoices hold no Total row.
    [recouped] = records(ran["RecoupmentTotals"])
    assert (recouped["Type"], recouped["Status"], recouped["Lines"]) == ("Exclusion adjustment", "Recoverable", 1)
    assert money(recouped["Amount"]) == Decimal("2221.15")
    [invoiced] = records(ran["InvoiceTotals"])
    assert (invoiced["Kind"], invoiced["Documents"]) == ("Budget adjustment", 1)
    assert money(invoiced["Net"]) == Decimal("2221.15")
    assert "Total" not in {r["Line ID"] for r in records(ran["Recoupment"])}
    assert "Total" not in {r["Number"] for r in records(ran["Invoices"])}


def test_allocation_totals_are_tables_of_their_own_that_tie_to_summary(ran: dict[str, RawTable]) -> None:
    # Each totals table is one row of its own, the exact sum of its table's rows (issue 13).
    [districts] = records(ran["DistrictAllocationTotals"])
    # North 425,000.00 + South 475,000.00 = 900,000.00 = Summary's Allocated to districts
    # (1,000,000 budget - 100,000 centrally retained) = AllocationSubtotals' County row.
    assert districts["Districts"] == 2
    assert money(districts["Final Allocation"]) == Decimal("900000.00")
    assert money(summary(ran)["Allocated to districts"]) == Decimal("900000.00")
    [county] = [r for r in records(ran["AllocationSubtotals"]) if r["Level"] == "County"]
    assert money(county["Final Allocation"]) == Decimal("900000.00")
    # Devolved: North's 425,000.00; Delegated: South's 475,000.00 (to PRU-S).
    assert (money(districts["Devolved"]), money(districts["Delegated"])) == (Decimal("425000.00"), Decimal("475000.00"))
    [schools] = records(ran["SchoolAllocationTotals"])
    # Alder 267,142.86 + Birch 157,857.14 = 425,000.00, North's devolved pot to the penny.
    assert schools["Schools"] == 2
    assert money(schools["Final Devolved Allocation"]) == Decimal("425000.00")
    [providers] = records(ran["ProviderFundingTotals"])
    # PRU-S 300,000 place funding + 175,000 top-up = 475,000.00, South's delegated allocation.
    assert money(providers["Delegated Allocation"]) == Decimal("475000.00")
    assert money(providers["Place Funding"]) + money(providers["Top-up"]) == Decimal("475000.00")
