"""A link cell is Excel's HYPERLINK formula, the only formula a run writes (layout.link_formula)."""

from __future__ import annotations

import pytest

from apmodel.workbook.layout import LINK_TEXT, link_formula, link_target


@pytest.mark.parametrize(
    ("target", "formula"),
    [
        ("'Schools'!C7", '=HYPERLINK("#\'Schools\'!C7","Go to cell")'),
        # A sheet named Say "hi" (Excel allows the quote): doubled inside the string, so it cannot end it.
        ('Say "hi"!B3', '=HYPERLINK("#Say ""hi""!B3","Go to cell")'),
        ("'a\"),SUM(1'!A1", '=HYPERLINK("#\'a""),SUM(1\'!A1","Go to cell")'),
    ],
)
def test_a_link_is_a_hyperlink_formula_to_the_place_and_reads_back_as_it(target: str, formula: str) -> None:
    assert link_formula(target, LINK_TEXT) == formula
    assert link_target(formula) == target


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("https://example.org","Go to cell")', '=HYPERLINK("#A1","Click me")', "=SUM(A1)", "Go to cell", 7],
)
def test_no_other_formula_or_value_is_taken_for_a_link(value: object) -> None:
    assert link_target(value) is None
