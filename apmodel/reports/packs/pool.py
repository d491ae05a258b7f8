"""Every school's pack, written in parallel by a small process pool (serially for a handful)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from apmodel.domain.inputs import ModelInputs
from apmodel.domain.model import Results
from apmodel.reports.packs.data import SchoolPack, school_packs
from apmodel.reports.packs.render import write_pack
from apmodel.workbook.openpyxl_store import remove_stale_temporaries

#: Fewer packs than this are written in this process: a pool costs more than it saves.
PARALLEL_FROM = 40

DEFAULT_WORKERS = 2


def _write_many(packs: Sequence[SchoolPack], out_dir: Path) -> list[Path]:
    return [write_pack(pack, out_dir) for pack in packs]


def _chunks(packs: Sequence[SchoolPack], count: int) -> list[list[SchoolPack]]:
    size = max(1, -(-len(packs) // count))
    return [list(packs[i : i + size]) for i in range(0, len(packs), size)]


def write_packs_in_parallel(packs: Sequence[SchoolPack], out_dir: Path, workers: int = DEFAULT_WORKERS) -> list[Path]:
    """Write the packs (in a process pool when there are many); the paths in the packs' order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)  # a killed run's half-written packs hold pupil data
    if workers <= 1 or len(packs) < PARALLEL_FROM:
        return _write_many(packs, out_dir)
    # Fork where it is safe and cheap (Linux): workers start with everything imported.
    context = get_context("fork") if sys.platform.startswith("linux") else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            paths: list[Path] = []
            chunks = _chunks(packs, workers * 4)
            for part in pool.map(_write_many, chunks, [out_dir] * len(chunks)):
                paths.extend(part)
            return paths
    except (BrokenProcessPool, OSError):
        # No worker processes here (a locked-down machine, an embedded interpreter): write them in turn.
        return _write_many(packs, out_dir)


def write_school_packs(
    inputs: ModelInputs,
    results: Results,
    out_dir: Path,
    *,
    produced_on: date | None = None,
    workers: int = DEFAULT_WORKERS,
) -> list[Path]:
    """One ``<URN> <School Name>.xlsx`` per school of the Schools table, in URN order; prints nothing."""
    packs = school_packs(inputs, results, produced_on or date.today())
    return write_packs_in_parallel(packs, out_dir, workers)
