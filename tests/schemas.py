"""The published schemas the tests validate against, loaded once, and where a validator is wrong.

Vendored data (tests/data/README.md says where each file comes from): the Office 2010+ ribbon
schema ``customUI14.xsd`` and the ISO/IEC 29500-4:2016 (transitional) schemas with the ECMA-376
Open Packaging Conventions schemas. Each exception below names what is waived and why; a test
fails when an exception no longer matches anything (tests/integration/test_open_xml_validity.py).
"""

from __future__ import annotations

import re
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
