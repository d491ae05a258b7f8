"""GIAS downloads for the example county, in the published format:
``python -m apmodel.workbooks.example_gias workbooks/example-county.xlsx OUTDIR``.

Writes ``OUTDIR/edubasealldata20260101.csv`` (every column of the DfE's all-establishment
extract, in its published order, encoded Windows-1252) and ``OUTDIR/links_edubasealldata20260101.csv``
from the example county's Schools, with what a real extract brings: one school renamed (with an
accented letter, written as the cp1252 byte 0xE9), one closed, one new free school, one
maintained school converted to an academy on 1 January 2026 (a new URN, the old one closed,
the link between them), an independent school and another LA's school that the import leaves out.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

from apmodel.workbook.interface import RawTable
from apmodel.workbook.xlsx_reader import read_tables

#: The all-establishment extract's columns, in the published order.
GIAS_HEADER: tuple[str, ...] = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
    "StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
    "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
    "ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)",
    "Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
    "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys",
    "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)",
    "Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
    "Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)",
    "OfstedLastInsp", "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate",
    "Street", "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
    "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle",
    "BSOInspectorateName (name)", "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit",
    "TeenMoth (name)", "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU",
    "FTProv (name)", "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)",
    "SEN3 (name)", "SEN4 (name)", "SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)",
    "SEN10 (name)", "SEN11 (name)", "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity",
    "GOR (code)", "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)", "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)", "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)",
    "Easting", "Northing", "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat",
    "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
    "PreviousEstablishmentNumber", "OfstedRating (name)", "RSCRegion (name)", "Country (name)", "UPRN",
    "SiteName", "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)", "FSM",
    "AccreditationExpiryDate",
)  # fmt: skip
#: The links file's columns, in the published order.
LINKS_HEADER: tuple[str, ...] = ("URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate")

#: TypeOfEstablishment (code, name) the example uses.
COMMUNITY = ("1", "Community school")
ACADEMY_CONVERTER = ("34", "Academy converter")
FREE_SCHOOL = ("35", "Free schools")
INDEPENDENT = ("11", "Other independent school")
PRU = ("14", "Pupil referral unit")


def gias_row(**cells: str) -> list[str]:
    """A full extract row: the given cells by column name, every other column blank."""
    unknown = set(cells) - set(GIAS_HEADER)
    if unknown:
        raise ValueError(f"Not GIAS columns: {sorted(unknown)}")
    return [cells.get(name, "") for name in GIAS_HEADER]


def establishment(
    urn: int,
    name: str,
    kind: tuple[str, str],
    phase: str,
    district: str,
    *,
    la: str = "886",
    number: str = "",
    status: str = "Open",
    trust: str = "",
    pupils: int | None = None,
    ukprn: str = "",
    ages: tuple[int, int] = (11, 16),
) -> list[str]:
    return gias_row(**{
        "URN": str(urn), "LA (code)": la, "LA (name)": "Kent" if la == "886" else "Medway",
        "EstablishmentNumber": number or f"{urn % 10000:04d}", "EstablishmentName": name,
        "TypeOfEstablishment (code)": kind[0], "TypeOfEstablishment (name)": kind[1],
        "EstablishmentStatus (name)": status, "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": str(ages[0]), "StatutoryHighAge": str(ages[1]),
        "NumberOfPupils": "" if pupils is None else str(pupils), "Trusts (name)": trust, "UKPRN": ukprn,
        "DistrictAdministrative (name)": district, "GOR (name)": "South East",
    })  # fmt: skip


def write_gias(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = GIAS_HEADER) -> Path:
    """Write rows as GIAS publishes them: Windows-1252, comma separated, header first."""
    with path.open("w", encoding="cp1252", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def _records(table: RawTable) -> list[dict[str, object]]:
    return [dict(zip(table.header, row, strict=False)) for row in table.rows]


def _urn(value: object) -> int:
    return int(float(str(value)))


def example_extract(workbook: Path, out_dir: Path) -> tuple[Path, Path]:
    """The example county's GIAS extract and links file (see the module docstring)."""
    schools = _records(read_tables(workbook)["Schools"])
    phases = {
        "Primary": ("Primary", (4, 11)),
        "Secondary": ("Secondary", (11, 18)),
        "All-through": ("All-through", (4, 18)),
    }
    rows: list[list[str]] = []
    maintained_secondary = [s for s in schools if s["Type"] == "Maintained" and s["Phase"] == "Secondary"]
    converted = maintained_secondary[0]
    renamed = schools[1]
    closed = schools[-1]
    for school in schools:
        urn = _urn(school["URN"])
        phase = str(school["Phase"])
        if phase in ("Special", "PRU"):
            kind = PRU if phase == "PRU" else ("7", "Community special school")
            gias_phase, ages = "Not applicable", (5, 16)
        else:
            kind = COMMUNITY if school["Type"] == "Maintained" else ACADEMY_CONVERTER
            gias_phase, ages = phases[phase]
        name = str(school["School Name"])
        if school is renamed:
            name = f"{name} (Académie)"
        rows.append(
            establishment(
                urn, name, kind, gias_phase, str(school["District"]), ages=ages,
                status="Closed" if school is closed or school is converted else "Open",
                trust=str(school["Trust"] or ""), ukprn=f"1{urn:07d}",
            )
        )  # fmt: skip
    district = str(converted["District"])
    successor = 150001
    rows.append(
        establishment(
            successor, f"{converted['School Name']} Academy", ACADEMY_CONVERTER, "Secondary", district,
            trust="Example Learning Trust", ukprn="10099001", ages=(11, 18), pupils=900,
        )
    )  # fmt: skip
    rows.append(
        establishment(150002, "Example Free School", FREE_SCHOOL, "Middle deemed secondary", district,
                      trust="Example Learning Trust", ukprn="10099002", pupils=240, ages=(9, 13))
    )  # fmt: skip
    rows.append(establishment(150003, "Example Independent School", INDEPENDENT, "Not applicable", district))
    rows.append(establishment(150004, "A Medway School", COMMUNITY, "Primary", "Medway", la="887"))
    out_dir.mkdir(parents=True, exist_ok=True)
    extract = write_gias(out_dir / "edubasealldata20260101.csv", rows)
    old = _urn(converted["URN"])
    links = write_gias(
        out_dir / "links_edubasealldata20260101.csv",
        [
            [str(successor), str(old), str(converted["School Name"]), "Predecessor", "01-01-2026"],
            [str(old), str(successor), f"{converted['School Name']} Academy", "Successor", "01-01-2026"],
        ],
        LINKS_HEADER,
    )
    return extract, links


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m apmodel.workbooks.example_gias", description=__doc__.splitlines()[0]
    )
    parser.add_argument("workbook", type=Path)
    parser.add_argument("output", type=Path, help="the folder for the two CSV files")
    args = parser.parse_args(argv)
    extract, links = example_extract(args.workbook, args.output)
    print(f"Wrote {extract} and {links}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
