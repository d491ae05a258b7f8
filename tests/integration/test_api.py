"""The pandas API: ``apmodel.open(path).run()`` gives the CLI's figures as DataFrames."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

import apmodel
from apmodel.api import pence
from apmodel.cli import main
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import small_county, write_workbook

DAY = date(2025, 12, 1)


def test_every_output_table_is_a_dataframe_with_decimal_money(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    results = apmodel.open(source).run(today=DAY)
    assert {"Summary", "DistrictAllocations", "SchoolAllocations", "Recoupment", "Invoices", "Warnings"} <= set(
        results.tables
    )
    districts = results.tables["DistrictAllocations"]
    assert isinstance(districts, pd.DataFrame)
    final = dict(zip(districts["District"], districts["Final Allocation"], strict=True))
    # North = 50,000 + 300,000 + 75,000 = 425,000.00; South = 50,000 + 300,000 + 125,000 = 475,000.00.
    assert final["North"] == Decimal("425000.00")
    assert final["South"] == Decimal("475000.00")
    assert isinstance(final["North"], Decimal)
    line = results.tables["Recoupment"].set_index("Source ID").loc["EX-1"]
    # 5,500 x 21 / 52 = 2,221.153... -> 2,221.15.
    assert line["Amount"] == Decimal("2221.15")


def test_pence_gives_exact_integer_money() -> None:
    # 0.10 + 0.20 = 0.30 exactly in pence: 10 + 20 = 30 (floats would give 0.30000000000000004).
    series = pd.Series([Decimal("0.10"), Decimal("0.20"), None], dtype=object)
    assert pence(series).tolist() == [10, 20, 0]
    assert pence(series).sum() == 30


def test_findings_are_a_dataframe_of_the_warnings(tmp_path: Path) -> None:
    tables = small_county()
    header, rows = tables["Schools"]
    tables["Schools"] = (header, [*rows, [100004, "Dup", "Nowhere", "Secondary", "Maintained"] + [None] * 6])
    source = write_workbook(tmp_path / "county.xlsx", tables)
    book = apmodel.open(source)
    findings = book.run(today=DAY).findings
    assert list(findings.columns[:7]) == ["Severity", "Code", "Table", "Row", "Column", "Value", "Message"]
    assert (findings["Table"] == "Schools").any()
    assert (book.validate()["Table"] == "Schools").any()


def test_write_gives_the_same_tables_as_the_cli_and_leaves_the_input_alone(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    before = source.read_bytes()
    by_api = apmodel.open(source).run(today=DAY).write(tmp_path / "api.xlsx")
    by_cli = tmp_path / "cli.xlsx"
    assert main(["run", str(source), "-o", str(by_cli), "--date", "2025-12-01", "-q"]) == 0
    a, b = read_tables(by_api), read_tables(by_cli)
    assert set(a) == set(b)
    for name in a:
        if name != "Summary":
            assert a[name].rows == b[name].rows, name
    assert source.read_bytes() == before


def test_importing_apmodel_or_its_cli_does_not_load_pandas() -> None:
    code = "import sys, apmodel, apmodel.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
