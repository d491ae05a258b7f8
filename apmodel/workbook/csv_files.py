"""Plain CSV files for other systems (the finance export): written atomically, UTF-8, money as 0.00.

Cells are written as a finance system's import expects them: money (Decimal) with two decimals
and no currency sign or thousands separator, dates as YYYY-MM-DD, blanks empty. Text that a
spreadsheet would read as a formula (=, +, -, @ first) is written as it is: these files are for
import jobs, not for opening in Excel.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from apmodel.workbook.openpyxl_store import atomic_write


def csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """Write ``header`` then ``rows`` to ``path`` (a temporary file renamed over it)."""

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows([csv_text(value) for value in row] for row in rows)

    atomic_write(path, write)
    return path
