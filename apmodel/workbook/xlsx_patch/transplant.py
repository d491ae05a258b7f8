"""The Dashboard: a whole sheet drawn by openpyxl on a scratch workbook, moved in with its drawing and charts."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from apmodel.workbook.interface import PKG_REL
from apmodel.workbook.xlsx_patch.cells import xml_text
from apmodel.workbook.xlsx_patch.ooxml import (
    CT_SHEET,
    PARSER,
    QMAIN,
    QPKG,
    QREL,
    REL_DRAWING,
    Unsupported,
    relative,
    rels_part,
    resolve,
    serialise,
)
from apmodel.workbook.xlsx_patch.patch import Patch, Relationships, SheetInfo
from apmodel.workbook.xlsx_patch.styles import BUILTIN_FORMATS


@dataclass(frozen=True)
class Transplant:
    """A whole sheet built by openpyxl in a scratch workbook (saved to ``data``), to replace ours."""

    name: str
    data: bytes


_CELL_STYLE = re.compile(rb'(<c\b[^>]*?\ss=")(\d+)(")')

_SHARED_CELL = re.compile(rb'<c\b([^>]*?)\st="s"([^>]*)>(.*?)</c>', re.S)


_REL_ID = re.compile(rb'(\br:id=")([^"]+)(")')


def transplant(patch: Patch, sheet: Transplant) -> None:
    """Replace (or add) the sheet ``sheet.name`` with the one openpyxl drew, drawings and all."""
    scratch = zipfile.ZipFile(io.BytesIO(sheet.data))
    try:
        _transplant_from(patch, sheet.name, scratch)
    finally:
        scratch.close()


def _scratch_sheet(scratch: zipfile.ZipFile, name: str) -> str:
    book = etree.fromstring(scratch.read("xl/workbook.xml"), PARSER)
    rels = etree.fromstring(scratch.read("xl/_rels/workbook.xml.rels"), PARSER)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for sheet in book.iter(f"{QMAIN}sheet"):
        if sheet.get("name") == name:
            return resolve("xl/workbook.xml", targets[sheet.get(f"{QREL}id")])
    raise Unsupported(f"the scratch workbook has no sheet {name}")


def _style_map(patch: Patch, scratch: zipfile.ZipFile) -> list[int]:
    """Each scratch cellXfs index -> the equal format's index in our styles.xml."""
    root = etree.fromstring(scratch.read("xl/styles.xml"), PARSER)

    def items(name: str) -> list[etree._Element]:
        found = root.find(f"{QMAIN}{name}")
        return [] if found is None else [c for c in found if isinstance(c.tag, str)]

    formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in items("numFmts")}
    builtin = {number: code for code, number in BUILTIN_FORMATS.items()}
    fonts, fills, borders = items("fonts"), items("fills"), items("borders")
    mapping = []
    for xf in items("cellXfs"):
        number = int(xf.get("numFmtId", "0"))
        code = formats.get(number) or builtin.get(number)
        if code is None:
            raise Unsupported(f"a built-in number format {number}")
        font_id, fill_id, border_id = (int(xf.get(a, "0")) for a in ("fontId", "fillId", "borderId"))
        alignment = xf.find(f"{QMAIN}alignment")
        mapping.append(
            patch.styles.import_xf(
                None if code == "General" else code,
                fonts[font_id] if font_id else None,
                fills[fill_id] if fill_id > 1 else None,
                borders[border_id] if border_id else None,
                alignment,
            )
        )
    return mapping


def _inline_shared(xml: bytes, strings: list[str]) -> bytes:
    def inline(match: re.Match[bytes]) -> bytes:
        value = re.search(rb"<v>(\d+)</v>", match.group(3))
        if value is None:
            return match.group()
        text = xml_text(strings[int(value.group(1))]).encode()
        return b"<c" + match.group(1) + b' t="inlineStr"' + match.group(2) + b"><is><t>" + text + b"</t></is></c>"

    return _SHARED_CELL.sub(inline, xml)


def _shared_strings(scratch: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in scratch.namelist():
        return []
    root = etree.fromstring(scratch.read("xl/sharedStrings.xml"), PARSER)
    return ["".join(item.itertext()) for item in root if isinstance(item.tag, str)]


def _remove_sheet_parts(patch: Patch, sheet: SheetInfo) -> None:
    """Remove a sheet's drawings, charts and their relationships (the sheet part itself is rewritten)."""
    if sheet.rels is None:
        return
    for rel in sheet.rels.items():
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(sheet.part, rel.get("Target", ""))
        if rel.get("Type") in (REL_DRAWING,):
            _remove_tree(patch, target)
    patch.package.remove(sheet.rels.part)


def _remove_tree(patch: Patch, part: str) -> None:
    """A part and the parts it alone points at (a drawing's charts, a chart's colours and style)."""
    if not patch.package.has(part):
        return
    part_rels = rels_part(part)
    if patch.package.has(part_rels):
        rels = etree.fromstring(patch.package.read(part_rels), PARSER)
        for rel in rels:
            if isinstance(rel.tag, str) and rel.get("TargetMode") != "External":
                _remove_tree(patch, resolve(part, rel.get("Target", "")))
        patch.package.remove(part_rels)
    patch.package.remove(part)
    patch.drop_override("/" + part)


def _transplant_from(patch: Patch, name: str, scratch: zipfile.ZipFile) -> None:
    scratch_part = _scratch_sheet(scratch, name)
    styles = _style_map(patch, scratch)
    strings = _shared_strings(scratch)
    xml = scratch.read(scratch_part)
    xml = _CELL_STYLE.sub(lambda m: m.group(1) + str(styles[int(m.group(2))]).encode() + m.group(3), xml)
    xml = _inline_shared(xml, strings)
    content_types = {
        item.get("PartName", "").lstrip("/"): item.get("ContentType", "")
        for item in etree.fromstring(scratch.read("[Content_Types].xml"), PARSER)
        if isinstance(item.tag, str) and item.get("PartName")
    }
    existing = next((s for s in patch.sheets if s.name.casefold() == name.casefold()), None)
    if existing is not None:
        if existing.tables:
            raise Unsupported(f"the {name} sheet holds a table")
        _remove_sheet_parts(patch, existing)
        part = existing.part
    else:
        part = patch.package.unused("xl/worksheets/sheet%d.xml")
    new_rels = Relationships(rels_part(part), etree.Element(f"{QPKG}Relationships", nsmap={None: PKG_REL}))
    scratch_rels_part = rels_part(scratch_part)
    renames: dict[bytes, bytes] = {}
    if scratch_rels_part in scratch.namelist():
        for rel in etree.fromstring(scratch.read(scratch_rels_part), PARSER):
            if not isinstance(rel.tag, str):
                continue
            if rel.get("TargetMode") == "External":
                new_id = new_rels.add(rel.get("Type", ""), rel.get("Target", ""))
                new_rels.items()[-1].set("TargetMode", "External")
            else:
                target = _copy_tree(patch, scratch, resolve(scratch_part, rel.get("Target", "")), content_types)
                new_id = new_rels.add(rel.get("Type", ""), relative(part, target))
            renames[rel.get("Id", "").encode()] = new_id.encode()
    xml = _REL_ID.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3), xml)
    patch.package.write(part, xml)
    if new_rels.items():
        patch.package.write(new_rels.part, serialise(new_rels.root))
    patch.override("/" + part, CT_SHEET)
    if existing is None:
        patch.add_sheet(name, part)


_PART_PATTERNS = (
    (re.compile(r"xl/drawings/drawing\d+\.xml"), "xl/drawings/drawing%d.xml"),
    (re.compile(r"xl/charts/chart\d+\.xml"), "xl/charts/chart%d.xml"),
    (re.compile(r"xl/charts/style\d+\.xml"), "xl/charts/style%d.xml"),
    (re.compile(r"xl/charts/colors\d+\.xml"), "xl/charts/colors%d.xml"),
)


def _copy_tree(patch: Patch, scratch: zipfile.ZipFile, part: str, content_types: dict[str, str]) -> str:
    """Copy a scratch part (and what it points at) under a name unused in ours; returns the new name."""
    pattern = next((p for regex, p in _PART_PATTERNS if regex.fullmatch(part)), None)
    if pattern is None:
        raise Unsupported(f"a drawing part {part}")
    target = patch.package.unused(pattern)
    data = scratch.read(part)
    scratch_rels = rels_part(part)
    if scratch_rels in scratch.namelist():
        rels = etree.fromstring(scratch.read(scratch_rels), PARSER)
        patch.package.write(target, b"")  # reserve the name before the children take theirs
        for rel in rels:
            if isinstance(rel.tag, str) and rel.get("TargetMode") != "External":
                child = _copy_tree(patch, scratch, resolve(part, rel.get("Target", "")), content_types)
                rel.set("Target", relative(target, child))
        patch.package.write(rels_part(target), serialise(rels))
    patch.package.write(target, data)
    content_type = content_types.get(part)
    if content_type:
        patch.override("/" + target, content_type)
    return target
