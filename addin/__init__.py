"""The Excel add-in: an "AP Funding" ribbon tab that runs the headless engine's code on the open book.

Built from text (docs/excel-addin.md): ``resources/ribbon.xml`` (the tab), one VBA module
``resources/apmodel_dispatch.bas`` whose single callback passes the button's id to Python,
``commands.py`` (one thin function per button, bound to the service layer the CLI uses),
``build.py`` (makes apmodel.xlam from xlwings' ribbon add-in template) and ``install.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from xml.etree import ElementTree

#: The add-in's file name (build.py writes it; install.py puts it in Excel's start-up folder).
ADDIN_FILE = "apmodel.xlam"
RIBBON_XML = "ribbon.xml"
DISPATCH_BAS = "apmodel_dispatch.bas"
DISPATCH_MODULE = "apmodel_dispatch"
#: The VBA that applies a button's formatting in Excel's own process (apmodel.workbook.xlwings_layout).
LAYOUT_BAS = "apmodel_layout.bas"
LAYOUT_MODULE = "apmodel_layout"
#: That module as Python names it to Excel's ``Application.Run`` (``<this>.ApplyLayout``, ``<this>.ReadIndex``).
LAYOUT_MACROS = f"'{ADDIN_FILE}'!{LAYOUT_MODULE}"
#: Written by the build: holds the APMODEL_VERSION constant the dispatch module passes to Python.
BUILD_MODULE = "apmodel_build"
#: xlwings reads the add-in's configuration from ``<PROJECT_NAME>.conf`` (see install.py).
PROJECT_NAME = "apmodel"
CUSTOMUI_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"


@dataclass(frozen=True)
class RibbonButton:
    id: str
    label: str
    group: str
    screentip: str
    supertip: str
    image: str
    on_action: str


def resource_bytes(name: str) -> bytes:
    return resources.files(__name__).joinpath("resources", name).read_bytes()


def resource_text(name: str) -> str:
    return resource_bytes(name).decode("utf-8")


def ribbon_buttons(xml: bytes | None = None) -> list[RibbonButton]:
    """Every button of the ribbon, in tab order (from the shipped ribbon.xml unless given)."""
    root = ElementTree.fromstring(xml if xml is not None else resource_bytes(RIBBON_XML))
    buttons: list[RibbonButton] = []
    for group in root.iter(f"{CUSTOMUI_NS}group"):
        for button in group.iter(f"{CUSTOMUI_NS}button"):
            buttons.append(
                RibbonButton(
                    id=button.get("id", ""),
                    label=button.get("label", ""),
                    group=group.get("label", ""),
                    screentip=button.get("screentip", ""),
                    supertip=button.get("supertip", ""),
                    image=button.get("imageMso", ""),
                    on_action=button.get("onAction", ""),
                )
            )
    return buttons
