"""Schools from GIAS: the DfE's establishment records merged into the Schools table.

Rule (README, "Schools from GIAS: import-schools"):

- only establishments of the LA (``LA (code)`` = the ``LA code`` setting) that the model funds
  are kept: maintained schools (community, voluntary aided or controlled, foundation, their
  special schools, pupil referral units, nursery schools) and academies (every academy type,
  free schools and city technology colleges count as academies); independent schools, FE and
  the rest are left out;
- Type is Maintained or Academy; Phase is Special for special schools, PRU for PRUs and
  alternative provision academies, else from ``PhaseOfEducation (name)`` (Middle deemed
  primary -> Primary, Middle deemed secondary and 16 plus -> Secondary, All-through; Nursery
  -> Primary; Not applicable from the statutory ages);
- District is ``DistrictAdministrative (name)``, through the ``DistrictMap`` table when it
  names that district;
- an existing school (same URN) gets GIAS's School Name, District, Phase, Type, Trust, LAESTAB
  (LA code and EstablishmentNumber), UKPRN and Status; every other column (the LA's own: AP
  Agreement, Cost Centre, PO Number, pupil counts and measures, the user's columns) is left
  exactly as it was. A district GIAS gives that is not one of the LA's keeps the school's own,
  with a Warning;
- a school GIAS shows as closed is kept, never deleted, with Status Closed and a Warning;
- a new open school is added (its Pupils from ``NumberOfPupils``); a school proposed to open
  is not added yet;
- academy conversions (the links file): a predecessor's placements and exclusions follow the
  successor's URN from the conversion date: a placement spanning the date is split there, the
  part before staying with the predecessor (a budget adjustment while it was maintained) and
  the part from the date going to the academy (invoiced); an exclusion goes to the school
  that was open on its Relevant Date (Exclusion Date when blank).

Every change is a row of ``ImportLog``: URN, Column, Old, New, Note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import SchoolType, normalise

#: The GIAS columns read (``usecols``), as published in ``edubasealldataYYYYMMDD.csv``.
GIAS_COLUMNS: tuple[str, ...] = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "NumberOfPupils",
    "Trusts (name)",
    "UKPRN",
    "DistrictAdministrative (name)",
    "PlacesPRU",
)
#: The GIAS links file's columns (``links_edubasealldataYYYYMMDD.csv``).
LINK_COLUMNS: tuple[str, ...] = ("URN", "LinkURN", "LinkType", "LinkEstablishedDate")

#: TypeOfEstablishment (code) -> the model's Type.
MAINTAINED_TYPES = frozenset({1, 2, 3, 5, 7, 12, 14, 15})
ACADEMY_TYPES = frozenset({6, 28, 33, 34, 35, 36, 38, 39, 40, 41, 42, 43, 44, 45, 46, 57})
SPECIAL_TYPES = frozenset({7, 12, 33, 36, 44})
PRU_TYPES = frozenset({14, 38, 42, 43})

PHASES_FROM_GIAS = {
    "primary": "Primary",
    "middle deemed primary": "Primary",
    "nursery": "Primary",
    "secondary": "Secondary",
    "middle deemed secondary": "Secondary",
    "16 plus": "Secondary",
    "all-through": "All-through",
    "all through": "All-through",
}
CLOSED = "Closed"
OPEN = "Open"
PROPOSED_TO_OPEN = "proposed to open"

TABLE = "Schools"
#: The Schools columns GIAS owns (all others are the LA's), in the order they are compared.
GIAS_OWNED: tuple[str, ...] = ("School Name", "District", "Phase", "Type", "Trust", "LAESTAB", "UKPRN", "Status")


@dataclass(frozen=True)
class GiasSchool:
    urn: int
    la_code: str
    establishment_number: str
    name: str
    type_code: int
    status: str
    phase: str
    low_age: int | None
    high_age: int | None
    pupils: int | None
    trust: str
    ukprn: str
    district: str

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.establishment_number}"

    @property
    def closed(self) -> bool:
        return normalise(self.status) == normalise(CLOSED)

    @property
    def proposed(self) -> bool:
        return normalise(self.status) == PROPOSED_TO_OPEN


@dataclass(frozen=True)
class Conversion:
    """A predecessor school replaced by its successor (an academy) from ``on``."""

    predecessor: int
    successor: int
    on: dt.date


@dataclass(frozen=True)
class LogRow:
    urn: int
    column: str
    old: object
    new: object
    note: str


def model_type(code: int) -> SchoolType | None:
    if code in MAINTAINED_TYPES:
        return SchoolType.MAINTAINED
    if code in ACADEMY_TYPES:
        return SchoolType.ACADEMY
    return None


def model_phase(school: GiasSchool) -> str:
    if school.type_code in SPECIAL_TYPES:
        return "Special"
    if school.type_code in PRU_TYPES:
        return "PRU"
    phase = PHASES_FROM_GIAS.get(normalise(school.phase))
    if phase is not None:
        return phase
    low, high = school.low_age, school.high_age
    if high is not None and high <= 11:
        return "Primary"
    if low is not None and low >= 11:
        return "Secondary"
    return "All-through"


@dataclass
class SchoolsUpdate:
    """The new Schools rows (cells in ``header`` order) and what changed."""

    header: list[str]
    rows: list[list[object]]
    log: list[LogRow] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    closed: int = 0
    skipped: int = 0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(old: object, new: object) -> bool:
    if _blank(old) and _blank(new):
        return True
    return normalise(_text(old)) == normalise(_text(new))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def merge_schools(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet_rows: Sequence[int],
    gias: Sequence[GiasSchool],
    la_code: str,
    district_for: Callable[[str], str],
    districts: set[str],
    findings: Findings,
) -> SchoolsUpdate:
    """Schools after GIAS: ``rows`` updated in place (same order), new schools after them.

    ``district_for`` maps a GIAS district to the LA's name (DistrictMap, else the same name);
    ``districts`` are the LA's districts (normalised); ``sheet_rows`` each row's sheet row.
    """
    out_header = list(header)
    for column in (*GIAS_OWNED, "Pupils"):
        if normalise(column) not in {normalise(h) for h in out_header}:
            out_header.append(column)
    index = {normalise(h): i for i, h in enumerate(out_header)}
    width = len(out_header)
    table = [[*row, *([None] * (width - len(row)))] for row in rows]
    by_urn: dict[int, int] = {}
    for i, row in enumerate(table):
        urn = _urn(row[index["urn"]])
        if urn is not None:
            by_urn.setdefault(urn, i)
    update = SchoolsUpdate(out_header, table)
    ours = [s for s in gias if s.la_code == la_code.strip()]
    seen: set[int] = set()
    for school in ours:
        kind = model_type(school.type_code)
        if kind is None:
            update.skipped += 1
            continue
        seen.add(school.urn)
        district = district_for(school.district)
        wanted: dict[str, object] = {
            "School Name": school.name,
            "District": district,
            "Phase": model_phase(school),
            "Type": kind.value,
            "Trust": school.trust or None,
            "LAESTAB": school.laestab,
            "UKPRN": school.ukprn or None,
            "Status": CLOSED if school.closed else OPEN,
        }
        at = by_urn.get(school.urn)
        if at is None:
            if school.closed or school.proposed:
                update.skipped += 1
                continue
            _add(update, index, school, wanted, districts, findings)
            continue
        _update(
            update, index, at, sheet_rows[at] if at < len(sheet_rows) else None, school, wanted, districts, findings
        )
    for urn, at in by_urn.items():
        if urn not in seen:
            findings.warning(
                "GIAS_SCHOOL_NOT_FOUND",
                TABLE,
                sheet_rows[at] if at < len(sheet_rows) else None,
                "URN",
                urn,
                f"URN {urn} is not one of LA {la_code}'s schools in the GIAS extract: the row is kept as it is "
                "(check the URN, or whether the school has moved LA).",
            )
    return update


def _urn(value: object) -> int | None:
    try:
        return int(float(_text(value))) if not _blank(value) else None
    except ValueError:
        return None


def _add(
    update: SchoolsUpdate,
    index: dict[str, int],
    school: GiasSchool,
    wanted: dict[str, object],
    districts: set[str],
    findings: Findings,
) -> None:
    row: list[object] = [None] * len(update.header)
    row[index["urn"]] = school.urn
    for column, value in wanted.items():
        row[index[normalise(column)]] = value
    row[index["pupils"]] = school.pupils
    update.rows.append(row)
    update.added += 1
    update.log.append(LogRow(school.urn, "URN", None, school.urn, f"New school from GIAS: {school.name}"))
    if normalise(str(wanted["District"])) not in districts:
        findings.warning(
            "GIAS_DISTRICT_UNKNOWN",
            TABLE,
            None,
            "District",
            wanted["District"],
            f"New school {school.urn} {school.name}: GIAS district {school.district!r} is not one of your "
            "Districts; add it to DistrictMap (GIAS District, District) or correct the row.",
        )


def _update(
    update: SchoolsUpdate,
    index: dict[str, int],
    at: int,
    sheet_row: int | None,
    school: GiasSchool,
    wanted: dict[str, object],
    districts: set[str],
    findings: Findings,
) -> None:
    row = update.rows[at]
    changed = False
    for column, new in wanted.items():
        i = index[normalise(column)]
        old = row[i]
        if column == "District" and normalise(str(new)) not in districts:
            if not _same(old, new):
                findings.warning(
                    "GIAS_DISTRICT_UNKNOWN",
                    TABLE,
                    sheet_row,
                    "District",
                    new,
                    f"GIAS puts {school.name} in {school.district!r}, which is not one of your Districts: its "
                    f"District stays {_text(old)!r}. Map it in DistrictMap if it should move.",
                )
            continue
        if _same(old, new):
            continue
        row[i] = new
        changed = True
        note = "Updated from GIAS"
        if column == "Status" and new == CLOSED:
            update.closed += 1
            note = "GIAS shows the school closed: kept, not deleted"
            findings.warning(
                "GIAS_SCHOOL_CLOSED",
                TABLE,
                sheet_row,
                "Status",
                CLOSED,
                f"GIAS shows {school.name} (URN {school.urn}) as closed. It is kept with its history; remove its "
                "pupil counts or its row once nothing more is owed.",
            )
        update.log.append(LogRow(school.urn, column, old, new, note))
    if changed:
        update.updated += 1


# --- Academy conversions --------------------------------------------------------------------------


def conversions(links: Sequence[tuple[int, int, str, dt.date | None]]) -> list[Conversion]:
    """Predecessor -> successor pairs from the links file's rows (URN, LinkURN, LinkType, date).

    A row "URN has predecessor LinkURN" and a row "URN has successor LinkURN" describe the same
    conversion; each pair is kept once. Rows without a date cannot be placed in time: left out.
    """
    found: dict[tuple[int, int], dt.date] = {}
    for urn, link, link_type, on in links:
        kind = normalise(link_type)
        if on is None:
            continue
        if kind.startswith("predecessor"):
            found.setdefault((link, urn), on)
        elif kind.startswith("successor"):
            found.setdefault((urn, link), on)
    return [Conversion(old, new, on) for (old, new), on in sorted(found.items())]


@dataclass
class Moved:
    """A table's rows after conversions, and what moved."""

    rows: list[list[object]]
    log: list[LogRow] = field(default_factory=list)


def follow_placements(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    moves: Sequence[Conversion],
    to_date: Callable[[object], dt.date | None],
) -> Moved:
    """Placements of each predecessor from its conversion date on, under the successor's URN.

    A placement that starts before the date and runs past it is split: the predecessor's row ends
    the day before, and a new row ``<Placement ID>-<successor URN>`` starts on the date.
    """
    col = {normalise(h): i for i, h in enumerate(header)}
    urn_at, start_at, end_at, id_at = col["home urn"], col["start date"], col["end date"], col["placement id"]
    by_old = {move.predecessor: move for move in moves}
    result = Moved([])
    for original in rows:
        row = list(original)
        move = by_old.get(_urn(row[urn_at]) or 0)
        start, end = to_date(row[start_at]), to_date(row[end_at])
        if move is None or start is None or (end is not None and end < move.on):
            result.rows.append(row)
            continue
        ident = _text(row[id_at])
        if start >= move.on:
            row[urn_at] = move.successor
            result.rows.append(row)
            result.log.append(
                LogRow(
                    move.successor,
                    "Placements: Home URN",
                    move.predecessor,
                    move.successor,
                    f"Placement {ident} follows the academy conversion of {move.predecessor} on {move.on}",
                )
            )
            continue
        before, after = list(row), list(row)
        before[end_at] = move.on - dt.timedelta(days=1)
        after[id_at] = f"{ident}-{move.successor}"
        after[urn_at] = move.successor
        after[start_at] = move.on
        result.rows += [before, after]
        result.log.append(
            LogRow(
                move.successor,
                "Placements: Home URN",
                move.predecessor,
                move.successor,
                f"Placement {ident} split at the academy conversion on {move.on}: from then it is "
                f"{after[id_at]} under URN {move.successor}",
            )
        )
    return result


def follow_exclusions(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    moves: Sequence[Conversion],
    to_date: Callable[[object], dt.date | None],
) -> Moved:
    """Exclusions of a predecessor whose Relevant Date (else Exclusion Date) is on or after its conversion."""
    col = {normalise(h): i for i, h in enumerate(header)}
    urn_at, relevant_at, excluded_at, id_at = (
        col["excluding urn"],
        col.get("relevant date"),
        col["exclusion date"],
        col["exclusion id"],
    )
    by_old = {move.predecessor: move for move in moves}
    result = Moved([])
    for original in rows:
        row = list(original)
        move = by_old.get(_urn(row[urn_at]) or 0)
        day = to_date(row[relevant_at]) if relevant_at is not None else None
        day = day or to_date(row[excluded_at])
        if move is not None and day is not None and day >= move.on:
            row[urn_at] = move.successor
            result.log.append(
                LogRow(
                    move.successor,
                    "Exclusions: Excluding URN",
                    move.predecessor,
                    move.successor,
                    f"Exclusion {_text(row[id_at])} follows the academy conversion of {move.predecessor} on {move.on}",
                )
            )
        result.rows.append(row)
    return result
