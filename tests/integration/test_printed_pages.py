"""The example county's results workbook is something a person would print (issue 13).

Printed through LibreOffice to PDF, as a reader without Excel would: before the print setup of
layout.py the results workbook came to 1,294 pages, wide tables cut into vertical strips and
Summary's labels on one page and its values on the next. Every sheet now prints one page
wide, so the pages are only as many as the rows need.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from apmodel.cli import main
from tests.integration.test_spreadsheet_engine import RUN_DATE, convert, pdf_pages

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("printed")
    results = folder / "example-results.xlsx"
    assert main(["run", str(EXAMPLE), "-o", str(results), "--date", RUN_DATE, "-q"]) == 0
    summary_only = folder / "summary-only.xlsx"
    book = openpyxl.load_workbook(results)
    for sheet in book.worksheets:
        if sheet.title != "Summary":
            book.remove(sheet)
    book.save(summary_only)
    convert([results, summary_only], "pdf", folder / "pdf")
    return folder / "pdf" / "example-results.pdf", folder / "pdf" / "summary-only.pdf"


def test_the_example_results_workbook_prints_in_a_few_hundred_pages_not_1294(printed: tuple[Path, Path]) -> None:
    # 28 sheets; the long ones are Trace (4,468 rows), Recoupment (2,930) and Placements (2,608),
    # about 40 to 45 rows a page once fitted to one page wide: 237 pages on the day it was written.
    pages = pdf_pages(printed[0])
    assert 150 <= pages <= 300, pages


def test_summary_prints_its_labels_and_values_on_one_page(printed: tuple[Path, Path]) -> None:
    assert pdf_pages(printed[1]) == 1
