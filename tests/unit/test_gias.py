"""GIAS types and phases as the model's, and conversions from the links file."""

from __future__ import annotations

from datetime import date

import pytest

from apmodel.domain.gias import Conversion, GiasSchool, conversions, model_phase, model_type
from apmodel.domain.inputs import SchoolType


def school(type_code: int, phase: str, ages: tuple[int, int] = (11, 16)) -> GiasSchool:
    return GiasSchool(100001, "886", "4001", "X", type_code, "Open", phase, ages[0], ages[1], None, "", "", "D")


@pytest.mark.parametrize(
    ("code", "expected"),
    [(1, SchoolType.MAINTAINED), (14, SchoolType.MAINTAINED), (34, SchoolType.ACADEMY), (35, SchoolType.ACADEMY),
     (38, SchoolType.ACADEMY), (11, None), (18, None)],
)  # fmt: skip
def test_maintained_and_academy_types_free_schools_are_academies_independents_are_left_out(
    code: int, expected: SchoolType | None
) -> None:
    assert model_type(code) is expected


@pytest.mark.parametrize(
    ("code", "phase", "ages", "expected"),
    [
        (1, "Middle deemed secondary", (9, 13), "Secondary"),
        (1, "Middle deemed primary", (8, 12), "Primary"),
        (34, "All-through", (4, 18), "All-through"),
        (7, "Not applicable", (2, 19), "Special"),
        (14, "Not applicable", (11, 16), "PRU"),
        (42, "Not applicable", (11, 16), "PRU"),
        (1, "Not applicable", (4, 11), "Primary"),
        (1, "16 plus", (16, 19), "Secondary"),
    ],
)
def test_gias_phases_map_to_the_models(code: int, phase: str, ages: tuple[int, int], expected: str) -> None:
    assert model_phase(school(code, phase, ages)) == expected


def test_a_predecessor_and_a_successor_row_are_one_conversion() -> None:
    rows = [(200, 100, "Predecessor", date(2026, 1, 1)), (100, 200, "Successor", date(2026, 1, 1)),
            (300, 301, "Sixth form centre link", date(2026, 1, 1)), (400, 401, "Successor", None)]  # fmt: skip
    assert conversions(rows) == [Conversion(100, 200, date(2026, 1, 1))]
