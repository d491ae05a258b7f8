"""The package conventions every part follows: namespaces, relationship and content types, part names."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from lxml import etree

from apmodel.workbook.interface import MAIN, PKG_REL, REL

CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"

QMAIN = "{" + MAIN + "}"


QREL = "{" + REL + "}"

QPKG = "{" + PKG_REL + "}"


QCT = "{" + CONTENT_TYPES + "}"

REL_SHEET = REL + "/worksheet"


REL_TABLE = REL + "/table"

REL_STYLES = REL + "/styles"


REL_CALC_CHAIN = REL + "/calcChain"

REL_DRAWING = REL + "/drawing"


CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class Unsupported(Exception):
    """This package has something the patch does not handle; write it with openpyxl instead."""


def serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def insert_in_order(parent: etree._Element, element: etree._Element, order: Sequence[str]) -> None:
    """Put ``element`` among ``parent``'s children where the schema's sequence wants it."""
    name = etree.QName(element).localname
    rank = order.index(name) if name in order else len(order)
    for index, child in enumerate(parent):
        if not isinstance(child.tag, str):
            continue
        child_name = etree.QName(child).localname
        if child_name in order and order.index(child_name) > rank:
            parent.insert(index, element)
            return
    parent.append(element)


def resolve(base_part: str, target: str) -> str:
    """A relationship target as a part name (no leading slash)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relative(base_part: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(base_part))


def rels_part(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
