"""Build apmodel.xlam from text: no binary made by hand is ever committed (docs/excel-addin.md, "Build").

The starting point is the ribbon add-in template shipped inside the installed xlwings
package (``quickstart_addin_ribbon.xlam``): it carries xlwings' own VBA (``RunPython`` and
its configuration reader) for exactly the installed xlwings version. The build then, with
pyOpenVBA for the VBA project and plain zip edits for the rest:

1. replaces the template's ribbon (``customUI/customUI.xml``) with ``resources/ribbon.xml``;
2. removes the template's ribbon module and adds ``apmodel_dispatch`` verbatim from
   ``resources/apmodel_dispatch.bas``;
3. adds ``apmodel_build``, one constant: the apmodel version the add-in is built from, which
   the dispatch module passes to Python so a mismatch is detected and explained;
4. sets xlwings' ``PROJECT_NAME`` to ``apmodel``, so the add-in reads its own configuration
   file (``apmodel.conf``, written by ``apmodel addin install``) and not another add-in's,
   and renames the template's (inactive) configuration sheet to match.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import xlwings
from pyopenvba import ExcelFile

from apmodel import __version__
from apmodel.addin import (
    BUILD_MODULE,
    DISPATCH_BAS,
    DISPATCH_MODULE,
    PROJECT_NAME,
    RIBBON_XML,
    resource_bytes,
    resource_text,
)

ADDIN_FILE = "apmodel.xlam"
TEMPLATE = "quickstart_addin_ribbon.xlam"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
TEMPLATE_PROJECT_NAME = "myaddin"
XLWINGS_MODULE = "xlwings"
CUSTOMUI_PART = "customUI/customUI.xml"
#: The template's configuration sheet; a leading underscore keeps it inactive (see install.py).
CONFIG_SHEET_RENAMES = {f"_{TEMPLATE_PROJECT_NAME}.conf": f"_{PROJECT_NAME}.conf"}
RENAMED_PARTS = ("xl/workbook.xml", "docProps/app.xml")
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.MULTILINE)


class AddinBuildError(Exception):
    """The xlwings template is not what the build expects (an xlwings version it does not know)."""


def template_path() -> Path:
    return Path(xlwings.__file__).parent / TEMPLATE


def vba_source(text: str) -> str:
    """Module text as VBA stores it: CRLF line ends, ending with one."""
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    return "\r\n".join(lines) + "\r\n"


def build_module_source(version: str = __version__) -> str:
    return vba_source(
        f'Attribute VB_Name = "{BUILD_MODULE}"\n'
        "' Written by `apmodel addin build`: the apmodel version this add-in was built from.\n"
        "' apmodel_dispatch passes it to Python, which compares it with the installed package.\n"
        "Option Explicit\n"
        f'Public Const APMODEL_VERSION As String = "{version}"\n'
    )


def with_project_name(xlwings_module: str, name: str = PROJECT_NAME) -> str:
    """xlwings' module with its configuration name set (it reads ``<name>.conf``)."""
    changed, count = _PROJECT_NAME_LINE.subn(rf'\g<1>"{name}"', xlwings_module)
    if count != 1:
        raise AddinBuildError(f"xlwings {xlwings.__version__}: the template's PROJECT_NAME constant was not found")
    return changed


def ribbon_xml() -> bytes:
    """The ribbon, checked to be well-formed XML before it goes into the add-in."""
    xml = resource_bytes(RIBBON_XML)
    ElementTree.fromstring(xml)
    return xml


def _edit_vba(source: Path, target: Path, version: str) -> None:
    with ExcelFile(source) as book:
        project = book.vba_project()
        if TEMPLATE_RIBBON_MODULE in book.module_names():
            project.delete_module(TEMPLATE_RIBBON_MODULE)
        project.add_module(DISPATCH_MODULE, vba_source(resource_text(DISPATCH_BAS)))
        project.add_module(BUILD_MODULE, build_module_source(version))
        book.set_module(XLWINGS_MODULE, with_project_name(book.get_module(XLWINGS_MODULE)))
        book.save(target)


def _rename_config_sheet(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    for old, new in CONFIG_SHEET_RENAMES.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def _replace_parts(source: Path, target: Path, ribbon: bytes) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        names = old.namelist()
        if CUSTOMUI_PART not in names:
            raise AddinBuildError(f"xlwings {xlwings.__version__}: the template has no {CUSTOMUI_PART}")
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == CUSTOMUI_PART:
                data = ribbon
            elif info.filename in RENAMED_PARTS:
                data = _rename_config_sheet(data)
            new.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def build_addin(out_dir: Path, *, version: str = __version__) -> Path:
    """Write ``out_dir/apmodel.xlam`` from the xlwings template and the committed sources."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ADDIN_FILE
    ribbon = ribbon_xml()
    with tempfile.TemporaryDirectory() as work:
        copied = Path(work) / "template.xlam"
        copied.write_bytes(template_path().read_bytes())
        with_vba = Path(work) / "vba.xlam"
        _edit_vba(copied, with_vba, version)
        finished = Path(work) / ADDIN_FILE
        _replace_parts(with_vba, finished, ribbon)
        # Replace in one step so an open Excel never sees half a file.
        handle, staging = tempfile.mkstemp(prefix=".apmodel-", suffix=".xlam", dir=out_dir)
        os.close(handle)
        try:
            Path(staging).write_bytes(finished.read_bytes())
            os.chmod(staging, 0o644)  # mkstemp makes it private; the add-in is an ordinary shared file
            os.replace(staging, target)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
    return target
