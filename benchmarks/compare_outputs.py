"""Make the example county's outputs and compare two sets of them cell by cell (a script, not a test).

    python benchmarks/compare_outputs.py make OUT_DIR [--input workbooks/example-county.xlsx]
    python benchmarks/compare_outputs.py compare BEFORE_DIR AFTER_DIR

``make`` writes, all with ``--date 2025-12-01``: ``run.xlsx`` (``apmodel run``), ``compare.xlsx``
(``apmodel compare``), ``forum.xlsx`` (``apmodel forum-copy``), ``issued.xlsx`` (``apmodel issue
--period "Autumn 2025"`` on run.xlsx), ``rerun.xlsx`` (``apmodel run`` on issued.xlsx, a day later) and
``packs/`` (``apmodel packs``). ``compare`` reads every sheet of every ``.xlsx`` under both
folders with python-calamine and reports each file that is only on one side, each sheet that
is only in one file, and each cell whose value differs (the first few per sheet); the Summary's
clock rows (``VOLATILE_ROWS``: when it ran and how long it took) are left out. Exit 0 when
every value is the same, 1 otherwise. Use it before and after a change that must not alter
what users get (a refactor, a speed-up).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
RUN_DATE = "2025-12-01"
ISSUED_PERIOD = "Autumn 2025"
#: The re-run after issuing is a day later, as it would be in an LA.
RERUN_DATE = "2025-12-02"
#: Summary rows that change on every run (the clock): their values are not compared.
VOLATILE_ROWS = frozenset({"Run at", "Run time (seconds)", "Produced"})
#: Differences listed per sheet before the rest are only counted.
SHOWN_PER_SHEET = 5


def _apmodel(*args: str, day: str = RUN_DATE) -> None:
    subprocess.run([sys.executable, "-m", "apmodel.cli", *args, "--date", day], check=True)


def make(out_dir: Path, source: Path) -> None:
    """The example county's outputs, as the baseline was made."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out_dir / "input.xlsx")
    run, issued = out_dir / "run.xlsx", out_dir / "issued.xlsx"
    _apmodel("run", str(source), "-o", str(run), "-q")
    _apmodel("compare", str(source), "-o", str(out_dir / "compare.xlsx"))
    _apmodel("forum-copy", str(source), "-o", str(out_dir / "forum.xlsx"))
    _apmodel("issue", str(run), "-o", str(issued), "--period", ISSUED_PERIOD)
    _apmodel("run", str(issued), "-o", str(out_dir / "rerun.xlsx"), "-q", day=RERUN_DATE)
    packs = out_dir / "packs"
    if packs.exists():
        shutil.rmtree(packs)
    _apmodel("packs", str(source), "-o", str(packs), "-q")


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing blank cells or trailing blank rows (calamine pads to the used range)."""
    out = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] in ("", None):
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def compare_books(before: Path, after: Path) -> list[str]:
    """Every difference between two workbooks' values, as lines to print (none: the same)."""
    problems: list[str] = []
    old, new = _sheets(before), _sheets(after)
    if list(old) != list(new):
        problems.append(f"{after.name}: sheets {list(old)} -> {list(new)}")
    for name in old.keys() & new.keys():
        a, b = _trimmed(old[name]), _trimmed(new[name])
        differences = 0
        for row in range(max(len(a), len(b))):
            left = a[row] if row < len(a) else []
            right = b[row] if row < len(b) else []
            if name == "Summary" and left[:1] == right[:1] and left[:1] and left[0] in VOLATILE_ROWS:
                continue
            for col in range(max(len(left), len(right))):
                x = left[col] if col < len(left) else ""
                y = right[col] if col < len(right) else ""
                if x != y or type(x) is not type(y):
                    differences += 1
                    if differences <= SHOWN_PER_SHEET:
                        problems.append(f"{after.name} [{name}] row {row + 1} col {col + 1}: {x!r} -> {y!r}")
        if differences > SHOWN_PER_SHEET:
            problems.append(f"{after.name} [{name}]: {differences} cells differ in all")
    return problems


def compare(before_dir: Path, after_dir: Path) -> int:
    before = {p.relative_to(before_dir) for p in before_dir.rglob("*.xlsx")}
    after = {p.relative_to(after_dir) for p in after_dir.rglob("*.xlsx")}
    problems = [f"only in {before_dir}: {p}" for p in sorted(before - after)]
    problems += [f"only in {after_dir}: {p}" for p in sorted(after - before)]
    cells = 0
    for relative in sorted(before & after):
        problems += compare_books(before_dir / relative, after_dir / relative)
        cells += sum(len(r) for rows in _sheets(after_dir / relative).values() for r in _trimmed(rows))
    for line in problems:
        print(line)
    verdict = "the same" if not problems else f"{len(problems)} differences"
    print(f"{len(before & after)} workbooks, {cells:,} cells compared: {verdict}")
    return 0 if not problems else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    making = commands.add_parser("make", help="write the example county's outputs to a folder")
    making.add_argument("out_dir", type=Path)
    making.add_argument("--input", type=Path, default=ROOT / "workbooks" / "example-county.xlsx")
    comparing = commands.add_parser("compare", help="compare two folders of outputs cell by cell")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.out_dir, args.input.resolve())
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
