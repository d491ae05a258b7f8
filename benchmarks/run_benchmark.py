"""Time a whole run at several county sizes and print a table (a script, not a timed test).

    python benchmarks/run_benchmark.py [--scales 1 10 36] [--dir out/bench]

For each scale it generates the county once (cached in --dir), then in a fresh process
measures: read (calamine), validate (parse into ModelInputs), model, write (output tables
into the openpyxl workbook, including its load), save, packs, peak memory (ru_maxrss), and
the I/O floor: reading the inputs plus loading, writing and saving the same output tables
without the model, measured in the same process. Ratio = whole run / I/O floor.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

GOALS = {1: "< 2 s end to end, < 2x I/O floor", 10: "-", 36: "< 60 s, < 2 GB"}


def measure(path: Path, packs: bool) -> dict[str, float]:
    from apmodel.domain.findings import Findings
    from apmodel.domain.model import run_model
    from apmodel.reports.forum_tables import summary_table
    from apmodel.reports.packs import write_school_packs
    from apmodel.service import Loaded, RunReport, output_tables, summary_items
    from apmodel.workbook.openpyxl_store import FileWorkbook, atomic_save, write_table
    from apmodel.workbook.parse import parse_inputs

    times: dict[str, float] = {}
    start = time.perf_counter()
    book = FileWorkbook(path)
    tables = book.read_tables()
    times["read"] = time.perf_counter() - start

    mark = time.perf_counter()
    findings = Findings()
    inputs = parse_inputs(tables, findings)
    times["validate"] = time.perf_counter() - mark

    mark = time.perf_counter()
    results = run_model(inputs, findings, date(2025, 12, 1))
    report = RunReport(Loaded(tables, inputs, findings), results)
    report.tables = output_tables(report)
    report.tables.insert(0, summary_table(summary_items(report, 0.0)))
    times["model"] = time.perf_counter() - mark

    mark = time.perf_counter()
    book.write_tables(report.tables)
    times["write"] = time.perf_counter() - mark
    with tempfile.TemporaryDirectory() as scratch:
        mark = time.perf_counter()
        book.save(Path(scratch) / "out.xlsx")
        times["save"] = time.perf_counter() - mark
        times["run"] = sum(times[k] for k in ("read", "validate", "model", "write", "save"))

        # The I/O floor: the same reading and writing, no model.
        mark = time.perf_counter()
        floor_book = FileWorkbook(path)
        floor_book.read_tables()
        for table in report.tables:
            write_table(floor_book.book, table)
        atomic_save(floor_book.book, Path(scratch) / "floor.xlsx")
        times["floor"] = time.perf_counter() - mark

        if packs:
            mark = time.perf_counter()
            written = write_school_packs(report, Path(scratch) / "packs", produced_on=date(2025, 12, 1))
            times["packs"] = time.perf_counter() - mark
            times["pack_count"] = len(written)
    times["schools"] = len(inputs.schools)
    times["placements"] = len(inputs.placements)
    times["exclusions"] = len(inputs.exclusions)
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--dir", type=Path, default=Path("out/bench"))
    parser.add_argument("--no-packs", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, not args.no_packs)))
        return 0
    from apmodel.workbook.example import generate_county

    args.dir.mkdir(parents=True, exist_ok=True)
    print("| scale | schools | placements | exclusions | read s | validate s | model s | write s | save s "
          "| run s | I/O floor s | run / floor | packs s | peak MB | goal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        path = args.dir / f"county-x{scale}.xlsx"
        if not path.exists():
            generate_county(path, seed=2025, scale=scale)
        command = [sys.executable, __file__, "--child", str(path)] + (["--no-packs"] if args.no_packs else [])
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        packs = f"{result['packs']:.2f} ({int(result['pack_count'])})" if "packs" in result else "-"
        ratio = result["run"] / result["floor"]
        print(
            f"| {scale} | {int(result['schools']):,} | {int(result['placements']):,} | {int(result['exclusions']):,} "
            f"| {result['read']:.2f} | {result['validate']:.2f} | {result['model']:.2f} | {result['write']:.2f} "
            f"| {result['save']:.2f} | {result['run']:.2f} | {result['floor']:.2f} | {ratio:.2f} "
            f"| {packs} | {result['peak_mb']:,.0f} | {GOALS.get(scale, '-')} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
