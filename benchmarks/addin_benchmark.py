"""Count what each ribbon button costs in Excel round trips, and estimate its click-to-result time.

    python benchmarks/addin_benchmark.py [--scales 1 10] [--dir out/bench] [--buttons run_model ...]

A script, not a test. Each button is pressed through ``apmodel.addin.commands.dispatch``, in a
fresh Python per button and scale, on xlwings' remote engine: the example county (scale 1,
``workbooks/example-county.xlsx``) or a generated county (``--scale 10``, cached in ``--dir``)
given as the JSON payload an xlwings client sends (as the tests build it). The remote engine
needs ``XLWINGS_LICENSE_KEY=noncommercial`` (xlwings PRO, free for non-commercial use), which
this script sets for itself.

How the figures are made:

- **calls**: every call from xlwings' public objects (``xw.Book``, ``Sheet``, ``Range``,
  ``Table``...) into the engine that serves them, counted by wrapping each method and
  property of the remote engine's classes (a call made inside another is not counted again).
  Desktop Excel is driven by the same public objects, so these are the calls its engine
  (``xlwings._xlwindows``, COM) gets too.
- **round trips**: each call costed by what ``xlwings._xlwindows`` does for it, in COM
  property reads, writes and method calls on Excel's objects (``ROUND_TRIPS`` below, read
  from that module: a range given by two corners is ``Cells`` twice and ``Range`` once, a
  value write is one ``Value`` set, iterating sheets or tables is one enumerator plus one
  fetch per item, and so on; anything not listed counts as one), plus what the adapter does
  only on Windows through Excel's object model (each new sheet's page setup, a chart's
  alternative text, the link underline: ``count_windows_only``), which the remote engine skips,
  run again against stand-ins that count each COM property read, write and method call.
- **through the add-in**: each button is pressed as the add-in presses it on Excel for Windows
  (``dispatch`` given the add-in's version), so the adapter finds the book's tables with the
  add-in's VBA ``ReadIndex`` and sends each write's formatting to its ``ApplyLayout``, one
  ``Application.Run`` each (``apmodel.workbook.xlwings_layout``). The remote engine records
  those calls (one round trip each) and runs no VBA: ``ReadIndex`` is answered as the VBA
  answers, from the book, inside that call (so not counted again), and the formatting steps
  ``ApplyLayout`` would then apply inside Excel are counted (``layout steps``) and costed at
  ``SECONDS_PER_LAYOUT_STEP`` each (assumed, not measured: there is no Excel here).
- **estimated**: Python's start-up (measured, wall clock) and the CPU time of the click path's
  imports and of the command's own Python on the remote engine (measured in a fresh process:
  CPU time, because the wall clock of a shared machine mostly measures the other jobs; the
  wall time is printed beside it), plus
  ``SECONDS_PER_ROUND_TRIP`` per round trip: 0.5 ms, a cross-process COM call into Excel on an
  ordinary laptop (the issue's own estimate: 15,000 round trips, 5 to 10 s), plus
  ``LAUNCH_SECONDS`` for VBA's ``RunPython`` starting ``cmd.exe`` and ``python.exe`` (assumed,
  not measured: there is no Windows here), plus the layout steps as above. Excel's own time to
  lay out what is written is not included. It is an estimate to steer by, not a measurement of Excel.

Goal (issue 15): under 500 round trips for Run model at both scales, and under 2 s
estimated click-to-result on the example county.
"""

from __future__ import annotations

import argparse
import collections
import functools
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "workbooks" / "example-county.xlsx"
BUTTONS = (
    "validate",
    "run_model",
    "compare_scenarios",
    "preview_invoices",
    "issue_invoices",
    "school_packs",
    "forum_copy",
    "new_workbook",
    "import_schools",
    "export_finance",
    "rollover",
    "diagnose",
    "help",
)
SECONDS_PER_ROUND_TRIP = 0.0005
#: One formatting step applied by the add-in's VBA inside Excel (a range's font, width or number
#: format: a few in-process property sets; a page setup: about fifteen, with printer talk off).
SECONDS_PER_LAYOUT_STEP = 0.0005
LAUNCH_SECONDS = 0.15
PERIOD = "Autumn 2025"
TODAY = "2025-12-01"

#: COM round trips of one engine call in xlwings._xlwindows, by ``Class.member`` of the engine.
#: A function of the call's arguments where the count depends on them.
ROUND_TRIPS: dict[str, int | Callable[..., int]] = {
    # Sheet.range(a, b): Cells() per corner given as (row, column), Range() to join two corners.
    "Sheet.range": lambda _sheet, first, second=None: 1 if second is None else 3,
    "Sheet.__init__": 0,
    "Table.__init__": 0,
    "Range.__init__": 0,
    "Range.api.get": 0,
    "Engine.name.get": 0,
    "Engine.type.get": 0,
    "App.engine.get": 0,
    "Collection.api.get": 0,
    # Iterating a COM collection: the enumerator, then one fetch per item.
    "Collection.__iter__": lambda collection: 1 + len(collection.api),
    "Sheets.__iter__": lambda sheets: 1 + len(sheets.api),
    "Range.shape.get": 4,  # Rows.Count and Columns.Count
    "Range.add_hyperlink": 2,  # Hyperlinks, then Add
    "Sheet.clear": 2,  # Cells, then Clear
    "Sheets.add": 3,  # Add, then Name, then the new sheet's position
    "Tables.add": 3,  # ListObjects.Add, Name, TableStyle
    "Book.app.get": 2,  # Application, then its window handle
    "App.pid.get": 1,  # Hwnd
}


def count_calls() -> collections.Counter[str]:
    """Wrap the remote engine's classes so each outside call into them is counted (and costed)."""
    from xlwings.pro import _xlremote as remote

    calls: collections.Counter[str] = collections.Counter()
    depth = [0]

    def wrap(key: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def counted(*args: Any, **kwargs: Any) -> Any:
            outside = depth[0] == 0
            depth[0] += 1  # what the cost itself asks the engine (a collection's length) is not a call
            try:
                if outside:
                    calls[key] += 1
                    cost = ROUND_TRIPS.get(key, 1)
                    calls[" round trips"] += cost(*args, **kwargs) if callable(cost) else cost
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1

        return counted

    members = ("__init__", "__call__", "__iter__", "__len__", "__getitem__")
    for _, cls in inspect.getmembers(remote, inspect.isclass):
        if cls.__module__ != remote.__name__:
            continue
        for name, member in list(vars(cls).items()):
            if name.startswith("__") and name not in members:
                continue
            key = f"{cls.__name__}.{name}"
            if isinstance(member, property):
                getter = wrap(f"{key}.get", member.fget) if member.fget else None
                setter = wrap(f"{key}.set", member.fset) if member.fset else None
                setattr(cls, name, property(getter, setter))
            elif inspect.isfunction(member):
                setattr(cls, name, wrap(key, member))
    return calls


def count_layout_macro(calls: collections.Counter[str]) -> None:
    """Press as the add-in does on Excel for Windows: its formatting goes to the add-in's VBA
    ``ApplyLayout`` in one ``Application.Run`` (apmodel.workbook.xlwings_layout).

    The remote engine records that call (``App.run``: one call, one round trip) and draws
    nothing; the steps the VBA then applies in Excel's own process are counted here, as
    `` layout steps``, and costed at ``SECONDS_PER_LAYOUT_STEP`` each.
    """
    from apmodel.workbook import xlwings_store as store

    store.layout_macro_engine = lambda app: True
    encode = store.encode

    def counted(steps: list[Any]) -> str:
        calls[" layout steps"] += len(steps)
        return encode(steps)

    store.encode = counted


def answer_read_index() -> None:
    """The add-in's ``ReadIndex`` answers on the remote engine as its VBA would: every sheet's name
    and its tables' names, places and headers, read from the book inside that one call (so not
    counted again: ``count_calls`` counts the call, one round trip). Before ``count_calls``."""
    import xlwings as xw
    from xlwings.pro import _xlremote as remote

    from apmodel.workbook import xlwings_store as store

    run = remote.App.run

    def answered(app: Any, macro: str, args: Any) -> Any:
        if macro.endswith(".ReadIndex"):
            return store.index_text(store.full_index(xw.Book(impl=app.books.active).sheets))
        return run(app, macro, args)

    remote.App.run = answered


def count_windows_only(calls: collections.Counter[str]) -> None:
    """Cost what the adapter does only on Excel for Windows, through Excel's object model (``.api``).

    The remote engine skips these (page setup of each new sheet, a chart's alternative text,
    the link underline), so they make no engine call to count; each time one is called it is
    run again as on Windows, against stand-ins for Excel's COM objects that count every property
    read, write and method call (``tests/windows_com.py``), and those
    are added to the round trips.
    """
    from apmodel.workbook import xlwings_layout as store
    from tests.windows_com import windows_com_calls

    for name in ("set_print_setup", "set_alt_text", "set_underline", "set_frozen_rows"):
        function = getattr(store, name, None)
        if function is None:
            continue
        parameters = list(inspect.signature(function).parameters)
        takes_app = "app" in parameters
        given = parameters.index("app") if takes_app else len(parameters)

        def counted(
            *args: Any, _function: Callable[..., Any] = function, _given: int = given, _app: bool = takes_app, **kw: Any
        ) -> Any:
            result = _function(*args, **kw)  # on this engine: nothing, or only what it does everywhere
            log = windows_com_calls(_function, *args[1:_given], app=_app)
            calls[" round trips"] += len(log)
            return result

        setattr(store, name, counted)


def press(workbook: Path, button: str, files: list[Path]) -> dict[str, float]:
    """One button on the remote engine, in this (fresh) process: calls, round trips, Python seconds.

    ``files``: what the file picker answers, in turn (Import schools: the GIAS extract, then its links file).
    """
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    mark = time.process_time()
    from apmodel import __version__
    from apmodel.addin.commands import ExcelInterface, dispatch

    imports = time.process_time() - mark
    import xlwings as xw

    from tests.integration.test_xlwings_store import remote_payload

    book = xw.Book(json=remote_payload(workbook))
    answer_read_index()
    calls = count_calls()
    count_windows_only(calls)
    count_layout_macro(calls)

    class Answers(ExcelInterface):
        """What a person would answer: the term (or the year offered), OK, a folder, the files."""

        def __init__(self, book: xw.Book, folder: Path) -> None:
            super().__init__(book)
            self.folder = folder
            self.files = iter(files)

        def confirm(self, prompt: str, title: str = "") -> bool:
            return True

        def ask_text(self, prompt: str, title: str = "", default: str = "") -> str | None:
            return default or PERIOD

        def ask_folder(self, prompt: str, start: Path | None = None) -> Path | None:
            return self.folder

        def ask_file(self, prompt: str, start: Path | None = None) -> Path | None:
            return next(self.files, None)

        def save_copy(self, target: Path) -> None:
            # Excel's SaveCopyAs writes the open book as it stands: here, the file the payload was made from.
            shutil.copyfile(workbook, target)

        def open_workbook(self, path: Path) -> None:
            pass

    with tempfile.TemporaryDirectory() as scratch:
        mark, wall = time.process_time(), time.perf_counter()
        today = date.fromisoformat(TODAY)
        ui = Answers(book, Path(scratch))
        # As the add-in calls: with its version, so the add-in's ApplyLayout does the formatting.
        dispatch(button, __version__, book=book, ui=ui, today=today, log_dir=Path(scratch) / "logs")
        python, wall = time.process_time() - mark, time.perf_counter() - wall
        failed = (Path(scratch) / "logs").exists()
    round_trips = calls.pop(" round trips", 0)
    steps = calls.pop(" layout steps", 0)
    return {
        "calls": sum(calls.values()),
        "round_trips": round_trips,
        "layout_steps": steps,
        "imports": imports,
        "python": python,
        "wall": wall,
        "failed": float(failed),
    }


def startup_seconds() -> float:
    """A bare Python's start-up, as RunPython's ``python -c`` pays it on every click."""
    mark = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - mark


def workbook_for(scale: int, folder: Path) -> Path:
    if scale == 1:
        return EXAMPLE
    path = folder / f"county-x{scale}.xlsx"
    if not path.exists():
        from apmodel.workbooks.example import generate_county

        folder.mkdir(parents=True, exist_ok=True)
        generate_county(path, scale=scale)
    return path


def ran_workbook(workbook: Path, folder: Path) -> Path:
    """``workbook`` after a headless ``apmodel run``: its output tables in place, as from the second click on."""
    path = folder / f"{workbook.stem}-ran.xlsx"
    if not path.exists():
        from apmodel.cli import main as apmodel

        folder.mkdir(parents=True, exist_ok=True)
        assert apmodel(["run", str(workbook), "-o", str(path), "--date", TODAY, "-q"]) == 0
    return path


def issued_workbook(workbook: Path, folder: Path) -> Path:
    """``workbook`` with the term's invoices issued (what Export to ledger exports)."""
    path = folder / f"{workbook.stem}-issued.xlsx"
    if not path.exists():
        from apmodel import service
        from apmodel.workbook.openpyxl_store import FileWorkbook

        folder.mkdir(parents=True, exist_ok=True)
        book = FileWorkbook(workbook)
        assert service.issue_invoices(book, PERIOD, today=date.fromisoformat(TODAY)).issued
        book.save(path)
    return path


def gias_files(workbook: Path, folder: Path) -> list[Path]:
    """The GIAS extract and links file made from ``workbook``'s Schools (workbooks/example_gias.py)."""
    out = folder / f"{workbook.stem}-gias"
    if not out.exists():
        from apmodel.workbooks.example_gias import example_extract

        out.mkdir(parents=True)
        example_extract(workbook, out)
    return sorted(out.glob("edubase*.csv")) + sorted(out.glob("links_*.csv"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--buttons", nargs="+", default=list(BUTTONS))
    parser.add_argument("--press", nargs="+", metavar="WORKBOOK BUTTON [FILE]", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.press:
        print(json.dumps(press(Path(args.press[0]), args.press[1], [Path(f) for f in args.press[2:]])))
        return
    startup = startup_seconds()
    print(
        f"Python start-up {startup:.2f} s; COM {SECONDS_PER_ROUND_TRIP * 1000:.1f} ms per round trip; "
        f"RunPython launch {LAUNCH_SECONDS:.2f} s (assumed); "
        f"{SECONDS_PER_LAYOUT_STEP * 1000:.1f} ms per layout step in Excel (assumed)"
    )
    for scale in args.scales:
        fresh = workbook_for(scale, args.dir)
        ran = ran_workbook(fresh, args.dir)
        # Each button on the workbook as the example county ships (no outputs yet; Export to ledger
        # once the term's invoices are issued, as there is nothing to export before), and Run model
        # again on the same workbook once a run has written its output tables.
        given = {"export_finance": issued_workbook(fresh, args.dir) if "export_finance" in args.buttons else fresh}
        files = {"import_schools": gias_files(fresh, args.dir) if "import_schools" in args.buttons else []}
        presses = [(button, button, given.get(button, fresh)) for button in args.buttons]
        if "run_model" in args.buttons:
            presses.append(("run_model", "run_model (outputs in place)", ran))
        for button, label, workbook in presses:
            done = subprocess.run(
                [sys.executable, __file__, "--press", str(workbook), button, *map(str, files.get(button, []))],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            estimated = (
                LAUNCH_SECONDS
                + startup
                + figures["imports"]
                + figures["python"]
                + figures["round_trips"] * SECONDS_PER_ROUND_TRIP
                + figures["layout_steps"] * SECONDS_PER_LAYOUT_STEP
            )
            note = "  (FAILED: see the add-in log)" if figures["failed"] else ""
            print(
                f"{label} scale {scale}: {figures['calls']:.0f} calls, {figures['round_trips']:.0f} round trips, "
                f"{estimated:.1f} s estimated ({figures['layout_steps']:.0f} layout steps in Excel, "
                f"click-path imports {figures['imports']:.2f} s, "
                f"Python {figures['python']:.2f} s CPU, {figures['wall']:.2f} s wall){note}",
                flush=True,
            )


if __name__ == "__main__":
    main()
