"""Build apmodel.xlam from text: no binary made by hand is ever committed (docs/excel-addin.md, "Build").

The starting point is the ribbon add-in template shipped inside the installed xlwings
package (``quickstart_addin_ribbon.xlam``): it carries xlwings' own VBA (``RunPython`` and
its configuration reader) for exactly the installed xlwings version. The build then, with
pyOpenVBA for the VBA project and plain zip edits for the rest:

1. replaces the template's ribbon (``customUI/customUI.xml``) with ``resources/ribbon.xml``;
2. removes the template's ribbon module and adds ``apmodel_dispatch`` verbatim from
   ``resources/apmodel_dispatch.bas``;
3. adds ``apmodel_layout`` verbatim from ``resources/apmodel_layout.bas`` (finds the tables and
   formats what a button wrote, in Excel's own process: apmodel.workbook.xlwings_layout), and
   ``apmodel_build``, one constant: the apmodel version the add-in is built from, which
   the dispatch module passes to Python so a mismatch is detected and explained;
4. sets xlwings' ``PROJECT_NAME`` to ``apmodel``, so the add-in reads its own configuration
   file (``apmodel.conf``, written by ``apmodel addin install``) and not another add-in's,
   and renames the template's (inactive) configuration sheet to match;
5. closes what a received workbook could otherwise choose (``LOCKDOWN``): xlwings' ``GetConfig``
   reads an ``apmodel.conf`` sheet in the ACTIVE workbook and an ``apmodel.conf`` file beside it
   before the user's own file, so a workbook sent by anyone could set ``INTERPRETER_WIN``,
   ``PYTHONPATH`` or a conda environment and run any program on a click. The built add-in reads
   only the user's file and its own sheet, never puts the workbook's folder on Python's path,
   never looks for embedded ``.py`` sheets in the active workbook, and quotes a macOS
   interpreter path (spaces). Each edit must match xlwings' text exactly once, else the
   build stops (an xlwings version whose VBA changed must be reviewed, not patched blindly);
6. names the VBA project ``apmodel`` (the template's is ``MyAddin``), as Excel's VBA editor and
   macro-security prompts show it.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import xlwings
from pyopenvba import ExcelFile
from pyopenvba.cfb import CFB
from pyopenvba.vba import VBAModuleKind, compress, decompress

from apmodel import __version__

from . import (
    ADDIN_FILE,
    BUILD_MODULE,
    DISPATCH_BAS,
    DISPATCH_MODULE,
    LAYOUT_BAS,
    LAYOUT_MODULE,
    PROJECT_NAME,
    RIBBON_XML,
    resource_bytes,
    resource_text,
)

TEMPLATE = "quickstart_addin_ribbon.xlam"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
TEMPLATE_PROJECT_NAME = "myaddin"
XLWINGS_MODULE = "xlwings"
CUSTOMUI_PART = "customUI/customUI.xml"
#: The template's configuration sheet; a leading underscore keeps it inactive (see install.py).
CONFIG_SHEET_RENAMES = {f"_{TEMPLATE_PROJECT_NAME}.conf": f"_{PROJECT_NAME}.conf"}
RENAMED_PARTS = ("xl/workbook.xml", "docProps/app.xml")
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.MULTILINE)
EVENTS_CLS = "apmodel_events.cls"
EVENTS_MODULE = "apmodel_events"
#: The template's VBA project name and ours: the same length, so the project's records keep their sizes.
TEMPLATE_VBA_PROJECT = "MyAddin"
VBA_PROJECT = "apmodel"
VBA_PROJECT_PART = "xl/vbaProject.bin"


@dataclass(frozen=True)
class Lockdown:
    """One edit of xlwings' VBA: ``old`` (exactly once in the module) becomes ``new``."""

    why: str
    old: str
    new: str
    count: int = 1


#: What a received workbook must never choose (see the module docstring, step 5).
LOCKDOWN = (
    Lockdown(
        "the active workbook's apmodel.conf sheet is never read",
        """            'Workbook Sheet Config
            If SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf") = True Then
                If GetConfigFromSheet(ActiveWorkbook).Exists(configKey) = True Then
                    GetConfig = GetConfigFromSheet(ActiveWorkbook).Item(configKey)
                    GetConfig = ExpandEnvironmentStrings(GetConfig)
                    Exit Function
                End If
            End If
""",
        "            ' apmodel: the active workbook's own apmodel.conf sheet is never read (a received\n"
        "            ' workbook must not choose what runs): only the add-in's sheet and the user's file.\n",
    ),
    Lockdown(
        "no apmodel.conf file beside the active workbook is read",
        """    ' Directory Config
    If source = "" Or source = "directory" Then
        #If App = "Microsoft Excel" Then
            If GetFullName(ActiveWorkbook) <> "" Then ' Empty if local dir can't be figured out (e.g. SharePoint)
        #Else
            If InStr(GetDirectoryPath(), "://") = 0 Then ' Other Office apps: skip for synced SharePoint/OneDrive files
        #End If
            If FileExists(GetDirectoryConfigFilePath()) = True Then
                If GetConfigFromFile(GetDirectoryConfigFilePath(), configKey, configValue) Then
                    GetConfig = configValue
                    GetConfig = ExpandEnvironmentStrings(GetConfig)
                    Exit Function
                End If
            End If
        End If
    End If
""",
        "    ' apmodel: an apmodel.conf file beside the active workbook is never read (nor is a\n"
        "    ' OneDrive or SharePoint address resolved to find one).\n",
    ),
    Lockdown(
        "the workbook's folder is never put on Python's path",
        'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")',
        'AddExcelDir = "false"  \' apmodel: no code is ever picked up from the workbook\'s folder',
        count=2,
    ),
    Lockdown(
        "embedded .py sheets are looked for in the add-in only, never in the active workbook",
        "    For i = 1 To 2\n        If i = 1 Then\n            Set wb = ActiveWorkbook",
        "    For i = 2 To 2  ' apmodel: the add-in only, never the active workbook\n"
        "        If i = 1 Then\n            Set wb = ActiveWorkbook",
    ),
    Lockdown(
        "a macOS interpreter path with spaces is quoted for the shell",
        "            PythonInterpreter = ToPosixPath(PYTHON_MAC)\n",
        "            ' apmodel: quoted for the shell, so a path with spaces works\n"
        "            PythonInterpreter = \"'\" & Replace(ToPosixPath(PYTHON_MAC), \"'\", \"'\\''\") & \"'\"\n",
    ),
)


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


def locked_down(xlwings_module: str) -> str:
    """xlwings' module with every ``LOCKDOWN`` edit made (it arrives with CRLF line ends)."""
    text = xlwings_module.replace("\r\n", "\n")
    for edit in LOCKDOWN:
        found = text.count(edit.old)
        if found != edit.count:
            raise AddinBuildError(
                f"xlwings {xlwings.__version__}: its VBA changed where the add-in is locked down "
                f"({edit.why}: expected {edit.count} match(es), found {found}); review xlwings' GetConfig and RunPython"
            )
        text = text.replace(edit.old, edit.new)
    return vba_source(text)


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
        project.add_module(LAYOUT_MODULE, vba_source(resource_text(LAYOUT_BAS)))
        project.add_module(BUILD_MODULE, build_module_source(version))
        project.add_module(EVENTS_MODULE, vba_source(resource_text(EVENTS_CLS)), kind=VBAModuleKind.other)
        book.set_module(XLWINGS_MODULE, locked_down(with_project_name(book.get_module(XLWINGS_MODULE))))
        book.save(target)


def _rename_config_sheet(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    for old, new in CONFIG_SHEET_RENAMES.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def renamed_vba_project(data: bytes) -> bytes:
    """``xl/vbaProject.bin`` with the project named ``apmodel``: its PROJECT stream and dir record."""
    cfb = CFB.from_bytes(data)
    old_line, new_line = f'Name="{TEMPLATE_VBA_PROJECT}"'.encode(), f'Name="{VBA_PROJECT}"'.encode()
    project = cfb.get_stream("PROJECT")
    # PROJECTNAME record ([MS-OVBA] 2.3.4.2.1.6): id 0x0004, a 4-byte size, the name.
    old_record = struct.pack("<HI", 0x0004, len(TEMPLATE_VBA_PROJECT)) + TEMPLATE_VBA_PROJECT.encode()
    new_record = struct.pack("<HI", 0x0004, len(VBA_PROJECT)) + VBA_PROJECT.encode()
    directory = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    if project.count(old_line) != 1 or directory.count(old_record) != 1:
        raise AddinBuildError(
            f"xlwings {xlwings.__version__}: the template's VBA project is not named {TEMPLATE_VBA_PROJECT}"
        )
    cfb.write_stream("PROJECT", project.replace(old_line, new_line))
    cfb.write_stream_in_storage("VBA", "dir", compress(directory.replace(old_record, new_record)))
    renamed: bytes = cfb.to_bytes()
    return renamed


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
            elif info.filename == VBA_PROJECT_PART:
                data = renamed_vba_project(data)
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
