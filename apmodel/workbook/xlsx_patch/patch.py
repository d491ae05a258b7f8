"""The whole patch of one package: its workbook part, relationships, content types, sheets and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from apmodel.workbook.interface import PKG_REL, OutputTable, OutputWouldOverwrite, overlap_message
from apmodel.workbook.layout import (
    NOTE_TEXT,
    PRINT_TITLES,
    TABLE_STYLE,
    figure_widths,
    new_sheet_layout,
    print_titles,
)
from apmodel.workbook.xlsx_patch.cells import CellWriter
from apmodel.workbook.xlsx_patch.ooxml import (
    CT_SHEET,
    CT_STYLES,
    CT_TABLE,
    PARSER,
    QCT,
    QMAIN,
    QPKG,
    QREL,
    REL_CALC_CHAIN,
    REL_SHEET,
    REL_STYLES,
    REL_TABLE,
    Unsupported,
    insert_in_order,
    relative,
    rels_part,
    resolve,
    serialise,
)
from apmodel.workbook.xlsx_patch.sheets import (
    SHARED_FORMULA,
    Region,
    edit_shell,
    first_filled_cell,
    new_sheet_xml,
    ref_bounds,
    rewrite_sheet_data,
    shell,
    shell_halves,
    split_sheet,
    widen_columns,
)
from apmodel.workbook.xlsx_patch.styles import StyleSheet
from apmodel.workbook.xlsx_patch.tables import Block, table_xml
from apmodel.workbook.xlsx_patch.zipcopy import Package, write_package


@dataclass
class Relationships:
    """One ``.rels`` part."""

    part: str
    root: etree._Element
    changed: bool = False

    @classmethod
    def read(cls, package: Package, owner: str) -> Relationships:
        part = rels_part(owner)
        xml = package.read(part) if package.has(part) else None
        root = etree.fromstring(xml, PARSER) if xml else etree.Element(f"{QPKG}Relationships", nsmap={None: PKG_REL})
        return cls(part, root, changed=xml is None)

    def items(self) -> list[etree._Element]:
        return [r for r in self.root if isinstance(r.tag, str) and etree.QName(r).localname == "Relationship"]

    def add(self, rel_type: str, target: str) -> str:
        used = {r.get("Id") for r in self.items()}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        etree.SubElement(self.root, f"{QPKG}Relationship", Id=f"rId{number}", Type=rel_type, Target=target)
        self.changed = True
        return f"rId{number}"

    def remove(self, rel: etree._Element) -> None:
        self.root.remove(rel)
        self.changed = True


@dataclass
class SheetInfo:
    name: str
    part: str
    element: etree._Element
    rel: etree._Element
    rels: Relationships | None = None
    #: displayName (casefolded) -> (table part, table id, ref)
    tables: dict[str, tuple[str, int, str]] = field(default_factory=dict)


class Patch:
    """Everything a save changes in one package."""

    def __init__(self, source: Path) -> None:
        self.package = Package(source)
        package = self.package
        try:
            if not package.has("xl/workbook.xml") or not package.has("xl/_rels/workbook.xml.rels"):
                raise Unsupported("the workbook part is not xl/workbook.xml")
            self.workbook = etree.fromstring(package.read("xl/workbook.xml"), PARSER)
            if self.workbook.tag != f"{QMAIN}workbook" or self.workbook.prefix is not None:
                raise Unsupported("a workbook in a prefixed or unknown namespace")
            self.workbook_rels = Relationships.read(package, "xl/workbook.xml")
            self.content_types = etree.fromstring(package.read("[Content_Types].xml"), PARSER)
            self.sheets = self._sheets()
            #: The worksheet names as the package lists them before any change (``docProps/app.xml``).
            self.original_worksheets = self._worksheet_names()
            styles_rel = self._workbook_rel(REL_STYLES)
            self.styles_part = resolve("xl/workbook.xml", styles_rel.get("Target", "")) if styles_rel is not None \
                else "xl/styles.xml"
            self.styles = StyleSheet(package.read(self.styles_part) if styles_rel is not None else None)
            if styles_rel is None:
                self.workbook_rels.add(REL_STYLES, "styles.xml")
                self.override("/" + self.styles_part, CT_STYLES)
            properties = self.workbook.find(f"{QMAIN}workbookPr")
            date1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
            self.cells = CellWriter(self.styles, date1904=date1904)
            self.table_ids = self._table_ids()
        except (etree.XMLSyntaxError, KeyError, ValueError) as exc:
            package.close()
            raise Unsupported(str(exc)) from exc

    # -- Reading the package -------------------------------------------------------------------

    def _workbook_rel(self, rel_type: str) -> etree._Element | None:
        for rel in self.workbook_rels.items():
            if rel.get("Type") == rel_type:
                return rel
        return None

    def _sheets(self) -> list[SheetInfo]:
        targets = {rel.get("Id"): rel for rel in self.workbook_rels.items()}
        sheets_element = self.workbook.find(f"{QMAIN}sheets")
        if sheets_element is None:
            raise Unsupported("no sheets")
        sheets: list[SheetInfo] = []
        for element in sheets_element:
            if not isinstance(element.tag, str):
                continue
            rel = targets.get(element.get(f"{QREL}id"))
            if rel is None:
                raise Unsupported("a sheet without its relationship")
            part = resolve("xl/workbook.xml", rel.get("Target", ""))
            info = SheetInfo(element.get("name", ""), part, element, rel)
            if rel.get("Type") == REL_SHEET and self.package.has(rel_part := rels_part(part)):
                info.rels = Relationships(rel_part, etree.fromstring(self.package.read(rel_part), PARSER))
                for table_rel in info.rels.items():
                    if table_rel.get("Type") != REL_TABLE or table_rel.get("TargetMode") == "External":
                        continue
                    table_part = resolve(part, table_rel.get("Target", ""))
                    if not self.package.has(table_part):
                        continue
                    table = etree.fromstring(self.package.read(table_part), PARSER)
                    info.tables[table.get("displayName", "").casefold()] = (
                        table_part,
                        int(table.get("id", "0")),
                        table.get("ref", "A1"),
                    )
            sheets.append(info)
        return sheets

    def _worksheet_names(self) -> list[str]:
        return [s.name for s in self.sheets if s.rel.get("Type") == REL_SHEET]

    def _table_ids(self) -> set[int]:
        return {table_id for sheet in self.sheets for _, table_id, _ in sheet.tables.values()}

    def override(self, part_name: str, content_type: str) -> None:
        for item in self.content_types:
            if isinstance(item.tag, str) and item.get("PartName") == part_name:
                item.set("ContentType", content_type)
                return
        etree.SubElement(self.content_types, f"{QCT}Override", PartName=part_name, ContentType=content_type)

    def drop_override(self, part_name: str) -> None:
        for item in list(self.content_types):
            if isinstance(item.tag, str) and item.get("PartName") == part_name:
                self.content_types.remove(item)

    # -- Changes -------------------------------------------------------------------------------

    def write_tables(self, tables: Sequence[OutputTable]) -> None:
        """Each table where it is, or on a new sheet of its name (the last write of a name wins)."""
        latest: dict[str, OutputTable] = {}
        for table in tables:
            latest.pop(table.name.casefold(), None)
            latest[table.name.casefold()] = table
        placed: dict[str, list[tuple[Block, Region, str, int]]] = {}
        new: list[OutputTable] = []
        # Sheet names as Excel compares them (ignoring case).
        names = {sheet.name.casefold() for sheet in self.sheets}
        for key, table in latest.items():
            if not table.columns:
                raise Unsupported("a table without columns")
            holder = next((s for s in self.sheets if key in s.tables), None)
            if holder is None:
                if key in names:
                    raise Unsupported(f"a sheet named {table.name} without that table")
                new.append(table)
                continue
            table_part, table_id, ref = holder.tables[key]
            left, top, right, bottom = ref_bounds(ref)
            block = Block(table, top, left)
            region = Region(top, bottom, left, right)
            self._check_room(holder, key, region, Region(block.top, block.bottom, block.left, block.right))
            placed.setdefault(holder.part, []).append((block, region, table_part, table_id))
        for sheet in self.sheets:
            edits = placed.get(sheet.part)
            if edits:
                self._edit_sheet(sheet, edits)
        for table in new:
            self._add_sheet(table)

    def _check_room(self, sheet: SheetInfo, key: str, old: Region, new: Region) -> None:
        """Refuse (``OutputWouldOverwrite``) a table that would grow over another table or a filled cell."""
        if new.bottom <= old.bottom and new.right <= old.right:
            return
        shown = self._display_name(sheet, key)
        for other, (_part, _id, ref) in sheet.tables.items():
            if other == key:
                continue
            left, top, right, bottom = ref_bounds(ref)
            if top <= new.bottom and new.top <= bottom and left <= new.right and new.left <= right:
                what = f"the table {self._display_name(sheet, other)} at {ref}"
                raise OutputWouldOverwrite(overlap_message(shown, sheet.name, what))
        _, body, _ = split_sheet(self.package.read(sheet.part))
        filled = first_filled_cell(body, old, new)
        if filled is not None:
            raise OutputWouldOverwrite(overlap_message(shown, sheet.name, f"your cell {filled}"))

    def _display_name(self, sheet: SheetInfo, key: str) -> str:
        table = etree.fromstring(self.package.read(sheet.tables[key][0]), PARSER)
        return str(table.get("displayName", key))

    def _edit_sheet(self, sheet: SheetInfo, edits: list[tuple[Block, Region, str, int]]) -> None:
        xml = self.package.read(sheet.part)
        before, body, after = split_sheet(xml)
        if SHARED_FORMULA.search(body):
            # Clearing a shared formula's first cell would break the cells that share it; openpyxl
            # writes each of them out in full, so such a sheet takes the openpyxl route.
            raise Unsupported(f"shared formulas on the {sheet.name} sheet")
        root = shell(before, after)
        blocks = [block for block, _, _, _ in edits]
        # A block longer than the old table clears what it covers too (the openpyxl writer overwrote it).
        regions = [region for _, region, _, _ in edits] + [
            Region(block.top, block.bottom, block.left, block.right) for block in blocks
        ]
        rows = list(rewrite_sheet_data(body, regions, blocks, self.cells))
        edit_shell(root, regions, blocks)
        for block in blocks:
            widen_columns(root, block.left, figure_widths(block.table))
        head, tail = shell_halves(root)
        self.package.write(sheet.part, [head, *rows, tail])
        for block, _, table_part, table_id in edits:
            self.package.write(table_part, table_xml(table_id, block, TABLE_STYLE))

    def _add_sheet(self, table: OutputTable) -> None:
        part = self.package.unused("xl/worksheets/sheet%d.xml")
        table_part = self.package.unused("xl/tables/table%d.xml")
        table_id = max(self.table_ids, default=0) + 1
        self.table_ids.add(table_id)
        block = Block(table, 3, 1)
        rels = Relationships(rels_part(part), etree.Element(f"{QPKG}Relationships", nsmap={None: PKG_REL}))
        table_rel = rels.add(REL_TABLE, relative(part, table_part))
        layout = new_sheet_layout(table)
        note = table.note or NOTE_TEXT
        self.package.write(part, list(new_sheet_xml(block, layout, self.cells, note, table_rel)))
        self.package.write(rels.part, serialise(rels.root))
        self.package.write(table_part, table_xml(table_id, block, TABLE_STYLE))
        self.override("/" + part, CT_SHEET)
        self.override("/" + table_part, CT_TABLE)
        info = self.add_sheet(table.name, part, first=table.first)
        if table.hidden:
            info.element.set("state", "hidden")  # as the openpyxl writer does (the model's own record)
        if layout.setup.title_rows is not None:
            index = 0 if table.first else len(self.sheets) - 1
            self.define_name(PRINT_TITLES, print_titles(table.name, layout.setup.title_rows), index)
        info.rels = rels
        info.tables[table.name.casefold()] = (table_part, table_id, block.ref)

    def add_sheet(self, name: str, part: str, *, first: bool = False) -> SheetInfo:
        """List the worksheet ``part`` in the workbook as the last sheet (``first``: the first), called ``name``."""
        rel_id = self.workbook_rels.add(REL_SHEET, relative("xl/workbook.xml", part))
        sheets_element = self.workbook.find(f"{QMAIN}sheets")
        assert sheets_element is not None
        sheet_ids = [int(s.get("sheetId", "0")) for s in sheets_element if isinstance(s.tag, str)]
        element = etree.Element(f"{QMAIN}sheet", name=name, sheetId=str(max(sheet_ids) + 1))
        element.set(f"{QREL}id", rel_id)
        info = SheetInfo(name, part, element, self.workbook_rels.items()[-1])
        if first:
            sheets_element.insert(0, element)
            self.sheets.insert(0, info)
            self._shift_sheet_indexes()
        else:
            sheets_element.append(element)
            self.sheets.append(info)
        return info

    def _shift_sheet_indexes(self) -> None:
        """A sheet went in first: every sheet-scoped name and the book's tab positions move up by one."""
        names = self.workbook.find(f"{QMAIN}definedNames")
        for name in names if names is not None else ():
            if isinstance(name.tag, str) and name.get("localSheetId") is not None:
                name.set("localSheetId", str(int(name.get("localSheetId", "0")) + 1))
        views = self.workbook.find(f"{QMAIN}bookViews")
        for view in views if views is not None else ():
            for attribute in ("activeTab", "firstSheet"):
                if isinstance(view.tag, str) and view.get(attribute) is not None:
                    view.set(attribute, str(int(view.get(attribute, "0")) + 1))

    def define_name(self, name: str, formula: str, sheet_index: int) -> None:
        """A sheet-scoped defined name (the sheet's print titles), replacing one of that name and scope."""
        names = self.workbook.find(f"{QMAIN}definedNames")
        if names is None:
            names = etree.Element(f"{QMAIN}definedNames")
            insert_in_order(self.workbook, names, _WORKBOOK_ORDER)
        for old in list(names):
            if old.get("name") == name and old.get("localSheetId") == str(sheet_index):
                names.remove(old)
        element = etree.SubElement(names, f"{QMAIN}definedName", name=name, localSheetId=str(sheet_index))
        element.text = formula

    # -- Saving --------------------------------------------------------------------------------

    def _finish(self) -> None:
        calc_chain = self._workbook_rel(REL_CALC_CHAIN)
        if calc_chain is not None:
            # The chain lists formula cells; Excel rebuilds it, and a stale one makes it "repair" the file.
            part = resolve("xl/workbook.xml", calc_chain.get("Target", ""))
            self.package.remove(part)
            self.drop_override("/" + part)
            self.workbook_rels.remove(calc_chain)
        calc = self.workbook.find(f"{QMAIN}calcPr")
        if calc is None:
            calc = etree.Element(f"{QMAIN}calcPr", calcId="124519")
            insert_in_order(self.workbook, calc, _WORKBOOK_ORDER)
        calc.set("fullCalcOnLoad", "1")
        self._update_app_properties()
        self.package.write("xl/workbook.xml", serialise(self.workbook))
        self.package.write(self.workbook_rels.part, serialise(self.workbook_rels.root))
        self.package.write("[Content_Types].xml", serialise(self.content_types))
        if self.styles.changed:
            self.package.write(self.styles_part, self.styles.to_bytes())

    def _update_app_properties(self) -> None:
        """``docProps/app.xml`` lists the sheets' titles: make its worksheet group follow the workbook's sheets.

        The group is found by its titles (Excel names it in the user's language), and replaced
        by the worksheets now in the workbook. A list that cannot be matched is removed (it is
        optional, and Excel writes it again on saving) rather than left stale.
        """
        names = self._worksheet_names()
        if names == self.original_worksheets or not self.package.has(APP_PART):
            return
        try:
            root = etree.fromstring(self.package.read(APP_PART), PARSER)
        except etree.XMLSyntaxError:
            return
        pairs, titles = root.find(f"{{{EXTENDED}}}HeadingPairs"), root.find(f"{{{EXTENDED}}}TitlesOfParts")
        if pairs is None or titles is None:
            return
        pair_vector, title_vector = pairs.find(f"{{{VT}}}vector"), titles.find(f"{{{VT}}}vector")
        groups = _heading_groups(pair_vector)
        entries = [] if title_vector is None else [e for e in title_vector if isinstance(e.tag, str)]
        start = 0
        for count_element, count in groups:
            if [e.text or "" for e in entries[start : start + count]] == self.original_worksheets:
                assert title_vector is not None
                for old in entries[start : start + count]:
                    title_vector.remove(old)
                at = list(title_vector).index(entries[start + count]) if start + count < len(entries) else None
                fresh = []
                for name in names:
                    element = etree.Element(f"{{{VT}}}lpstr")
                    element.text = name
                    fresh.append(element)
                for offset, element in enumerate(fresh):
                    if at is None:
                        title_vector.append(element)
                    else:
                        title_vector.insert(at + offset, element)
                title_vector.set("size", str(len(entries) - count + len(names)))
                count_element.text = str(len(names))
                break
            start += count
        else:
            root.remove(pairs)
            root.remove(titles)
        self.package.write(APP_PART, serialise(root))

    def save(self, handle: IO[bytes]) -> None:
        """Write the patched package to ``handle`` (an open, empty, seekable file)."""
        try:
            self._finish()
            write_package(self.package, handle)
        finally:
            self.package.close()

    def save_to(self, path: Path) -> None:
        with path.open("wb") as handle:
            self.save(handle)

    def close(self) -> None:
        self.package.close()


APP_PART = "docProps/app.xml"
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def _heading_groups(vector: etree._Element | None) -> list[tuple[etree._Element, int]]:
    """HeadingPairs as (count element, count) per group: its variants alternate a name and a count."""
    if vector is None:
        return []
    variants = [v for v in vector if isinstance(v.tag, str)]
    groups: list[tuple[etree._Element, int]] = []
    for count_variant in variants[1::2]:
        count = next((c for c in count_variant if isinstance(c.tag, str)), None)
        if count is None or not (count.text or "").strip().isdigit():
            return []
        groups.append((count, int((count.text or "0").strip())))
    return groups


_WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets", "functionGroups",
    "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews", "pivotCaches",
    "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst",
)
