"""Every file the project writes is valid Open XML: ISO/IEC 29500 transitional and the SDK's checks.

Two validators, both in CI:

- the vendored ISO/IEC 29500-4:2016 transitional schemas (tests/data/), through lxml, on every
  XML part of every file the example county gives: a run, a run on a run's output, an issue,
  a comparison, the Forum copy, every school pack, ``new`` and ``demo``;
- openxml-audit, a Python port of Microsoft's Open XML SDK validator (schema, semantic and
  package checks). It slows down on very large sheets (its cost grows with the square of a
  sheet's rows), so it checks the same commands on a small county: the same part shapes,
  written by the same code, with fewer rows.

Where a validator is wrong, ``tests/schemas.py`` waives the finding with the reason; a waiver
that no longer matches anything fails ``test_no_waiver_is_stale``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from apmodel.cli import main
from tests.builders import small_county, write_workbook
from tests.schemas import AUDIT_WAIVERS, XSD_WAIVERS, Finding, audit_findings, stale, unwaived, xsd_findings

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
DAY = "2025-12-01"
PERIOD = "Autumn 2025"


@dataclass(frozen=True)
class Written:
    """Every kind of file the commands write, from one input workbook."""

    files: dict[str, Path]
    packs: list[Path]

    def all(self) -> list[Path]:
        return [*self.files.values(), *self.packs]


def write_everything(source: Path, out: Path, *, demo: bool) -> Written:
    files = {name: out / f"{name}.xlsx" for name in ("run", "rerun", "issued", "compare", "forum", "new")}
    assert main(["run", str(source), "-o", str(files["run"]), "--date", DAY, "-q"]) == 0
    assert main(["run", str(files["run"]), "-o", str(files["rerun"]), "--date", DAY, "-q"]) == 0
    assert main(["issue", str(files["run"]), "--period", PERIOD, "-o", str(files["issued"]), "--date", DAY]) == 0
    assert main(["compare", str(source), "-o", str(files["compare"]), "--date", DAY]) == 0
    assert main(["forum-copy", str(files["run"]), "-o", str(files["forum"]), "--date", DAY]) == 0
    assert main(["new", str(files["new"])]) == 0
    if demo:
        files["demo"] = out / "demo.xlsx"
        assert main(["demo", str(files["demo"])]) == 0
    packs = out / "packs"
    assert main(["packs", str(files["run"]), "-o", str(packs), "--date", DAY, "-q"]) == 0
    return Written(files, sorted(packs.glob("*.xlsx")))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Written:
    return write_everything(EXAMPLE, tmp_path_factory.mktemp("example"), demo=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Written:
    out = tmp_path_factory.mktemp("small")
    return write_everything(write_workbook(out / "county.xlsx", small_county()), out, demo=False)


@pytest.fixture(scope="module")
def xsd(example: Written) -> list[Finding]:
    return [finding for path in example.all() for finding in xsd_findings(path)]


@pytest.fixture(scope="module")
def audit(small: Written) -> list[Finding]:
    return audit_findings(small.all())


def test_the_example_county_writes_every_kind_of_file(example: Written) -> None:
    assert set(example.files) == {"run", "rerun", "issued", "compare", "forum", "new", "demo"}
    assert len(example.packs) > 500  # one per school


def test_every_part_of_every_file_is_valid_iso_29500_transitional(xsd: list[Finding]) -> None:
    assert unwaived(xsd, XSD_WAIVERS) == []


def test_every_file_passes_the_open_xml_sdk_checks(small: Written, audit: list[Finding]) -> None:
    assert len(small.packs) == 3  # every school of the small county
    assert unwaived(audit, AUDIT_WAIVERS) == []


def test_no_waiver_is_stale(xsd: list[Finding], audit: list[Finding]) -> None:
    assert stale(xsd, XSD_WAIVERS) == [] and stale(audit, AUDIT_WAIVERS) == []


def test_the_schemas_do_catch_an_invalid_part(tmp_path: Path, example: Written) -> None:
    # An element the schema does not know must be refused, or the checks above prove nothing.
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(example.files["new"]) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><money/>", 1)
            target.writestr(info, data)
    found = unwaived(xsd_findings(broken), XSD_WAIVERS)
    assert [f.part for f in found] == ["xl/worksheets/sheet1.xml"] and "money" in found[0].message
