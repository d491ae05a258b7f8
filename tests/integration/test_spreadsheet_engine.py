"""Our files open in a second spreadsheet engine (LibreOffice) and hold the figures we wrote.

README.md, "A real spreadsheet engine": outputs are values, not formulas, so any engine shows what Python computed.
Every workbook a user or the Forum receives (the run output, a blank ``apmodel new``
workbook, a school pack, the Forum copy) must open and print (PDF) in LibreOffice headless,
and LibreOffice's own re-save of the run output must carry the same figures.
Skipped where soffice is absent on a developer machine (``CI`` unset); on CI (``CI`` set, as
``.ci/run`` does) a missing soffice is a failure. Every file is made by the real command, and a
command that fails fails the tests: nothing is skipped because a file could not be made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apmodel.cli import main
from apmodel.workbook.interface import RawTable
from apmodel.workbook.layout import link_target
from apmodel.workbook.xlsx_reader import read_tables
from tests.acceptance.test_small_county import money, records, summary
from tests.builders import small_county, write_workbook

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

RUN_DATE = "2025-12-01"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required on CI (CI is set): .ci/run installs it")
        pytest.skip("LibreOffice (soffice) is not on PATH and CI is unset: install libreoffice-calc-nogui")
    return found


def convert(files: list[Path], to: str, outdir: Path) -> None:
    """Convert ``files`` with LibreOffice headless, in a private profile, in one process."""
    profile = outdir.parent / f"lo-profile-{os.getpid()}"
    outdir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout


@dataclass
class Files:
    run_output: Path
    blank: Path
    pack: Path
    forum_copy: Path
    folder: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    soffice()
    folder = tmp_path_factory.mktemp("engine")
    source = write_workbook(folder / "county.xlsx", small_county())
    run_output = folder / "run-output.xlsx"
    assert main(["run", str(source), "-o", str(run_output), "--date", RUN_DATE, "-q"]) == 0
    blank = folder / "blank.xlsx"
    assert main(["new", str(blank)]) == 0
    assert main(["packs", str(source), "-o", str(folder / "packs"), "--date", RUN_DATE, "-q"]) == 0
    pack = sorted((folder / "packs").glob("*.xlsx"))[0]
    forum = folder / "forum-copy.xlsx"
    assert main(["forum-copy", str(source), "-o", str(forum), "--date", RUN_DATE]) == 0
    assert forum.exists()
    return Files(run_output, blank, pack, forum, folder)


@pytest.fixture(scope="module")
def pdfs(files: Files) -> Path:
    outdir = files.folder / "pdf"
    convert([files.run_output, files.blank, files.pack, files.forum_copy], "pdf", outdir)
    return outdir


@pytest.fixture(scope="module")
def resaved(files: Files) -> Path:
    outdir = files.folder / "resaved"
    convert([files.run_output], "xlsx", outdir)
    path = outdir / files.run_output.name
    assert path.exists()
    return path


def assert_pdf(pdfs: Path, source: Path) -> None:
    pdf = pdfs / f"{source.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF for {source.name}"
    assert pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_run_output_prints_to_pdf_in_libreoffice(files: Files, pdfs: Path) -> None:
    assert_pdf(pdfs, files.run_output)


def test_a_blank_new_workbook_prints_to_pdf_in_libreoffice(files: Files, pdfs: Path) -> None:
    assert_pdf(pdfs, files.blank)


def test_a_school_pack_prints_to_pdf_in_libreoffice(files: Files, pdfs: Path) -> None:
    assert_pdf(pdfs, files.pack)


def test_the_forum_copy_prints_to_pdf_in_libreoffice(files: Files, pdfs: Path) -> None:
    assert_pdf(pdfs, files.forum_copy)


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF LibreOffice wrote (each page object is ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def test_the_forum_copy_prints_each_of_its_sheets_on_one_page(files: Files, pdfs: Path) -> None:
    assert files.forum_copy is not None
    sheets = openpyxl.load_workbook(files.forum_copy).sheetnames
    # The small county: sixteen sheets (Cover to APOutcomesTotals, AllocationSubtotals and the six totals
    # tables DistrictAllocationTotals, ProviderFundingTotals, RecoupmentByTermTotals,
    # ScenarioComparisonTotals, EqualityAnalysisTotals and APOutcomesTotals among them), each one page wide
    # and one page long, but the Dashboard, which prints each of its charts on a page of its own:
    # allocation, change in £, change in %, recoupment by term. 15 + 4 = 19 pages.
    assert len(sheets) == 16
    charts = len(openpyxl.load_workbook(files.forum_copy)["Dashboard"]._charts)
    assert charts == 4
    assert pdf_pages(pdfs / f"{files.forum_copy.stem}.pdf") == 15 + charts


def test_a_school_pack_prints_each_of_its_sheets_on_one_page(files: Files, pdfs: Path) -> None:
    sheets = openpyxl.load_workbook(files.pack).sheetnames
    # Alder Secondary: Cover, Allocation, Recoupment and its one budget adjustment, one page each.
    assert len(sheets) == 4
    assert pdf_pages(pdfs / f"{files.pack.stem}.pdf") == 4


def formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" and link_target(cell.value) is None  # a run's own links are HYPERLINK formulas
    ]


def test_we_write_values_never_formulas(files: Files) -> None:
    for path in (files.run_output, files.pack, files.forum_copy):
        assert formula_cells(path) == [], path


def _cell_values(path: Path, table: RawTable) -> list[list[Any]]:
    """The table's data block as an engine saved it (cached values, not formulas)."""
    sheet = openpyxl.load_workbook(path, data_only=True)[table.sheet]
    top = table.header_row + 1
    left = table.first_column
    return [
        [sheet.cell(row=top + r, column=left + c).value for c in range(len(table.header))]
        for r in range(len(table.rows))
    ]


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, int | float) and not isinstance(ours, bool):
        return isinstance(theirs, int | float) and money(ours) == money(theirs)
    if ours in (None, "") or theirs in (None, ""):
        return ours in (None, "") and theirs in (None, "")
    return str(ours) == str(theirs) or money_text(ours) == money_text(theirs)


def money_text(value: Any) -> str:
    return str(value).split(" ")[0].split("T")[0]


def test_libreoffice_resave_keeps_every_figure_we_wrote(files: Files, resaved: Path) -> None:
    ours = read_tables(files.run_output)
    for name in ("Summary", "DistrictAllocations", "SchoolAllocations", "ProviderFunding", "Recoupment"):
        table = ours[name]
        written = _cell_values(files.run_output, table)
        theirs = _cell_values(resaved, table)
        for r, (mine, lo) in enumerate(zip(written, theirs, strict=True)):
            for c, (a, b) in enumerate(zip(mine, lo, strict=True)):
                assert _same(a, b), f"{name} row {r + 1} {table.header[c]}: we wrote {a!r}, LibreOffice has {b!r}"


def test_libreoffice_shows_the_budget_fully_allocated_and_the_district_figures(resaved: Path) -> None:
    theirs = read_tables(resaved)
    assert money(summary(theirs)["Difference"]) == Decimal("0.00")
    rows = {r["District"]: r for r in records(theirs["DistrictAllocations"])}
    # small_county(): North 50,000 + 300,000 + 75,000 = 425,000; South 50,000 + 300,000 + 125,000 = 475,000.
    assert money(rows["North"]["Final Allocation"]) == Decimal("425000.00")
    assert money(rows["South"]["Final Allocation"]) == Decimal("475000.00")


def test_a_workbook_libreoffice_saved_runs_again_to_the_same_figures(
    files: Files, resaved: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A finance officer may keep the Forum workbook in LibreOffice: its own zip (every entry with a
    # data descriptor) and its own XML (shared strings, its styles) must run as Excel's do, through
    # the patch writer, and give the same figures as the run it was saved from.
    again = files.folder / "run-again.xlsx"
    with caplog.at_level("INFO", logger="apmodel.workbook.openpyxl_store"):
        assert main(["run", str(resaved), "-o", str(again), "--date", RUN_DATE, "-q"]) == 0
    assert "written through openpyxl" not in caplog.text
    first, second = read_tables(files.run_output), read_tables(again)
    for name in ("DistrictAllocations", "SchoolAllocations", "ProviderFunding", "Recoupment", "Invoices", "Trace"):
        assert second[name].rows == first[name].rows, name
    convert([again], "pdf", files.folder / "pdf-again")
    assert_pdf(files.folder / "pdf-again", again)
