"""Generate the example county Forum workbook: ``python -m apmodel.workbooks.generate [--scale N] [--seed S] OUT.xlsx``.

A thin entry point: the generator itself is ``example`` beside it, which the installed
``apmodel demo`` command calls too. The committed ``workbooks/example-county.xlsx`` is
``python -m apmodel.workbooks.generate workbooks/example-county.xlsx``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from .example import generate_county


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apmodel.workbooks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the workbook to write (.xlsx)")
    parser.add_argument("--scale", type=int, default=1, help="1 = a county like Kent; 36 = about England")
    parser.add_argument("--seed", type=int, default=2025, help="the same seed always gives the same data")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    started = time.perf_counter()
    path = generate_county(args.output, seed=args.seed, scale=args.scale)
    print(f"Wrote {path} (scale {args.scale}, seed {args.seed}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
