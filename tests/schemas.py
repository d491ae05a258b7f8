"""The published schemas the tests validate against, loaded once, and where a validator is wrong.

Vendored data (tests/data/README.md says where each file comes from): the Office 2010+ ribbon
schema ``customUI14.xsd`` and the ISO/IEC 29500-4:2016 (transitional) schemas with the ECMA-376
Open Packaging Conventions schemas. Each exception below names what is waived and why; a test
fails when an exception no longer matches anything (tests/integration/test_open_xml_validity.py).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

DATA = Path(__file__).parent / "data"
CUSTOMUI14_XSD = DATA / "schemas" / "customui" / "customUI14.xsd"
OOXML = DATA / "schemas" / "ooxml"
ISO = OOXML / "ISO-IEC29500-4_2016"
OPC = OOXML / "ecma" / "fouth-edition"
XSD = "{http://www.w3.org/2001/XMLSchema}"

#: customUI14.xsd as Microsoft publishes it re-declares, in these derived types, attributes their
#: base type already has. .NET's validator (the Custom UI Editor's) accepts that; libxml2 refuses
#: to compile the schema ("Duplicate attribute use"). Dropping the repeated declaration from the
#: derived type changes nothing the schema allows. (type, attribute group or @attribute dropped)
CUSTOMUI_DUPLICATE_DECLARATIONS = (
    ("CT_ButtonRegular", "AG_Enabled"),
    ("CT_ButtonRegular", "AG_Image"),
    ("CT_EditBox", "AG_Enabled"),
    ("CT_EditBox", "AG_Image"),
    ("CT_ComboBox", "AG_DropDownAttributes"),
    ("CT_DropDownRegular", "AG_Enabled"),
    ("CT_DropDownRegular", "AG_Image"),
    ("CT_GalleryRegular", "@showItemLabel"),
    ("CT_Menu", "@itemSize"),
    ("CT_SplitButtonBase", "AG_Enabled"),
)
_DUPLICATE = re.compile(r"complex type '(\w+)': Duplicate attribute use '(\w+)'")


def _attribute_names(node: etree._Element, groups: dict[str, etree._Element]) -> set[str]:
    names: set[str] = set()
    for child in node:
        if child.tag == f"{XSD}attribute" and child.get("name"):
            names.add(str(child.get("name")))
        elif child.tag == f"{XSD}attributeGroup" and child.get("ref"):
            names |= _attribute_names(groups[str(child.get("ref"))], groups)
    return names


def _drop_duplicate(root: etree._Element, type_name: str, attribute: str) -> tuple[str, str]:
    groups = {str(g.get("name")): g for g in root.findall(f"{XSD}attributeGroup")}
    extension = root.find(f"{XSD}complexType[@name='{type_name}']//{XSD}extension")
    assert extension is not None, type_name
    for child in list(extension):
        if child.tag == f"{XSD}attribute" and child.get("name") == attribute:
            extension.remove(child)
            return type_name, f"@{attribute}"
        if child.tag == f"{XSD}attributeGroup" and attribute in _attribute_names(groups[str(child.get("ref"))], groups):
            extension.remove(child)
            return type_name, str(child.get("ref"))
    raise AssertionError(f"{type_name} declares no {attribute} of its own")


def compile_customui() -> tuple[etree.XMLSchema, list[tuple[str, str]]]:
    """customUI14.xsd compiled by libxml2, and the duplicate declarations it had to drop to compile."""
    tree = etree.parse(str(CUSTOMUI14_XSD))
    dropped: list[tuple[str, str]] = []
    while True:
        try:
            return etree.XMLSchema(tree), dropped
        except etree.XMLSchemaParseError as error:
            found = _DUPLICATE.search(str(error))
            if found is None:
                raise
            dropped.append(_drop_duplicate(tree.getroot(), *found.groups()))


@cache
def customui_schema() -> etree.XMLSchema:
    schema, dropped = compile_customui()
    assert tuple(dropped) == CUSTOMUI_DUPLICATE_DECLARATIONS, dropped
    return schema


# -- ISO/IEC 29500 transitional: every XML part of a package ----------------------------------

#: The namespaces of every part an apmodel file holds, and the schema that declares each root.
PART_SCHEMAS = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": ISO / "sml.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing": ISO / "dml-spreadsheetDrawing.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": ISO / "dml-chart.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": ISO / "dml-main.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": ISO
    / "shared-documentPropertiesExtended.xsd",
    "http://schemas.openxmlformats.org/package/2006/content-types": OPC / "opc-contentTypes.xsd",
    "http://schemas.openxmlformats.org/package/2006/relationships": OPC / "opc-relationships.xsd",
}


@dataclass(frozen=True)
class Waiver:
    """A validator's finding that is wrong for this part, and why: ``part`` and ``message`` are regexes."""

    part: str
    message: str
    reason: str
    #: Where in the part (the validator's XPath, where it gives one).
    path: str = ".*"

    def covers(self, finding: Finding) -> bool:
        return (
            re.fullmatch(self.part, finding.part) is not None
            and re.fullmatch(self.path, finding.path) is not None
            and re.search(self.message, finding.message) is not None
        )


@dataclass(frozen=True)
class Finding:
    file: str
    part: str
    message: str
    path: str = ""


#: Where the XSD check is wrong. Each must still match something (the stale-waiver test).
XSD_WAIVERS = (
    Waiver(
        r"docProps/core\.xml",
        r"No matching global declaration available for the validation root",
        "The core-properties schema (opc-coreProperties.xsd) imports the Dublin Core schemas from "
        "dublincore.org, which are not vendored, so libxml2 cannot compile it offline: core.xml is checked "
        "as well-formed XML only (openxml-audit checks it fully).",
    ),
)

#: Where openxml-audit (a port of Microsoft's Open XML SDK validator) is wrong for a valid file.
AUDIT_WAIVERS = (
    Waiver(
        r"/xl/styles\.xml",
        r"Unexpected element '(b|i|u|color|sz|name|family|scheme)' found",
        "ISO/IEC 29500-4 declares a font's children (CT_Font) as an xsd:choice, in any order, and the "
        "vendored sml.xsd accepts these fonts; the SDK's own schema fixes an order. The fonts are written "
        "in openpyxl's order (name, family, colour, size; colour before underline), which Excel opens.",
        path=r"/styleSheet\[1\]/fonts\[1\]/font\[\d+\]",
    ),
    Waiver(
        r"/xl/worksheets/sheet\d+\.xml",
        r"inline-string cell\(s\) .* but the package has no populated `xl/sharedStrings",
        "Inline strings (<c t=\"inlineStr\">) need no shared-string part: ISO/IEC 29500-1 18.3.1.4 "
        "allows them and the XSD check passes; Excel opens such files (it converts them on save). "
        "openxml-audit reports it as a compatibility heuristic, not a schema rule.",
    ),
)


@cache
def part_schema() -> etree.XMLSchema:
    """One schema importing every namespace in ``PART_SCHEMAS``: it validates any of their roots."""
    imports = "".join(
        f'<xsd:import namespace="{namespace}" schemaLocation="{path.as_uri()}"/>'
        for namespace, path in PART_SCHEMAS.items()
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), base_url=(OOXML / "parts.xsd").as_uri()))


def xsd_findings(path: Path) -> list[Finding]:
    """Every XML part of the package at ``path`` that is not valid ISO/IEC 29500 transitional."""
    schema = part_schema()
    findings: list[Finding] = []
    with zipfile.ZipFile(path) as package:
        for part in package.namelist():
            if not part.endswith((".xml", ".rels")):
                continue
            if not schema.validate(etree.fromstring(package.read(part))):
                findings += [Finding(path.name, part, error.message) for error in schema.error_log]
    return findings


def audit_findings(paths: list[Path]) -> list[Finding]:
    """openxml-audit's errors for each package (its schema, semantic and package checks)."""
    from openxml_audit import OpenXmlValidator

    validator = OpenXmlValidator()
    findings: list[Finding] = []
    for path in paths:
        result = validator.validate(str(path))
        findings += [Finding(path.name, str(e.part_uri), str(e.description), str(e.path)) for e in result.errors]
    return findings


def unwaived(findings: list[Finding], waivers: tuple[Waiver, ...]) -> list[Finding]:
    return [f for f in findings if not any(w.covers(f) for w in waivers)]


def stale(findings: list[Finding], waivers: tuple[Waiver, ...]) -> list[Waiver]:
    """The waivers that no longer match any finding: remove them."""
    return [w for w in waivers if not any(w.covers(f) for f in findings)]
