"""Headless entry points: ``apmodel run | validate | issue | packs | compare | forum-copy | import-schools |
export-finance | rollover | new | demo | addin``.

Thin by design: parse arguments, bind a file to the service layer, print one line.

Exit codes (documented in the README):
  0  done, no Errors
  1  done, but the inputs have Errors (see the Warnings table / the printed list)
  2  the command line is wrong
  3  a file cannot be read or written (missing, empty, locked, not .xlsx, password-protected)
  4  an unexpected internal error (details in the log file named on screen)
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path

from rich.console import Console

from apmodel import __version__
from apmodel.domain.findings import Findings
from apmodel.workbook.interface import OutputWouldOverwrite
from apmodel.workbook.openpyxl_store import FileWorkbook
from apmodel.workbook.xlsx_reader import WorkbookUnreadable

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_FILE, EXIT_INTERNAL = 0, 1, 2, 3, 4

console = Console(stderr=True, highlight=False)


def _progress(quiet: bool) -> tuple[Callable[[str], None], AbstractContextManager[object]]:
    """A spinner with the current step on a terminal; nothing when quiet or piped."""
    if quiet or not console.is_terminal:
        return (lambda _message: None), nullcontext()
    status = console.status("Starting")
    return (lambda message: status.update(message)), status


class CannotWrite(Exception):
    """The output cannot go where the user asked; the message is one line naming the path as typed."""


def _same_file(a: Path, b: Path) -> bool:
    """True when ``b`` is ``a`` under another spelling, a symlink or a hard link."""
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_target(typed: str, *, folder: bool = False) -> None:
    """Refuse an output path that cannot be written before any work is done (exit 3, one line)."""
    path = Path(typed)
    if not folder and path.is_dir():
        raise CannotWrite(f"cannot write {typed}: it is a folder; give a file name, such as {path / 'results.xlsx'}")
    if folder and path.exists() and not path.is_dir():
        raise CannotWrite(f"cannot write {typed}: it is a file, not a folder")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise CannotWrite(f"cannot write {typed}: {parent} is a file, not a folder")
            break


def _output_target(args: argparse.Namespace) -> tuple[Path, bool]:
    """Where to write, and whether it is the workbook itself (``-o`` naming the input counts as --in-place)."""
    if args.in_place:
        return Path(args.workbook), True
    if args.output is None:
        raise SystemExit("apmodel: give -o OUT.xlsx or --in-place")
    if _same_file(Path(args.workbook), Path(args.output)):
        print(f"{args.output} is the workbook itself: updating it in place, with a backup.")
        return Path(args.workbook), True
    _check_target(args.output)
    _check_macro_suffix(args.workbook, args.output)
    return Path(args.output), False


_MACRO_SUFFIX = ".xlsm"


def _check_macro_suffix(workbook: str, typed: str) -> None:
    """A workbook with macros (.xlsm) is written to .xlsm and one without to .xlsx: Excel refuses a mismatch."""
    source, target = Path(workbook).suffix.lower(), Path(typed).suffix.lower()
    if source == _MACRO_SUFFIX and target == ".xlsx":
        raise CannotWrite(
            f"cannot write {typed}: {workbook} is a macro-enabled workbook (.xlsm) and an .xlsx cannot hold its "
            f"macros; write it to a .xlsm file (for example {Path(typed).with_suffix('.xlsm')})"
        )
    if source == ".xlsx" and target == _MACRO_SUFFIX:
        raise CannotWrite(
            f"cannot write {typed}: {workbook} has no macros, and Excel will not open an .xlsx workbook named "
            f".xlsm; write it to {Path(typed).with_suffix('.xlsx')}"
        )


def _write_problem(typed: str, exc: OSError) -> str:
    """One plain line for a file that could not be written, naming the path the user typed."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the place is read-only",
        errno.EACCES: "no permission to write there (read-only, or the file is open in Excel)",
        errno.EPERM: "no permission to write there (read-only, or the file is open in Excel)",
        errno.EISDIR: "it is a folder; give a file name",
        errno.ENOTDIR: "part of the path is a file, not a folder",
        errno.EEXIST: "part of the path is a file, not a folder",
        errno.ENOENT: "the folder does not exist",
    }
    reason = reasons.get(exc.errno or 0) or " ".join(str(exc.strerror or exc).split())
    return f"cannot write {typed}: {reason}"


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


#: Characters that must never reach a terminal raw from a cell: C0 and C1 controls (escape
#: sequences can rewrite the screen) and the invisible bidirectional and zero-width marks.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` with each unprintable character shown as its escape (``\\x1b``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _print_findings(findings: Findings, limit: int = 200) -> None:
    for finding in findings.sorted()[:limit]:
        where = (
            finding.table
            + (f" row {finding.row}" if finding.row else "")
            + (f" [{finding.column}]" if finding.column else "")
        )
        print(printable(f"{finding.severity.value:7} {finding.code:28} {where}: {finding.message}"))
    if len(findings.items) > limit:
        print(f"... and {len(findings.items) - limit} more (run the model to see them all in the Warnings table)")


def cmd_run(args: argparse.Namespace) -> int:
    from apmodel.service import run_workbook

    target, in_place = _output_target(args)
    step, spinner = _progress(args.quiet)
    with spinner:
        book = FileWorkbook(Path(args.workbook))
        report = run_workbook(book, today=_date(args.date), progress=step)
        step("Saving")
        backup = book.save(target, backup=in_place)
    print(f"Wrote {target}: {report.findings.counts_text()}.")
    if backup:
        print(f"The original was kept as {backup}.")
    return EXIT_ERRORS if report.findings.has_errors() else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from apmodel.service import validate_workbook

    findings = validate_workbook(FileWorkbook(Path(args.workbook)), write=False)
    _print_findings(findings)
    print(printable(f"{args.workbook}: {findings.counts_text()}."))
    return EXIT_ERRORS if findings.has_errors() else EXIT_OK


def cmd_issue(args: argparse.Namespace) -> int:
    from apmodel.service import issue_invoices

    target, in_place = _output_target(args)
    book = FileWorkbook(Path(args.workbook))
    result = issue_invoices(book, args.period, today=_date(args.date))
    backup = book.save(target, backup=in_place)
    print(f"Issued {len(result.issued)} document(s) for {args.period}; wrote {target}.")
    if backup:
        print(f"The original was kept as {backup}.")
    return EXIT_ERRORS if result.run.findings.has_errors() else EXIT_OK


class _Told:
    """The findings a command's service function tells (its return value is something else)."""

    def __init__(self) -> None:
        self.findings = Findings()

    def __call__(self, findings: Findings) -> None:
        self.findings = findings

    def exit_code(self) -> int:
        """Exit 1, with the Errors counted and how to list them, when the inputs have Errors; else 0."""
        if not self.findings.has_errors():
            return EXIT_OK
        print(f"The inputs have Errors ({self.findings.counts_text()}): the figures leave out what they block; "
              "`apmodel validate` lists them.")
        return EXIT_ERRORS


def cmd_packs(args: argparse.Namespace) -> int:
    from apmodel.service import write_packs

    _check_target(args.output, folder=True)
    step, spinner = _progress(args.quiet)
    told = _Told()
    with spinner:
        book = FileWorkbook(Path(args.workbook))
        paths = write_packs(book, Path(args.output), today=_date(args.date), progress=step, findings=told)
    print(f"Wrote {len(paths)} school pack(s) to {args.output}.")
    return told.exit_code()


def cmd_compare(args: argparse.Namespace) -> int:
    from apmodel.service import compare_scenarios

    target, in_place = _output_target(args)
    book = FileWorkbook(Path(args.workbook))
    told = _Told()
    names = compare_scenarios(book, today=_date(args.date), findings=told)
    backup = book.save(target, backup=in_place)
    print(f"Compared {len(names)} scenario(s) with the baseline; wrote {target}.")
    if backup:
        print(f"The original was kept as {backup}.")
    return told.exit_code()


def cmd_forum_copy(args: argparse.Namespace) -> int:
    from apmodel.service import forum_copy

    if _same_file(Path(args.workbook), Path(args.output)):
        raise CannotWrite(f"cannot write {args.output}: it is the workbook itself; give the Forum copy another name")
    _check_target(args.output)
    told = _Told()
    path = forum_copy(FileWorkbook(Path(args.workbook)), Path(args.output), today=_date(args.date), findings=told)
    if told.findings.has_errors():
        print(f"Wrote the Forum copy {path} (aggregated figures only), but do not publish it yet:")
    else:
        print(f"Wrote the Forum copy {path} (aggregated figures only, safe to publish).")
    return told.exit_code()


def cmd_import_schools(args: argparse.Namespace) -> int:
    from apmodel.systems import import_schools

    book = FileWorkbook(Path(args.workbook))
    links = Path(args.links) if args.links else None
    result = import_schools(book, Path(args.gias), links_path=links)
    _print_findings(result.findings)
    update = result.update
    if update is None:
        print(f"Nothing imported: {result.findings.counts_text()}.")
        return EXIT_ERRORS
    in_place = _same_file(Path(args.workbook), Path(args.output))
    if in_place:
        print(f"{args.output} is the workbook itself: updating it in place, with a backup.")
    backup = book.save(Path(args.workbook) if in_place else Path(args.output), backup=in_place)
    print(
        f"Wrote {args.output}: {update.added} school(s) added, {update.updated} updated ({update.closed} closed), "
        f"{result.moved} placement(s)/exclusion(s) moved by {len(result.conversions)} conversion(s); "
        f"{result.log_rows} change(s) in ImportLog; {result.findings.counts_text()}."
    )
    if backup:
        print(f"The original was kept as {backup}.")
    return EXIT_ERRORS if result.findings.has_errors() else EXIT_OK


def cmd_rollover(args: argparse.Namespace) -> int:
    from apmodel.systems import rollover_year

    if _same_file(Path(args.workbook), Path(args.output)):
        raise CannotWrite(
            f"cannot write {args.output}: it is this year's workbook itself; give next year's workbook another name"
        )
    book = FileWorkbook(Path(args.workbook))
    result = rollover_year(book, args.year, today=_date(args.date))
    _print_findings(result.findings)
    if not result.written:
        print(f"Nothing written: {result.findings.counts_text()}.")
        return EXIT_ERRORS
    book.save(Path(args.output))
    print(
        f"Wrote {args.output} for {args.year}: AP budget {result.budget:,.2f}, {result.placements} placement(s) "
        f"and {result.exclusions} exclusion(s) carried; {len(result.log)} row(s) in RolloverLog. "
        "Replace the draft Terms and ClosureDays with next year's dates."
    )
    return EXIT_OK


def cmd_export_finance(args: argparse.Namespace) -> int:
    from apmodel.systems import export_finance

    book = FileWorkbook(Path(args.workbook))
    result = export_finance(book, Path(args.output), today=_date(args.date), layout=args.layout)
    if not result.numbers:
        run = result.run
        settlement = run.results.settlement if run is not None else None
        if run is not None and (settlement is None or settlement.frozen):
            # The register cannot be trusted (edited by hand, damaged) or the model could not run: say why.
            _print_findings(run.findings)
            print(
                f"Nothing exported: the invoice register of {args.workbook} is frozen by the Errors above (or the "
                "model cannot run); put the register back as it was and export again."
            )
            return EXIT_ERRORS
        print(f"Nothing to export: {args.workbook} has no Issued document without an Exported On date.")
        return EXIT_OK
    in_place = args.workbook_out is None or _same_file(Path(args.workbook), Path(args.workbook_out))
    target = Path(args.workbook) if in_place else Path(args.workbook_out)
    backup = book.save(target, backup=in_place)
    print(
        f"Exported {len(result.numbers)} document(s): {result.ar_lines} invoice line(s) to "
        f"{result.files[0]}, {len(result.journals)} journal(s) to {result.files[1]} "
        f"(net of all journals {result.journals_net:.2f}). Exported On recorded in {target}."
    )
    if backup:
        print(f"The original was kept as {backup}.")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from apmodel.workbook.template import new_workbook

    new_workbook(Path(args.output))
    print(f"Wrote a blank Forum workbook to {args.output}.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from apmodel.workbooks.example import generate_county

    generate_county(Path(args.output), seed=args.seed, scale=args.scale)
    print(f"Wrote the example county to {args.output}. Next: apmodel run {args.output} -o OUT.xlsx")
    return EXIT_OK


def cmd_addin(args: argparse.Namespace) -> int:
    from apmodel.addin import build, install

    if args.action == "build":
        path = build.build_addin(Path(args.output))
        print(f"Built {path}.")
        if args.sign:
            from apmodel.addin.sign import DEFAULT_TIMESTAMP_URL, sign_addin

            signed = sign_addin(
                path,
                Path(args.sign),
                password_variable=args.password_env,
                timestamp_url=args.timestamp_url or DEFAULT_TIMESTAMP_URL,
            )
            print(signed.message)
            if not signed.ok:
                return EXIT_ERRORS
    elif args.action == "install":
        print(install.install_addin())
    else:
        print(install.uninstall_addin())
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apmodel", description="Alternative Provision funding from the Forum workbook."
    )
    parser.add_argument("--version", action="version", version=f"apmodel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def writes_workbook(p: argparse.ArgumentParser) -> None:
        p.add_argument("workbook", help="the Forum workbook (.xlsx)")
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("-o", "--output", help="write the result to this file (the input is left as it is)")
        group.add_argument(
            "--in-place", action="store_true", help="update the workbook itself, keeping a timestamped backup"
        )
        p.add_argument("--date", help="the run date for invoices, YYYY-MM-DD (default: today)")

    p = command("run", cmd_run, "Run the model and write every output table.")
    writes_workbook(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p = command("validate", cmd_validate, "Check the inputs and print every problem (exit 1 if any Error).")
    p.add_argument("workbook")
    p = command("issue", cmd_issue, "Mark a period's Draft invoices and budget adjustments Issued.")
    writes_workbook(p)
    p.add_argument("--period", required=True, help='the term, as in the Terms table, e.g. "Autumn 2025"')
    p = command("packs", cmd_packs, "Write one workbook per school for its headteacher.")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", required=True, help="the folder for the packs")
    p.add_argument("--date", help="the run date for invoices, YYYY-MM-DD (default: today)")
    p.add_argument("-q", "--quiet", action="store_true")
    p = command("compare", cmd_compare, "Compute each scenario beside the baseline (ScenarioComparison).")
    writes_workbook(p)
    p = command("forum-copy", cmd_forum_copy, "Write a copy safe to publish with Forum papers.")
    p.add_argument("workbook")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--date", help="the run date, YYYY-MM-DD (default: today)")
    p = command("import-schools", cmd_import_schools, "Update Schools from the DfE's GIAS establishment extract.")
    p.add_argument("gias", help="the GIAS extract, edubasealldataYYYYMMDD.csv")
    p.add_argument("workbook", help="the Forum workbook (.xlsx); it is left as it is")
    p.add_argument(
        "-o", "--output", required=True, help="the updated Forum workbook (naming the workbook itself keeps a backup)"
    )
    p.add_argument("--links", help="the GIAS links file, links_edubasealldataYYYYMMDD.csv (academy conversions)")
    p = command("rollover", cmd_rollover, "Write next year's Forum workbook from this year's.")
    p.add_argument("workbook", help="this year's Forum workbook (.xlsx); it is left as it is")
    p.add_argument("-o", "--output", required=True, help="next year's Forum workbook")
    p.add_argument("--year", required=True, help="the next financial year, e.g. 2026-27")
    p.add_argument("--date", help="the run date for this year's final figures, YYYY-MM-DD (default: today)")
    p = command(
        "export-finance", cmd_export_finance, "Export the Issued documents not yet exported, for the ledger."
    )
    p.add_argument("workbook", help="the Forum workbook (.xlsx); its register records Exported On")
    p.add_argument("-o", "--output", required=True, help="the folder for ar-invoices.csv and journals.csv")
    p.add_argument(
        "--workbook-out",
        help="write the workbook with Exported On to this file (default: the workbook itself, with a backup)",
    )
    p.add_argument(
        "--layout",
        choices=("generic", "oracle-fusion"),
        help="columns of both files: generic, or Oracle Fusion AutoInvoice and GL journal import "
        "(default: the FinanceExport table, else generic)",
    )
    p.add_argument("--date", help="the export date recorded as Exported On, YYYY-MM-DD (default: today)")
    p = command("new", cmd_new, "Write a blank Forum workbook.")
    p.add_argument("output")
    p = command("demo", cmd_demo, "Write the example county workbook.")
    p.add_argument("output")
    p.add_argument("--scale", type=int, default=1, help="1 = a county like Kent; 10 = ten times larger")
    p.add_argument("--seed", type=int, default=2025)
    p = command("addin", cmd_addin, "Build, install or uninstall the Excel add-in.")
    p.add_argument("action", choices=("build", "install", "uninstall"))
    p.add_argument("-o", "--output", default=".", help="folder for the built apmodel.xlam (build)")
    p.add_argument("--sign", metavar="CERT.pfx", help="sign the built add-in's VBA with this certificate (Windows)")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the certificate's password")
    p.add_argument("--timestamp-url", help="RFC 3161 timestamp server (default: DigiCert's)")
    return parser


def _log_crash() -> str:
    """Append the traceback to today's log file and say where it is; never raises (the crash matters more)."""
    try:
        log_dir = Path(tempfile.gettempdir()) / "apmodel-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / f"apmodel-{date.today().isoformat()}.log"
        with path.open("a", encoding="utf-8", errors="replace") as handle:
            handle.write(f"apmodel {__version__} {' '.join(sys.argv)}\n{traceback.format_exc()}\n")
        return f"Details: {path}"
    except Exception as exc:  # a full disk or a read-only temp folder must not hide the error
        return f"No log could be written ({type(exc).__name__})"


def _typed_output(args: argparse.Namespace) -> str:
    """The path the user asked to write (the workbook itself for --in-place)."""
    output = getattr(args, "output", None)
    return str(output) if output is not None and not getattr(args, "in_place", False) else str(args.workbook)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = _parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except (WorkbookUnreadable, CannotWrite, OutputWouldOverwrite) as exc:
        print(printable(f"apmodel: {exc}"), file=sys.stderr)
        return EXIT_FILE
    except OSError as exc:
        # Reading problems are WorkbookUnreadable by now: this is the output (full disk, read-only...).
        print(f"apmodel: {_write_problem(_typed_output(args), exc)}", file=sys.stderr)
        return EXIT_FILE
    except KeyboardInterrupt:
        print("apmodel: stopped", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:
        where = _log_crash()
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"apmodel: unexpected error ({message}). {where}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
