"""Output column widths (apmodel.workbook.layout.fitted_width): fitted to the content, and never narrower
than what the column is expected to hold, so a table written empty does not print cut when a later
run fills it (a sheet keeps its widths)."""

from __future__ import annotations

from decimal import Decimal

from apmodel.workbook.contract import INVOICES_SPEC, Kind
from apmodel.workbook.interface import OutColumn, OutputTable, out_columns
from apmodel.workbook.layout import (
    EXPECTED_WIDTHS,
    FIGURE_FORMATS,
    FILTER_BUTTON,
    LINE_HEIGHT,
    MIN_WIDTH,
    NUMBER_FORMATS,
    expected_width,
    fitted_width,
    header_height,
    header_width,
    text_to_the_right,
)


def widths(table: OutputTable) -> dict[str, float]:
    return {column.name: fitted_width(table, i) for i, column in enumerate(table.columns)}


def test_an_empty_table_is_as_wide_as_its_expected_values_not_its_headers() -> None:
    empty = widths(OutputTable("Invoices", out_columns(INVOICES_SPEC.columns), []))
    # "Net" + 3 = 6 would make a column of 8 (MIN_WIDTH): £12,345.67 would print as ####.
    assert empty["Net"] == empty["VAT"] == empty["Gross"] == EXPECTED_WIDTHS[Kind.MONEY] == 14
    assert len("-£999,999.99") < 14
    # The Number column is the contract's 20: AP-2025-26-00001 is 16 characters.
    assert empty["Number"] == 20 and len("AP-2025-26-00001") < 20
    assert empty["Date"] == empty["Due"] == 12  # dd/mm/yyyy


def test_content_wider_than_expected_still_widens_the_column() -> None:
    table = OutputTable("T", [OutColumn("Amount", Kind.MONEY), OutColumn("Share", Kind.PERCENT)], [])
    table.rows = [[Decimal("12345678.90"), Decimal("0.5")]]
    # 12,345,678.90 (13) + "££" + 1 = 16 > 14; a share keeps its expected 10.
    assert widths(table) == {"Amount": 16, "Share": 10}


def test_the_expected_width_is_the_declared_one_or_the_kinds() -> None:
    assert expected_width(Kind.TEXT, 20) == 20
    assert expected_width(Kind.MONEY, None) == 14
    assert expected_width(Kind.TEXT, None) == MIN_WIDTH
    assert expected_width(Kind.DATE, 10) == 12


def test_a_long_header_wraps_by_word_and_does_not_widen_a_column_of_figures() -> None:
    table = OutputTable("T", [OutColumn("Higher deprivation weight Change £", Kind.MONEY), OutColumn("Area")], [])
    table.rows = [[Decimal("-12.50"), "North"]]
    # The money column's expected 14, not len(header) 34 + 3: its longest word "deprivation" (11) + the
    # filter button (3) = 14 too. "Area" + 3 = 7 is under MIN_WIDTH 8.
    assert widths(table) == {"Higher deprivation weight Change £": 14, "Area": MIN_WIDTH}
    assert header_width("Higher deprivation weight Change £") == 11 + FILTER_BUTTON


def test_the_header_row_is_as_tall_as_its_longest_wrapped_header() -> None:
    # In 14 - 3 = 11 characters: "Higher" | "deprivation" | "weight" | "Change £": 4 lines of 15 points.
    assert header_height(["District", "Higher deprivation weight Change £"], [14, 14]) == 4 * LINE_HEIGHT
    # "Final Allocation" (16) in 20 - 3 = 17 characters: one line, the default height.
    assert header_height(["Final Allocation"], [20]) is None
    # "Change %" (8) in 8 - 3 = 5: "Change" | "%" on two lines.
    assert header_height(["Change %"], [8]) == 2 * LINE_HEIGHT
    assert header_height([], []) is None


def test_text_in_a_column_of_figures_is_put_to_the_right_by_the_format_alone() -> None:
    # Excel reads "0.00%" as positive; "-" and the positive for negative; the positive for zero: written out,
    # each followed by a digit's width of space (_0), then "* @_0" (spaces repeated to fill the cell, then
    # the text and the same space) so a [c] sits on the right, lined up with the figures.
    assert text_to_the_right("0.00%") == "0.00%_0;-0.00%_0;0.00%_0;* @_0"
    money = text_to_the_right('"£"#,##0.00;[Red]-"£"#,##0.00')
    assert money == '"£"#,##0.00_0;[Red]-"£"#,##0.00_0;"£"#,##0.00_0;* @_0'
    assert NUMBER_FORMATS[Kind.MONEY] == text_to_the_right(FIGURE_FORMATS[Kind.MONEY])
    # A URN: no separators, a digit's width of space after it before the next column's name.
    assert NUMBER_FORMATS[Kind.ID] == "0_0"
    table = OutputTable("T", [OutColumn("URN", Kind.ID)], [[111214]])
    assert fitted_width(table, 0) == MIN_WIDTH  # "1112140" (7) + 1 = 8: the number and its space fit
