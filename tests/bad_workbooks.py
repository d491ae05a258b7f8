"""Hostile and damaged Forum workbooks, each the small county with one defect.

Used by tests/integration/test_bad_workbooks.py. Each ``BadCase`` builds its file in a
folder and says what a correct run must do: either finish (exit 0 or 1) with the listed
Warnings rows, or refuse the file (exit 3) with one plain line on stderr. The binding rule
is docs/forum-workbook.md, "How the workbook is read": bad data never crashes the model.
"""

from __future__ import annotations

import copy
import re
import shutil
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import Table

from apmodel.workbook.interface import column_letter
from tests.builders import TableRows, small_county, write_workbook

County = dict[str, TableRows]
#: (code, table, sheet row, column) of one Warnings row the defect must produce.
Expected = tuple[str, str, int | None, str | None]

SCHOOLS_HEADER = [
    "URN",
    "School Name",
    "District",
    "Phase",
    "Type",
    "Trust",
    "AP Agreement",
    "Cost Centre",
    "PO Number",
    "Pupils",
    "IDACI Pupils",
]
PLACEMENTS_HEADER = [
    "Placement ID",
    "Pupil Ref",
    "Home URN",
    "Provider ID",
    "Tier",
    "Registration",
    "Reason",
    "Start Date",
    "End Date",
    "Days per Week",
    "Year Group",
    "Charge Basis",
    "Charge Rate",
    "Planned Weeks",
    "Outcome",
    "EHCP",
    "SEN Support",
    "FSM6",
    "Sex",
    "Ethnicity",
]


@dataclass(frozen=True)
class BadCase:
    """One defective workbook and what a correct run must report about it."""

    name: str
    build: Callable[[Path], Path]
    #: Warnings rows the run must write; empty with ``unreadable`` False means a clean run.
    expected: tuple[Expected, ...] = ()
    #: True when the file must be refused with exit 3 and one line on stderr.
    unreadable: bool = False
    #: Allowed exit codes for a readable file.
    codes: frozenset[int] = field(default_factory=lambda: frozenset({0, 1}))


# --- Editing a county in memory -------------------------------------------------------------


def county() -> County:
    return copy.deepcopy(small_county())


def set_cell(tables: County, table: str, data_index: int, column: str, value: Any) -> County:
    """Put ``value`` in one data cell (``data_index`` 0 is sheet row 2)."""
    header, rows = tables[table]
    new_rows = [list(r) for r in rows]
    new_rows[data_index][list(header).index(column)] = value
    tables[table] = (header, new_rows)
    return tables


def add_row(tables: County, table: str, values: list[Any], at: int | None = None) -> County:
    header, rows = tables[table]
    new_rows = [list(r) for r in rows]
    new_rows.insert(len(new_rows) if at is None else at, values)
    tables[table] = (header, new_rows)
    return tables


def placement(
    pid: str = "PL-1", urn: Any = 100001, provider: Any = "PRU-S", start: Any = date(2025, 9, 8)
) -> list[Any]:
    """A dual-registered KS3 placement at the South PRU, charged by the provider's own daily rate."""
    return [
        pid,
        "P-X1",
        urn,
        provider,
        2,
        "Dual",
        "At risk of exclusion",
        start,
        None,
        5,
        9,
        None,
        None,
        None,
        None,
        "No",
        "No",
        "No",
        "F",
        "White British",
    ]


def _write(tables: County) -> Callable[[Path], Path]:
    return lambda folder: write_workbook(folder / "county.xlsx", tables)


def _edit(tables: County, change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], Path]:
    """Write the county, then change it with openpyxl (errors, formulas, merges, hidden rows)."""

    def build(folder: Path) -> Path:
        path = write_workbook(folder / "county.xlsx", tables)
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
        return path

    return build


def _bytes(content: bytes, name: str = "county.xlsx") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return build


def write_workbook_at(path: Path, tables: County, places: dict[str, tuple[str, int, int]]) -> Path:
    """Like ``write_workbook``, but ``places[name] = (sheet, header_row, first_column)`` moves a table."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in tables.items():
        sheet_name, top, left = places.get(name, (name[:31], 1, 1))
        sheet = book[sheet_name] if sheet_name in book.sheetnames else book.create_sheet(sheet_name)
        for offset, text in enumerate(header):
            sheet.cell(row=top, column=left + offset, value=text)
        for r, values in enumerate(rows, start=top + 1):
            for offset, value in enumerate(values):
                sheet.cell(row=r, column=left + offset, value=value)
        last = top + max(len(rows), 1)
        ref = f"{column_letter(left)}{top}:{column_letter(left + len(header) - 1)}{last}"
        sheet.add_table(Table(displayName=name, ref=ref))
    book.save(path)
    return path


# --- The defects ---------------------------------------------------------------------------


def _without(name: str) -> County:
    tables = county()
    del tables[name]
    return tables


def _renamed_column(table: str, old: str, new: str) -> County:
    tables = county()
    header, rows = tables[table]
    tables[table] = ([new if h == old else h for h in header], rows)
    return tables


def _dropped_column(table: str, column: str) -> County:
    tables = county()
    header, rows = tables[table]
    i = list(header).index(column)
    tables[table] = ([h for h in header if h != column], [[v for j, v in enumerate(r) if j != i] for r in rows])
    return tables


def _relevant_date(value: Any) -> County:
    return set_cell(county(), "Exclusions", 0, "Relevant Date", value)


def _error_cell(sheet: str, ref: str, error: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        cell = book[sheet][ref]
        cell.value = error
        cell.data_type = "e"

    return change


def _formula_cell(sheet: str, ref: str, formula: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book[sheet][ref].value = formula  # openpyxl stores no cached value: never calculated

    return change


def _merge(book: openpyxl.Workbook) -> None:
    # Schools J2:J3 = Pupils of Alder and Birch: Birch's Pupils cell becomes blank.
    book["Schools"].merge_cells("J2:J3")


def _hide_row(book: openpyxl.Workbook) -> None:
    book["Schools"].row_dimensions[3].hidden = True


def _wide_schools(extra: int) -> County:
    tables = county()
    header, rows = tables["Schools"]
    tables["Schools"] = (
        [*header, *(f"Note {i}" for i in range(1, extra + 1))],
        [[*r, *(i for i in range(extra))] for r in rows],
    )
    return tables


def _moved(folder: Path) -> Path:
    tables = county()
    places = {
        "Schools": ("Data entry", 7, 4),  # header at D7
        "Districts": ("Data entry", 20, 2),  # a second table lower on the same sheet, at B20
        "Exclusions": ("Sheet with a long odd name!", 3, 3),
    }
    return write_workbook_at(folder / "county.xlsx", tables, places)


def _zip_not_xlsx(folder: Path) -> Path:
    path = folder / "county.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return path


def _truncated(folder: Path) -> Path:
    good = write_workbook(folder / "good.xlsx", small_county())
    path = folder / "county.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    good.unlink()
    return path


def replace_part(source: Path, target: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """Copy the zip at ``source`` to ``target`` with one part's bytes changed by ``edit``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, edit(data) if item.filename == part else data)
    return target


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>\n"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
)


def _with_doctype(part: str, doctype: bytes, entity: bytes) -> Callable[[Path], Path]:
    """The small county with ``part``'s XML declaration swapped for a DOCTYPE and an entity use."""

    def edit(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        # Use the entity inside the document so a parser that expands it must do the work.
        if part == "xl/workbook.xml":
            body = body.replace(b'name="Settings"', b'name="Settings' + entity + b'"', 1)
        else:
            body = body.replace(b"<v>", b"<v>" + entity, 1)
        return doctype + body.lstrip()

    def build(folder: Path) -> Path:
        good = write_workbook(folder / "good.xlsx", small_county())
        path = replace_part(good, folder / "county.xlsx", part, edit)
        good.unlink()
        return path

    return build


def _small_county_zip(folder: Path) -> Path:
    return write_workbook(folder / "good.xlsx", small_county())


def _rewrite_zip(edit: Callable[[zipfile.ZipFile, zipfile.ZipFile], None]) -> Callable[[Path], Path]:
    """The small county's zip copied entry by entry through ``edit(old, new)``."""

    def build(folder: Path) -> Path:
        good = _small_county_zip(folder)
        path = folder / "county.xlsx"
        with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
            edit(old, new)
        good.unlink()
        return path

    return build


def _duplicate_entry(old: zipfile.ZipFile, new: zipfile.ZipFile) -> None:
    for item in old.infolist():
        new.writestr(item, old.read(item.filename))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
        new.writestr("xl/worksheets/sheet3.xml", old.read("xl/worksheets/sheet3.xml").replace(b"600", b"6000"))


def patch_entry(path: Path, name: str, **fields: int) -> None:
    """Rewrite one entry's fields in both its local and central zip headers.

    ``fields``: ``method``, ``crc``, ``compressed``, ``size`` (set) and ``flags`` (OR-ed in).
    Offsets from the zip specification (APPNOTE 4.3.7 and 4.3.12).
    """
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    local = {"flags": 6, "method": 8, "crc": 14, "compressed": 18, "size": 22}
    central = {"flags": 8, "method": 10, "crc": 16, "compressed": 20, "size": 24}
    for signature, offsets in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        name_at = 26 if signature == b"PK\x03\x04" else 46
        start = data.find(signature)
        while start >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                for field, value in fields.items():
                    at = start + offsets[field]
                    if field == "flags":
                        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | value)
                    elif field == "method":
                        struct.pack_into("<H", data, at, value)
                    else:
                        struct.pack_into("<I", data, at, value)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def _encrypted_entry(folder: Path) -> Path:
    path = _rewrite_zip(lambda old, new: [new.writestr(i, old.read(i.filename)) for i in old.infolist()])(folder)
    patch_entry(path, "xl/worksheets/sheet3.xml", flags=0x1)
    return path


STRICT_NAMESPACES = (
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def _strict(old: zipfile.ZipFile, new: zipfile.ZipFile) -> None:
    """The small county as Excel's "Strict Open XML Spreadsheet" writes it: the ISO namespaces throughout."""
    for item in old.infolist():
        data = old.read(item.filename)
        for transitional, strict in STRICT_NAMESPACES:
            data = data.replace(transitional, strict)
        new.writestr(item, data)


GIGABYTE = 1 << 30
EMPTY_SHARED_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>'
)


def bomb(part: str, inflated: int = GIGABYTE, declared: int | None = None) -> Callable[[Path], Path]:
    """The small county with ``part`` padded with XML whitespace so that it inflates to ``inflated`` bytes.

    The padding is one deflate block of 1 MB of spaces (about 1 KB compressed) repeated: the
    part is about 1 MB in the zip. ``declared``: the uncompressed size its headers claim
    (a zip may lie); the real size by default.
    """
    block_size = 1 << 20

    def build(folder: Path) -> Path:
        good = _small_county_zip(folder)
        with zipfile.ZipFile(good) as archive:
            # The builder writes strings inline, so there is no shared-strings part: add one.
            original = archive.read(part) if part in archive.namelist() else EMPTY_SHARED_STRINGS
        root = re.search(rb"<[A-Za-z_]", original)
        assert root is not None
        root_end = original.index(b">", root.start()) + 1
        head, tail = original[:root_end], original[root_end:]
        blocks = (inflated - len(original)) // block_size
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
        block = compressor.compress(b" " * block_size) + compressor.flush(zlib.Z_FULL_FLUSH)
        end = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
        crc = zlib.crc32(head)
        spaces = b" " * block_size
        for _ in range(blocks):
            crc = zlib.crc32(spaces, crc)
        crc = zlib.crc32(tail, crc)
        stream = start + block * blocks + end
        path = folder / "county.xlsx"
        with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
            for item in old.infolist():
                if item.filename != part:
                    new.writestr(item, old.read(item.filename))
            new.writestr(zipfile.ZipInfo(part), stream, zipfile.ZIP_STORED)
        good.unlink()
        size = len(head) + blocks * block_size + len(tail)
        patch_entry(path, part, method=zipfile.ZIP_DEFLATED, crc=crc, size=size if declared is None else declared)
        return path

    return build


def _with_placement(column: str, value: Any) -> County:
    """The small county with one placement (PL-1, Alder at the South PRU) and ``value`` in its ``column``."""
    row = placement()
    row[PLACEMENTS_HEADER.index(column)] = value
    return add_row(county(), "Placements", row)


def _with_awpu_placement(column: str, value: Any) -> County:
    """As ``_with_placement``, with the South PRU charging 40% of AWPU by default (its Charge Basis and Rate)."""
    tables = _with_placement(column, value)
    set_cell(tables, "Providers", 0, "Charge Basis", "Percent of AWPU")
    return set_cell(tables, "Providers", 0, "Charge Rate", 40)


def _with_provider_rate(value: Any) -> County:
    """The small county with PL-1 charged at its provider's rate, and ``value`` typed as that rate."""
    return set_cell(_with_placement("Charge Rate", None), "Providers", 0, "Charge Rate", value)


def _serial_relevant_date_1904(book: openpyxl.Workbook) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book.epoch = CALENDAR_MAC_1904
    cell = book["Exclusions"]["E2"]
    assert book["Exclusions"]["E1"].value == "Relevant Date"
    cell.value, cell.number_format = 44502, "General"


def _exclusion(column: str, value: Any) -> County:
    return set_cell(county(), "Exclusions", 0, column, value)


#: A valid Unique Pupil Number: characters 2-13 "801200100001" weighted 2..13 sum to
#: 2x8 + 4x1 + 5x2 + 8x1 + 13x1 = 51; 51 mod 23 = 5, the sixth check letter: F.
VALID_UPN = "F801200100001"
#: A terminal escape (clear the screen, turn red) and a right-to-left override in a cell, as
#: Excel stores characters XML cannot hold.
ESCAPED_CELL = b"<t>_x001B_[2J_x001B_[31mDevolved\xe2\x80\xae</t>"


def _escape_sequences(folder: Path) -> Path:
    good = _small_county_zip(folder)
    path = replace_part(good, folder / "county.xlsx", "xl/worksheets/sheet2.xml", _put_escapes)
    good.unlink()
    return path


def _put_escapes(data: bytes) -> bytes:
    assert b"<t>Devolved</t>" in data  # North's Funding Model, sheet row 2
    return data.replace(b"<t>Devolved</t>", ESCAPED_CELL, 1)


def value_cases() -> list[BadCase]:
    """Values that must never be misread: each an Error (or a Warning) naming the cell; charges Blocked."""
    return [
        BadCase(
            "decimal_comma_charge_rate",
            _write(_with_placement("Charge Rate", "50,00")),
            (("DECIMAL_COMMA", "Placements", 2, "Charge Rate"),),
        ),
        BadCase(
            "decimal_comma_pupil_led_amount",
            _write(_exclusion("Pupil-led Amount", "5.500,00")),
            (("DECIMAL_COMMA", "Exclusions", 2, "Pupil-led Amount"),),
        ),
        BadCase(
            "decimal_comma_adjustment_order",
            _write(_exclusion("Adjustment Order", "12,5")),
            (("DECIMAL_COMMA", "Exclusions", 2, "Adjustment Order"),),
        ),
        BadCase(
            "decimal_comma_in_a_count",
            _write(set_cell(county(), "Schools", 0, "Pupils", "600,5")),
            (("DECIMAL_COMMA", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "bracketed_negative_rate",
            _write(_with_placement("Charge Rate", "(50.00)")),
            (("NEGATIVE_VALUE", "Placements", 2, "Charge Rate"),),
        ),
        BadCase(
            "credit_suffix_rate",
            _write(_with_placement("Charge Rate", "50.00 CR")),
            (("NEGATIVE_VALUE", "Placements", 2, "Charge Rate"),),
        ),
        BadCase(
            "implausible_charge_rate",
            _write(_with_placement("Charge Rate", 1_500_000)),
            (("IMPLAUSIBLE_AMOUNT", "Placements", 2, "Charge Rate"),),
        ),
        BadCase(
            # The basis is the provider's (Percent of AWPU): "150%" is 150%, never 1.5%.
            "percent_text_rate_on_provider_awpu_basis",
            _write(_with_awpu_placement("Charge Rate", "150%")),
            (("PERCENT_OVER_100", "Placements", 2, "Charge Rate"),),
        ),
        BadCase(
            # The placement's own basis: blank after the Error, and never the provider's 40% instead.
            "percent_over_100_on_own_awpu_basis",
            _write(
                set_cell(_with_awpu_placement("Charge Rate", 150), "Placements", 0, "Charge Basis", "Percent of AWPU")
            ),
            (("PERCENT_OVER_100", "Placements", 2, "Charge Rate"),),
        ),
        # The provider's rate unreadable: its placements are Blocked, never dropped as if it had no rate.
        BadCase(
            "unreadable_provider_rate",
            _write(_with_provider_rate("TBC")),
            (("NOT_A_NUMBER", "Providers", 2, "Charge Rate"),),
        ),
        BadCase(
            "bracketed_negative_provider_rate",
            _write(_with_provider_rate("(12.00)")),
            (("NEGATIVE_VALUE", "Providers", 2, "Charge Rate"),),
        ),
        BadCase(
            "implausible_provider_rate",
            _write(_with_provider_rate("12,345,678.90")),
            (("IMPLAUSIBLE_AMOUNT", "Providers", 2, "Charge Rate"),),
        ),
        # A word or number that sets the charge, unreadable: an Error and Blocked, never charged by a default
        # (Single registration read as blank was charged as Dual; "2.5 days" a week as 5 days).
        BadCase(
            "unreadable_registration",
            _write(_with_placement("Registration", "Single registration")),
            (("NOT_ALLOWED", "Placements", 2, "Registration"),),
        ),
        BadCase(
            "unreadable_days_per_week",
            _write(_with_placement("Days per Week", "2.5 days")),
            (("NOT_A_NUMBER", "Placements", 2, "Days per Week"),),
        ),
        BadCase(
            "unreadable_charge_basis",
            _write(_with_placement("Charge Basis", "Per day")),
            (("NOT_ALLOWED", "Placements", 2, "Charge Basis"),),
        ),
        # The provider's basis unreadable, or the placement's with no provider basis to fall back to: Blocked,
        # never dropped as if the provider charged nothing.
        BadCase(
            "unreadable_provider_charge_basis",
            _write(set_cell(_with_placement("Charge Basis", None), "Providers", 0, "Charge Basis", "Per day")),
            (("NOT_ALLOWED", "Providers", 2, "Charge Basis"),),
        ),
        BadCase(
            "unreadable_charge_basis_provider_charges_none",
            _write(set_cell(_with_placement("Charge Basis", "Per day"), "Providers", 0, "Charge Basis", "None")),
            (("NOT_ALLOWED", "Placements", 2, "Charge Basis"),),
        ),
        BadCase(
            "implausible_adjustment_order",
            _write(_exclusion("Adjustment Order", "£2,000,000")),
            (("IMPLAUSIBLE_AMOUNT", "Exclusions", 2, "Adjustment Order"),),
        ),
        BadCase(
            "huge_exponent_amount",
            _write(_exclusion("Pupil-led Amount", "1e999999")),
            (("NUMBER_TOO_LARGE", "Exclusions", 2, "Pupil-led Amount"),),
        ),
        BadCase(
            "huge_exponent_count",
            _write(set_cell(county(), "Schools", 0, "Pupils", "1e999999")),
            (("NUMBER_TOO_LARGE", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "reinstated_before_relevant_date",
            _write(_exclusion("Reinstated Date", date(2025, 10, 20))),
            (("REINSTATED_BEFORE_RELEVANT_DATE", "Exclusions", 2, "Reinstated Date"),),
        ),
        BadCase(
            "exclusion_year_group_outside_school",
            _write(_exclusion("Year Group", 3)),
            (("YEAR_GROUP_OUTSIDE_SCHOOL", "Exclusions", 2, "Year Group"),),
        ),
        BadCase(
            "placement_year_group_outside_school",
            _write(_with_placement("Year Group", 4)),
            (("YEAR_GROUP_OUTSIDE_SCHOOL", "Placements", 2, "Year Group"),),
        ),
        BadCase(
            "upn_as_pupil_ref",
            _write(_exclusion("Pupil Ref", VALID_UPN)),
            (("UPN_AS_PUPIL_REF", "Exclusions", 2, "Pupil Ref"),),
        ),
        BadCase(
            "escape_sequences_in_a_cell",
            _escape_sequences,
            (("NOT_ALLOWED", "Districts", 2, "Funding Model"),),
        ),
    ]


#: A stand-in VBA project: Excel's part for a workbook's macros, kept byte for byte.
VBA_PROJECT = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 apmodel test VBA project" + bytes(range(256))
MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_DEFAULT = b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'


def macro_workbook(folder: Path) -> Path:
    """The small county as a macro-enabled workbook (.xlsm): its main part's content type and a VBA project."""
    good = _small_county_zip(folder)
    path = folder / "county.xlsm"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(XLSX_MAIN, MACRO_MAIN).replace(b"</Types>", VBA_DEFAULT + b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"'
                    b' Target="vbaProject.bin"/></Relationships>',
                )
            new.writestr(item, data)
        new.writestr("xl/vbaProject.bin", VBA_PROJECT)
    good.unlink()
    return path


def package_cases() -> list[BadCase]:
    """Zip packages Excel would never write, or cannot be read safely: each refused with one line."""
    return [
        BadCase("duplicate_zip_entry", _rewrite_zip(_duplicate_entry), unreadable=True),
        BadCase("encrypted_zip_entry", _encrypted_entry, unreadable=True),
        BadCase("strict_open_xml", _rewrite_zip(_strict), unreadable=True),
        *(
            BadCase(f"bomb_{name}", bomb(part), unreadable=True)
            for name, part in (
                ("sheet", "xl/worksheets/sheet3.xml"),
                ("shared_strings", "xl/sharedStrings.xml"),
                ("styles", "xl/styles.xml"),
                ("workbook", "xl/workbook.xml"),
            )
        ),
        # 300 MB from 300 KB: under the size limit for a sheet, refused for its ratio.
        BadCase("bomb_sheet_300mb", bomb("xl/worksheets/sheet3.xml", 300 << 20), unreadable=True),
        # Headers claiming 4 MB for a part that inflates to 1 GB: read no further than 4 MB, then damaged.
        BadCase("bomb_sheet_lying_size", bomb("xl/worksheets/sheet3.xml", declared=4 << 20), unreadable=True),
    ]


# --- The corpus --------------------------------------------------------------------------

SCHOOL_ROW_ALDER = 2
SCHOOL_ROW_BIRCH = 3


def cases() -> list[BadCase]:
    """Every defect, one workbook each."""
    return [
        BadCase("missing_schools_table", _write(_without("Schools")), (("MISSING_TABLE", "Schools", None, None),)),
        BadCase(
            "missing_districts_table", _write(_without("Districts")), (("MISSING_TABLE", "Districts", None, None),)
        ),
        BadCase(
            "renamed_urn_column",
            _write(_renamed_column("Schools", "URN", "School URN")),
            (("MISSING_COLUMN", "Schools", 1, "URN"),),
        ),
        BadCase(
            "missing_district_column",
            _write(_dropped_column("Schools", "District")),
            (("MISSING_COLUMN", "Schools", 1, "District"),),
        ),
        BadCase(
            "text_pupils",
            _write(set_cell(county(), "Schools", 0, "Pupils", "twelve")),
            (("NOT_A_NUMBER", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "text_budget",
            _write(set_cell(county(), "Settings", 2, "Value", "£abc")),
            (("NOT_A_NUMBER", "Settings", 4, "Value"),),
        ),
        BadCase(
            "negative_pupils",
            _write(set_cell(county(), "Schools", 0, "Pupils", -5)),
            (("NEGATIVE_VALUE", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "huge_pupils",
            _write(set_cell(county(), "Schools", 0, "Pupils", 1e15)),
            (("IMPLAUSIBLE_VALUE", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "huge_budget",
            _write(set_cell(county(), "Settings", 2, "Value", 1e15)),
            (("OUT_OF_RANGE", "Settings", 4, "Value"),),
        ),
        # Alt+Enter in a header: Excel keeps the line break in the table's column name as _x000a_.
        BadCase("line_breaks_in_headers", _write(_renamed_column("Exclusions", "Relevant Date", "Relevant\nDate"))),
        # A plain number in a date column of a 1904 workbook is a 1904 serial: 44,502 is 3 Nov 2025
        # (45,964 in the 1900 system, 1,462 days apart), not 4 Nov 2021.
        BadCase("serial_date_in_a_1904_workbook", _edit(county(), _serial_relevant_date_1904)),
        BadCase("iso_text_date", _write(_relevant_date("2025-11-03"))),
        BadCase("uk_text_date", _write(_relevant_date("03/11/2025"))),
        BadCase("long_text_date", _write(_relevant_date("3 Nov 2025"))),
        BadCase(
            "garbage_date",
            _write(_relevant_date("next Tuesday-ish")),
            (("NOT_A_DATE", "Exclusions", 2, "Relevant Date"),),
        ),
        BadCase(
            "impossible_date", _write(_relevant_date("31/02/2025")), (("NOT_A_DATE", "Exclusions", 2, "Relevant Date"),)
        ),
        BadCase("blank_row_inside_schools", _write(add_row(county(), "Schools", [None] * len(SCHOOLS_HEADER), at=1))),
        BadCase(
            "duplicate_urn",
            _write(
                add_row(
                    county(),
                    "Schools",
                    [100001, "Alder Again", "North", "Secondary", "Maintained", None, "Yes", None, None, 5, 1],
                )
            ),
            (("DUPLICATE_ID", "Schools", 5, "URN"),),
        ),
        BadCase(
            "duplicate_placement_id",
            _write(
                add_row(add_row(county(), "Placements", placement("PL-1")), "Placements", placement("PL-1", urn=100002))
            ),
            (("DUPLICATE_ID", "Placements", 3, "Placement ID"),),
        ),
        BadCase(
            "unknown_home_urn",
            _write(add_row(county(), "Placements", placement(urn=999999))),
            (("UNKNOWN_URN", "Placements", 2, "Home URN"),),
        ),
        BadCase(
            "unknown_provider",
            _write(add_row(county(), "Placements", placement(provider="NOPE"))),
            (("UNKNOWN_PROVIDER", "Placements", 2, "Provider ID"),),
        ),
        BadCase(
            "unknown_district",
            _write(set_cell(county(), "Schools", 1, "District", "Atlantis")),
            (("UNKNOWN_DISTRICT", "Schools", SCHOOL_ROW_BIRCH, "District"),),
        ),
        BadCase(
            "ref_error_in_pupils",
            _edit(county(), _error_cell("Schools", "J2", "#REF!")),
            (("CELL_ERROR", "Schools", SCHOOL_ROW_ALDER, "Pupils"),),
        ),
        BadCase(
            "div0_in_lump_sum",
            _edit(county(), _error_cell("Districts", "G2", "#DIV/0!")),
            (("CELL_ERROR", "Districts", 2, "Lump Sum"),),
        ),
        BadCase(
            "uncalculated_formula",
            _edit(county(), _formula_cell("Schools", "K3", "=10*5")),
            (("FORMULA_NOT_CALCULATED", "Schools", SCHOOL_ROW_BIRCH, "IDACI Pupils"),),
        ),
        BadCase(
            "uncalculated_formula_in_required_name",
            _edit(county(), _formula_cell("Districts", "A3", '="So"&"uth"')),
            (("FORMULA_NOT_CALCULATED", "Districts", 3, "District"),),
        ),
        BadCase(
            "merged_cells_in_schools",
            _edit(county(), _merge),
            (("MERGED_CELL", "Schools", SCHOOL_ROW_BIRCH, "Pupils"),),
            codes=(1,),
        ),
        BadCase("hidden_row_in_schools", _edit(county(), _hide_row)),
        BadCase("tables_moved_to_odd_places", _moved),
        BadCase("very_wide_schools_row", _write(_wide_schools(2000))),
        BadCase("password_protected", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088), unreadable=True),
        BadCase("csv_renamed_xlsx", _bytes(b"URN,School Name\n100001,Alder\n"), unreadable=True),
        BadCase("empty_file", _bytes(b""), unreadable=True),
        BadCase("zip_not_xlsx", _zip_not_xlsx, unreadable=True),
        BadCase("truncated_xlsx", _truncated, unreadable=True),
        *package_cases(),
        *value_cases(),
    ]


def entity_cases() -> list[BadCase]:
    """XML entity attacks: refused (exit 3) or run without expanding or resolving anything."""
    return [
        BadCase(
            "billion_laughs_workbook_xml",
            _with_doctype("xl/workbook.xml", BILLION_LAUGHS, b"&lol9;"),
            codes=frozenset({0, 1, 3}),
        ),
        BadCase(
            "external_entity_workbook_xml",
            _with_doctype("xl/workbook.xml", EXTERNAL_ENTITY, b"&xxe;"),
            codes=frozenset({0, 1, 3}),
        ),
        BadCase(
            "billion_laughs_sheet",
            _with_doctype("xl/worksheets/sheet1.xml", BILLION_LAUGHS, b"&lol9;"),
            codes=frozenset({0, 1, 3}),
        ),
        BadCase(
            "external_entity_sheet",
            _with_doctype("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY, b"&xxe;"),
            codes=frozenset({0, 1, 3}),
        ),
    ]


def copy_file(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target
