"""Every output sheet prints on A4 and the results workbook can be found around (issue 13).

layout.py: A4, fitted to one page wide, landscape when the columns are wider than a portrait
page, the header row repeated on every page, a footer with the LA, the sheet and "Page X of N";
output tabs coloured apart from input tabs; a Contents sheet first with a link to every sheet;
a Notes sheet defining every output column and the words. Checked on a run of the example
county through the patch writer (the path every file run takes) and through openpyxl.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from apmodel.reports.navigation_tables import GLOSSARY
from apmodel.service import run_workbook
from apmodel.workbook.contract import OUTPUT_SPECS, README_HOLDS, Kind
from apmodel.workbook.interface import OutColumn, OutputTable
from apmodel.workbook.layout import (
    FOOTER_TITLE_LIMIT,
    INPUT_TAB,
    LINE_HEIGHT,
    NUMBER_FORMATS,
    OUTPUT_TAB,
    PAPER_A4,
    footer_title,
    header_height,
    print_setup,
)
from apmodel.workbook.openpyxl_store import FileWorkbook

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
OUTPUT_SHEETS = [spec.name for spec in OUTPUT_SPECS] + ["Dashboard"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    target = tmp_path_factory.mktemp("print") / "results.xlsx"
    store = FileWorkbook(EXAMPLE)
    run_workbook(store, today=date(2025, 12, 1))
    store.save(target)
    return openpyxl.load_workbook(target)


def test_every_output_sheet_prints_on_a4_one_page_wide_with_the_header_repeated(results: openpyxl.Workbook) -> None:
    for name in OUTPUT_SHEETS:
        sheet = results[name]
        assert sheet.page_setup.paperSize == PAPER_A4, name
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        # The LA; the sheet's title (A1, up to 36 characters) and its name (&A); "Page X of N".
        centre = footer_title(str(sheet["A1"].value))
        assert str(sheet.oddFooter) == f"&LExample County Council&C{centre}&RPage &P of &N", name
        assert centre.endswith(" (&A)") and len(centre) <= FOOTER_TITLE_LIMIT + 7, centre
        assert sheet.sheet_properties.tabColor.rgb == "FF" + OUTPUT_TAB, name
        if name != "Dashboard":
            assert sheet.print_title_rows == "$3:$3", name


def test_a_sheet_wider_than_a_portrait_page_prints_landscape(results: openpyxl.Workbook) -> None:
    # Summary: Item 34 + Value 60 = 94 characters, under the 100 of a portrait page.
    assert results["Summary"].page_setup.orientation == "portrait"
    # Recoupment has twenty columns: 258 characters.
    assert results["Recoupment"].page_setup.orientation == "landscape"
    assert results["Dashboard"].page_setup.orientation == "landscape"
    assert print_setup([50, 50], "LA").landscape is False
    assert print_setup([50, 51], "LA").landscape is True


def test_an_ampersand_in_the_la_name_is_printed_not_read_as_a_code() -> None:
    assert print_setup([10], "Brighton & Hove").footer == "&LBrighton && Hove&C&A&RPage &P of &N"


def test_the_contents_sheet_comes_first_and_links_to_every_sheet(results: openpyxl.Workbook) -> None:
    assert results.sheetnames[0] == "Contents"
    sheet = results["Contents"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    listed = [row[0] for row in rows]
    visible = [s.title for s in results.worksheets if s.sheet_state == "visible"]
    assert sorted(listed) == sorted(visible)  # the ReadMe too; not the hidden RegisterLog
    kinds = {row[0]: (row[1], row[2]) for row in rows}
    assert kinds["ReadMe"] == (README_HOLDS, "Yours")
    for row in range(4, 4 + len(rows)):
        link = sheet.cell(row=row, column=4)
        assert link.value == f'=HYPERLINK("#\'{sheet.cell(row=row, column=1).value}\'!A1","Open the sheet")'
    assert all(row[1] for row in rows), "every sheet says what it holds"
    assert results["Settings"].sheet_properties.tabColor.rgb.endswith(INPUT_TAB)


def test_the_notes_define_every_output_column_and_the_words(results: openpyxl.Workbook) -> None:
    notes = {(t, c): m for t, c, m in results["Notes"].iter_rows(min_row=4, values_only=True)}
    for spec in OUTPUT_SPECS:
        for column in spec.columns:
            assert notes.get((spec.name, column.name)), (spec.name, column.name)
    for word in ("Stage 1", "Stage 2", "Top-up", "Lump sum", "Tier 1", "Tier 2", "Tier 3", "A", "F",
                 "Statutory (reg 39)", "Local agreement"):
        assert notes.get(("Terms", word)), word
    assert len(GLOSSARY) == sum(1 for table, _ in notes if table == "Terms")


def test_urns_and_sheet_rows_show_without_thousands_separators(results: openpyxl.Workbook) -> None:
    # URN 118234 would read "118,234" with the count format.
    assert results["SchoolAllocations"]["A4"].number_format == NUMBER_FORMATS[Kind.ID] == "0_0"
    assert results["Recoupment"]["B4"].number_format == NUMBER_FORMATS[Kind.ID] == "0_0"
    warnings = results["Warnings"]
    rows = [c for c in warnings["D"][3:] if isinstance(c.value, int)]
    assert rows and all(c.number_format == "0_0" for c in rows)
    assert results["APOutcomes"]["D4"].number_format == NUMBER_FORMATS[Kind.INT]


def test_trace_values_that_are_money_show_as_pounds_and_the_unit_rate_scaling_does_not(
    results: openpyxl.Workbook,
) -> None:
    trace = results["Trace"]
    header = [c.value for c in trace[3]]
    pounds, other = header.index("Value £") + 1, header.index("Value") + 1
    rows = list(trace.iter_rows(min_row=4))
    money = [r[pounds - 1] for r in rows if r[pounds - 1].value is not None]
    ratios = [r for r in rows if r[other - 1].value is not None]
    assert money and all(c.number_format == NUMBER_FORMATS[Kind.MONEY] for c in money)
    # Each row fills one of the two; the example county's non-money figures are its scalings.
    assert ratios and all(r[0].value == "Unit-rate scaling" and r[pounds - 1].value is None for r in ratios)
    assert all(r[other - 1].number_format == NUMBER_FORMATS[Kind.NUMBER] for r in ratios)


def test_the_openpyxl_writer_sets_the_same_print_setup(tmp_path: Path) -> None:
    table = OutputTable("Wide", [OutColumn(f"Column {i}", Kind.MONEY, 12) for i in range(10)], [], la="Kent")
    store = FileWorkbook(EXAMPLE)
    assert store.book is not None  # the openpyxl route
    store.write_tables([table])
    store.save(tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Wide"]
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (PAPER_A4, "landscape")
    assert sheet.print_title_rows == "$3:$3"
    assert str(sheet.oddFooter) == "&LKent&CWide (&A)&RPage &P of &N"  # no title: the table's name


def test_a_new_sheets_header_row_is_tall_enough_for_its_wrapped_headers(
    results: openpyxl.Workbook, tmp_path: Path
) -> None:
    # DistrictAllocations' "Protected Minimum Funding Value"-style headers wrap in their 14-wide money
    # columns: the header row's height is set (patch writer) to what the longest needs, lines x 15 points.
    sheet = results["DistrictAllocations"]
    names = [cell.value for cell in sheet[3]]
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[3]]
    expected = header_height(names, widths)
    assert expected is not None and expected >= 2 * LINE_HEIGHT
    assert sheet.row_dimensions[3].height == expected
    assert all(cell.alignment.wrap_text for cell in sheet[3])
    # The openpyxl writer does the same: "Higher deprivation weight Change £" in 14: 4 lines.
    table = OutputTable("Scenario", [OutColumn("Higher deprivation weight Change £", Kind.MONEY)], [], la="Kent")
    store = FileWorkbook(EXAMPLE)
    assert store.book is not None
    store.write_tables([table])
    store.save(tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["Scenario"].row_dimensions[3].height == 4 * LINE_HEIGHT


def test_recoupment_totals_recoverable_rows_tie_to_the_summarys_chain(results: openpyxl.Workbook) -> None:
    summary = {row[0]: row[1] for row in results["Summary"].iter_rows(min_row=4, values_only=True)}
    rows = list(results["RecoupmentTotals"].iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("Period", "Type", "Status", "Lines", "Amount")
    recoverable = sum(Decimal(str(r[4])) for r in rows[1:] if r[2] == "Recoverable")
    everything = sum(Decimal(str(r[4])) for r in rows[1:])
    # The example: 4,428,502.71 recouped - 59,016.75 credited = 4,369,485.96 net, as invoiced; the three Not
    # recoverable lines (3,498.88 charged, -1,657.04 credited) are in their own rows, outside that chain.
    assert recoverable == Decimal(str(summary["Net recoupment"])) == Decimal("4369485.96")
    assert everything - recoverable == Decimal("3498.88") - Decimal("1657.04")


def test_the_footer_names_the_sheets_title_cut_to_fit_and_its_tab() -> None:
    assert footer_title("Summary of the last run") == "Summary of the last run (&A)"
    # Over 36 characters: cut at a word, with an ellipsis; "&" doubled (not a code); no title: the tab's name.
    assert footer_title("Stage 1: the AP budget shared between districts") == "Stage 1: the AP budget shared\u2026 (&A)"
    assert footer_title("Recoupment & credits by term and school") == "Recoupment && credits by term and\u2026 (&A)"
    assert footer_title("  ") == "&A"


def test_contents_lists_a_sheet_of_the_users_own_as_theirs(tmp_path: Path) -> None:
    from tests.builders import small_county, write_workbook

    source = write_workbook(tmp_path / "county.xlsx", small_county())
    book = openpyxl.load_workbook(source)
    book.create_sheet("Our notes")["A1"] = "Questions for the Forum"
    book.create_sheet("Old workings").sheet_state = "hidden"
    book.save(source)
    for route in ("patch writer", "openpyxl"):
        store = FileWorkbook(source)
        if route == "openpyxl":
            assert store.book is not None
        run_workbook(store, today=date(2025, 12, 1))
        store.save(tmp_path / "out.xlsx")
        contents = openpyxl.load_workbook(tmp_path / "out.xlsx")["Contents"]
        rows = {row[0]: row[1:3] for row in contents.iter_rows(min_row=4, values_only=True)}
        # Shown and holding no table: listed as the user's; hidden: not listed (a link could not open it).
        assert rows["Our notes"] == ("Yours: the model neither reads nor changes it.", "Yours"), route
        assert "Old workings" not in rows and "RegisterLog" not in rows, route
