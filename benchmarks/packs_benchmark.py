"""Time writing the headteacher school packs of a county (a script, not a test).

    python benchmarks/packs_benchmark.py [WORKBOOK] [--workers N] [--repeat R]

Runs the model once (not timed), then writes every school's pack into a temporary folder
R times and prints packs per second and the total seconds of the best and worst run. The
target: the example county (about 550 schools) in well under 10 seconds on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from apmodel.reports.packs import DEFAULT_WORKERS, school_packs, write_packs_in_parallel
from apmodel.service import compute
from apmodel.workbook.openpyxl_store import FileWorkbook

EXAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "example-county.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", nargs="?", default=str(EXAMPLE))
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    report = compute(FileWorkbook(Path(args.workbook)), today=date(2025, 12, 1), progress=lambda _message: None)
    print(f"model run: {time.perf_counter() - started:.2f} s (not counted)")

    timings: list[tuple[float, float, int]] = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            packs = school_packs(report.loaded.inputs, report.results, date(2025, 12, 1))
            grouped = time.perf_counter()
            paths = write_packs_in_parallel(packs, Path(folder), args.workers)
            done = time.perf_counter()
        timings.append((done - began, grouped - began, len(paths)))
    for total, grouping, count in timings:
        print(
            f"{count} packs in {total:.2f} s ({count / total:.0f} packs/second; grouping {grouping:.2f} s, "
            f"{args.workers} worker(s))"
        )
    best = min(t[0] for t in timings)
    print(f"best {best:.2f} s, worst {max(t[0] for t in timings):.2f} s total seconds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
