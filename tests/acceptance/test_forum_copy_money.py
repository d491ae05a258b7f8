"""The example county's Forum copy publishes no money of fewer than five pupils, directly or by sums.

funding-rules.md, "Privacy". The example has single reinstatement repayments (one pupil's
-5,168.62 in Summer 2025: D's -4,421.50 and the pupil premium's -747.12) and terms with one or
two credits: each such figure is [c], and no
hidden figure can be worked out from the figures shown and the sums between them (checked
again with numpy's rank, not the rule's own elimination). The written file holds none of the
amounts of fewer than five pupils anywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl

from apmodel import service
from apmodel.reports.forum_copy import forum_money_of, write_forum_copy
from apmodel.workbook.openpyxl_store import FileWorkbook
from tests.unit.test_disclosure import fixed_by_the_sums

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"


def test_the_example_forum_copy_hides_every_money_figure_of_fewer_than_five_pupils(tmp_path: Path) -> None:
    report = service.compute_results(FileWorkbook(EXAMPLE), today=date(2025, 12, 1), with_scenarios=True)
    money = forum_money_of(report.results, report.comparison)
    assert money is not None
    figures = money.disclosure
    identifying = {key for key, count in figures.pupils.items() if 1 <= count <= 4}
    assert ("RecoupmentByTerm", "Summer 2025", "Reinstatement repayment", "Recoverable") in identifying
    assert identifying <= money.hidden
    assert fixed_by_the_sums(figures, set(money.hidden)) == set()

    out = write_forum_copy(report.results, report.comparison, tmp_path / "forum.xlsx", made=datetime(2025, 12, 1))
    book = openpyxl.load_workbook(out)
    published = {
        round(Decimal(str(value)), 2)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }
    secret = {figures.amounts[key] for key in identifying if figures.amounts[key]}
    assert Decimal("-5168.62") in secret
    assert secret & published == set()
