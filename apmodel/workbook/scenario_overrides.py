"""Scenarios: each named scenario's overrides applied to copies of the workbook's input tables.

Contract: docs/forum-workbook.md, ``Scenarios`` (Scenario, Target, Key, Value; rows with the same
Scenario form one scenario, each overriding one setting, district cell or factor value).
What a row overrides, by Target:

- ``Setting``: Key is the setting's label (``AP budget``); its Value cell.
- ``District``: Key is ``<District>/<Column>`` (``Swale/Funding Model``).
- ``DistrictFactor``, ``SchoolFactor``, ``RedressRule``: Key is the factor's (rule's) name,
  which overrides its Weight, Value or Rate; or ``<Name>/<Column>`` for another column.

The override goes into a copy of the raw table (the user's workbook is never touched) with the
Value cell exactly as typed, and the copies are then parsed again like any workbook: an override
is validated like a typed cell ("35%" and 0.35 mean the same weight, "abc" is an Error). A row
that names no such setting, district, factor or column is a Warning on the Scenarios row and
is left out of its scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import ScenarioRow, normalise
from apmodel.domain.trace import fmt_number, fmt_percent
from apmodel.workbook.contract import INPUT_TABLES, SCENARIOS, SETTING_KINDS, SETTING_LABEL_BY_KEY, Kind
from apmodel.workbook.interface import RawTable, table_key, table_named
from apmodel.workbook.parse import raw_value

TABLE = SCENARIOS.name


@dataclass(frozen=True)
class _Target:
    table: str
    #: The column naming each row (a row is found by it; it is never overridden).
    id_column: str
    #: The column overridden when the Key names only the row.
    default_column: str | None


TARGETS: dict[str, _Target] = {
    "setting": _Target("Settings", "Setting", "Value"),
    "district": _Target("Districts", "District", None),
    "districtfactor": _Target("DistrictFactors", "Factor", "Weight"),
    "schoolfactor": _Target("SchoolFactors", "Factor", "Value"),
    "redressrule": _Target("RedressRules", "Rule", "Rate"),
}


@dataclass
class Scenario:
    """One named scenario: its input tables with the overrides in, and the rows that made them."""

    name: str
    tables: dict[str, RawTable]
    rows: list[int] = field(default_factory=list)
    #: Each override in words, in Scenarios row order: ``IDACI Weight 25% -> 35%``.
    changes: list[str] = field(default_factory=list)


#: Each input table's column kinds, for showing an override's values as the table shows them.
_KINDS: dict[str, dict[str, Kind]] = {
    normalise(spec.name): {normalise(column.name): column.kind for column in spec.columns} for spec in INPUT_TABLES
}


def shown(value: Any, kind: Kind) -> str:
    """A cell value in words for an override: ``25%``, ``£10,000.00``, ``Devolved``, ``(blank)``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(blank)"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value).strip()
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if kind is Kind.PERCENT:
        # A cell formatted as % holds 0.25; a typed 25 means 25% too (as the parser reads it).
        return fmt_percent(number) if abs(number) <= 1 else f"{fmt_number(number)}%"
    if kind is Kind.MONEY:
        return f"-£{-number:,.2f}" if number < 0 else f"£{number:,.2f}"
    return fmt_number(number)


def scenario_names(rows: Sequence[ScenarioRow]) -> list[str]:
    """The scenarios in the order they first appear (names match ignoring case and spacing)."""
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(normalise(row.scenario), row.scenario.strip())
    return list(names.values())


def _copy(table: RawTable) -> RawTable:
    return RawTable(
        table.name,
        table.sheet,
        list(table.header),
        [list(row) for row in table.rows],
        table.header_row,
        table.first_column,
        table.date1904,
    )


def _row_index(table: RawTable, id_column: int, name: str) -> int | None:
    key = normalise(name)
    for i, row in enumerate(table.rows):
        if id_column < len(row) and normalise(row[id_column]) == key:
            return i
    return None


class _Applier:
    def __init__(self, name: str, tables: dict[str, RawTable], findings: Findings) -> None:
        self.scenario = Scenario(name, dict(tables))
        self.findings = findings
        self.copied: set[str] = set()
        self.done: dict[tuple[str, int, int], int] = {}

    def table(self, name: str) -> RawTable | None:
        """The scenario's own copy of a table (copied on first write)."""
        key = table_key(self.scenario.tables, name)
        if key is None:
            return None
        if key not in self.copied:
            self.scenario.tables[key] = _copy(self.scenario.tables[key])
            self.copied.add(key)
        return self.scenario.tables[key]

    def warn(self, code: str, row: ScenarioRow, column: str, value: object, message: str) -> None:
        self.findings.warning(
            code, TABLE, row.row, column, value, f"Scenario {row.scenario!r}: {message} This row is left out."
        )

    def apply(self, row: ScenarioRow, value: Any) -> None:
        target = TARGETS.get(normalise(row.target).replace(" ", ""))
        if target is None:
            self.warn("UNKNOWN_SCENARIO_TARGET", row, "Target", row.target, f"{row.target!r} is not a Target.")
            return
        table = self.table(target.table)
        if table is None:
            self.warn(
                "UNKNOWN_SCENARIO_KEY", row, "Key", row.key, f"the workbook has no {target.table} table to override."
            )
            return
        located = self.locate(row, target, table)
        if located is None:
            return
        data_index, column = located
        cell = (target.table, data_index, column)
        if cell in self.done:
            self.warn(
                "DUPLICATE_SCENARIO_KEY",
                row,
                "Key",
                row.key,
                f"{row.key} is already overridden on row {self.done[cell]}; the first override is used.",
            )
            return
        self.done[cell] = row.row
        cells = table.rows[data_index]
        cells.extend([None] * (len(table.header) - len(cells)))
        self.scenario.changes.append(self.words(target, table, cells, column, value))
        cells[column] = value
        self.scenario.rows.append(row.row)

    @staticmethod
    def words(target: _Target, table: RawTable, cells: list[Any], column: int, value: Any) -> str:
        """The override in words, before it is applied: ``IDACI Weight 25% -> 35%``."""
        id_column = table.index(target.id_column)
        name = str(cells[id_column]).strip() if id_column is not None else ""
        header = str(table.header[column]).strip()
        if target.table == "Settings":
            kind = SETTING_KINDS.get(name, Kind.TEXT)
            return f"{name} {shown(cells[column], kind)} -> {shown(value, kind)}"
        kind = _KINDS.get(normalise(target.table), {}).get(normalise(header), Kind.TEXT)
        return f"{name} {header} {shown(cells[column], kind)} -> {shown(value, kind)}"

    def locate(self, row: ScenarioRow, target: _Target, table: RawTable) -> tuple[int, int] | None:
        """(data row index, column index) of the cell a Scenarios row overrides; None after a Warning."""
        id_column = table.index(target.id_column)
        if id_column is None:
            self.warn("UNKNOWN_SCENARIO_KEY", row, "Key", row.key, f"{target.table} has no {target.id_column} column.")
            return None
        if target.table == "Settings":
            return self.setting(row, table, id_column)
        name, column_name = row.key.strip(), target.default_column
        data_index = _row_index(table, id_column, name)
        if data_index is None and "/" in row.key:
            name, _, column_name = (part.strip() for part in row.key.rpartition("/"))
            data_index = _row_index(table, id_column, name)
        if data_index is None:
            self.warn(
                "UNKNOWN_SCENARIO_KEY",
                row,
                "Key",
                row.key,
                f"{target.table} has no {target.id_column} named {name!r}.",
            )
            return None
        if column_name is None:
            self.warn(
                "SCENARIO_KEY_FORMAT",
                row,
                "Key",
                row.key,
                f"a {row.target} Key names the {target.id_column} and the column, such as 'Swale/Funding Model'.",
            )
            return None
        column = table.index(column_name)
        if column is None or column == id_column:
            reason = "cannot be overridden" if column == id_column else "is not a column of " + target.table
            self.warn("UNKNOWN_SCENARIO_KEY", row, "Key", row.key, f"{column_name!r} {reason}.")
            return None
        return data_index, column

    def setting(self, row: ScenarioRow, table: RawTable, id_column: int) -> tuple[int, int] | None:
        label = SETTING_LABEL_BY_KEY.get(normalise(row.key))
        if label is None:
            self.warn("UNKNOWN_SCENARIO_KEY", row, "Key", row.key, f"{row.key!r} is not a setting the model uses.")
            return None
        value_column = table.index("Value")
        if value_column is None:
            self.warn("UNKNOWN_SCENARIO_KEY", row, "Key", row.key, "Settings has no Value column.")
            return None
        data_index = _row_index(table, id_column, label)
        if data_index is None:
            # A setting left at its default in the workbook: the scenario adds its row.
            new: list[Any] = [None] * len(table.header)
            new[id_column] = label
            table.rows.append(new)
            data_index = len(table.rows) - 1
        return data_index, value_column


def scenario_tables(tables: dict[str, RawTable], rows: Sequence[ScenarioRow], findings: Findings) -> list[Scenario]:
    """Each scenario's input tables: copies of ``tables`` with its overrides applied."""
    scenarios_raw = table_named(tables, TABLE)
    result: list[Scenario] = []
    for name in scenario_names(rows):
        applier = _Applier(name, tables, findings)
        for row in rows:
            if normalise(row.scenario) == normalise(name):
                applier.apply(row, raw_value(scenarios_raw, row.row, "Value"))
        result.append(applier.scenario)
    return result
