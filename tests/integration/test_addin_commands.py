"""Every ribbon command, run through ``dispatch`` on xlwings' remote engine (no Excel needed).

The book is a JSON payload of a real workbook; what a command writes is recorded as actions
(replayed as Excel would apply them), its message box as an ``alert`` action. Only the
questions a person answers (a term, a folder, OK or Cancel) are scripted.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from apmodel import CONTRACT_VERSION, __version__, service, systems
from apmodel.addin import commands, ribbon_buttons
from apmodel.addin.commands import LOG_FILE, ExcelInterface, dispatch, is_web_address, unused_path
from apmodel.workbook.interface import OutColumn, OutputTable
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import read_tables
from apmodel.workbooks.example_gias import (
    ACADEMY_CONVERTER,
    COMMUNITY,
    FREE_SCHOOL,
    LINKS_HEADER,
    establishment,
    write_gias,
)
from tests.builders import small_county, write_workbook
from tests.integration.test_xlwings_store import (  # noqa: F401  (the licence fixture is autouse)
    Replay,
    actions,
    assert_same_cells,
    noncommercial_licence,
    remote_book,
    remote_payload,
)

TODAY = date(2025, 12, 1)


class Scripted(ExcelInterface):
    """Excel's message boxes (recorded by the remote engine); the answers a person would give."""

    def __init__(
        self,
        book: xw.Book,
        *,
        texts: Sequence[str | None] = (),
        folder: Path | None = None,
        confirm: bool = True,
        files: Sequence[Path | None] = (),
        saved_as: Path | None = None,
    ) -> None:
        super().__init__(book)
        self.texts: Iterator[str | None] = iter(texts)
        self.files: Iterator[Path | None] = iter(files)
        self.folder, self.confirmation, self.saved_as = folder, confirm, saved_as
        self.asked: list[str] = []
        self.defaults: list[str] = []
        self.opened: list[Path] = []

    def confirm(self, prompt: str, title: str = commands.TITLE) -> bool:
        self.asked.append(prompt)
        return self.confirmation

    def ask_text(self, prompt: str, title: str = commands.TITLE, default: str = "") -> str | None:
        self.asked.append(prompt)
        self.defaults.append(default)
        return next(self.texts)

    def ask_file(self, prompt: str, start: Path | None = None) -> Path | None:
        self.asked.append(prompt)
        return next(self.files)

    def save_copy(self, target: Path) -> None:
        # Excel's SaveCopyAs writes the open book as it stands: here, the file the payload was made from.
        assert self.saved_as is not None, "the command asked for a copy of the open workbook"
        shutil.copyfile(self.saved_as, target)

    def ask_folder(self, prompt: str, start: Path | None = None) -> Path | None:
        self.asked.append(prompt)
        return self.folder

    def open_workbook(self, path: Path) -> None:
        self.opened.append(path)


def alerts(book: xw.Book) -> list[list[Any]]:
    """Each message box shown: [message, title, buttons, mode, callback]."""
    return [a["args"] for a in actions(book) if a["func"] == "alert"]


def writes(book: xw.Book) -> list[dict[str, Any]]:
    """Everything recorded except message boxes and screen updating."""
    return [a for a in actions(book) if a["func"] not in ("alert", "setScreenUpdating")]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "county.xlsx", small_county())


@pytest.fixture
def ran_county(county: Path, tmp_path: Path) -> Path:
    """The county after a run by the file adapter: it has a Summary table recording the contract."""
    book = FileWorkbook(county)
    summary = OutputTable(
        "Summary",
        [OutColumn("Item"), OutColumn("Value")],
        [["Status", "Complete"], ["Model version", __version__], ["Contract version", CONTRACT_VERSION]],
    )
    book.write_tables([summary])
    out = tmp_path / "ran.xlsx"
    book.save(out)
    return out


def press(button: str, book: xw.Book, tmp_path: Path, *, version: str | None = __version__, **answers: Any) -> Scripted:
    ui = Scripted(book, **answers)
    dispatch(button, version, book=book, ui=ui, today=TODAY, log_dir=tmp_path / "logs")
    return ui


# -- Dispatch --------------------------------------------------------------------------------------


def test_help_lists_what_every_button_does(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("help", book, tmp_path)
    [[message, title, *_]] = alerts(book)
    assert title == "Help"
    for button in ribbon_buttons():
        assert f"{button.label}: {button.supertip}" in message
    assert writes(book) == []  # Help leaves no trace in the workbook


def test_diagnose_shows_versions_interpreter_config_and_the_workbook_contract(ran_county: Path, tmp_path: Path) -> None:
    book = remote_book(ran_county)
    press("diagnose", book, tmp_path)
    [[message, title, *_]] = alerts(book)
    assert title == "Diagnose"
    assert f"apmodel {__version__}" in message and f"xlwings {xw.__version__}" in message
    assert f"Add-in built from apmodel {__version__}" in message
    assert "Interpreter: " in message and "Config file: " in message
    assert f"Workbook contract version: {CONTRACT_VERSION}" in message
    assert writes(book) == []


def test_diagnose_says_when_the_model_has_never_run_on_the_workbook(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("diagnose", book, tmp_path)
    assert "Workbook contract version: not recorded (the model has not been run" in alerts(book)[0][0]


def test_a_version_mismatch_is_explained_and_nothing_runs(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("run_model", book, tmp_path, version="0.0.1")
    [[message, _, _, mode, _]] = alerts(book)
    assert "built from apmodel 0.0.1" in message and f"has apmodel {__version__}" in message
    assert "apmodel addin install" in message and mode == "critical"
    assert writes(book) == []


def test_diagnose_still_runs_when_the_versions_differ(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("diagnose", book, tmp_path, version="0.0.1")
    assert "Add-in built from apmodel 0.0.1  << does not match" in alerts(book)[0][0]


def test_an_unknown_button_is_explained(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("launch_rocket", book, tmp_path)
    assert "no command for the button 'launch_rocket'" in alerts(book)[0][0]


def test_an_unexpected_error_becomes_a_friendly_message_and_a_log_file(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ctx: commands.Context) -> str:
        raise RuntimeError("the model fell over")

    monkeypatch.setitem(commands.COMMANDS, "validate", broken)
    book = remote_book(county)
    press("validate", book, tmp_path)  # returns: nothing reaches VBA
    log = (tmp_path / "logs" / LOG_FILE).read_text()
    assert "button=validate" in log and "RuntimeError: the model fell over" in log and "Traceback" in log
    [[message, _, _, mode, _]] = alerts(book)
    assert message.startswith("Sorry: something went wrong (RuntimeError: the model fell over)")
    assert str(tmp_path / "logs" / LOG_FILE) in message and mode == "critical"


def test_a_new_file_never_overwrites_a_users_file(tmp_path: Path) -> None:
    (tmp_path / "AP Funding workbook.xlsx").write_bytes(b"mine")
    (tmp_path / "AP Funding workbook (2).xlsx").write_bytes(b"mine too")
    assert unused_path(tmp_path / "AP Funding workbook.xlsx").name == "AP Funding workbook (3).xlsx"


# -- Questions answered "no" change nothing ------------------------------------------------------


@pytest.mark.parametrize("button", ["school_packs", "forum_copy", "new_workbook", "export_finance"])
def test_closing_the_folder_picker_changes_nothing(county: Path, tmp_path: Path, button: str) -> None:
    book = remote_book(county)
    ui = press(button, book, tmp_path, folder=None)
    assert len(ui.asked) == 1 and "folder" in ui.asked[0]
    assert alerts(book) == [] and ui.opened == []
    assert writes(book) == []


def test_issue_invoices_lists_the_terms_and_stops_on_cancel(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    ui = press("issue_invoices", book, tmp_path, texts=["autumn 2025"], confirm=False)
    assert "Terms: Summer 2025, Autumn 2025, Spring 2026" in ui.asked[0]
    assert "for Autumn 2025, dated 01/12/2025?" in ui.asked[1]
    assert alerts(book) == [] and writes(book) == []


def test_issue_invoices_refuses_a_term_that_is_not_in_the_terms_table(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    ui = press("issue_invoices", book, tmp_path, texts=["Winter 2025"])
    assert len(ui.asked) == 1  # never asked to confirm
    assert "'Winter 2025' is not a term in the Terms table" in alerts(book)[0][0]
    assert writes(book) == []


# -- The commands bound to the service layer -----------------------------------------------------


def test_every_service_function_a_command_imports_exists() -> None:
    # The commands import the service lazily (a click stays fast), so a renamed function would only
    # show when its button is pressed: name each one here, so the rename fails this test at once.
    source = Path(commands.__file__).read_text(encoding="utf-8")
    imported = [
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module == "apmodel.service"
        for alias in node.names
    ]
    assert imported, "the commands call the service layer"
    assert [name for name in imported if not callable(getattr(service, name, None))] == []


def output_sheets(book: xw.Book) -> list[str]:
    return [a["args"][3] for a in actions(book) if a["func"] == "addTable"]


def test_run_model_writes_every_output_table_and_says_how_it_went(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("run_model", book, tmp_path)
    headless = service.run_workbook(FileWorkbook(county), today=TODAY)
    new_tables = [t.name for t in headless.tables if t.name != "InvoiceRegister"]
    assert output_sheets(book) == new_tables  # InvoiceRegister already exists: it is rewritten in place
    [[message, *_]] = alerts(book)
    assert message.startswith("The model has run: 0 Error(s)")
    summary = Replay(remote_payload(county)).apply(actions(book)).sheet("Summary")
    assert str(summary.cells[(3, 4)]).startswith("Model run: 0 Error(s)")  # the status cell


def test_validate_writes_only_the_warnings_table(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("validate", book, tmp_path)
    assert output_sheets(book) == ["Warnings"]
    assert alerts(book)[0][0].startswith("Validation found 0 Error(s)")


def test_preview_invoices_runs_the_model_and_issues_nothing(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("preview_invoices", book, tmp_path)
    replay = Replay(remote_payload(county)).apply(actions(book))
    register = replay.sheet("InvoiceRegister")
    assert "Issued" not in register.cells.values()
    assert "Nothing has been issued" in alerts(book)[0][0]


def test_issue_invoices_marks_the_terms_drafts_issued_after_confirmation(
    county: Path, tmp_path: Path
) -> None:
    book = remote_book(county)
    press("issue_invoices", book, tmp_path, texts=["Autumn 2025"], confirm=True)
    headless = service.issue_invoices(FileWorkbook(county), "Autumn 2025", today=TODAY)
    message = alerts(book)[0][0]
    assert message.startswith(f"Issued {len(headless.issued)} document(s) for Autumn 2025")
    assert "Save the workbook now" in message


def test_school_packs_go_to_the_chosen_folder(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    folder = tmp_path / "packs"
    folder.mkdir()
    press("school_packs", book, tmp_path, folder=folder)
    written = sorted(folder.glob("*.xlsx"))
    assert written and f"Wrote {len(written)} school pack(s) to {folder}." == alerts(book)[0][0]


def test_forum_copy_goes_to_the_chosen_folder(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("forum_copy", book, tmp_path, folder=tmp_path)
    assert (tmp_path / "county - Forum copy.xlsx").is_file()


def test_compare_scenarios_writes_the_comparison(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    press("compare_scenarios", book, tmp_path)
    assert "ScenarioComparison" in output_sheets(book)
    assert alerts(book)[0][0].startswith("Compared ")


def test_new_workbook_writes_a_blank_forum_workbook_and_opens_it(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    ui = press("new_workbook", book, tmp_path, folder=tmp_path)
    path = tmp_path / "AP Funding workbook.xlsx"
    assert path.is_file() and ui.opened == [path]


# -- A workbook opened from OneDrive, SharePoint or Teams ----------------------------------------

WEB_NAME = "https://contoso.sharepoint.com/sites/finance/Shared Documents/county.xlsx"


class Folders(Scripted):
    """Answers each folder question with the next of ``folders``, and remembers where it started."""

    def __init__(self, book: xw.Book, folders: Sequence[Path | None]) -> None:
        super().__init__(book)
        self.folders: Iterator[Path | None] = iter(folders)
        self.starts: list[Path | None] = []

    def ask_folder(self, prompt: str, start: Path | None = None) -> Path | None:
        self.asked.append(prompt)
        self.starts.append(start)
        return next(self.folders)


def web_book(path: Path) -> xw.Book:
    payload = remote_payload(path)
    payload["book"]["name"] = WEB_NAME
    return xw.Book(json=payload)


def test_a_book_opened_from_sharepoint_runs_the_model_like_a_local_one(county: Path, tmp_path: Path) -> None:
    book = web_book(county)
    press("run_model", book, tmp_path)
    assert alerts(book)[0][0].startswith("The model has run: 0 Error(s)")
    assert not (tmp_path / "logs").exists()  # no failure was logged


@pytest.mark.parametrize("button", ["school_packs", "forum_copy"])
def test_files_from_a_sharepoint_book_go_to_a_local_folder_asked_again_until_one_is_chosen(
    county: Path, tmp_path: Path, button: str
) -> None:
    book = web_book(county)
    local = tmp_path / "out"
    local.mkdir()
    # The picker offers web places too: a SharePoint address is refused, then a local folder is used.
    ui = Folders(book, [Path("https://contoso.sharepoint.com/sites/finance/Shared Documents"), local])
    dispatch(button, __version__, book=book, ui=ui, today=TODAY, log_dir=tmp_path / "logs")
    refused, done = (a[0] for a in alerts(book))
    assert "is not a folder on this computer" in refused and "synced" in refused
    assert len(ui.asked) == 2 and list(local.glob("*.xlsx")) and str(local) in done
    assert [start for start in ui.starts if start is not None and is_web_address(str(start))] == []
    assert not (tmp_path / "logs").exists()


def test_a_table_that_would_grow_over_the_users_cells_is_refused_in_plain_words_and_nothing_is_written(
    county: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries

    from apmodel.cli import main

    first = tmp_path / "first.xlsx"
    assert main(["run", str(county), "-o", str(first), "--date", TODAY.isoformat(), "-q"]) == 0
    book = load_workbook(first)
    for sheet in book.worksheets:
        if "Schools" in sheet.tables:
            left, top, _right, bottom = range_boundaries(sheet.tables["Schools"].ref)
            header = [sheet.cell(row=top, column=c).value for c in range(left, _right + 1)]
            pupils = left + header.index("Pupils")
            for row in range(top + 1, bottom + 1):
                sheet.cell(row=row, column=pupils, value="many")  # an Error a school: Warnings grows
    warnings_sheet = book["Warnings"]
    _left, _top, _right, bottom = range_boundaries(warnings_sheet.tables["Warnings"].ref)
    warnings_sheet.cell(row=bottom + 2, column=1, value="my own total")
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    xl = remote_book(edited)
    press("validate", xl, tmp_path)
    [[message, _, _, mode, _]] = alerts(xl)
    assert message.startswith("Nothing was written: the output table Warnings on sheet 'Warnings' would grow over")
    assert f"your cell A{bottom + 2}" in message and mode == "critical"
    assert not (tmp_path / "logs" / LOG_FILE).exists()  # the user's own cells, not a failure for IT
    # Nothing but the status cell beside Summary: "working", then "Stopped".
    statuses = [str(a["values"][0][0]) for a in writes(xl)]
    assert [a["func"] for a in writes(xl)] == ["setValues", "setValues"]
    assert statuses[0].startswith("'Validate: working") and statuses[1].startswith("'Stopped: nothing was written")


# -- Import schools, Export to ledger, Roll over year: the CLI's service functions on the open book --

FINANCE = {"AP cost centre": "HN-AP", "Recoupment income account": "9410", "School budget account": "1890",
           "VAT code": "OS"}  # fmt: skip


def gias_extract(tmp_path: Path) -> Path:
    return write_gias(
        tmp_path / "edubasealldata20260101.csv",
        [
            establishment(100001, "Alder Secondary School", COMMUNITY, "Secondary", "North"),
            establishment(100002, "Birch Primary", COMMUNITY, "Primary", "North", status="Closed", ages=(4, 11)),
            establishment(100010, "New Free School", FREE_SCHOOL, "Primary", "South", pupils=240, ages=(4, 11)),
        ],
    )


def test_import_schools_updates_the_open_books_schools_and_import_log_as_the_cli_does(tmp_path: Path) -> None:
    county = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA code": "886"}))
    gias = gias_extract(tmp_path)
    book = remote_book(county)
    ui = press("import_schools", book, tmp_path, files=[gias, None])  # no links file: Cancel
    assert "GIAS establishment extract" in ui.asked[0] and "links file" in ui.asked[1]
    assert "Update this workbook's Schools table from edubasealldata20260101.csv?" in ui.asked[2]
    headless = FileWorkbook(county)
    expected = systems.import_schools(headless, gias)
    assert expected.update is not None and expected.log_rows > 0
    headless.save(tmp_path / "cli.xlsx")
    replay = Replay(remote_payload(county)).apply(actions(book))
    assert_same_cells(tmp_path / "cli.xlsx", replay, ["Schools", "ImportLog", "Warnings"])
    # Birch Primary is closed in GIAS: its Warning is a row of the Warnings table on both paths.
    warnings = read_tables(tmp_path / "cli.xlsx")["Warnings"].rows
    assert [row[:5] for row in warnings if row[1] == "GIAS_SCHOOL_CLOSED"] == [
        ["Warning", "GIAS_SCHOOL_CLOSED", "Schools", 3, "Status"]
    ]
    [[message, *_]] = alerts(book)
    assert message.startswith(f"Imported edubasealldata20260101.csv: {expected.update.added} school(s) added")
    assert f"{expected.log_rows} change(s) in ImportLog" in message and "Save the workbook" in message
    assert "(each a row of the Warnings sheet)" in message and "GIAS_SCHOOL_CLOSED" not in message


def test_import_schools_with_the_links_file_moves_a_converted_schools_rows_as_the_cli_does(tmp_path: Path) -> None:
    county = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA code": "886"}))
    # Alder (100001) closes and reopens as Alder Academy (100020) on 1 Oct 2025: EX-1 (3 Nov 2025) moves.
    gias = write_gias(
        tmp_path / "edubasealldata20260101.csv",
        [
            establishment(100001, "Alder Secondary", COMMUNITY, "Secondary", "North", status="Closed"),
            establishment(100020, "Alder Academy", ACADEMY_CONVERTER, "Secondary", "North", trust="Elm Trust"),
        ],
    )
    links = write_gias(
        tmp_path / "links.csv", [["100020", "100001", "Alder Secondary", "Predecessor", "01-10-2025"]], LINKS_HEADER
    )
    book = remote_book(county)
    ui = press("import_schools", book, tmp_path, files=[gias, links])
    assert "and move placements and exclusions by the conversions in links.csv?" in ui.asked[2]
    headless = FileWorkbook(county)
    expected = systems.import_schools(headless, gias, links_path=links)
    assert expected.moved >= 1 and expected.conversions
    headless.save(tmp_path / "cli.xlsx")
    replay = Replay(remote_payload(county)).apply(actions(book))
    assert_same_cells(tmp_path / "cli.xlsx", replay, ["Schools", "Placements", "Exclusions", "ImportLog", "Warnings"])
    assert f"{expected.moved} placement(s)/exclusion(s) moved by 1 conversion(s)" in alerts(book)[0][0]


def test_a_gias_file_offered_as_a_web_address_is_refused_and_asked_again(tmp_path: Path) -> None:
    county = write_workbook(tmp_path / "county.xlsx", small_county(**{"LA code": "886"}))
    book = remote_book(county)
    web = Path("https://contoso.sharepoint.com/sites/finance/Shared Documents/edubasealldata20260101.csv")
    ui = press("import_schools", book, tmp_path, files=[web, gias_extract(tmp_path), None])
    refused, done = (a[0] for a in alerts(book))
    assert "is not a file on this computer" in refused and done.startswith("Imported edubasealldata20260101.csv")
    assert len(ui.asked) == 4  # the extract twice, the links file, the confirmation


def test_import_schools_without_an_la_code_changes_nothing_but_warnings_and_says_why(
    county: Path, tmp_path: Path
) -> None:
    book = remote_book(county)
    gias = gias_extract(tmp_path)
    press("import_schools", book, tmp_path, files=[gias, None])
    [[message, _, _, mode, _]] = alerts(book)
    assert message.startswith("Nothing was imported: 1 Error(s)") and "'LA code' setting" in message
    assert "listed on the Warnings sheet" in message and mode == "critical"
    # The one Error is the Warnings table, as the service function writes it; no other table changes.
    headless = FileWorkbook(county)
    systems.import_schools(headless, gias)
    headless.save(tmp_path / "cli.xlsx")
    replay = Replay(remote_payload(county)).apply(actions(book))
    assert_same_cells(tmp_path / "cli.xlsx", replay, ["Warnings"])
    assert read_tables(tmp_path / "cli.xlsx")["Warnings"].rows[0][:5] == [
        "Error", "IMPORT_NOT_POSSIBLE", "Settings", None, "Value"
    ]
    before = Replay(remote_payload(county))
    assert {s.name for s in replay.sheets} == {s.name for s in before.sheets} | {"Warnings"}
    for sheet in before.sheets:
        if sheet.name != "Warnings":
            assert replay.sheet(sheet.name).cells == sheet.cells, sheet.name


def test_import_schools_stops_when_the_file_picker_is_closed_or_the_confirmation_refused(
    county: Path, tmp_path: Path
) -> None:
    for answers in ({"files": [None]}, {"files": [gias_extract(tmp_path), None], "confirm": False}):
        book = remote_book(county)
        press("import_schools", book, tmp_path, **answers)
        assert alerts(book) == [] and writes(book) == []


def issued_county(tmp_path: Path) -> Path:
    source = write_workbook(tmp_path / "county.xlsx", small_county(**FINANCE))
    book = FileWorkbook(source)
    assert service.issue_invoices(book, "Autumn 2025", today=TODAY).issued
    book.save(tmp_path / "issued.xlsx")
    return tmp_path / "issued.xlsx"


def test_export_to_ledger_writes_the_clis_files_to_a_new_local_folder_and_records_exported_on(
    tmp_path: Path,
) -> None:
    issued = issued_county(tmp_path)
    folder = tmp_path / "ledger"
    folder.mkdir()
    book = remote_book(issued)
    ui = press("export_finance", book, tmp_path, folder=folder)
    assert "record 01/12/2025 as their Exported On" in ui.asked[1]
    headless = FileWorkbook(issued)
    expected = systems.export_finance(headless, tmp_path / "cli", today=TODAY)
    headless.save(tmp_path / "cli.xlsx")
    written = folder / "issued - ledger export 2025-12-01"
    for name in ("ar-invoices.csv", "journals.csv"):
        assert (written / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    replay = Replay(remote_payload(issued)).apply(actions(book))
    assert_same_cells(tmp_path / "cli.xlsx", replay, ["InvoiceRegister"])
    [[message, *_]] = alerts(book)
    assert message.startswith(f"Exported {len(expected.numbers)} document(s)") and "save the workbook now" in message


def test_export_to_ledger_twice_exports_nothing_and_never_overwrites_the_first_files(tmp_path: Path) -> None:
    issued = issued_county(tmp_path)
    headless = FileWorkbook(issued)
    systems.export_finance(headless, tmp_path, today=TODAY)
    headless.save(tmp_path / "exported.xlsx")
    folder = tmp_path / "ledger"
    (folder / "exported - ledger export 2025-12-01").mkdir(parents=True)  # an earlier export's folder
    book = remote_book(tmp_path / "exported.xlsx")
    press("export_finance", book, tmp_path, folder=folder)
    assert alerts(book)[0][0] == "Nothing to export: every Issued document already has an Exported On date."
    assert [p.name for p in folder.iterdir()] == ["exported - ledger export 2025-12-01"]


def file_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_roll_over_writes_next_years_workbook_like_the_cli_and_leaves_the_open_book_alone(tmp_path: Path) -> None:
    issued = issued_county(tmp_path)
    folder = tmp_path / "next"
    folder.mkdir()
    book = remote_book(issued)
    ui = press("rollover", book, tmp_path, texts=["2026-27"], folder=folder, saved_as=issued)
    assert ui.defaults == ["2026-27"]  # the year after Settings' Financial year is offered
    target = folder / "issued - 2026-27.xlsx"
    assert ui.opened == [target]
    before, after = Replay(remote_payload(issued)), Replay(remote_payload(issued)).apply(actions(book))
    for sheet in before.sheets:  # only the status line beside Summary was written to the open book
        if sheet.name != "Summary":
            assert after.sheet(sheet.name).cells == sheet.cells, sheet.name
    assert output_sheets(book) == []
    headless = FileWorkbook(issued)
    assert systems.rollover_year(headless, "2026-27", today=TODAY).written
    headless.save(tmp_path / "cli.xlsx")
    assert file_values(target) == file_values(tmp_path / "cli.xlsx")
    assert "This workbook is unchanged" in alerts(book)[0][0]


def test_roll_over_refuses_what_is_not_the_next_year_and_writes_nothing(tmp_path: Path) -> None:
    issued = issued_county(tmp_path)
    book = remote_book(issued)
    press("rollover", book, tmp_path, texts=["2030-31"], folder=tmp_path / "", saved_as=issued)
    [[message, _, _, mode, _]] = alerts(book)
    assert message.startswith("Nothing was written: 1 Error(s)") and "rolls over to 2026-27 only" in message
    assert mode == "critical" and list(tmp_path.glob("issued - *")) == []


def test_roll_over_where_excel_cannot_copy_the_open_book_says_what_to_do(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    ui = commands.ExcelInterface(book)  # the remote engine has no Save a copy
    answers = Scripted(book, texts=["2026-27"], folder=tmp_path)
    ui.ask_text, ui.ask_folder = answers.ask_text, answers.ask_folder
    dispatch("rollover", __version__, book=book, ui=ui, today=TODAY, log_dir=tmp_path / "logs")
    [[message, _, _, mode, _]] = alerts(book)
    assert "cannot make a copy of the open workbook" in message and "apmodel rollover" in message
    assert mode == "critical" and list(tmp_path.glob("county - *")) == []


def test_roll_over_says_what_a_financial_year_looks_like(county: Path, tmp_path: Path) -> None:
    book = remote_book(county)
    ui = press("rollover", book, tmp_path, texts=["next year"])
    assert len(ui.asked) == 1 and "'next year' is not a financial year" in alerts(book)[0][0]
