"""import-schools: the DfE's GIAS extract (real header, Windows-1252) merged into Schools."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apmodel.cli import main
from apmodel.workbook.xlsx_reader import read_tables
from apmodel.workbooks.example_gias import (
    ACADEMY_CONVERTER,
    COMMUNITY,
    FREE_SCHOOL,
    GIAS_HEADER,
    INDEPENDENT,
    LINKS_HEADER,
    establishment,
    write_gias,
)
from tests.builders import TableRows, small_county, write_workbook

LA = "886"


def county(**extra: TableRows) -> dict[str, TableRows]:
    tables = small_county(**{"LA code": LA})
    tables.update(extra)
    return tables


def records(book: Path, name: str) -> list[dict[str, Any]]:
    table = read_tables(book)[name]
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def by_urn(book: Path) -> dict[int, dict[str, Any]]:
    return {int(row["URN"]): row for row in records(book, "Schools")}


def extract(tmp_path: Path, rows: list[list[str]]) -> Path:
    return write_gias(tmp_path / "edubasealldata20260101.csv", rows)


def standard_rows() -> list[list[str]]:
    return [
        # Alder: renamed with an accented letter (cp1252 byte 0xE9), GIAS's district name for North.
        establishment(100001, "Alder Académie Secondary", COMMUNITY, "Secondary", "North", number="4001"),
        establishment(100002, "Birch Primary", COMMUNITY, "Primary", "North", status="Closed", ages=(4, 11)),
        establishment(100003, "Cedar Academy", ACADEMY_CONVERTER, "Secondary", "South", trust="Elm Trust"),
        establishment(100010, "New Free School", FREE_SCHOOL, "Middle deemed secondary", "South", pupils=240,
                      trust="Elm Trust", ukprn="10099002", ages=(9, 13)),
        establishment(100011, "Private College", INDEPENDENT, "Not applicable", "South"),
        establishment(100012, "Another LA School", COMMUNITY, "Primary", "Elsewhere", la="887"),
        establishment(100013, "Opening Soon", FREE_SCHOOL, "Primary", "South", status="Proposed to open"),
    ]  # fmt: skip


def imported(tmp_path: Path, tables: dict[str, TableRows], *extra: str, code: int = 0) -> Path:
    source = write_workbook(tmp_path / "county.xlsx", tables)
    gias = extract(tmp_path, standard_rows())
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(gias), str(source), "-o", str(out), *extra]) == code
    return out


def test_the_fixture_is_in_the_published_format() -> None:
    assert GIAS_HEADER[:5] == ("URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName")
    assert len(GIAS_HEADER) > 130
    assert "é".encode("cp1252") == b"\xe9"


def test_gias_names_types_trusts_and_laestab_update_schools_and_the_las_own_columns_stay(tmp_path: Path) -> None:
    out = imported(tmp_path, county())
    schools = by_urn(out)
    alder = schools[100001]
    assert alder["School Name"] == "Alder Académie Secondary"
    assert (alder["LAESTAB"], alder["Status"]) == ("8864001", "Open")
    # The LA's own columns are as typed: AP Agreement, Cost Centre, PO Number, the pupil counts.
    assert (alder["AP Agreement"], alder["Cost Centre"], alder["PO Number"]) == ("Yes", "CC1", "PO1")
    assert (alder["Pupils"], alder["IDACI Pupils"]) == (600, 100)
    assert schools[100003]["Trust"] == "Elm Trust"


def test_closed_school_is_kept_with_a_warning_and_new_open_schools_are_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = imported(tmp_path, county())
    schools = by_urn(out)
    assert schools[100002]["Status"] == "Closed"
    assert schools[100002]["Pupils"] == 400
    assert "GIAS_SCHOOL_CLOSED" in capsys.readouterr().out
    new = schools[100010]
    # A free school counts as an academy; "Middle deemed secondary" is Secondary.
    assert (new["Type"], new["Phase"], new["District"], new["Pupils"]) == ("Academy", "Secondary", "South", 240)
    # Independent, another LA's and a school not yet open are left out.
    assert not {100011, 100012, 100013} & set(schools)


def test_the_imports_findings_are_rows_of_the_warnings_table_of_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = imported(tmp_path, county())
    printed = capsys.readouterr().out
    warnings = records(out, "Warnings")
    # Birch Primary (100002) is closed in GIAS: one Warning on its Schools row (sheet row 3: the header, Alder, Birch).
    [closed] = [row for row in warnings if row["Code"] == "GIAS_SCHOOL_CLOSED"]
    assert (closed["Severity"], closed["Table"], closed["Row"], closed["Column"]) == ("Warning", "Schools", 3, "Status")
    assert closed["Message"] in printed
    # Every finding printed is a row of Warnings, and the table says which import it belongs to.
    assert all(row["Code"] in printed for row in warnings)
    title = openpyxl.load_workbook(out)["Warnings"]["A1"].value
    assert str(title).startswith("Import from GIAS: edubasealldata20260101.csv")


def test_every_change_is_in_the_import_log_and_the_input_is_untouched(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", county())
    before = source.read_bytes()
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(extract(tmp_path, standard_rows())), str(source), "-o", str(out)]) == 0
    assert source.read_bytes() == before
    log = records(out, "ImportLog")
    assert {"URN": 100001, "Column": "School Name", "Old": "Alder Secondary", "New": "Alder Académie Secondary",
            "Note": "Updated from GIAS"} in log  # fmt: skip
    assert any(row["URN"] == 100010 and row["Column"] == "URN" for row in log)


def test_district_map_renames_a_gias_district(tmp_path: Path) -> None:
    rows = standard_rows()
    rows[3] = establishment(100010, "New Free School", FREE_SCHOOL, "Primary", "Southborough", ages=(4, 11))
    source = write_workbook(tmp_path / "county.xlsx", county(DistrictMap=(["GIAS District", "District"],
                                                                          [["Southborough", "South"]])))
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(extract(tmp_path, rows)), str(source), "-o", str(out)]) == 0
    assert by_urn(out)[100010]["District"] == "South"


def test_import_then_run_gives_the_same_allocation_for_unchanged_pupil_counts(tmp_path: Path) -> None:
    out = imported(tmp_path, county())
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(out), "-o", str(ran), "--date", "2025-12-01", "-q"]) == 0
    districts = {row["District"]: row["Final Allocation"] for row in records(ran, "DistrictAllocations")}
    # The new free school's 240 pupils move Pupils-factor money to South, but the whole is the same:
    # 1,000,000 budget - 100,000 centrally retained = 900,000.00 across North and South.
    assert Decimal(str(districts["North"])) + Decimal(str(districts["South"])) == Decimal("900000.00")
    codes = {row["Code"] for row in records(ran, "Warnings")}
    assert "SCHOOL_CLOSED" in codes


def test_without_la_code_nothing_is_written(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "county.xlsx", small_county())
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(extract(tmp_path, standard_rows())), str(source), "-o", str(out)]) == 1
    assert not out.exists()


def test_a_file_that_is_not_a_gias_extract_is_one_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_workbook(tmp_path / "county.xlsx", county())
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["import-schools", str(wrong), str(source), "-o", str(tmp_path / "o.xlsx")]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "wrong.csv" in err and "URN" in err


def test_an_academy_conversion_moves_placements_from_the_conversion_date(tmp_path: Path) -> None:
    tables = county()
    header, rows = tables["Placements"]
    # Alder's pupil at the PRU from 1 Dec 2025 to 27 Feb 2026; Alder converts on 1 Jan 2026 as URN 100020.
    placement = ["PL-1", "P-A1", 100001, "PRU-S", 2, "Dual", "At risk of exclusion", date(2025, 12, 1),
                 date(2026, 2, 27), 5, 9, None, None, None, None, "No", "No", "No", None, None]  # fmt: skip
    tables["Placements"] = (header, [placement])
    header, rows = tables["Exclusions"]
    later = ["EX-9", "P-A9", 100001, date(2026, 1, 12), date(2026, 1, 19), 9, "No", "No", "No", "No", 5500,
             None, None, None, None, None]  # fmt: skip
    tables["Exclusions"] = (header, [*rows, later])
    source = write_workbook(tmp_path / "county.xlsx", tables)
    gias_rows = [*standard_rows(), establishment(100020, "Alder Academy", ACADEMY_CONVERTER, "Secondary", "North",
                                                trust="Elm Trust")]  # fmt: skip
    gias_rows[0] = establishment(100001, "Alder Secondary", COMMUNITY, "Secondary", "North", status="Closed")
    links = write_gias(tmp_path / "links.csv", [["100020", "100001", "Alder Secondary", "Predecessor", "01-01-2026"]],
                       LINKS_HEADER)  # fmt: skip
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(extract(tmp_path, gias_rows)), str(source), "-o", str(out),
                 "--links", str(links)]) == 0  # fmt: skip
    placements = {row["Placement ID"]: row for row in records(out, "Placements")}
    assert (placements["PL-1"]["Home URN"], str(placements["PL-1"]["End Date"])[:10]) == (100001, "2025-12-31")
    after = placements["PL-1-100020"]
    assert (after["Home URN"], str(after["Start Date"])[:10], str(after["End Date"])[:10]) == (
        100020, "2026-01-01", "2026-02-27")  # fmt: skip
    exclusions = {row["Exclusion ID"]: row["Excluding URN"] for row in records(out, "Exclusions")}
    # EX-1's Relevant Date (3 Nov 2025) is before the conversion: it stays with the maintained school.
    assert exclusions == {"EX-1": 100001, "EX-9": 100020}
    # The officer records the new academy's AP Agreement (the LA's own column, never from GIAS).
    book = openpyxl.load_workbook(out)
    sheet = book["Schools"]
    header = [cell.value for cell in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[header.index("URN")].value == 100020:
            cells[header.index("AP Agreement")].value = "Yes"
    book.save(out)
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(out), "-o", str(ran), "--date", "2026-03-01", "-q"]) == 0
    kinds = {(row["URN"], row["Period"]): row["Kind"] for row in records(ran, "Invoices")}
    # Before 1 Jan 2026 the maintained school's budget is adjusted; from then its successor is invoiced.
    assert kinds[(100001, "Autumn 2025")] == "Budget adjustment"
    assert kinds[(100020, "Spring 2026")] == "Invoice"
    assert (100001, "Spring 2026") not in kinds


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_an_extract_saved_again_as_utf8_reads_the_same(tmp_path: Path, encoding: str) -> None:
    # Opened in Excel and saved as "CSV UTF-8" (a byte-order mark first) or written by another tool as UTF-8:
    # the first column is still URN (not "\ufeffURN" or "ï»¿URN") and é is still é (not Ã©).
    source = write_workbook(tmp_path / "county.xlsx", county())
    gias = extract(tmp_path, standard_rows())
    gias.write_text(gias.read_text(encoding="cp1252"), encoding=encoding)
    out = tmp_path / "imported.xlsx"
    assert main(["import-schools", str(gias), str(source), "-o", str(out)]) == 0
    assert by_urn(out)[100001]["School Name"] == "Alder Académie Secondary"
