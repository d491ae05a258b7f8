"""The ribbon's commands: one function per button of the "AP Funding" tab.

Rule (README.md, "Code layout"): the add-in's Python is thin. Each command binds
the calling book (an ``XlwingsStore``) to the same service function the CLI calls, so a
ribbon click and ``apmodel run`` run identical code; what is left here is only what a
ribbon needs: asking for a term or a folder, confirming, bringing the right sheet to the
front, and one plain message at the end.

``dispatch`` is the only entry point VBA calls (resources/apmodel_dispatch.bas). It never
lets an exception reach VBA: a mismatch between the add-in and the installed package is
explained, and anything unexpected becomes a friendly message plus a log file. The service
layer is imported inside each command, after its questions are answered, so Diagnose and
Help work even when the model itself cannot be imported.
"""

from __future__ import annotations

import logging
import platform
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import xlwings as xw

from apmodel import CONTRACT_VERSION, __version__
from apmodel.domain.findings import Findings, Severity
from apmodel.workbook.cells import CellProblem
from apmodel.workbook.contract import (
    IMPORT_LOG_SPEC,
    INVOICE_REGISTER,
    INVOICES,
    SCENARIO_COMPARISON,
    SETTINGS,
    SUMMARY,
    TERMS,
    WARNINGS,
)
from apmodel.workbook.interface import OutputWouldOverwrite, RawTable, table_named
from apmodel.workbook.parse import parse_financial_year
from apmodel.workbook.xlwings_store import XlwingsStore

from . import LAYOUT_MACROS, ribbon_buttons
from .install import places, read_config

TITLE = "AP Funding"
NEW_WORKBOOK_NAME = "AP Funding workbook.xlsx"
LOG_FILE = "addin.log"
#: Buttons that still run when the add-in and the package disagree: they help fix it.
ALWAYS_AVAILABLE = frozenset({"diagnose", "help"})

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The user said no, or closed a dialog: stop quietly."""


class DialogUnavailable(Exception):
    """This Excel cannot show the dialog the command needs (only the remote test engine)."""


class UserInterface(Protocol):
    """What a command may ask of the person at the keyboard."""

    def tell(self, message: str, title: str = TITLE, *, problem: bool = False) -> None: ...

    def confirm(self, prompt: str, title: str = TITLE) -> bool: ...

    def ask_text(self, prompt: str, title: str = TITLE, default: str = "") -> str | None: ...

    def ask_folder(self, prompt: str, start: Path | None = None) -> Path | None: ...

    def ask_file(self, prompt: str, start: Path | None = None) -> Path | None: ...

    def open_workbook(self, path: Path) -> None: ...

    def save_copy(self, target: Path) -> None:
        """Write the open book, unsaved changes included, to ``target``; the open book is unchanged."""


def _applescript_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ExcelInterface:
    """Excel's own dialogs: message boxes through xlwings, input and folder pickers through Excel.

    Windows uses Excel's ``InputBox`` and folder ``FileDialog`` (COM); macOS asks Excel via
    AppleScript. The remote engine cannot wait for an answer, so it has no input dialogs.
    """

    def __init__(self, book: xw.Book) -> None:
        self.book = book

    @property
    def _desktop(self) -> str | None:
        if self.book.app.engine.type == "remote":
            return None
        return sys.platform

    def tell(self, message: str, title: str = TITLE, *, problem: bool = False) -> None:
        self.book.app.alert(message, title=title, mode="critical" if problem else "info")

    def confirm(self, prompt: str, title: str = TITLE) -> bool:
        if self._desktop is None:
            raise DialogUnavailable("a confirmation")
        return self.book.app.alert(prompt, title=title, buttons="ok_cancel") == "ok"

    def ask_text(self, prompt: str, title: str = TITLE, default: str = "") -> str | None:
        where = self._desktop
        if where == "win32":
            answer = self.book.app.api.InputBox(Prompt=prompt, Title=title, Default=default, Type=2)
            return None if answer is False else str(answer)
        if where == "darwin":
            script = (
                f'tell application "Microsoft Excel" to display dialog {_applescript_string(prompt)} '
                f"default answer {_applescript_string(default)} with title {_applescript_string(title)}"
            )
            return self._osascript(script + "\nreturn text returned of result")
        raise DialogUnavailable("a question")

    def ask_folder(self, prompt: str, start: Path | None = None) -> Path | None:
        where = self._desktop
        if where == "win32":
            picker = self.book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
            picker.Title = prompt
            if start is not None:
                picker.InitialFileName = str(start) + "\\"
            return Path(picker.SelectedItems(1)) if picker.Show() == -1 else None
        if where == "darwin":
            chosen = self._osascript(
                f'tell application "Microsoft Excel" to return POSIX path of (choose folder with prompt '
                f"{_applescript_string(prompt)})"
            )
            return Path(chosen) if chosen else None
        raise DialogUnavailable("a folder picker")

    def ask_file(self, prompt: str, start: Path | None = None) -> Path | None:
        where = self._desktop
        if where == "win32":
            picker = self.book.app.api.FileDialog(3)  # msoFileDialogFilePicker
            picker.Title = prompt
            picker.AllowMultiSelect = False
            if start is not None:
                picker.InitialFileName = str(start) + "\\"
            return Path(picker.SelectedItems(1)) if picker.Show() == -1 else None
        if where == "darwin":
            chosen = self._osascript(
                f'tell application "Microsoft Excel" to return POSIX path of (choose file with prompt '
                f"{_applescript_string(prompt)})"
            )
            return Path(chosen) if chosen else None
        raise DialogUnavailable("a file picker")

    def open_workbook(self, path: Path) -> None:
        if self._desktop is not None:
            self.book.app.books.open(str(path))

    def save_copy(self, target: Path) -> None:
        """Windows: Excel's SaveCopyAs (unsaved changes included, even for a SharePoint book). macOS: the
        book's file as last saved (Excel's AppleScript has no save-a-copy)."""
        where = self._desktop
        if where == "win32":
            self.book.api.SaveCopyAs(str(target))
            return
        fullname = str(self.book.fullname)
        if where == "darwin" and not is_web_address(fullname) and Path(fullname).is_file():
            shutil.copyfile(fullname, target)
            return
        raise DialogUnavailable("a copy of the open workbook")

    @staticmethod
    def _osascript(script: str) -> str | None:
        done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True, check=False)
        return done.stdout.rstrip("\n") if done.returncode == 0 else None


@dataclass
class Context:
    """What one button press works with."""

    book: xw.Book
    store: XlwingsStore
    ui: UserInterface
    addin_version: str | None = None
    today: date | None = None
    log_file: Path | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, button_id: str) -> str:
        return self.labels.get(button_id, button_id)

    def workbook_folder(self) -> Path | None:
        """The open book's folder on this computer; None for a book opened from OneDrive, SharePoint or Teams."""
        fullname = str(self.book.fullname)
        if is_web_address(fullname):
            return None
        full = Path(fullname)
        return full.parent if full.parent != Path(".") and full.parent.is_dir() else None

    def local_folder(self, prompt: str) -> Path:
        """A folder on this computer, asked until one is chosen (Cancel stops the command).

        A book opened from OneDrive, SharePoint or Teams has a web address, not a folder, and
        a folder picker can offer web locations too: files are written to a local folder (a
        OneDrive folder synced to this computer is one), never to an address.
        """
        start = self.workbook_folder() or documents_folder()
        while True:
            folder = self.ui.ask_folder(prompt, start)
            if folder is None:
                raise Cancelled
            if not is_web_address(str(folder)) and folder.is_dir():
                return folder
            self.ui.tell(
                f"{folder} is not a folder on this computer. Choose a local folder (a OneDrive or SharePoint "
                "folder synced to this computer is fine): the files are written there.",
                problem=True,
            )

    def local_file(self, prompt: str) -> Path | None:
        """A file on this computer, asked until one is chosen; None when the picker is closed."""
        start = self.workbook_folder() or documents_folder()
        while True:
            chosen = self.ui.ask_file(prompt, start)
            if chosen is None:
                return None
            if not is_web_address(str(chosen)) and chosen.is_file():
                return chosen
            self.ui.tell(
                f"{chosen} is not a file on this computer. Download it (or sync its folder) and choose the local "
                "copy.",
                problem=True,
            )


def is_web_address(name: str) -> bool:
    """An https name, as Excel gives a book opened from OneDrive, SharePoint or Teams (also once made a Path)."""
    return name.lower().startswith(("http:/", "https:/"))


def documents_folder() -> Path | None:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else None


#: A command returns the one line left in the status bar and the status cell.
Command = Callable[[Context], str]


def validate(ctx: Context) -> str:
    from apmodel.service import validate_workbook

    findings = validate_workbook(ctx.store)
    ctx.store.show(WARNINGS)
    ctx.ui.tell(f"Validation found {findings.counts_text()}. Each row of the Warnings sheet links to its cell.")
    return f"Validated: {findings.counts_text()}"


def run_model(ctx: Context) -> str:
    from apmodel.service import run_workbook

    report = run_workbook(ctx.store, today=ctx.today)
    errors = report.findings.count(Severity.ERROR)
    ctx.store.show(WARNINGS if errors else SUMMARY)
    where = "See the Warnings sheet: Errors block the figures that depend on them." if errors else "See Summary."
    ctx.ui.tell(f"The model has run: {report.findings.counts_text()}. {where}")
    return f"Model run: {report.findings.counts_text()}"


def compare_scenarios(ctx: Context) -> str:
    from apmodel.service import compare_scenarios as compare

    names = compare(ctx.store, today=ctx.today)
    ctx.store.show(SCENARIO_COMPARISON)
    ctx.ui.tell(f"Compared {len(names)} scenario(s) with the baseline on the ScenarioComparison sheet.")
    return f"Compared {len(names)} scenario(s)"


def preview_invoices(ctx: Context) -> str:
    from apmodel.service import run_workbook

    report = run_workbook(ctx.store, today=ctx.today)
    documents = next((len(t.rows) for t in report.tables if t.name == INVOICES), 0)
    ctx.store.show(INVOICES)
    ctx.ui.tell(
        f"{documents} invoice(s), credit note(s) and budget adjustment(s) are on the Invoices sheet "
        f"({report.findings.counts_text()}). Nothing has been issued: use Issue invoices for that."
    )
    return f"Previewed {documents} draft document(s)"


def term_names(tables: dict[str, RawTable]) -> list[str]:
    """The billing periods, as typed in the Terms table."""
    terms = table_named(tables, TERMS.name)
    if terms is None:
        return []
    column = terms.index("Term")
    if column is None:
        return []
    return [str(row[column]).strip() for row in terms.rows if row[column] not in (None, "")]


def issue_invoices(ctx: Context) -> str:
    terms = term_names(ctx.store.read_tables())
    listed = ", ".join(terms) if terms else "none: the Terms table is empty"
    title = ctx.label("issue_invoices")
    answer = ctx.ui.ask_text(f"Which term's invoices do you want to issue?\n\nTerms: {listed}", title)
    if not answer or not answer.strip():
        raise Cancelled
    typed = answer.strip()
    period = next((t for t in terms if t.casefold() == typed.casefold()), None)
    if period is None:
        ctx.ui.tell(f"'{typed}' is not a term in the Terms table ({listed}). Nothing was issued.", problem=True)
        return f"Not issued: '{typed}' is not a term"
    day = ctx.today or date.today()
    if not ctx.ui.confirm(
        f"Issue the draft invoices, credit notes and budget adjustments for {period}, dated {day:%d/%m/%Y}?\n\n"
        "Issued documents are never rewritten: a later change raises a credit note and a new invoice.",
        title,
    ):
        raise Cancelled
    from apmodel.service import issue_invoices as issue

    result = issue(ctx.store, period, today=ctx.today)
    ctx.store.show(INVOICE_REGISTER.name)
    numbers = f" ({result.issued[0]} to {result.issued[-1]})" if result.issued else ""
    ctx.ui.tell(
        f"Issued {len(result.issued)} document(s) for {period}{numbers} in the InvoiceRegister. "
        "Save the workbook now: the register is part of it."
    )
    return f"Issued {len(result.issued)} document(s) for {period}: save the workbook"


def school_packs(ctx: Context) -> str:
    folder = ctx.local_folder("Choose the folder for the school packs")
    from apmodel.service import write_packs

    paths = write_packs(ctx.store, folder, today=ctx.today, progress=ctx.store.status)
    ctx.ui.tell(f"Wrote {len(paths)} school pack(s) to {folder}.")
    return f"Wrote {len(paths)} school pack(s)"


def forum_copy(ctx: Context) -> str:
    folder = ctx.local_folder("Choose the folder for the Forum copy")
    from apmodel.service import forum_copy as write_forum_copy

    stem = Path(str(ctx.book.name)).stem
    told: list[Findings] = []
    path = write_forum_copy(
        ctx.store, unused_path(folder / f"{stem} - Forum copy.xlsx"), today=ctx.today, findings=told.append
    )
    if told and told[0].has_errors():
        ctx.ui.tell(f"Wrote the Forum copy {path}, but do not publish it yet: the inputs have Errors "
                    f"({told[0].counts_text()}), so its figures leave out what they block. Run Validate to see them.")
    else:
        ctx.ui.tell(f"Wrote the Forum copy {path}: aggregated figures only, safe to publish.")
    return f"Wrote the Forum copy {path.name}"


def new_workbook(ctx: Context) -> str:
    folder = ctx.local_folder("Choose the folder for the new Forum workbook")
    from apmodel.workbook.template import new_workbook as write_blank

    path = unused_path(folder / NEW_WORKBOOK_NAME)
    write_blank(path)
    ctx.ui.open_workbook(path)
    ctx.ui.tell(f"Wrote a blank Forum workbook: {path}. Fill in the input tables, then press Run model.")
    return f"Wrote {path.name}"


def _findings_lines(findings: Findings, limit: int = 5) -> str:
    """The first Errors and Warnings, one plain line each (the CLI prints them all)."""
    shown = [f for f in findings.sorted() if f.severity is not Severity.INFO][:limit]
    lines = [f"{f.severity.value}: {f.table} {f.column or ''} {f.value}: {f.message}".replace("  ", " ") for f in shown]
    more = len([f for f in findings.sorted() if f.severity is not Severity.INFO]) - len(shown)
    return "\n".join(lines + ([f"... and {more} more."] if more > 0 else []))


def import_schools(ctx: Context) -> str:
    title = ctx.label("import_schools")
    extract = ctx.local_file("Choose the GIAS establishment extract (edubasealldata....csv)")
    if extract is None:
        raise Cancelled
    links = ctx.local_file("Choose the GIAS links file (links_edubasealldata....csv), or Cancel to import without it")
    if not ctx.ui.confirm(
        f"Update this workbook's Schools table from {extract.name}"
        + (f" and move placements and exclusions by the conversions in {links.name}" if links else "")
        + "?\n\nEvery change is listed in ImportLog. Close the workbook without saving to undo.",
        title,
    ):
        raise Cancelled
    from apmodel.systems import import_schools as merge  # pandas is imported here, only when importing

    report = merge(ctx.store, extract, links_path=links)
    update = report.update
    problems = _findings_lines(report.findings)
    if update is None:
        ctx.store.show(WARNINGS)
        ctx.ui.tell(
            f"Nothing was imported: {report.findings.counts_text()}, listed on the Warnings sheet.\n\n{problems}",
            problem=True,
        )
        return f"Nothing imported: {report.findings.counts_text()}"
    ctx.store.show(IMPORT_LOG_SPEC.name)
    ctx.ui.tell(
        f"Imported {extract.name}: {update.added} school(s) added, {update.updated} updated ({update.closed} closed), "
        f"{report.moved} placement(s)/exclusion(s) moved by {len(report.conversions)} conversion(s); "
        f"{report.log_rows} change(s) in ImportLog; {report.findings.counts_text()}"
        + (" (each a row of the Warnings sheet)" if report.findings.items else "")
        + ". Save the workbook to keep them."
        + (f"\n\n{problems}" if problems else ""),
        problem=report.findings.has_errors(),
    )
    return f"Imported schools: {report.log_rows} change(s): save the workbook"


def export_to_ledger(ctx: Context) -> str:
    title = ctx.label("export_finance")
    folder = ctx.local_folder("Choose the folder for the ledger files")
    day = ctx.today or date.today()
    target = unused_path(folder / f"{Path(str(ctx.book.name)).stem} - ledger export {day:%Y-%m-%d}")
    if not ctx.ui.confirm(
        f"Export the Issued documents not yet exported to {target}, and record {day:%d/%m/%Y} as their "
        "Exported On in the InvoiceRegister?\n\nA document is exported once: the next export leaves it out.",
        title,
    ):
        raise Cancelled
    from apmodel.systems import export_finance

    target.mkdir()
    try:
        result = export_finance(ctx.store, target, today=ctx.today)
    finally:
        if not any(target.iterdir()):
            target.rmdir()  # nothing exported (or a failure before any file): no empty folder is left
    if not result.numbers:
        settlement = result.run.results.settlement if result.run is not None else None
        if settlement is None or settlement.frozen:
            ctx.ui.tell(
                "Nothing was exported: the InvoiceRegister has Errors. Press Validate to see them.", problem=True
            )
            return "Nothing exported: the register has Errors"
        ctx.ui.tell("Nothing to export: every Issued document already has an Exported On date.")
        return "Nothing to export"
    ctx.store.show(INVOICE_REGISTER.name)
    ctx.ui.tell(
        f"Exported {len(result.numbers)} document(s): {result.ar_lines} invoice line(s) to {result.files[0]}, "
        f"{len(result.journals)} journal(s) to {result.files[1]} (net of all journals {result.journals_net:.2f}). "
        "Exported On is recorded in the InvoiceRegister: save the workbook now."
    )
    return f"Exported {len(result.numbers)} document(s): save the workbook"


def next_year_label(tables: dict[str, RawTable]) -> str:
    """The financial year after the one in Settings (e.g. 2026-27), or "" when it is not readable."""
    settings = table_named(tables, SETTINGS.name)
    name_at = settings.index("Setting") if settings is not None else None
    value_at = settings.index("Value") if settings is not None else None
    if settings is None or name_at is None or value_at is None:
        return ""
    typed = next(
        (row[value_at] for row in settings.rows if str(row[name_at]).strip().casefold() == "financial year"), None
    )
    try:
        year = parse_financial_year(str(typed))
    except CellProblem:
        return ""
    return f"{year.start_year + 1}-{(year.start_year + 2) % 100:02d}"


def roll_over(ctx: Context) -> str:
    title = ctx.label("rollover")
    answer = ctx.ui.ask_text(
        "Which financial year is the new workbook for? This workbook is left as it is.",
        title,
        next_year_label(ctx.store.read_tables()),
    )
    if not answer or not answer.strip():
        raise Cancelled
    try:
        year = parse_financial_year(answer.strip()).label
    except CellProblem as problem:
        ctx.ui.tell(f"'{answer.strip()}' is not a financial year: {problem.message} Nothing was written.", problem=True)
        return "Not rolled over: not a financial year"
    folder = ctx.local_folder(f"Choose the folder for the {year} workbook")
    book_name = Path(str(ctx.book.name))
    suffix = book_name.suffix or ".xlsx"
    target = unused_path(folder / f"{book_name.stem} - {year}{suffix}")
    from apmodel.systems import rollover_year
    from apmodel.workbook.openpyxl_store import FileWorkbook

    with tempfile.TemporaryDirectory(prefix="apmodel-rollover-") as scratch:
        copy = Path(scratch) / f"this year{suffix}"
        try:
            ctx.ui.save_copy(copy)
        except DialogUnavailable:
            ctx.ui.tell(
                "This Excel cannot make a copy of the open workbook. On a Mac, save the workbook to a folder on "
                "this computer and press Roll over year again, or use `apmodel rollover`. Nothing was written.",
                problem=True,
            )
            return "Not rolled over: no copy of the workbook"
        book = FileWorkbook(copy, on_status=ctx.store.status)
        result = rollover_year(book, year, today=ctx.today)
        if not result.written:
            ctx.ui.tell(
                f"Nothing was written: {result.findings.counts_text()}.\n\n{_findings_lines(result.findings)}",
                problem=True,
            )
            return f"Not rolled over: {result.findings.counts_text()}"
        book.save(target)
    ctx.ui.open_workbook(target)
    ctx.ui.tell(
        f"Wrote {target} for {year}: AP budget {result.budget:,.2f}, {result.placements} placement(s) and "
        f"{result.exclusions} exclusion(s) carried; {len(result.log)} row(s) in RolloverLog. This workbook is "
        "unchanged. Replace the draft Terms and ClosureDays with next year's dates."
    )
    return f"Wrote {target.name}"


def unused_path(path: Path) -> Path:
    """``path``, or ``name (2).xlsx``, ``name (3).xlsx``...: never overwrite a user's file."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        number += 1
    return candidate


def workbook_contract_version(tables: dict[str, RawTable]) -> str:
    """The contract version the last run wrote into Summary (the workbook's own record)."""
    summary = table_named(tables, SUMMARY)
    if summary is None:
        return "not recorded (the model has not been run on this workbook yet)"
    item, value = summary.index("Item"), summary.index("Value")
    if item is None or value is None:
        return "not recorded (the Summary table has no Item and Value columns)"
    for row in summary.rows:
        if str(row[item]).strip().casefold() == "contract version":
            return str(row[value]).removesuffix(".0")
    return "not recorded in Summary"


def diagnosis(ctx: Context) -> list[str]:
    """The facts IT needs, one per line."""
    where = places()
    config = where.config_file if where is not None else None
    interpreter = read_config(where.config_file, where.encoding).get(where.config_key, "") if where is not None else ""
    tables = ctx.store.read_tables()
    recorded = workbook_contract_version(tables)
    lines = [
        f"apmodel {__version__} (reads and writes Forum workbook contract version {CONTRACT_VERSION})",
        f"Add-in built from apmodel {ctx.addin_version or 'unknown'}"
        + ("" if ctx.addin_version in (None, __version__) else "  << does not match: run `apmodel addin install`"),
        f"xlwings {xw.__version__}",
        f"Python {platform.python_version()} ({platform.system()} {platform.machine()})",
        f"Interpreter: {sys.executable}",
        "Config file: "
        + ("none on this system" if config is None else f"{config} ({'found' if config.is_file() else 'missing'})"),
        f"Interpreter set in the config file: {interpreter or 'not set'}",
        f"Log file: {ctx.log_file or 'none'}",
        f"Workbook: {ctx.book.name}, {len(tables)} table(s)",
        f"Workbook contract version: {recorded}",
    ]
    return lines


def diagnose(ctx: Context) -> str:
    ctx.ui.tell("\n".join(diagnosis(ctx)), ctx.label("diagnose"))
    return f"apmodel {__version__}, xlwings {xw.__version__}"


def help_text(log_file: Path | None = None) -> str:
    parts = ["The AP Funding tab runs the same model as the apmodel command line, on this workbook.", ""]
    for button in ribbon_buttons():
        parts.append(f"{button.label}: {button.supertip}")
    parts += [
        "",
        "Input tables are never changed; output tables are replaced on every run.",
        "Progress shows in the status bar and beside the Summary table.",
        f"If something goes wrong, the details are in {log_file or 'the add-in log'}; Diagnose shows what IT needs.",
    ]
    return "\n".join(parts)


def show_help(ctx: Context) -> str:
    ctx.ui.tell(help_text(ctx.log_file), ctx.label("help"))
    return "Help shown"


COMMANDS: dict[str, Command] = {
    "validate": validate,
    "run_model": run_model,
    "compare_scenarios": compare_scenarios,
    "preview_invoices": preview_invoices,
    "issue_invoices": issue_invoices,
    "school_packs": school_packs,
    "forum_copy": forum_copy,
    "new_workbook": new_workbook,
    "import_schools": import_schools,
    "export_finance": export_to_ledger,
    "rollover": roll_over,
    "diagnose": diagnose,
    "help": show_help,
}


def default_log_dir() -> Path:
    return Path.home() / ".apmodel" / "logs"


def version_mismatch(addin_version: str) -> str:
    return (
        f"This AP Funding add-in was built from apmodel {addin_version}, but the Python it runs has "
        f"apmodel {__version__}. The two must match, so nothing was run.\n\n"
        "To fix it, run `apmodel addin install` with the Python that has the apmodel you want, then restart "
        "Excel. Diagnose shows which Python the add-in uses."
    )


def _log_failure(log_file: Path, button_id: str, book_name: str) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(
            f"--- {datetime.now():%Y-%m-%d %H:%M:%S} button={button_id} workbook={book_name} "
            f"apmodel={__version__} xlwings={xw.__version__} python={sys.executable}\n"
            f"{traceback.format_exc()}\n"
        )


def dispatch(
    button_id: str,
    addin_version: str | None = None,
    *,
    book: xw.Book | None = None,
    ui: UserInterface | None = None,
    today: date | None = None,
    log_dir: Path | None = None,
) -> None:
    """Run the command of ribbon button ``button_id`` on the calling book; never raise to VBA."""
    log_file = (log_dir or default_log_dir()) / LOG_FILE
    book_name = "(no workbook)"
    store: XlwingsStore | None = None
    face: UserInterface | None = ui
    try:
        book = book or xw.Book.caller()
        book_name = str(book.name)
        face = ui or ExcelInterface(book)
        # The add-in's own formatting macro, when it is the add-in built with this version.
        store = XlwingsStore(book, addin_module=LAYOUT_MACROS if addin_version == __version__ else None)
        labels = {button.id: button.label for button in ribbon_buttons()}
        ctx = Context(book, store, face, addin_version, today, log_file, labels)
        if addin_version is not None and addin_version != __version__ and button_id not in ALWAYS_AVAILABLE:
            face.tell(version_mismatch(addin_version), problem=True)
            return
        command = COMMANDS.get(button_id)
        if command is None:
            face.tell(f"apmodel {__version__} has no command for the button '{button_id}'.", problem=True)
            return
        # Diagnose and Help only read: they leave no trace in the workbook.
        quiet = button_id in ALWAYS_AVAILABLE
        if not quiet:
            store.status(f"{ctx.label(button_id)}: working")
        outcome = command(ctx)
        if not quiet:
            store.status(outcome)
    except Cancelled:
        if store is not None:
            store.status("Cancelled: nothing was changed")
    except DialogUnavailable as missing:
        if face is not None:
            face.tell(f"This Excel cannot show {missing}, which this button needs.", problem=True)
    except OutputWouldOverwrite as in_the_way:
        # The user's own cells are in the way: a plain answer, not a failure to send to IT.
        if store is not None:
            store.status("Stopped: nothing was written (see the message)")
        if face is not None:
            face.tell(f"Nothing was written: {in_the_way}.", problem=True)
    except Exception as exc:
        _report_failure(button_id, book_name, log_file, exc, store, face)
    finally:
        if store is not None:
            try:
                store.release_status_bar()
            except Exception:
                log.exception("Could not release Excel's status bar")


def _report_failure(
    button_id: str,
    book_name: str,
    log_file: Path,
    exc: Exception,
    store: XlwingsStore | None,
    face: UserInterface | None,
) -> None:
    """Log the traceback, then tell the user in plain words; a failure here is only logged."""
    try:
        _log_failure(log_file, button_id, book_name)
    except OSError:
        log.exception("Could not write %s", log_file)
    message = (
        f"Sorry: something went wrong ({type(exc).__name__}: {exc}).\n\n"
        "Input tables are never changed. Output tables written before the problem are kept; run the "
        f"button again once it is fixed.\n\nThe details are in {log_file}: please send that file to IT "
        "with a copy of the workbook if you can."
    )
    try:
        if store is not None:
            store.status("Stopped: something went wrong (see the message)")
        if face is not None:
            face.tell(message, problem=True)
    except Exception:
        log.exception("Could not tell the user about a failure")
