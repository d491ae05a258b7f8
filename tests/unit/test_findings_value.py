"""A finding's Value is shown as typed: a cell holding 12 (read as the float 12.0) is "12", not "12.0"."""

from __future__ import annotations

from decimal import Decimal

from apmodel.domain.findings import Findings, Severity


def test_a_whole_number_cell_is_shown_without_a_trailing_point_zero() -> None:
    findings = Findings()
    for value in (12.0, 12.5, Decimal("12.50"), "12.0", None, -3.0, 1e20):
        findings.add(Severity.INFO, "CODE", "Placements", 7, "Planned Weeks", value, f"m{value}")
    # Only the floats that are whole change (12.0 -> 12, -3.0 -> -3); typed text and Decimals stay as they are.
    assert [f.value for f in findings.items] == ["12", "12.5", "12.50", "12.0", "", "-3", "1e+20"]
