"""Regenerate the README's pictures of the example county's artefacts, as LibreOffice prints them.

    python docs/pictures.py

Makes the artefacts from workbooks/example-county.xlsx with the run date 2025-12-01, prints each
to PDF with LibreOffice (``soffice``) and turns the chosen pages into PNGs with poppler's
``pdftoppm`` (``apt-get install poppler-utils``), written to docs/images/. A page is chosen by
the sheet it prints: each sheet's name is in its page footer. Add a picture by adding a row to
``PICTURES``.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apmodel.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbooks" / "example-county.xlsx"
IMAGES = ROOT / "docs" / "images"
RUN_DATE = "2025-12-01"
#: The example school whose pack is pictured: an academy with placements and invoices.
PACK_URN = 111214
RESOLUTION = 80


def forum_copy(folder: Path) -> Path:
    out = folder / "forum-copy.xlsx"
    assert main(["forum-copy", str(EXAMPLE), "-o", str(out), "--date", RUN_DATE]) == 0
    return out


def results(folder: Path) -> Path:
    """The results workbook after Compare scenarios (every output sheet and chart, scenarios included)."""
    out = folder / "example-county-results.xlsx"
    assert main(["compare", str(EXAMPLE), "-o", str(out), "--date", RUN_DATE]) == 0
    return out


def school_pack(folder: Path) -> Path:
    out = folder / "packs"
    assert main(["packs", str(EXAMPLE), "-o", str(out), "--date", RUN_DATE, "-q"]) == 0
    [pack] = out.glob(f"{PACK_URN} *.xlsx")
    return pack


@dataclass(frozen=True)
class Picture:
    #: The PNG's name in docs/images.
    name: str
    #: Makes the artefact in a scratch folder.
    make: Callable[[Path], Path]
    #: The sheet whose first printed page is pictured (a prefix: "Invoice" is the first invoice).
    sheet: str
    #: Pages after that first one (the Dashboard's second page is its "who gains, who loses" chart).
    after: int = 0


PICTURES = (
    Picture("results-contents.png", results, "Contents"),
    Picture("results-summary.png", results, "Summary"),
    Picture("results-dashboard.png", results, "Dashboard", after=1),
    Picture("results-district-allocations.png", results, "DistrictAllocations"),
    Picture("results-warnings.png", results, "Warnings"),
    Picture("results-trace.png", results, "Trace"),
    Picture("forum-copy-cover.png", forum_copy, "Cover"),
    Picture("forum-copy-recoupment.png", forum_copy, "RecoupmentByTerm"),
    Picture("forum-copy-dashboard.png", forum_copy, "Dashboard", after=2),
    Picture("school-pack-recoupment.png", school_pack, "Recoupment"),
    Picture("school-pack-invoice.png", school_pack, "Invoice"),
)


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=300).stdout


def page_count(pdf: Path) -> int:
    return int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:")))


@functools.cache
def page_texts(pdf: Path) -> list[str]:
    """Each page's text, in one pdftotext call (it ends every page with a form feed)."""
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")


def page_of(pdf: Path, sheet: str) -> int:
    """The first page whose footer (LA, the sheet's title and name, "Page X of N") names ``sheet``, or a
    sheet starting ``sheet ``.

    The footer is matched on any line of the page: beside a chart, pdftotext may put the chart's
    own text on the footer's line.
    """
    name = re.escape(sheet)
    # The centre of the footer: the sheet's title then its name in brackets, or (a pack) the name alone.
    footer = re.compile(
        rf"(?:^|\s{{2}})(?:[^\n]*?\({name}(?: [^\n]*?)?\)|{name}(?: [^\n]*?)?)\s{{2,}}Page \d+ of \d+\s*$", re.M
    )
    for page, text in enumerate(page_texts(pdf), start=1):
        if footer.search(text):
            return page
    raise SystemExit(f"No page of {pdf.name} prints the sheet {sheet!r}")


def main_pictures() -> int:
    for tool in ("soffice", "pdftoppm", "pdfinfo", "pdftotext"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed: install LibreOffice and poppler-utils", file=sys.stderr)
            return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        made: dict[str, Path] = {}
        for picture in PICTURES:
            key = picture.make.__name__
            if key not in made:
                artefact = picture.make(folder)
                _run("soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(artefact))
                made[key] = folder / f"{artefact.stem}.pdf"
            pdf = made[key]
            page = page_of(pdf, picture.sheet) + picture.after
            stem = folder / Path(picture.name).stem
            _run("pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                 str(stem))  # fmt: skip
            shutil.move(f"{stem}.png", IMAGES / picture.name)
            print(f"docs/images/{picture.name}: page {page} of {pdf.name} ({page_count(pdf)} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_pictures())
