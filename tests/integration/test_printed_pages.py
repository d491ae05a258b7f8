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


#: The example school pictured in the README: an academy with placements, exclusions and three invoices.
PACK_URN = 503384


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """The example's Forum copy, one school's pack and the blank template, each printed to PDF: name ->
    (PDF, the workbook's sheet names)."""
    folder = tmp_path_factory.mktemp("published")
    forum = folder / "forum-copy.xlsx"
    assert main(["forum-copy", str(EXAMPLE), "-o", str(forum), "--date", RUN_DATE]) == 0
    packs = folder / "packs"
    assert main(["packs", str(EXAMPLE), "-o", str(packs), "--date", RUN_DATE, "-q"]) == 0
    [pack] = packs.glob(f"{PACK_URN} *.xlsx")
    template = Path(__file__).resolve().parents[2] / "templates" / "forum-template.xlsx"
    files = {"forum": forum, "pack": pack, "template": template}
    convert(list(files.values()), "pdf", folder / "pdf")
    return {
        name: (folder / "pdf" / f"{path.stem}.pdf", openpyxl.load_workbook(path, read_only=True).sheetnames)
        for name, path in files.items()
    }


def test_the_forum_copy_prints_a_page_a_sheet_and_a_page_a_dashboard_chart(
    published: dict[str, tuple[Path, list[str]]],
) -> None:
    pdf, sheets = published["forum"]
    # 17 sheets, every one but the Dashboard on one page (the example's tables are short), the Dashboard's
    # five charts each on a page of its own: 16 + 5 = 21 pages.
    assert pdf_pages(pdf) == len(sheets) - 1 + 5 == 21


def test_a_school_pack_prints_a_page_or_two_a_sheet(published: dict[str, tuple[Path, list[str]]]) -> None:
    pdf, sheets = published["pack"]
    # Cover, Allocation, Recoupment and three invoices: six sheets; the Recoupment's 24 lines and its
    # explanations take a second page: 7 pages. A sheet split into strips would make many more.
    assert len(sheets) == 6
    assert len(sheets) <= pdf_pages(pdf) <= len(sheets) + 2


def test_the_blank_template_prints_a_page_or_so_a_sheet(published: dict[str, tuple[Path, list[str]]]) -> None:
    pdf, sheets = published["template"]
    # Each input sheet has its header and an example row or two, one page wide: about a page a sheet.
    assert len(sheets) <= pdf_pages(pdf) <= len(sheets) + 3


def test_the_example_results_workbook_prints_in_a_few_hundred_pages_not_1294(printed: tuple[Path, Path]) -> None:
    # 28 sheets; the long ones are Trace (4,468 rows), Recoupment (2,930) and Placements (2,608),
    # about 40 to 45 rows a page once fitted to one page wide: 237 pages on the day it was written.
    pages = pdf_pages(printed[0])
    assert 150 <= pages <= 300, pages


def test_summary_prints_its_labels_and_values_on_one_page(printed: tuple[Path, Path]) -> None:
    assert pdf_pages(printed[1]) == 1
