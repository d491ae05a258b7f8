"""Every chart carries alternative text: a sentence on what it shows, for a screen reader.

Rules: docs/forum-workbook.md (Dashboard); apmodel.workbook.layout.chart_alt_text. Checked in the
written files' drawing parts (``xdr:graphicFrame/xdr:nvGraphicFramePr/xdr:cNvPr``): the run's
output, whose Dashboard the zip-patch writer transplants, and the Forum copy openpyxl saves.
"""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from apmodel import service
from apmodel.workbook.contract import Kind
from apmodel.workbook.interface import ChartKind, ChartSpec, Series
from apmodel.workbook.layout import chart_alt_text
from apmodel.workbook.openpyxl_store import FileWorkbook

TODAY = date(2025, 12, 1)
EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


def chart_frames(path: Path) -> list[etree._Element]:
    """The ``cNvPr`` of every chart frame in every drawing part of the file."""
    with zipfile.ZipFile(path) as archive:
        drawings = [n for n in archive.namelist() if n.startswith("xl/drawings/") and n.endswith(".xml")]
        return [
            props
            for name in drawings
            for props in etree.fromstring(archive.read(name)).iter(f"{XDR}cNvPr")
            if props.getparent() is not None and props.getparent().tag == f"{XDR}nvGraphicFramePr"
        ]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("alt")
    book = FileWorkbook(EXAMPLE)
    service.run_workbook(book, today=TODAY)
    run = folder / "run.xlsx"
    book.save(run)
    forum = service.forum_copy(FileWorkbook(EXAMPLE), folder / "forum.xlsx", today=TODAY)
    return {"run": run, "forum": forum}


@pytest.mark.parametrize("which", ["run", "forum"])
def test_every_chart_in_the_written_file_has_a_title_and_a_description(outputs: dict[str, Path], which: str) -> None:
    frames = chart_frames(outputs[which])
    # The example county's run draws four charts (allocation, £ change, % change, recoupment).
    assert len(frames) >= 4
    for props in frames:
        assert props.get("title"), etree.tostring(props)
        assert props.get("descr", "").startswith(("Bar chart: ", "Column chart: ")), etree.tostring(props)
        assert "highest" in props.get("descr", "")


def test_the_description_names_the_biggest_loss_and_gain_in_pounds() -> None:
    spec = ChartSpec(
        key="ChangeByDistrict",
        title="Change from last year by district (£)",
        kind=ChartKind.BAR,
        category_title="District",
        value_title="£ change",
        categories=("Dover", "Ashford", "Thanet"),
        series=(Series("Change £", (Decimal("-5034.40"), Decimal("3120"), Decimal("0"))),),
        description="",
    )
    assert chart_alt_text(spec) == (
        "Bar chart: Change from last year by district (£)."
        " Change £: lowest Dover -£5,034.40, highest Ashford £3,120.00."
        " The figures are in the table beside the chart."
    )


def test_a_percentage_chart_reads_in_percent_and_leaves_hidden_figures_out() -> None:
    spec = ChartSpec(
        key="ChangePercentByDistrict",
        title="Change from last year",
        kind=ChartKind.COLUMN,
        category_title="District",
        value_title="% change",
        categories=("North", "South", "East"),
        # 0.0525 is 5.25%, shown to one place as 5.2% (half to even); "[c]" is a hidden figure.
        series=(Series("Change %", (Decimal("0.0525"), Decimal("-0.031"), "[c]")),),
        description="",
        value_kind=Kind.PERCENT,
    )
    text = chart_alt_text(spec)
    assert "lowest South -3.1%, highest North 5.2%." in text
    assert "East" not in text
