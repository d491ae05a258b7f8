"""The calculation trace: whose figure a line is, in typed fields, and as the Trace table names it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apmodel.domain.findings import Findings
from apmodel.domain.recoupment import recoup
from apmodel.domain.settlement import settle
from apmodel.domain.trace import TraceLine, TraceUnit
from apmodel.reports.forum_tables import trace_table
from apmodel.workbook.contract import Kind
from tests.unit.recoup_builders import MAINTAINED, TODAY, exclusion, inputs

ONE = Decimal("1.00")
OAKWOOD = {"urn": 118234, "school": "Oakwood Primary"}


@pytest.mark.parametrize(
    ("fields", "entity"),
    [
        ({**OAKWOOD, "line_id": "EX-0007/A"}, "EX-0007/A URN 118234"),
        ({**OAKWOOD, "district": "Swale"}, "URN 118234 Oakwood Primary"),
        (
            {**OAKWOOD, "subject": "Deprivation"},
            "URN 118234 Oakwood Primary: Deprivation",
        ),
        (
            {**OAKWOOD, "period": "Autumn 2025"},
            "URN 118234 Oakwood Primary, Autumn 2025",
        ),
        ({"district": "Swale", "provider": "P01 Swale PRU"}, "Swale: P01 Swale PRU"),
        ({"provider": "P01 Swale PRU"}, "P01 Swale PRU"),
        ({"district": "Swale", "subject": "Deprivation"}, "Swale: Deprivation"),
        ({"district": "Swale"}, "Swale"),
        ({"subject": "Kent County Council"}, "Kent County Council"),
    ],
)
def test_the_entity_column_joins_the_typed_fields(fields: dict[str, object], entity: str) -> None:
    line = TraceLine("Figure", "formula", "inputs", ONE, **fields)  # type: ignore[arg-type]
    assert line.entity == entity


def test_a_schools_figures_are_found_by_urn_without_reading_text() -> None:
    county = inputs(exclusions=(exclusion(),))
    recoupment = recoup(county, Findings())
    settlement = settle(recoupment.lines, county, TODAY)
    traced = [t for t in [*recoupment.trace, *settlement.trace] if t.urn == MAINTAINED]
    assert [t.line_id for t in traced] == [line.line_id for line in recoupment.lines] + [""]
    assert [t.period for t in traced][-1] == "Autumn 2025"
    assert all(t.school for t in traced)


def test_the_trace_table_puts_money_under_value_pounds_and_anything_else_under_value() -> None:
    money = TraceLine("Placement charge", "rate x days", "rate = 75.00; days = 28", Decimal("2100.00"), urn=1)
    scaling = TraceLine("Unit-rate scaling", "pot / sum", "...", Decimal("0.8023094759"), unit=TraceUnit.RATE)
    table = trace_table([money, scaling])
    names = [c.name for c in table.columns]
    pounds, other = names.index("Value £"), names.index("Value")
    assert table.columns[pounds].kind is Kind.MONEY and table.columns[other].kind is Kind.NUMBER
    # 75.00 x 28 = 2,100.00, money: under Value £ only.
    assert (table.rows[0][pounds], table.rows[0][other]) == (Decimal("2100.00"), None)
    assert (table.rows[1][pounds], table.rows[1][other]) == (None, Decimal("0.8023094759"))

