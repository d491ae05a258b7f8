"""Reading the DfE's GIAS downloads with pandas: the establishment extract and its links file.

``edubasealldataYYYYMMDD.csv`` is about 60 MB with 300+ columns, encoded Windows-1252 (not
UTF-8): only the columns the import uses are read (``usecols``), every cell as text
(``dtype=str``, blanks as ""), decoded as cp1252, or ISO-8859-1 when a byte cp1252 leaves
undefined appears; a file saved again as UTF-8 (Excel's "CSV UTF-8", with a byte-order mark)
is read as UTF-8. A file that is missing or lacks the columns that identify a school is one
plain line (``WorkbookUnreadable``, exit 3); a row that cannot be read is a Warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from apmodel.domain.findings import Findings
from apmodel.domain.gias import GIAS_COLUMNS, LINK_COLUMNS, GiasSchool
from apmodel.workbook.xlsx_reader import WorkbookUnreadable

if TYPE_CHECKING:
    import pandas as pd

#: UTF-8 first (with or without the byte-order mark Excel's "CSV UTF-8" writes: pure ASCII reads the
#: same either way, and a cp1252 byte such as 0xE9 for é is never valid UTF-8 on its own), then GIAS's own.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
REQUIRED = ("URN", "LA (code)", "EstablishmentName", "TypeOfEstablishment (code)", "EstablishmentStatus (name)")
GIAS_TABLE = "GIAS"
LINKS_TABLE = "GIAS links"


def _frame(path: Path, columns: Sequence[str], required: Sequence[str], what: str) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise WorkbookUnreadable(f"{path}: no such file (expected the GIAS {what})")
    wanted = set(columns)
    for encoding in ENCODINGS:
        try:
            frame = pd.read_csv(
                path, usecols=lambda name: name in wanted, dtype=str, encoding=encoding, keep_default_na=False
            )
            break
        except UnicodeDecodeError:
            continue
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise WorkbookUnreadable(f"{path}: cannot be read as the GIAS {what} ({exc})") from exc
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise WorkbookUnreadable(
            f"{path}: not the GIAS {what}: no column {', '.join(missing)} (download it from Get Information About "
            "Schools, all establishment data)"
        )
    for name in columns:
        if name not in frame.columns:
            frame[name] = ""
    return frame


def _int(text: str) -> int | None:
    text = text.strip()
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def read_establishments(path: Path, findings: Findings) -> list[GiasSchool]:
    """Every establishment of the extract (every LA); rows without a usable URN or type are Warnings."""
    frame = _frame(path, GIAS_COLUMNS, REQUIRED, "establishment extract (edubasealldataYYYYMMDD.csv)")
    schools: list[GiasSchool] = []
    for line, record in enumerate(frame.to_dict("records"), start=2):
        urn, type_code = _int(record["URN"]), _int(record["TypeOfEstablishment (code)"])
        if urn is None or type_code is None:
            findings.warning(
                "GIAS_ROW_UNREADABLE",
                GIAS_TABLE,
                line,
                "URN" if urn is None else "TypeOfEstablishment (code)",
                record["URN"] if urn is None else record["TypeOfEstablishment (code)"],
                f"Line {line} of {path.name} has no usable URN or establishment type; it is left out.",
            )
            continue
        schools.append(
            GiasSchool(
                urn=urn,
                la_code=record["LA (code)"].strip(),
                establishment_number=record["EstablishmentNumber"].strip(),
                name=" ".join(record["EstablishmentName"].split()),
                type_code=type_code,
                status=record["EstablishmentStatus (name)"].strip(),
                phase=record["PhaseOfEducation (name)"].strip(),
                low_age=_int(record["StatutoryLowAge"]),
                high_age=_int(record["StatutoryHighAge"]),
                pupils=_int(record["NumberOfPupils"]),
                trust=record["Trusts (name)"].strip(),
                ukprn=record["UKPRN"].strip(),
                district=record["DistrictAdministrative (name)"].strip(),
            )
        )
    return schools


def _date(text: str) -> dt.date | None:
    text = text.strip()
    for layout in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def read_links(path: Path, findings: Findings) -> list[tuple[int, int, str, dt.date | None]]:
    """The links file's rows as (URN, LinkURN, LinkType, LinkEstablishedDate); unreadable rows are Warnings."""
    frame = _frame(path, LINK_COLUMNS, LINK_COLUMNS, "links file (links_edubasealldataYYYYMMDD.csv)")
    links: list[tuple[int, int, str, dt.date | None]] = []
    for line, record in enumerate(frame.to_dict("records"), start=2):
        urn, link = _int(record["URN"]), _int(record["LinkURN"])
        on = _date(record["LinkEstablishedDate"])
        if urn is None or link is None or on is None:
            findings.warning(
                "GIAS_ROW_UNREADABLE",
                LINKS_TABLE,
                line,
                "LinkEstablishedDate" if on is None else "URN",
                record["LinkEstablishedDate"],
                f"Line {line} of {path.name} has no usable URN, LinkURN or LinkEstablishedDate; it is left out.",
            )
            continue
        links.append((urn, link, record["LinkType"], on))
    return links
