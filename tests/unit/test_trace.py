"""The calculation trace: whose figure a line is, in typed fields, and as the Trace table names it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apmodel.domain.findings import Findings
from apmodel.domain.recoupment import recoup
from apmodel.domain.settlement import settle
from apmodel.domain.trace import TraceLine
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
