"""The Forum copy is safe to publish (docs/funding-rules.md, "Privacy"; apmodel.reports.forum_copy).

Every check reads the written file's zip parts as text, so nothing can hide in a sheet, a
name, a style, a cached string or the document properties.
"""

from __future__ import annotations

import html
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apmodel import service
from apmodel.cli import main
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import RawTable
from apmodel.workbook.layout import NUMBER_FORMATS, footer_title
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from tests.builders import small_county, write_workbook

TODAY = date(2025, 12, 1)
#: The header (or its plural), not "Pupil Referral Unit".
PUPIL_REF_HEADER = re.compile(r"\bpupil[ _-]?refs?\b", re.IGNORECASE)
EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"


def zip_text(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()}


def column(table: RawTable, name: str) -> list[Any]:
    index = table.index(name)
    assert index is not None, name
    return [row[index] for row in table.rows if row[index] not in (None, "")]


def found_in(parts: dict[str, str], needles: set[str]) -> list[tuple[str, str]]:
    return [(needle, part) for part, text in parts.items() for needle in needles if needle in text]


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forum") / "Example - Forum copy.xlsx"
    return service.forum_copy(FileWorkbook(EXAMPLE), out, today=TODAY)


def test_the_forum_copy_contains_no_pupil_ref_anywhere_in_its_zip_parts(example_copy: Path) -> None:
    tables = read_tables(EXAMPLE)
    refs = {str(r) for r in column(tables["Placements"], "Pupil Ref")} | {
        str(r) for r in column(tables["Exclusions"], "Pupil Ref")
    }
    assert len(refs) > 1000  # the example county's pupils
    parts = zip_text(example_copy)
    assert found_in(parts, refs) == []
    assert [part for part, text in parts.items() if PUPIL_REF_HEADER.search(text)] == []


def test_the_forum_copy_has_no_placement_exclusion_or_invoice_identifiers(example_copy: Path) -> None:
    tables = read_tables(EXAMPLE)
    ids = {str(i) for i in column(tables["Placements"], "Placement ID")} | {
        str(i) for i in column(tables["Exclusions"], "Exclusion ID")
    }
    parts = zip_text(example_copy)
    assert found_in(parts, ids) == []
    assert found_in(parts, {"AP-2025-26-", "Invoice prefix"}) == []


def test_without_publish_school_totals_no_school_is_named(example_copy: Path) -> None:
    schools = read_tables(EXAMPLE)["Schools"]
    names = {str(n) for n in column(schools, "School Name")}
    urns = {str(int(u)) for u in column(schools, "URN")}
    parts = zip_text(example_copy)
    assert found_in(parts, names) == []
    # URNs are six digits: look for them as cell values, not inside other numbers.
    assert [u for u in urns if any(f"<v>{u}</v>" in text or f">{u}<" in text for text in parts.values())] == []


def test_the_forum_copy_holds_the_aggregated_tables_and_the_charts(example_copy: Path) -> None:
    book = openpyxl.load_workbook(example_copy)
    assert book.sheetnames == [
        "Cover",
        "Summary",
        "Dashboard",
        "DistrictAllocations",
        "DistrictAllocationTotals",
        "AllocationSubtotals",
        "ProviderFunding",
        "ProviderFundingTotals",
        "RecoupmentByTerm",
        "RecoupmentByTermTotals",
        "Scenarios",
        "ScenarioComparison",
        "ScenarioComparisonTotals",
        "EqualityAnalysis",
        "EqualityAnalysisTotals",
        "APOutcomes",
        "APOutcomesTotals",
    ]
    # Allocation, change by district in £ and in %, the scenarios, recoupment by term.
    assert len(book["Dashboard"]._charts) == 5
    compared = list(book["ScenarioComparison"].iter_rows(min_row=4, values_only=True))
    assert {row[0] for row in compared} == {"District", "School", "Provider"}
    # No school is named: each district's schools are added up in one row, so a scenario that devolves
    # Swale shows where its PRU's money goes: PRU-SWA -1,157,722.53 (-100%), Schools of Swale +1,157,722.53.
    schools = [row for row in compared if row[0] == "School"]
    assert all(row[1] is None and row[2] == f"Schools of {row[3]}" for row in schools)
    swale = next(row for row in schools if row[3] == "Swale")
    pru = next(row for row in compared if row[1] == "PRU-SWA")
    assert (swale[9], pru[9]) == (1157722.53, -1157722.53)
    totals = [row[:2] for row in book["ScenarioComparisonTotals"].iter_rows(min_row=4, values_only=True)]
    assert totals == [("District", 12), ("School", 6), ("Provider", 7)]  # six districts devolve to schools
    # No table holds a Total row: the totals are tables of their own.
    for name in ("RecoupmentByTerm", "ScenarioComparison", "EqualityAnalysis"):
        assert "Total" not in {c for row in book[name].iter_rows(min_row=4, values_only=True) for c in row}, name
    outcomes = list(book["APOutcomes"].iter_rows(min_row=4, values_only=True))
    assert "All tiers" not in {row[0] for row in outcomes} and "All providers" not in {row[2] for row in outcomes}
    assert all(row[1] is not None for row in outcomes)  # every row is a provider's
    # The tiers' and all tiers' totals: the example's 2,608 placements (1,026 + 884 + 698) of 32 provider rows,
    # 4,134,034.37 recovered (425,948.37 + 1,550,438.00 + 2,157,648.00), Over Planned Weeks of tiers 1 (3) and
    # 2 (2) hidden, All tiers' 5 shown (the grand total is public: suppression hides within it).
    totals = list(book["APOutcomesTotals"].iter_rows(min_row=3, values_only=True))
    assert totals[0] == (
        "Tier", "Providers", "Placements", "Average Weeks", "Longest Weeks", "Over Planned Weeks", "Ended",
        "Returned to Mainstream", "Reintegration Rate", "Recovered £",
    )  # fmt: skip
    assert [row[:3] for row in totals[1:]] == [
        ("Tier 1", 8, 1026), ("Tier 2", 12, 884), ("Tier 3", 12, 698), ("All tiers", 32, 2608)
    ]  # fmt: skip
    assert 1026 + 884 + 698 == 2608 and 8 + 12 + 12 == 32 == len(outcomes)
    assert [row[5] for row in totals[1:]] == ["[c]", "[c]", 0, 5]
    assert Decimal("425948.37") + Decimal("1550438.00") + Decimal("2157648.00") == Decimal("4134034.37")
    assert [row[9] for row in totals[1:]] == [425948.37, 1550438, 2157648, 4134034.37]
    equality = list(book["EqualityAnalysisTotals"].iter_rows(min_row=3, values_only=True))
    assert equality[0] == ("Measure", "Breakdown", "Groups", "Count", "On Roll", "Per 1,000 Pupils")
    # One row per breakdown: five of placements (2,608 each), four of exclusions (no tier).
    assert [row[:2] for row in equality[1:]] == [
        ("Placements", b) for b in ("Year group", "Sex", "Ethnicity", "SEN status", "Tier")
    ] + [("Exclusions", b) for b in ("Year group", "Sex", "Ethnicity", "SEN status")]
    assert {row[3] for row in equality[1:6]} == {2608}
    groups = [tuple(row[:2]) for row in book["EqualityAnalysis"].iter_rows(min_row=4, values_only=True)]
    assert [row[2] for row in equality[1:]] == [groups.count(tuple(row[:2])) for row in equality[1:]]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=4, values_only=True)}
    assert cover["In this copy"] == ", ".join(n for n in book.sheetnames if n != "Cover")
    assert book.properties.creator == "apmodel"
    assert not book.defined_names


def test_the_cover_says_what_the_copy_is_and_what_the_forum_is_asked_with_no_internal_notes(
    example_copy: Path,
) -> None:
    book = openpyxl.load_workbook(example_copy)
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=4, values_only=True)}
    assert list(cover) == [
        "Title",
        "Local authority",
        "Date",
        "Contact",
        "Source",
        "The Forum is asked",
        "In this copy",
        "Small numbers",
    ]
    assert cover["Local authority"] == "Example County Council"
    assert "'Higher deprivation weight', 'Swale devolved'" in cover["The Forum is asked"]
    parts = zip_text(example_copy)
    assert found_in(parts, {"edits here are replaced", "Drawn by apmodel", "Written by apmodel"}) == []


def test_each_scenario_shows_its_overrides_in_words_beside_its_effect(example_copy: Path) -> None:
    book = openpyxl.load_workbook(example_copy)
    rows = {row[0]: row[1:] for row in book["Scenarios"].iter_rows(min_row=4, values_only=True)}
    words, gaining, gains, losing, losses = rows["Higher deprivation weight"]
    assert words == "IDACI Weight 20% -> 35%; KS3 Pupils Weight 30% -> 22.5%; KS4 Pupils Weight 30% -> 22.5%"
    assert rows["Swale devolved"][0] == "Swale Funding Model Hybrid -> Devolved"
    # Money is moved, never created: the districts' gains and losses cancel to the penny.
    assert round(gains + losses, 2) == 0
    assert gaining > 0 and losing > 0


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header_repeated_and_a_footer(example_copy: Path) -> None:
    book = openpyxl.load_workbook(example_copy)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N"
        # The sheet's title (A1), then its name to find it by.
        assert sheet.oddFooter.center.text == footer_title(str(sheet["A1"].value)), sheet.title
        assert sheet.oddFooter.center.text.endswith(" (&A)")
        assert sheet.oddFooter.left.text == "Example County Council"
        if sheet.title != "Dashboard":
            assert sheet.print_title_rows == "$3:$3", sheet.title


def test_the_forum_copy_is_built_new_so_nothing_else_in_the_workbook_comes_along(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA name": "Testshire"}))
    book = openpyxl.load_workbook(source)
    secret = book.create_sheet("Notes")
    secret["A1"] = "Confidential: pupil P-A1 is in care"
    secret.sheet_state = "hidden"
    book.save(source)
    out = service.forum_copy(FileWorkbook(source), tmp_path / "copy.xlsx", today=TODAY)
    parts = zip_text(out)
    assert found_in(parts, {"Confidential", "P-A1"}) == []
    sheets = openpyxl.load_workbook(out).sheetnames
    assert not {"Notes", "Settings", "Schools", "Placements", "Exclusions", "InvoiceRegister"} & set(sheets)


def test_publish_school_totals_adds_school_totals_but_never_pupils_or_invoices(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county(**{"Publish school totals": "Yes"}))
    out = service.forum_copy(FileWorkbook(source), tmp_path / "copy.xlsx", today=TODAY)
    book = openpyxl.load_workbook(out)
    assert {"SchoolAllocations", "SchoolAllocationTotals", "SchoolRecoupment", "SchoolRecoupmentTotals"} <= set(
        book.sheetnames
    )
    # The Cover lists the sheets as the copy has them (the school tables included, no scenarios).
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=4, values_only=True)}
    assert cover["In this copy"] == ", ".join(book.sheetnames[1:])
    assert "SchoolAllocations" in cover["In this copy"] and "Scenarios" not in book.sheetnames
    for parent, totals_table in (
        ("SchoolAllocations", "SchoolAllocationTotals"),
        ("SchoolRecoupment", "SchoolRecoupmentTotals"),
        ("RecoupmentByTerm", "RecoupmentByTermTotals"),
        ("ScenarioComparison", "ScenarioComparisonTotals"),
        ("EqualityAnalysis", "EqualityAnalysisTotals"),
        ("APOutcomes", "APOutcomesTotals"),
    ):
        assert book.sheetnames.index(totals_table) == book.sheetnames.index(parent) + 1, parent
    recoupment = {row[1]: row for row in book["SchoolRecoupment"].iter_rows(min_row=4, values_only=True)}
    # The one exclusion (5,500 x 21 / 52 = 2,221.15 charged to Alder Secondary) is one pupil's money:
    # [c], and so is the total it alone makes up, in SchoolRecoupmentTotals (1 school). Its credits, 0.00 of
    # no pupil, are shown. SchoolRecoupment has no Total row.
    assert list(recoupment) == ["Alder Secondary"]
    assert recoupment["Alder Secondary"][:6] == (100001, "Alder Secondary", "North", "[c]", 0, "[c]")
    totals = list(book["SchoolRecoupmentTotals"].iter_rows(min_row=3, values_only=True))
    assert totals == [("Schools", "Charged £", "Credited £", "Net £"), (1, "[c]", 0, "[c]")]
    # The same [c] in RecoupmentByTermTotals (one term and type row): Net 2,221.15 hidden, nothing not recovered.
    by_term = list(book["RecoupmentByTermTotals"].iter_rows(min_row=3, values_only=True))
    assert by_term == [("Rows", "Recoverable £", "Not Recovered £"), (1, "[c]", 0)]
    assert 2221.15 not in parts_values(out)
    # The [c] lines up on the right with the figures of its money column: the column's format has a text
    # section that fills the cell with spaces before the text (* @), and the count of schools is a count.
    charged = book["SchoolRecoupmentTotals"]["B4"]
    assert charged.value == "[c]" and charged.number_format == NUMBER_FORMATS[Kind.MONEY]
    credited = book["SchoolRecoupmentTotals"]["C4"]
    assert charged.number_format.endswith(";* @_0") and credited.number_format == charged.number_format
    parts = zip_text(out)
    assert found_in(parts, {"P-A1", "EX-1", "AP-2025-26-"}) == []
    assert [part for part, text in parts.items() if PUPIL_REF_HEADER.search(text)] == []


def parts_values(path: Path) -> list[object]:
    """Every cell value of every sheet of the copy."""
    book = openpyxl.load_workbook(path)
    return [value for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row]


def test_text_from_the_inputs_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    tables = small_county()
    header, rows = tables["Districts"]
    tables["Districts"] = (header, [["=HYPERLINK(1)", *rows[0][1:]], rows[1]])
    header, rows = tables["Schools"]
    tables["Schools"] = (header, [[*r[:2], "=HYPERLINK(1)", *r[3:]] if r[2] == "North" else r for r in rows])
    out = service.forum_copy(
        FileWorkbook(write_workbook(tmp_path / "c.xlsx", tables)), tmp_path / "o.xlsx", today=TODAY
    )
    assert all("<f>" not in text for name, text in zip_text(out).items() if name.startswith("xl/worksheets/"))


def test_the_command_line_writes_the_forum_copy(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    out = tmp_path / "Forum copy.xlsx"
    assert main(["forum-copy", str(source), "-o", str(out), "--date", "2025-12-01"]) == 0
    assert "EqualityAnalysis" in openpyxl.load_workbook(out).sheetnames


def test_the_cover_is_dated_by_the_run_date_so_a_copy_made_again_says_the_same(example_copy: Path) -> None:
    cover = read_tables(example_copy)["Cover"]
    details = dict(zip(column(cover, "Item"), column(cover, "Detail"), strict=True))
    assert details["Date"] == "1 December 2025"


@pytest.mark.parametrize("command", ["run", "forum-copy"])
def test_an_ampersand_or_a_very_long_la_name_stays_a_plain_footer(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # In a header or footer "&" starts a code (&P the page, &N the pages...): the Forum copy wrote
    # "Brighton & Hove" with a single "&". Excel allows 255 characters in a footer: a long name is cut.
    for la, shown in (("Brighton & Hove", "&LBrighton && Hove&C"), ("Borough & Co " * 20, "Co Borough\u2026&C")):
        source = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA name": la}))
        out = tmp_path / f"{command}.xlsx"
        assert main([command, str(source), "-o", str(out), "--date", "2025-12-01"]) in (0, 1)
        footers = [m for text in zip_text(out).values() for m in re.findall(r"<oddFooter>(.*?)</oddFooter>", text)]
        assert footers, command
        for footer in footers:
            plain = html.unescape(footer)
            assert shown in plain and len(plain) <= 255, plain
            # Every "&" is a code or a doubled (literal) one.
            assert not re.search(r"&(?![&LCRPNAD])", plain.replace("&&", "")), footer
    capsys.readouterr()


def test_the_dashboard_prints_landscape_with_its_long_lines_wrapped_over_its_figures(example_copy: Path) -> None:
    sheet = openpyxl.load_workbook(example_copy)["Dashboard"]
    assert sheet.page_setup.orientation == "landscape"
    # The note and each caption longer than A:D (26 + 3 x 18 = 80 characters) wrap across A:D, merged,
    # their rows taller: a 251-character caption ran to the right and set the whole sheet's printed scale.
    long_lines = [c for (c,) in sheet.iter_rows(min_col=1, max_col=1) if isinstance(c.value, str) and len(c.value) > 80]
    assert long_lines and all(f"A{c.row}:D{c.row}" in sheet.merged_cells for c in long_lines)
    assert all(c.alignment.wrap_text and (sheet.row_dimensions[c.row].height or 0) >= 30 for c in long_lines)
