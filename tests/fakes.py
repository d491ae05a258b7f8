"""An in-memory workbook: a ``WorkbookStore`` with no file and no Excel, for service-layer tests.

It holds Excel tables as ``RawTable`` values, as an adapter reads them. A write replaces the
named output table and makes it readable again, with its values as a spreadsheet engine gives
them back (money as a float), so a run, an issue and the next run can follow one another in
memory exactly as they do on a file. Every write, status message and set of charts is kept
for the test to look at. Writing an input table is refused: a run never does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from apmodel.workbook.contract import INPUT_TABLES
from apmodel.workbook.interface import ChartSpec, OutputTable, RawTable, table_key
from tests.builders import TableRows

_INPUT_NAMES = {spec.name.casefold() for spec in INPUT_TABLES}


def _as_read(value: Any) -> Any:
    """A written cell as a spreadsheet engine reads it back: numbers are floats, blanks are None."""
    if isinstance(value, Decimal):
        return float(value)
    if value == "":
        return None
    return value


@dataclass
class FakeWorkbook:
    tables: dict[str, RawTable]
    #: The last write of each output table, by name.
    written: dict[str, OutputTable] = field(default_factory=dict)
    #: The table names of each ``write_tables`` call, in order.
    writes: list[list[str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: The Dashboard's charts as last drawn (None: never drawn).
    charts: list[ChartSpec] | None = None

    @classmethod
    def of(cls, tables: dict[str, TableRows]) -> FakeWorkbook:
        """One table per entry, each on a sheet of its name with its header on row 1."""
        return cls(
            {
                name: RawTable(name, name, list(header), [list(row) for row in rows])
                for name, (header, rows) in tables.items()
            }
        )

    def read_tables(self) -> dict[str, RawTable]:
        # Copies: what the service does with the tables it read cannot change the workbook.
        return {n: replace(t, header=list(t.header), rows=[list(r) for r in t.rows]) for n, t in self.tables.items()}

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        self.writes.append([t.name for t in tables])
        for table in tables:
            if table.name.casefold() in _INPUT_NAMES:
                raise AssertionError(f"the input table {table.name} was written")
            self.written[table.name] = table
            key = table_key(self.tables, table.name) or table.name
            rows = [[_as_read(value) for value in row] for row in table.rows]
            self.tables[key] = RawTable(table.name, table.name, table.header, rows, header_row=3)

    def status(self, message: str) -> None:
        self.messages.append(message)

    def write_dashboard(self, charts: Sequence[ChartSpec], la: str = "") -> None:
        self.charts = list(charts)
        self.dashboard_la = la
