"""Whole-workbook acceptance of scenarios: build a county, run ``apmodel compare``, read what it wrote.

The county is tests.builders.small_county() with a second South school (Damson School, 500
pupils, 50 IDACI), so South (delegated to PRU-S) has schools to devolve to. Stage 1 by hand
(see tests/unit/test_scenarios.py): North 356,666.67, South 543,333.33.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apmodel import service
from apmodel.cli import main
from apmodel.workbook.interface import RawTable
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import small_county, write_workbook

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
CENT = Decimal("0.01")


def records(table: RawTable) -> list[dict[str, Any]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def money(value: object) -> Decimal:
    return Decimal(repr(value)).quantize(CENT) if isinstance(value, float) else Decimal(str(value))


def comparison(tables: dict[str, RawTable]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["Level"], r["Name"]): r for r in records(tables["ScenarioComparison"])}


def level_totals(tables: dict[str, RawTable]) -> dict[str, dict[str, Any]]:
    """ScenarioComparisonTotals by Level."""
    return {r["Level"]: r for r in records(tables["ScenarioComparisonTotals"])}


@pytest.fixture
def compared(tmp_path: Path) -> dict[str, RawTable]:
    tables = small_county()
    header, schools = tables["Schools"]
    damson = [100004, "Damson School", "South", "Secondary", "Maintained", None, "Yes", None, None, 500, 50]
    tables["Schools"] = (header, [*schools, damson])
    tables["Scenarios"] = (
        ["Scenario", "Target", "Key", "Value"],
        [
            ["South devolved", "District", "South/Funding Model", "Devolved"],
            ["Bigger budget", "Setting", "AP budget", "£1,100,000"],
            ["Bigger budget", "Setting", "AP budgett", 1],
        ],
    )
    source = write_workbook(tmp_path / "county.xlsx", tables)
    out = tmp_path / "out.xlsx"
    assert main(["compare", str(source), "-o", str(out), "--date", "2025-12-01"]) == 0
    return read_tables(out)


def test_devolving_south_shows_the_prus_loss_and_the_schools_gains_adding_up_to_zero(
    compared: dict[str, RawTable],
) -> None:
    rows = comparison(compared)
    pru = rows[("Provider", "South PRU")]
    cedar, damson = rows[("School", "Cedar Academy")], rows[("School", "Damson School")]
    # The PRU loses South's whole allocation: 543,333.33.
    assert money(pru["Baseline £"]) == Decimal("543333.33")
    assert money(pru["South devolved Change £"]) == Decimal("-543333.33")
    # Scaled unit rates: Cedar 407,500.00 and Damson 135,833.33 (largest remainder to Cedar).
    assert money(cedar["South devolved Change £"]) == Decimal("407500.00")
    assert money(damson["South devolved Change £"]) == Decimal("135833.33")
    # -543,333.33 + 407,500.00 + 135,833.33 = 0.00, and so do the level totals.
    total = sum(money(r["South devolved Change £"]) for r in (pru, cedar, damson))
    assert total == Decimal("0.00")
    totals = level_totals(compared)
    schools, providers = totals["School"], totals["Provider"]
    assert money(schools["South devolved Change £"]) + money(providers["South devolved Change £"]) == Decimal("0.00")
    assert money(totals["District"]["South devolved Change £"]) == Decimal("0.00")


def test_the_bigger_budget_is_shared_by_the_formula(compared: dict[str, RawTable]) -> None:
    rows = comparison(compared)
    # Pot 900,000: North 50,000 + 270,000 + 75,000 = 395,000.00, +38,333.33 on 356,666.67.
    north = rows[("District", "North")]
    assert money(north["Bigger budget £"]) == Decimal("395000.00")
    assert money(north["Bigger budget Change £"]) == Decimal("38333.33")
    # 38,333.33 / 356,666.67 = 0.10747... -> 0.1075
    assert Decimal(repr(north["Bigger budget Change %"])) == Decimal("0.1075")
    # The districts' total grows by exactly the extra budget: 100,000.00.
    assert money(level_totals(compared)["District"]["Bigger budget Change £"]) == Decimal("100000.00")


def test_scenario_comparison_has_no_total_row_and_its_totals_add_up_its_rows_to_the_penny(
    compared: dict[str, RawTable],
) -> None:
    table = compared["ScenarioComparison"]
    assert "Total" not in {r["Name"] for r in records(table)}
    rows = records(table)
    totals = level_totals(compared)
    assert list(totals) == ["District", "School", "Provider"]
    header = compared["ScenarioComparisonTotals"].header
    assert header == [
        "Level", "Rows", "Baseline £",
        "South devolved £", "South devolved Change £", "South devolved Change %",
        "Bigger budget £", "Bigger budget Change £", "Bigger budget Change %",
    ]  # fmt: skip
    for level, total in totals.items():
        mine = [r for r in rows if r["Level"] == level]
        assert total["Rows"] == len(mine), level
        for name in header[2:]:
            if name.endswith("Change %"):
                continue
            assert money(total[name]) == sum((money(r[name]) for r in mine), Decimal("0.00")), (level, name)
    # By hand: the districts' baseline is North 356,666.67 + South 543,333.33 = 900,000.00, the pot; with the
    # bigger budget 1,000,000.00 (+100,000.00 / 900,000.00 = 0.1111); devolving South moves no district money.
    district = totals["District"]
    assert total_row(district) == (2, Decimal("900000.00"), Decimal("1000000.00"), Decimal("100000.00"))
    assert Decimal(repr(district["Bigger budget Change %"])) == Decimal("0.1111")
    assert money(district["South devolved £"]) == Decimal("900000.00") and district["South devolved Change %"] == 0


def total_row(row: dict[str, Any]) -> tuple[int, Decimal, Decimal, Decimal]:
    """A ScenarioComparisonTotals row's Rows, Baseline £, Bigger budget £ and Bigger budget Change £."""
    return (row["Rows"], money(row["Baseline £"]), money(row["Bigger budget £"]), money(row["Bigger budget Change £"]))


def test_compare_reports_the_misspelt_key_and_lists_the_scenarios_in_summary(compared: dict[str, RawTable]) -> None:
    warnings = [r for r in records(compared["Warnings"]) if r["Table"] == "Scenarios"]
    assert [(w["Code"], w["Row"]) for w in warnings] == [("UNKNOWN_SCENARIO_KEY", 4)]
    summary = {r["Item"]: r["Value"] for r in records(compared["Summary"])}
    assert summary["Scenarios compared"] == "South devolved, Bigger budget"
    assert {"EqualityAnalysis", "APOutcomes"} <= set(compared)


def test_a_plain_run_after_a_compare_leaves_no_stale_scenario_columns(tmp_path: Path) -> None:
    tables = small_county()
    tables["Scenarios"] = (tables["Scenarios"][0], [["Bigger budget", "Setting", "AP budget", 1_100_000]])
    source = write_workbook(tmp_path / "county.xlsx", tables)
    assert main(["compare", str(source), "-o", str(tmp_path / "a.xlsx"), "--date", "2025-12-01"]) == 0
    assert main(["run", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "b.xlsx"), "--date", "2025-12-01", "-q"]) == 0
    written = read_tables(tmp_path / "b.xlsx")
    assert written["ScenarioComparison"].header == ["Level", "Code", "Name", "District", "Baseline £"]
    assert written["ScenarioComparisonTotals"].header == ["Level", "Rows", "Baseline £"]


@pytest.mark.slow
def test_the_example_countys_two_scenarios_give_a_real_comparison() -> None:
    report = service.compute(FileWorkbook(EXAMPLE), today=date(2025, 12, 1), with_scenarios=True)
    result = report.comparison
    assert result is not None
    assert result.scenario_names == ("Higher deprivation weight", "Swale devolved")
    districts = {r.entity.name: r for r in result.rows if r.entity.level.value == "District"}
    # A heavier deprivation weight moves money between districts but not the total.
    moved = [name for name, r in districts.items() if r.changes[0] != 0]
    assert len(moved) >= 6
    assert sum((r.changes[0] for r in districts.values()), Decimal(0)) == Decimal("0.00")
    # Swale (Hybrid) devolved: no district changes; Swale's schools gain what its PRU loses.
    assert all(r.changes[1] == 0 for r in districts.values())
    swale = [r for r in result.rows if r.entity.district == "Swale" and r.entity.level.value != "District"]
    gains = sum((r.changes[1] for r in swale if r.entity.level.value == "School"), Decimal(0))
    losses = sum((r.changes[1] for r in swale if r.entity.level.value == "Provider"), Decimal(0))
    assert gains > 0 and gains + losses == Decimal("0.00")
    assert not report.findings.has_errors()
