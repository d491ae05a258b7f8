"""Hostile input never crashes apmodel (docs/forum-workbook.md, "How the workbook is read"; cli.py exit codes).

Every workbook in tests/bad_workbooks.py is run and validated through the CLI: a readable
file finishes (exit 0 or 1) with a Warnings row naming the code, table, row and column of
its defect; an unreadable one is refused with exit 3 and one plain line. Never exit 4, never
a traceback, and the input file is never changed. Then: text that looks like a formula is
never written as one, XML entity attacks are refused quickly, and --in-place keeps an exact
backup.
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from apmodel.cli import main
from apmodel.workbook.interface import RawTable
from apmodel.workbook.layout import link_target
from apmodel.workbook.xlsx_reader import read_tables
from tests.acceptance.test_small_county import money, records
from tests.bad_workbooks import GIGABYTE, VALID_UPN, BadCase, bomb, cases, entity_cases, set_cell
from tests.builders import small_county, write_workbook

RUN_DATE = "2025-12-01"
ALL_CASES = cases()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code != 4, captured.err
    return code, captured.out, captured.err


def warning_keys(tables: dict[str, RawTable]) -> set[tuple[str, str, int | None, str | None]]:
    return {
        (r["Code"], r["Table"], None if r["Row"] is None else int(r["Row"]), r["Column"])
        for r in records(tables["Warnings"])
        if r["Code"] is not None
    }


def final_allocations(tables: dict[str, RawTable]) -> dict[str, Decimal]:
    return {
        r["District"]: money(r["Final Allocation"])
        for r in records(tables["DistrictAllocations"])
    }


def exclusion_amount(tables: dict[str, RawTable]) -> Decimal:
    [line] = [r for r in records(tables["Recoupment"]) if r["Source ID"] == "EX-1"]
    return money(line["Amount"])


def unchanged_allocations(tables: dict[str, RawTable]) -> None:
    # small_county(): North 50,000 + 300,000 + 75,000; South 50,000 + 300,000 + 125,000.
    assert final_allocations(tables) == {"North": Decimal("425000.00"), "South": Decimal("475000.00")}


def relevant_date_read(tables: dict[str, RawTable]) -> None:
    # Relevant Date read as 3 Nov 2025: 5,500 x 21 / 52 = 2,221.153... -> 2,221.15.
    assert exclusion_amount(tables) == Decimal("2221.15")


def relevant_date_fell_back(tables: dict[str, RawTable]) -> None:
    # Unreadable Relevant Date -> the Exclusion Date 13 Oct 2025 is used: 13 Oct 2025 to 31 Mar 2026 = 169 days
    # = 24 complete weeks; 5,500 x 24 / 52 = 2,538.461... -> 2,538.46.
    assert exclusion_amount(tables) == Decimal("2538.46")


def merged_pupils_lost(tables: dict[str, RawTable]) -> None:
    # Merging J2:J3 blanks Birch's Pupils (an Error, MERGED_CELL, so never silent).
    # Pupils pot 300,000 x 2 = 600,000 over North 600 + South 1,000 = 1,600:
    # North 600,000 x 600 / 1,600 = 225,000; IDACI unchanged 75,000;
    # North = 50,000 + 225,000 + 75,000 = 350,000.00; South = 50,000 + 375,000 + 125,000 = 550,000.00.
    assert final_allocations(tables) == {"North": Decimal("350000.00"), "South": Decimal("550000.00")}


def blocked(source_id: str, billed: Decimal) -> Callable[[dict[str, RawTable]], None]:
    """Every line of ``source_id`` is Blocked and the documents total ``billed`` (without it)."""

    def check(tables: dict[str, RawTable]) -> None:
        statuses = {r["Status"] for r in records(tables["Recoupment"]) if r["Source ID"] == source_id}
        assert statuses == {"Blocked"}, statuses
        assert sum((money(r["Net"]) for r in records(tables["Invoices"]) if r["Number"]), Decimal(0)) == billed

    return check


def upn_never_shown(tables: dict[str, RawTable]) -> None:
    # The Warning says a UPN is there without repeating it.
    assert all(VALID_UPN not in str(v) for row in tables["Warnings"].rows for v in row)


#: Figures a clean run must still get right despite the oddity.
CHECKS: dict[str, Callable[[dict[str, RawTable]], None]] = {
    "line_breaks_in_headers": relevant_date_read,
    "serial_date_in_a_1904_workbook": relevant_date_read,
    "iso_text_date": relevant_date_read,
    "uk_text_date": relevant_date_read,
    "long_text_date": relevant_date_read,
    "garbage_date": relevant_date_fell_back,
    "impossible_date": relevant_date_fell_back,
    "blank_row_inside_schools": unchanged_allocations,
    "hidden_row_in_schools": unchanged_allocations,
    "tables_moved_to_odd_places": unchanged_allocations,
    "very_wide_schools_row": unchanged_allocations,
    "merged_cells_in_schools": merged_pupils_lost,
    # A rate or amount with an Error is never charged at a default rate: the line is Blocked.
    **dict.fromkeys(
        (
            "decimal_comma_charge_rate",
            "bracketed_negative_rate",
            "credit_suffix_rate",
            "implausible_charge_rate",
            "placement_year_group_outside_school",
            "percent_text_rate_on_provider_awpu_basis",
            "percent_over_100_on_own_awpu_basis",
            "unreadable_provider_rate",
            "bracketed_negative_provider_rate",
            "implausible_provider_rate",
            "unreadable_registration",
            "unreadable_days_per_week",
            "unreadable_charge_basis",
            "unreadable_provider_charge_basis",
            "unreadable_charge_basis_provider_charges_none",
        ),
        # Only EX-1 is billed: 5,500 x 21 / 52 = 2,221.15.
        blocked("PL-1", Decimal("2221.15")),
    ),
    **dict.fromkeys(
        (
            "decimal_comma_pupil_led_amount",
            "decimal_comma_adjustment_order",
            "implausible_adjustment_order",
            "huge_exponent_amount",
            "reinstated_before_relevant_date",
            "exclusion_year_group_outside_school",
        ),
        blocked("EX-1", Decimal("0.00")),
    ),
    "upn_as_pupil_ref": upn_never_shown,
}


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_a_bad_workbook_is_reported_or_refused_never_crashes(
    case: BadCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = case.build(tmp_path)
    before = sha256(source)
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert sha256(source) == before
    if case.unreadable:
        assert code == 3
        assert len(err.strip().splitlines()) == 1, err
        assert not out.exists()
        return
    assert code in case.codes, err
    written = read_tables(out)
    found = warning_keys(written)
    for expected in case.expected:
        assert expected in found, f"{expected} not in {sorted(found, key=str)}"
    if not case.expected:
        assert code == 0 and found == set()
    if case.name in CHECKS:
        CHECKS[case.name](written)


def test_a_bad_number_in_a_factor_column_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "county.xlsx", set_cell(small_county(), "Schools", 0, "Pupils", "twelve"))
    out = tmp_path / "out.xlsx"
    assert run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)[0] == 1
    rows = [r for r in records(read_tables(out)["Warnings"]) if r["Table"] == "Schools" and r["Column"] == "Pupils"]
    assert [(r["Severity"], r["Code"]) for r in rows] == [("Error", "NOT_A_NUMBER")]


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_validate_lists_the_defect_or_refuses_the_file(
    case: BadCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = case.build(tmp_path)
    before = sha256(source)
    code, out, err = run(["validate", str(source)], capsys)
    assert sha256(source) == before
    if case.unreadable:
        assert code == 3 and len(err.strip().splitlines()) == 1, err
        return
    assert code in case.codes
    for finding_code, table, row, column in case.expected:
        where = table + (f" row {row}" if row else "") + (f" [{column}]" if column else "")
        assert any(finding_code in line and where in line for line in out.splitlines()), (where, out)


def test_validate_never_prints_control_or_direction_characters_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [case] = [c for c in ALL_CASES if c.name == "escape_sequences_in_a_cell"]
    code, out, err = run(["validate", str(case.build(tmp_path))], capsys)
    assert code == 1
    assert "\x1b" not in out + err and "\u202e" not in out + err
    assert "\\x1b[2J" in out  # shown, escaped


ENTITY_CASES = entity_cases()


@pytest.mark.parametrize("case", ENTITY_CASES, ids=[c.name for c in ENTITY_CASES])
def test_xml_entity_attacks_are_refused_quickly_without_expansion(
    case: BadCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = case.build(tmp_path)
    before = sha256(source)
    out = tmp_path / "out.xlsx"
    started = time.monotonic()
    code, _out, err = run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert time.monotonic() - started < 10
    assert sha256(source) == before
    assert code in case.codes
    if code == 3:
        assert len(err.strip().splitlines()) == 1, err
        return
    with zipfile.ZipFile(out) as archive:  # a clean run must not have pulled in the expansion or the file
        for name in archive.namelist():
            data = archive.read(name)
            assert b"root:" not in data and b"lollollollol" not in data


@pytest.mark.parametrize("declared", [None, 4 << 20], ids=["true_size", "lying_size"])
def test_a_decompression_bomb_is_refused_in_bounded_memory_and_time(
    declared: int | None, tmp_path: Path
) -> None:
    # A 1 MB sheet that inflates to 1 GB, its size told truly or claimed as 4 MB: a fresh process
    # refuses it with exit 3 and one line, well under 1 GB of memory and 90 s.
    source = bomb("xl/worksheets/sheet3.xml", GIGABYTE, declared)(tmp_path)
    assert source.stat().st_size < 2 << 20
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "apmodel.cli", "run", str(source), "-o", str(tmp_path / "out.xlsx"), "-q"],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert time.monotonic() - started < 90
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    assert peak_kb < 1024 * 1024, peak_kb
    assert done.returncode == 3, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr


def test_in_place_run_keeps_a_byte_identical_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    original = source.read_bytes()
    code, out, _err = run(["run", str(source), "--in-place", "--date", RUN_DATE, "-q"], capsys)
    assert code == 0
    [backup] = [p for p in tmp_path.iterdir() if p.name != "county.xlsx"]
    assert backup.read_bytes() == original
    assert backup.name in out
    unchanged_allocations(read_tables(source))


# --- Formula injection -------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'


def _injection_county(folder: Path) -> Path:
    tables = small_county()
    tables = set_cell(tables, "Schools", 0, "School Name", "placeholder")
    tables = set_cell(tables, "Schools", 2, "Trust", "-2+3")
    tables = set_cell(tables, "Exclusions", 0, "Pupil Ref", "+1+1")
    tables = set_cell(tables, "Districts", 0, "District", "@SUM(A1)")
    for i in range(2):
        tables = set_cell(tables, "Schools", i, "District", "@SUM(A1)")
    path = write_workbook(folder / "county.xlsx", tables)
    book = openpyxl.load_workbook(path)
    cell = book["Schools"]["B2"]
    cell.value = HYPERLINK
    cell.data_type = "s"  # typed text, as a user's cell would hold it
    book.save(path)
    return path


def formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" and link_target(cell.value) is None  # a run's own links are HYPERLINK formulas
    ]


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _injection_county(tmp_path)
    assert formula_cells(source) == []
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert code in (0, 1), err
    assert formula_cells(out) == []
    written = read_tables(out)
    names = {r["URN"]: r for r in records(written["SchoolAllocations"])}
    assert names[100001]["School"] == HYPERLINK
    assert "@SUM(A1)" in final_allocations(written)


def test_school_packs_never_hold_formulas_or_escape_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _injection_county(tmp_path)
    packs = tmp_path / "packs"
    code, _out, err = run(["packs", str(source), "-o", str(packs), "--date", RUN_DATE, "-q"], capsys)
    assert code == 0, err
    written = [p for p in tmp_path.rglob("*.xlsx") if p != source]
    assert written, "no packs written"
    for path in written:
        assert path.parent == packs, f"{path} is outside the packs folder"
        assert formula_cells(path) == [], path


def test_scenario_names_that_would_repeat_a_header_still_give_unique_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Alt" makes "Alt Change £"; so does the scenario "Alt Change" (its own amount column).
    tables = small_county()
    tables["Scenarios"] = (
        tables["Scenarios"][0],
        [["Alt", "Setting", "AP budget", 1_100_000], ["Alt Change", "Setting", "AP budget", 1_200_000]],
    )
    source = write_workbook(tmp_path / "county.xlsx", tables)
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["compare", str(source), "-o", str(out), "--date", RUN_DATE], capsys)
    assert code == 0, err
    header = read_tables(out)["ScenarioComparison"].header
    assert len({h.casefold() for h in header}) == len(header)
    assert header.count("Alt Change £") == 1 and "Alt Change £ (2)" in header
