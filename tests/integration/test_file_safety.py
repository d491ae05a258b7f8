"""Where the result is written: never over the input by accident, never half, never a stray temp file.

cli.py (exit codes) and openpyxl_store.atomic_write / keep_backup. Each failure to write ends
with exit 3 and one line naming the path the user typed: no traceback, no exit 4, and no
temporary file (it would hold pupil data) left in the folder; one left by a killed run is
removed by the next run that writes there.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import IO

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from apmodel.cli import main
from apmodel.workbook import xlsx_patch
from apmodel.workbook.openpyxl_store import keep_backup, remove_stale_temporaries
from apmodel.workbook.xlsx_reader import read_tables
from tests.bad_workbooks import MACRO_MAIN, VBA_PROJECT, macro_workbook
from tests.builders import small_county, write_workbook
from tests.integration.test_bad_workbooks import RUN_DATE, run, sha256, unchanged_allocations


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "county.xlsx", small_county())


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".backup-" in p.name)


def one_line_naming(err: str, typed: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert typed in lines[0], err


# --- -o naming the input: treated exactly as --in-place ---------------------------------------


@pytest.mark.parametrize("spelling", ["same", "symlink", "dotted"])
def test_output_naming_the_input_is_an_in_place_run_with_a_backup(
    spelling: str, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = county.read_bytes()
    if spelling == "same":
        typed = str(county)
    elif spelling == "symlink":
        link = county.parent / "link.xlsx"
        link.symlink_to(county)
        typed = str(link)
    else:
        (county.parent / "sub").mkdir()
        typed = str(county.parent / "sub" / ".." / "county.xlsx")
    code, out, err = run(["run", str(county), "-o", typed, "--date", RUN_DATE, "-q"], capsys)
    assert code == 0, err
    assert "in place" in out
    [backup] = backups(county.parent)
    assert backup.read_bytes() == original
    assert county.is_file() and not county.is_symlink()
    unchanged_allocations(read_tables(county))
    assert temporaries(county.parent) == []


def test_a_forum_copy_over_the_workbook_itself_is_refused(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(county)
    code, _out, err = run(["forum-copy", str(county), "-o", str(county), "--date", RUN_DATE], capsys)
    assert code == 3
    one_line_naming(err, str(county))
    assert sha256(county) == before


def test_next_years_workbook_over_this_years_is_refused(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It would replace this year's placements, exclusions and register with next year's draft.
    before = sha256(county)
    code, _out, err = run(["rollover", str(county), "-o", str(county), "--year", "2026-27"], capsys)
    assert code == 3
    one_line_naming(err, str(county))
    assert sha256(county) == before


def test_import_schools_over_the_workbook_itself_keeps_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from apmodel.workbooks.example_gias import COMMUNITY, establishment, write_gias

    book = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA code": "886"}))
    original = book.read_bytes()
    gias = write_gias(tmp_path / "edubasealldata20260101.csv", [establishment(100001, "Alder High", COMMUNITY,
                                                                             "Secondary", "North")])
    code, out, err = run(["import-schools", str(gias), str(book), "-o", str(book)], capsys)
    assert code == 0, err
    assert "in place" in out
    [backup] = backups(tmp_path)
    assert backup.read_bytes() == original
    assert {int(r[0]): r[1] for r in read_tables(book)["Schools"].rows}[100001] == "Alder High"


def test_export_finance_over_the_workbook_itself_keeps_a_backup(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = county.parent / "issued.xlsx"
    assert run(["run", str(county), "-o", str(issued), "--date", RUN_DATE, "-q"], capsys)[0] == 0
    assert run(["issue", str(issued), "--period", "Autumn 2025", "--in-place", "--date", RUN_DATE], capsys)[0] == 0
    for old in backups(county.parent):
        old.unlink()
    original = issued.read_bytes()
    folder = county.parent / "ledger"
    code, _out, err = run(["export-finance", str(issued), "-o", str(folder), "--workbook-out", str(issued)], capsys)
    assert code == 0, err
    [backup] = backups(county.parent)
    assert backup.read_bytes() == original


# --- Backups ------------------------------------------------------------------------------------


def test_two_backups_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    book = tmp_path / "county.xlsx"
    same_second = datetime(2025, 12, 1, 9, 30, 0)
    book.write_bytes(b"first")
    first = keep_backup(book, same_second)
    book.write_bytes(b"second")
    second = keep_backup(book, same_second)
    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
    assert [p.name for p in backups(tmp_path)] == [
        "county.backup-20251201-093000-2.xlsx",
        "county.backup-20251201-093000.xlsx",
    ]


def test_two_in_place_runs_keep_two_backups(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = county.read_bytes()
    for _ in range(2):
        assert run(["run", str(county), "--in-place", "--date", RUN_DATE, "-q"], capsys)[0] == 0
    first, second = backups(county.parent)
    assert original in (first.read_bytes(), second.read_bytes())
    assert first.read_bytes() != second.read_bytes()


# --- Output paths that cannot be written ----------------------------------------------------------


def test_output_naming_a_folder_is_refused(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = county.parent / "results"
    folder.mkdir()
    code, _out, err = run(["run", str(county), "-o", str(folder), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(folder))
    assert list(folder.iterdir()) == [] and temporaries(county.parent) == []


@pytest.mark.parametrize("command", ["run", "forum-copy", "packs"])
def test_output_under_a_regular_file_is_refused(
    command: str, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = str(county.parent / "notes.txt" / "out.xlsx")
    (county.parent / "notes.txt").write_text("a file, not a folder")
    args = [command, str(county), "-o", typed, "--date", RUN_DATE] + (["-q"] if command != "forum-copy" else [])
    code, _out, err = run(args, capsys)
    assert code == 3
    one_line_naming(err, typed)
    assert temporaries(county.parent) == []


def test_packs_into_a_regular_file_is_refused(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["packs", str(county), "-o", str(county), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(county))


def _refuse_rename(error: int) -> None:
    raise PermissionError(error, os.strerror(error))


@pytest.mark.parametrize("error", [errno.EACCES, errno.EROFS])
def test_a_read_only_place_gives_exit_3_and_leaves_no_temporary_file(
    error: int, county: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores permissions, so the refusal is the operating system's answer, simulated:
    # the rename over the target is refused after the temporary file was written.
    out = county.parent / "out.xlsx"
    monkeypatch.setattr(os, "replace", lambda *_args: _refuse_rename(error))
    code, _out, err = run(["run", str(county), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(out))
    assert not out.exists() and temporaries(county.parent) == []


def _half_then_full(self: object, handle: IO[bytes]) -> None:
    handle.write(b"PK\x03\x04" + b"\0" * 4096)
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_gives_exit_3_and_leaves_no_temporary_file(
    county: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = county.parent / "out.xlsx"
    monkeypatch.setattr(xlsx_patch.Patch, "save", _half_then_full)
    code, _out, err = run(["run", str(county), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(out))
    assert "disk is full" in err
    assert not out.exists() and temporaries(county.parent) == []


def test_a_full_disk_on_the_openpyxl_route_gives_exit_3_and_no_temporary_file(
    county: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = county.parent / "forum.xlsx"

    def full(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"PK" + b"\0" * 1024)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full)
    code, _out, err = run(["forum-copy", str(county), "-o", str(out), "--date", RUN_DATE], capsys)
    assert code == 3
    one_line_naming(err, str(out))
    assert not out.exists() and temporaries(county.parent) == []


# --- Temporary files a killed run left behind ----------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_run_removes_the_temporary_file_of_a_killed_run(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = county.parent / f".out.apmodel-{_dead_pid()}-k1ll3d.xlsx"
    killed.write_bytes(b"pupil data")
    old = county.parent / f".out.apmodel-{os.getppid()}-0ld.xlsx"
    old.write_bytes(b"pupil data")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    writing_now = county.parent / f".other.apmodel-{os.getppid()}-busy.xlsx"  # a live run's file, just written
    writing_now.write_bytes(b"in progress")
    users_own = county.parent / ".my notes.xlsx"
    users_own.write_bytes(b"not ours")
    code, _out, err = run(["run", str(county), "-o", str(county.parent / "out.xlsx"), "--date", RUN_DATE], capsys)
    assert code == 0, err
    assert temporaries(county.parent) == [".my notes.xlsx", writing_now.name]


def test_removing_stale_temporaries_never_raises_on_a_missing_folder(tmp_path: Path) -> None:
    assert remove_stale_temporaries(tmp_path / "gone") == []


# --- The crash log ---------------------------------------------------------------------------------


def test_a_crash_log_that_cannot_be_written_still_gives_one_line_and_exit_4(
    county: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import apmodel.service

    not_a_folder = county.parent / "tmp-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(not_a_folder))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(apmodel.service, "run_workbook", broken)
    code = main(["run", str(county), "-o", str(county.parent / "out.xlsx"), "-q"])
    err = capsys.readouterr().err
    assert code == 4
    assert len(err.strip().splitlines()) == 1, err
    assert "No log could be written" in err and "Traceback" not in err


# --- Macro-enabled workbooks ----------------------------------------------------------------------


def test_an_xlsm_written_to_xlsx_is_refused_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = macro_workbook(tmp_path)
    out = tmp_path / "out.xlsx"
    code, _out, err = run(["run", str(source), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(out))
    assert ".xlsm" in err and not out.exists()


def test_an_xlsx_written_to_xlsm_is_refused_with_one_line(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = county.parent / "out.xlsm"
    code, _out, err = run(["run", str(county), "-o", str(out), "--date", RUN_DATE, "-q"], capsys)
    assert code == 3
    one_line_naming(err, str(out))


@pytest.mark.parametrize("command", [["run", "-q"], ["run", "-q", "--in-place"]])
def test_an_xlsm_run_keeps_its_macros(command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = macro_workbook(tmp_path)
    out = tmp_path / "out.xlsm"
    target = ["-o", str(out)] if "--in-place" not in command else []
    code, _out, err = run([command[0], str(source), *command[1:], *target, "--date", RUN_DATE], capsys)
    assert code == 0, err
    written = out if target else source
    with zipfile.ZipFile(written) as archive:
        assert archive.read("xl/vbaProject.bin") == VBA_PROJECT
        assert MACRO_MAIN in archive.read("[Content_Types].xml")
    unchanged_allocations(read_tables(written))


# --- The 1904 date system (Mac workbooks) -----------------------------------------------------------


@pytest.mark.parametrize("writer", ["patch", "openpyxl"])
def test_dates_written_into_a_1904_workbook_are_the_right_dates(
    writer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from apmodel.service import issue_invoices
    from apmodel.workbook.openpyxl_store import FileWorkbook
    from tests.acceptance.test_invoice_sequence import county_with_placement

    book = openpyxl.load_workbook(county_with_placement(tmp_path))
    book.epoch = CALENDAR_MAC_1904  # <workbookPr date1904="1"/>: serials count from 1 January 1904
    mac = tmp_path / "mac.xlsx"
    book.save(mac)
    issued = tmp_path / "issued.xlsx"
    if writer == "patch":
        args = ["issue", str(mac), "--period", "Autumn 2025", "-o", str(issued), "--date", "2025-12-02"]
        code, _out, err = run(args, capsys)
        assert code == 0, err
    else:
        store = FileWorkbook(mac)
        issue_invoices(store, "Autumn 2025", today=date(2025, 12, 2))
        store.book  # noqa: B018 (the openpyxl route)
        store.save(issued)
    written = openpyxl.load_workbook(issued)
    assert written.epoch == CALENDAR_MAC_1904
    invoices = {row[0]: row for row in written["Invoices"].iter_rows(min_row=4, values_only=True) if row[0]}
    # Cedar's invoice: dated 2 Dec 2025, due 30 days later (Payment terms 30): 1 Jan 2026.
    cedar = invoices["AP-2025-26-00002"]
    assert (cedar[6].date(), cedar[7].date()) == (date(2025, 12, 2), date(2026, 1, 1))
    register = {row[0]: row for row in written["InvoiceRegister"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert register["AP-2025-26-00002"][9].date() == date(2025, 12, 2)
    # And read back by the model's own reader, the same dates.
    again = {r[0]: r for r in read_tables(issued)["Invoices"].rows}
    assert again["AP-2025-26-00002"][6] == date(2025, 12, 2)


def test_the_next_packs_run_removes_a_killed_runs_half_written_pack(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packs = county.parent / "packs"
    packs.mkdir()
    killed = packs / f".100001.apmodel-{_dead_pid()}-100001.xlsx"
    killed.write_bytes(b"half a pack: pupil data")
    code, _out, err = run(["packs", str(county), "-o", str(packs), "--date", RUN_DATE, "-q"], capsys)
    assert code == 0, err
    assert temporaries(packs) == []
    assert len(list(packs.glob("*.xlsx"))) == 3
