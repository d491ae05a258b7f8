"""Cell reading rules of docs/forum-workbook.md ("How the workbook is read")."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from apmodel.workbook.cells import CellProblem, as_date, as_decimal, as_int, as_percent, as_text, as_yes_no, is_upn
from apmodel.workbook.interface import CellError


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1234.56, Decimal("1234.56")),
        (0.1, Decimal("0.1")),  # repr round-trips: no binary noise
        (7, Decimal(7)),
        ("£1,234.56", Decimal("1234.56")),
        (" £ 1,234.56 ", Decimal("1234.56")),
        ("(250.00)", Decimal("-250.00")),
        ("-£3.50", Decimal("-3.50")),
        ("12.5%", Decimal("0.125")),
        ("1e3", Decimal("1000")),
    ],
)
def test_amounts_accept_numbers_and_pound_text(cell: object, expected: Decimal) -> None:
    assert as_decimal(cell) == expected


@pytest.mark.parametrize(
    "cell", ["abc", "12..5", True, date(2025, 1, 1), float("nan"), "£", "70%%", "££70", "£70£", "%70", "(5%%)"]
)
def test_text_in_a_numeric_cell_is_a_problem_not_a_crash(cell: object) -> None:
    with pytest.raises(CellProblem) as problem:
        as_decimal(cell)
    assert problem.value.code == "NOT_A_NUMBER"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (date(2025, 11, 3), date(2025, 11, 3)),
        (datetime(2025, 11, 3, 0, 0), date(2025, 11, 3)),
        ("2025-11-03", date(2025, 11, 3)),
        ("03/11/2025", date(2025, 11, 3)),  # UK order: day first
        ("3.11.2025", date(2025, 11, 3)),
        ("3 Nov 2025", date(2025, 11, 3)),
        ("Monday 3 November 2025", date(2025, 11, 3)),
        ("3-Nov-25", date(2025, 11, 3)),
        (45964, date(2025, 11, 3)),  # Excel serial number: days since 30 Dec 1899
    ],
)
def test_dates_accept_excel_dates_and_iso_or_uk_text(cell: object, expected: date) -> None:
    assert as_date(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/2025", "next Tuesday", "2025-13-01", True, -5])
def test_impossible_dates_are_problems(cell: object) -> None:
    with pytest.raises(CellProblem) as problem:
        as_date(cell)
    assert problem.value.code == "NOT_A_DATE"


@pytest.mark.parametrize(("cell", "expected"), [("Yes", True), ("y", True), ("TRUE", True), (True, True),
                                                ("No", False), ("N", False), ("false", False), (0, False)])
def test_yes_no_cells_accept_yes_no_y_n_true_false(cell: object, expected: bool) -> None:
    assert as_yes_no(cell) is expected


def test_maybe_is_not_yes_or_no() -> None:
    with pytest.raises(CellProblem) as problem:
        as_yes_no("Maybe")
    assert problem.value.code == "NOT_YES_NO"


def test_whole_numbers_reject_fractions() -> None:
    assert as_int(118234.0) == 118234
    with pytest.raises(CellProblem):
        as_int(2.5)


def test_excel_errors_and_uncalculated_formulas_are_reported_as_such() -> None:
    with pytest.raises(CellProblem) as error:
        as_decimal(CellError("#REF!"))
    assert error.value.code == "CELL_ERROR"
    with pytest.raises(CellProblem) as formula:
        as_text(CellError("=SUM(A1:A3)", uncalculated=True))
    assert formula.value.code == "FORMULA_NOT_CALCULATED"


def test_text_of_a_whole_float_has_no_trailing_point_zero() -> None:
    assert as_text(118234.0) == "118234"


# --- Amounts that must never be misread (issue 11) ----------------------------------------


@pytest.mark.parametrize("text", ["50,00", "12,5", "1.234,56", "-3,75", "£12,50"])
def test_a_decimal_comma_is_an_error_never_thousands(text: str) -> None:
    with pytest.raises(CellProblem) as problem:
        as_decimal(text)
    assert problem.value.code == "DECIMAL_COMMA" and problem.value.error


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("£12,345,678", Decimal("12345678")),
        ("(50.00)", Decimal("-50.00")),
        ("50.00 CR", Decimal("-50.00")),
        ("50.00CR", Decimal("-50.00")),
        ("£1,250.00 DR", Decimal("1250.00")),
    ],
)
def test_thousands_commas_brackets_and_credit_suffixes_follow_one_rule(text: str, number: Decimal) -> None:
    assert as_decimal(text) == number


@pytest.mark.parametrize("value", ["1e999999", "1e18", "-2e30", 1e300])
def test_a_number_of_ten_to_the_eighteen_or_more_is_an_error(value: object) -> None:
    with pytest.raises(CellProblem) as problem:
        as_decimal(value)
    assert problem.value.code == "NUMBER_TOO_LARGE" and problem.value.error


def test_a_valid_upn_is_recognised_by_its_check_letter() -> None:
    # 801200100001 weighted 2..13: 2x8 + 4x1 + 5x2 + 8x1 + 13x1 = 51; 51 mod 23 = 5 -> F.
    assert is_upn("F801200100001") and is_upn(" f801200100001 ")
    assert not is_upn("A801200100001")  # wrong check letter
    assert not is_upn("P-A1") and not is_upn("F80120010000")


def test_every_percentage_cell_reads_10_10_percent_and_a_tenth_alike() -> None:
    # "10", "10%", 10 and 0.10 all mean 10% (0.10 as a fraction).
    assert {as_percent(v) for v in ("10", "10%", 10, 0.10, "0.1", " 10 % ")} == {Decimal("0.1")}
    # A bare number of 1 or less is a fraction, as Excel stores a % cell: 1 is 100%; "1%" is 1%.
    assert (as_percent(1), as_percent("1%"), as_percent(0.5)) == (Decimal(1), Decimal("0.01"), Decimal("0.5"))
    # Negative percentages follow the same rule: -2, "-2%" and -0.02 are all -2%.
    assert {as_percent(v) for v in (-2, "-2%", -0.02)} == {Decimal("-0.02")}
    with pytest.raises(CellProblem):
        as_percent("ten")
