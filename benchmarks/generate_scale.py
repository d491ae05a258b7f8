"""Benchmark: generate the example county at several scales and print time, size and row counts.

    python benchmarks/generate_scale.py OUT_DIR [--scales 1 10 36] [--seed 2025]

Writes ``bench-scale-{N}.xlsx`` into OUT_DIR for the other benchmarks (runs, packs) to use.
Scale 1 is a county like Kent; scale 36 is roughly England (about 20,000 schools).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from apmodel.workbook.writer_inputs import build_forum_workbook
from apmodel.workbooks.example import county_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 36])
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    header = ("scale", 5), ("schools", 8), ("placements", 10), ("exclusions", 10), ("generate s", 10), ("write s", 8)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'MB':>6}")
    for scale in args.scales:
        started = time.perf_counter()
        county = county_tables(seed=args.seed, scale=scale)
        generated = time.perf_counter()
        path = build_forum_workbook(args.out_dir / f"bench-scale-{scale}.xlsx", county.rows, settings=county.settings)
        written = time.perf_counter()
        print(
            f"{scale:>5} {len(county.rows['Schools']):>8,} {len(county.rows['Placements']):>10,} "
            f"{len(county.rows['Exclusions']):>10,} {generated - started:>10.1f} {written - generated:>8.1f} "
            f"{path.stat().st_size / 1e6:>6.1f}"
        )


if __name__ == "__main__":
    main()
