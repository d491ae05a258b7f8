"""Time a whole headless run at several county sizes and print a markdown table (a script, not a test).

    python benchmarks/run_benchmark.py [--scales 1 10 36] [--dir out/bench] [--no-packs]

For each scale the example county (``apmodel.workbooks.example.generate_county``) is
generated once and cached in ``--dir``. Then, in a fresh process per scale (so that peak
memory, ``ru_maxrss``, belongs to that scale alone), the run is timed in its phases, each as
the CLI's ``apmodel run`` does it:

- read: every Excel table, by calamine (``FileWorkbook.read_tables``);
- validate: cells into validated inputs (``parse_inputs``);
- model: the rules (``run_model``) and every output table built from the results;
- write: the output tables and the Dashboard written into a copy of the file, and saved;
- run: the four together, what ``apmodel run`` costs;
- I/O floor: in the same process, reading the inputs and writing the same output tables
  (and Dashboard) to a new file with no model in between, the least any run could cost;
  ratio = run / I/O floor;
- packs: every school's pack written (``write_school_packs``, the default workers).

Goals on a 2-core machine: example county (scale 1) end to end under 2 s and within 2x
the I/O floor; England (scale 36: about 150 districts, 20,000 schools, 93,000 placements)
under 60 s and 2 GB; about 550 packs under 10 s.
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

RUN_DATE = date(2025, 12, 1)
GOALS = {1: "< 2 s, < 2x floor, packs < 10 s", 36: "< 60 s, < 2 GB"}


def measure(path: Path, packs: bool) -> dict[str, float]:
    """One scale's timings, in this (fresh) process."""
    from apmodel.domain.findings import Findings
    from apmodel.domain.model import run_model
    from apmodel.service import Loaded, RunReport, add_tables, few_collections, write_dashboard
    from apmodel.workbook.openpyxl_store import FileWorkbook
    from apmodel.workbook.parse import parse_inputs

    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        # Read, validate and model as ``service.compute`` runs them (the collector kept quiet).
        with few_collections():
            mark = time.perf_counter()
            book = FileWorkbook(path)
            tables = book.read_tables()
            times["read"] = time.perf_counter() - mark

            mark = time.perf_counter()
            findings = Findings()
            inputs = parse_inputs(tables, findings)
            times["validate"] = time.perf_counter() - mark

            mark = time.perf_counter()
            results = run_model(inputs, findings, RUN_DATE)
            report = RunReport(Loaded(tables, inputs, findings), results)
            add_tables(report, mark)
            times["model"] = time.perf_counter() - mark

        mark = time.perf_counter()
        book.write_tables(report.tables)
        write_dashboard(book, report)
        book.save(Path(scratch) / "out.xlsx")
        times["write"] = time.perf_counter() - mark
        times["run"] = times["read"] + times["validate"] + times["model"] + times["write"]

        # The I/O floor: the same reading and the same writing, no model in between.
        mark = time.perf_counter()
        floor = FileWorkbook(path)
        with few_collections():
            floor.read_tables()
        floor.write_tables(report.tables)
        write_dashboard(floor, report)
        floor.save(Path(scratch) / "floor.xlsx")
        times["floor"] = time.perf_counter() - mark

        if packs:
            from apmodel.reports.packs import write_school_packs

            mark = time.perf_counter()
            written = write_school_packs(
                report.loaded.inputs, report.results, Path(scratch) / "packs", produced_on=RUN_DATE
            )
            times["packs"] = time.perf_counter() - mark
            times["pack_count"] = len(written)
    times["districts"] = len(inputs.districts)
    times["schools"] = len(inputs.schools)
    times["placements"] = len(inputs.placements)
    times["exclusions"] = len(inputs.exclusions)
    # ru_maxrss is in kilobytes on Linux.
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest pack-writing worker (a process of its own, so not in the figure above).
    times["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times


def county(directory: Path, scale: int) -> Path:
    from apmodel.workbooks.example import generate_county

    path = directory / f"county-x{scale}.xlsx"
    if not path.exists():
        generate_county(path, seed=2025, scale=scale)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 36])
    parser.add_argument("--dir", type=Path, default=Path("out/bench"), help="where generated counties are cached")
    parser.add_argument("--no-packs", action="store_true", help="skip writing the school packs")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, not args.no_packs)))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    print(
        "| scale | districts | schools | placements | exclusions | read s | validate s | model s | write s "
        "| run s | I/O floor s | run / floor | packs s | peak MB | pack worker peak MB | goal |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        path = county(args.dir, scale)
        command = [sys.executable, __file__, "--child", str(path)] + (["--no-packs"] if args.no_packs else [])
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        packs = f"{result['packs']:.2f} ({int(result['pack_count']):,})" if "packs" in result else "-"
        print(
            f"| {scale} | {int(result['districts']):,} | {int(result['schools']):,} "
            f"| {int(result['placements']):,} | {int(result['exclusions']):,} "
            f"| {result['read']:.2f} | {result['validate']:.2f} | {result['model']:.2f} | {result['write']:.2f} "
            f"| {result['run']:.2f} | {result['floor']:.2f} | {result['run'] / result['floor']:.2f} "
            f"| {packs} | {result['peak_mb']:,.0f} | {result['worker_peak_mb']:,.0f} | {GOALS.get(scale, '-')} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
