"""The Python API for analysts and tests: the Forum workbook's results as pandas DataFrames.

::

    import apmodel
    book = apmodel.open("forum.xlsx")
    results = book.run(today=date(2025, 12, 1))
    results.tables["SchoolAllocations"]      # a DataFrame per output table
    results.findings                          # the Warnings table as a DataFrame
    results.write("out.xlsx")                 # the same file ``apmodel run -o out.xlsx`` writes

It calls the very service functions the CLI and the ribbon call (``apmodel.service``): the
figures are the same to the penny.

The money rule: a money column holds ``decimal.Decimal`` values to the penny (dtype
``object``), never floats, so sums are exact (``sum(df["Amount"])`` or
``df["Amount"].sum()`` gives a Decimal). ``pence(df["Amount"])`` gives whole pence as
``int64`` for vectorised arithmetic; divide by 100 only for display. Dates are
``datetime.date`` values, blanks are ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from apmodel.reports.forum_tables import warnings_table
from apmodel.service import RunReport, compute, validate_workbook, write_dashboard
from apmodel.workbook.contract import WARNINGS, Kind
from apmodel.workbook.interface import OutputTable
from apmodel.workbook.openpyxl_store import FileWorkbook

if TYPE_CHECKING:
    from apmodel.domain.findings import Findings


def frame(table: OutputTable) -> pd.DataFrame:
    """An output table as a DataFrame: its columns in order, its cells as written (Decimal money)."""
    return pd.DataFrame(table.rows, columns=table.header, dtype=object)


def money_columns(table: OutputTable) -> list[str]:
    """The columns of ``table`` that hold money (Decimal to the penny)."""
    return [column.name for column in table.columns if column.kind is Kind.MONEY]


def pence(values: pd.Series) -> pd.Series:
    """A money column as whole pence (int64; blanks are 0): exact vectorised arithmetic."""
    return values.map(lambda v: int(Decimal(v) * 100) if v is not None else 0).astype("int64")


@dataclass
class Results:
    """One run: every output table as a DataFrame, the findings, and the run itself."""

    report: RunReport
    tables: dict[str, pd.DataFrame]
    _book: Book

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding (Errors first), as the Warnings table shows them."""
        return self.tables[WARNINGS]

    @property
    def output(self) -> list[OutputTable]:
        """The output tables as the workbook receives them."""
        return self.report.tables

    def write(self, path: str | Path) -> Path:
        """Write the workbook with these results (the input file is never changed)."""
        store = self._book.store
        store.write_tables(self.report.tables)
        write_dashboard(store, self.report)
        target = Path(path)
        store.save(target)
        self._book.reopen()
        return target


class Book:
    """A Forum workbook file opened for analysis."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.store = FileWorkbook(self.path)

    def reopen(self) -> None:
        """Drop pending writes: the next run starts from the file as it is."""
        self.store = FileWorkbook(self.path)

    def inputs(self) -> dict[str, pd.DataFrame]:
        """Every Excel table in the workbook as read (raw cell values), by table name."""
        return {
            name: pd.DataFrame(table.rows, columns=table.header, dtype=object)
            for name, table in self.store.read_tables().items()
        }

    def validate(self) -> pd.DataFrame:
        """The findings of the inputs alone (what ``apmodel validate`` prints), as a DataFrame."""
        return _findings_frame(validate_workbook(self.store, write=False))

    def run(self, *, today: date | None = None, scenarios: bool = False) -> Results:
        """Compute every output table (with ``scenarios`` the ScenarioComparison too); write nothing."""
        report = compute(self.store, today=today, with_scenarios=scenarios)
        return Results(report, {table.name: frame(table) for table in report.tables}, self)


def _findings_frame(findings: Findings) -> pd.DataFrame:
    return frame(warnings_table(findings.sorted(), lambda _finding: None)).drop(columns=["Link"])


def open(path: str | Path) -> Book:
    """Open a Forum workbook (.xlsx) for analysis; nothing is written until ``Results.write``."""
    return Book(path)
