"""Output tables that grow, or were filtered, in a workbook a user has worked in (issue 11).

Both writers (the zip patch and the openpyxl route): an output table never grows over the
user's cells or another table below or beside it (exit 3, one line naming both, nothing
written); rows of a rewritten table are shown again even if a user's filter had hidden
them; the model's RegisterLog sheet is hidden; and a run on an older version's output, whose
allocation tables, ScenarioComparison, EqualityAnalysis and APOutcomes hold Total rows, drops those rows
and adds the totals tables once (issue 13).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from apmodel.service import run_workbook
from apmodel.workbook.interface import OutputWouldOverwrite, column_letter
from apmodel.workbook.openpyxl_store import FileWorkbook
from tests.bad_workbooks import set_cell
from tests.builders import small_county, write_workbook
from tests.integration.test_bad_workbooks import RUN_DATE, run, sha256

WRITERS = ["patch", "openpyxl"]


def three_errors(folder: Path, name: str = "county.xlsx") -> Path:
    """The small county with text in three schools' Pupils: Errors enough to fill Warnings rows 4 to 8."""
    tables = small_county()
    for i in range(3):
        tables = set_cell(tables, "Schools", i, "Pupils", "many")
    return write_workbook(folder / name, tables)


def save(source: Path, out: Path, writer: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    if writer == "patch":
        code, _out, err = run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
        return code, err
    book = FileWorkbook(source)
    run_workbook(book)
    try:
        book.book  # noqa: B018 (loading the whole workbook takes the openpyxl route, writing the tables)
        book.save(out)
    except OutputWouldOverwrite as exc:
        return 3, str(exc)
    return 0, ""


def first_run(tmp_path: Path) -> Path:
    """A run of the clean small county: its Warnings table is A3:H4 (one blank row)."""
    first = tmp_path / "first.xlsx"
    source = write_workbook(tmp_path / "clean.xlsx", small_county())
    assert run_quiet(source, first) == 0
    return first


def run_quiet(source: Path, out: Path) -> int:
    from apmodel.cli import main

    return main(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"])


def with_inputs_of(target: Path, inputs: Path, edit: object = None) -> Path:
    """``target``'s output sheets with the Schools rows of ``inputs`` (three bad Pupils cells)."""
    book = openpyxl.load_workbook(target)
    bad = openpyxl.load_workbook(inputs)["Schools"]
    for row in bad.iter_rows(min_row=2, max_row=4):
        for cell in row:
            book["Schools"][cell.coordinate] = cell.value
    if callable(edit):
        edit(book)
    out = target.with_name("edited.xlsx")
    book.save(out)
    return out


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_table_never_grows_over_a_users_cell(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = first_run(tmp_path)

    def note_below(book: openpyxl.Workbook) -> None:
        book["Warnings"]["B6"] = "my note: ask Finance"

    source = with_inputs_of(first, three_errors(tmp_path), note_below)
    before = sha256(source)
    out = tmp_path / "out.xlsx"
    code, err = save(source, out, writer, capsys)
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "Warnings" in err and "B6" in err, err
    assert not out.exists() and sha256(source) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_table_never_grows_over_another_table(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = first_run(tmp_path)

    def table_below(book: openpyxl.Workbook) -> None:
        sheet = book["Warnings"]
        sheet["A6"], sheet["B6"], sheet["A7"], sheet["B7"] = "Who", "When", "Sam", "Friday"
        sheet.add_table(Table(displayName="MyChecks", ref="A6:B7"))

    source = with_inputs_of(first, three_errors(tmp_path), table_below)
    out = tmp_path / "out.xlsx"
    code, err = save(source, out, writer, capsys)
    assert code == 3
    assert "Warnings" in err and "MyChecks" in err, err
    assert not out.exists()


@pytest.mark.parametrize("writer", WRITERS)
def test_rows_a_users_filter_hid_are_shown_when_the_table_is_rewritten(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.xlsx"
    assert run_quiet(three_errors(tmp_path), first) == 1

    def hide(book: openpyxl.Workbook) -> None:
        sheet = book["Warnings"]
        for number in (5, 6):
            sheet.row_dimensions[number].hidden = True
            sheet.row_dimensions[number].outlineLevel = 1

    book = openpyxl.load_workbook(first)
    hide(book)
    source = tmp_path / "filtered.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    code, err = save(source, out, writer, capsys)
    assert code in (0, 1), err
    sheet = openpyxl.load_workbook(out)["Warnings"]
    assert [(sheet.row_dimensions[n].hidden, sheet.row_dimensions[n].outlineLevel) for n in (4, 5, 6)] == [
        (False, 0)
    ] * 3


@pytest.mark.parametrize("writer", WRITERS)
def test_the_register_log_sheet_is_hidden(writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.acceptance.test_invoice_sequence import county_with_placement

    out = tmp_path / "out.xlsx"
    code, err = save(county_with_placement(tmp_path), out, writer, capsys)
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    assert book["RegisterLog"].sheet_state == "hidden"
    assert book["InvoiceRegister"].sheet_state == "visible"


#: The totals tables a previous version did not write (its tables ended with Total rows instead).
TOTALS_TABLES = (
    "DistrictAllocationTotals",
    "SchoolAllocationTotals",
    "ProviderFundingTotals",
    "ScenarioComparisonTotals",
    "EqualityAnalysisTotals",
    "APOutcomesTotals",
)


def _rewrite(book: openpyxl.Workbook, name: str, old: list[list[object]]) -> None:
    """Table ``name``'s data rows replaced by ``old`` (the table's ref stretched to them)."""
    sheet = book[name]
    table = sheet.tables[name]
    first, last = table.ref.split(":")
    for i, row in enumerate(old):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=4 + i, column=j, value=value)
    table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{3 + len(old)}"


def _data_rows(book: openpyxl.Workbook, name: str) -> list[list[object]]:
    table = book[name].tables[name]
    bottom = int("".join(c for c in table.ref.split(":")[1] if c.isdigit()))
    return [list(r) for r in book[name].iter_rows(min_row=4, max_row=bottom, values_only=True)]


def old_equality_and_outcomes(book: openpyxl.Workbook) -> None:
    """EqualityAnalysis and APOutcomes as the previous version wrote them: each breakdown ended with its Total
    row (Group "Total"), each tier with its total ("All providers", no Provider ID), then an All tiers row."""
    old: list[list[object]] = []
    rows = _data_rows(book, "EqualityAnalysis")
    for key in dict.fromkeys((r[0], r[1]) for r in rows):
        old += [r for r in rows if (r[0], r[1]) == key]
        old.append([*key, "Total", 99, 1000, 99.0, 1, 1])
    _rewrite(book, "EqualityAnalysis", old)
    old = []
    rows = _data_rows(book, "APOutcomes")
    for tier in ("Tier 1", "Tier 2", "Tier 3"):
        old += [r for r in rows if r[0] == tier]
        old.append([tier, None, "All providers", 99, 1.0, 1, 0, 0, 0, None, 12345.67])
    old.append(["All tiers", None, "All providers", 99, 1.0, 1, 0, 0, 0, None, 12345.67])
    _rewrite(book, "APOutcomes", old)


def old_scenario_comparison(book: openpyxl.Workbook) -> None:
    """ScenarioComparison as the previous version wrote it: each level (District, School, Provider) closed by
    a Total row inside the table (Level, blank Code, Name "Total")."""
    sheet = book["ScenarioComparison"]
    table = sheet.tables["ScenarioComparison"]
    first, last = table.ref.split(":")
    bottom = int("".join(c for c in last if c.isdigit()))
    rows = [list(r) for r in sheet.iter_rows(min_row=4, max_row=bottom, values_only=True)]
    old: list[list[object]] = []
    for level in ("District", "School", "Provider"):
        old += [r for r in rows if r[0] == level]
        old.append([level, None, "Total", None, 12345.67])
    for i, row in enumerate(old):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=4 + i, column=j, value=value)
    table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{3 + len(old)}"


def old_version_output(tmp_path: Path) -> Path:
    """A run's output as the previous version wrote it: each allocation table ends with a Total row,
    ScenarioComparison closes each level with one, EqualityAnalysis each breakdown and APOutcomes each tier
    (then All tiers), and there are no totals tables (TOTALS_TABLES)."""
    book = openpyxl.load_workbook(first_run(tmp_path))
    for name in TOTALS_TABLES:
        del book[name]
    old_scenario_comparison(book)
    old_equality_and_outcomes(book)
    for name, label_column in (("DistrictAllocations", 1), ("SchoolAllocations", 2), ("ProviderFunding", 1)):
        sheet = book[name]
        table = sheet.tables[name]
        first, last = table.ref.split(":")
        bottom = int("".join(c for c in last if c.isdigit()))
        sheet.cell(row=bottom + 1, column=label_column, value="Total")
        sheet.cell(row=bottom + 1, column=sheet.max_column, value=12345.67)
        table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{bottom + 1}"
    old = tmp_path / "old-version.xlsx"
    book.save(old)
    return old


@pytest.mark.parametrize("writer", WRITERS)
def test_a_run_on_an_old_output_drops_its_total_rows_and_adds_the_totals_tables_once(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = old_version_output(tmp_path)
    assert "Total" in [c.value for c in openpyxl.load_workbook(old)["DistrictAllocations"]["A"]]
    assert [c.value for c in openpyxl.load_workbook(old)["ScenarioComparison"]["C"]].count("Total") == 3
    # 9 breakdowns (5 of placements, 4 of exclusions), 3 tiers and All tiers.
    assert [c.value for c in openpyxl.load_workbook(old)["EqualityAnalysis"]["C"]].count("Total") == 9
    assert [c.value for c in openpyxl.load_workbook(old)["APOutcomes"]["C"]].count("All providers") == 4
    out, again = tmp_path / "out.xlsx", tmp_path / "again.xlsx"
    code, err = save(old, out, writer, capsys)
    assert code == 0, err
    code, err = save(out, again, writer, capsys)  # and a run on that output changes nothing more
    assert code == 0, err
    for path in (out, again):
        book = openpyxl.load_workbook(path)
        # The small county: North and South (17 columns: two factors), Alder and Birch (Delegated South's
        # school has no row; 10 columns), PRU-S (8 columns); ScenarioComparison, baseline only: those five rows
        # (5 columns); EqualityAnalysis, its 22 groups only (8 columns).
        shapes = (
            ("DistrictAllocations", 2, 17),
            ("SchoolAllocations", 2, 10),
            ("ProviderFunding", 1, 8),
            ("ScenarioComparison", 5, 5),
            ("EqualityAnalysis", 22, 8),
        )
        for name, rows, width in shapes:
            sheet = book[name]
            assert sheet.tables[name].ref == f"A3:{column_letter(width)}{3 + rows}", name
            left = [c.value for row in sheet.iter_rows(min_row=4 + rows) for c in row if c.value is not None]
            assert left == [], (name, left)  # the old Total row is gone, not kept below the table
            assert "Total" not in [c.value for row in sheet.iter_rows() for c in row], name
            assert "All providers" not in [c.value for row in sheet.iter_rows() for c in row], name
        tables = [t for sheet in book.worksheets for t in sheet.tables]
        # Title, note, header and its one row (ScenarioComparisonTotals: one per level, EqualityAnalysisTotals
        # one per breakdown, APOutcomesTotals one per tier and All tiers).
        rows_of = {"ScenarioComparisonTotals": 3, "EqualityAnalysisTotals": 9, "APOutcomesTotals": 4}
        for name in TOTALS_TABLES:
            assert tables.count(name) == 1 and book.sheetnames.count(name) == 1, name
            assert book[name].max_row == 3 + rows_of.get(name, 1), name
        # No placement in the year: APOutcomes has no provider row (its one blank row), and its old total rows
        # are gone from it; the totals are the new ones, not the old rows' 99 and 12,345.67: 0 providers, 0
        # placements, 0.00 recovered per tier and for all tiers.
        sheet = book["APOutcomes"]
        assert sheet.tables["APOutcomes"].ref == "A3:K4"
        assert [c.value for row in sheet.iter_rows(min_row=4) for c in row if c.value is not None] == []
        outcomes = [r for r in book["APOutcomesTotals"].iter_rows(min_row=4, values_only=True)]
        assert [(r[0], r[1], r[2], r[9]) for r in outcomes] == [
            (t, 0, 0, 0) for t in ("Tier 1", "Tier 2", "Tier 3", "All tiers")
        ]
        equality = [r for r in book["EqualityAnalysisTotals"].iter_rows(min_row=4, values_only=True)]
        assert 99 not in {r[3] for r in equality} and sum(r[2] for r in equality) == 22
