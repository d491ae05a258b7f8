"""The add-in is built from text: a valid .xlam whose ribbon, VBA and configuration agree.

Checked the way IT would check a file they are asked to trust: it is a valid zip, its ribbon
XML is well formed, every button calls a Python command and every command has a button, and
oletools' olevba shows the dispatch module exactly as committed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import etree
from pyopenvba import ExcelFile

import apmodel
import apmodel.addin
from apmodel import __version__
from apmodel.addin import DISPATCH_BAS, LAYOUT_BAS, ribbon_buttons
from apmodel.addin.build import (
    ADDIN_FILE,
    CUSTOMUI_PART,
    LOCKDOWN,
    AddinBuildError,
    build_addin,
    locked_down,
    template_path,
    with_project_name,
)
from apmodel.addin.commands import COMMANDS
from apmodel.addin.install import install_addin, places, read_config, uninstall_addin
from apmodel.workbook.xlwings_layout import FIELD_SEPARATOR, OPS, STEP_SEPARATOR
from tests.schemas import CUSTOMUI_DUPLICATE_DECLARATIONS, DATA, compile_customui, customui_schema

RESOURCES = Path(apmodel.addin.__file__).parent / "resources"
#: Microsoft's published Excel control identifiers: the names imageMso accepts (tests/data/README.md).
EXCEL_CONTROL_IDS = DATA / "excel_control_ids.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin"))


def olevba_code(path: Path) -> dict[str, str]:
    """Each VBA module's source as olevba prints it (with attribute lines), by module file name."""
    done = subprocess.run(
        [sys.executable, "-m", "oletools.olevba", "--attr", "-c", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    modules: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    # olevba prints each module's text (CRLF lines, read here as LF) then a newline, then a rule.
    for line in [*done.stdout.splitlines(), "-" * 79]:
        if name is not None and (line.startswith("-" * 20) or line.startswith("VBA MACRO ")):
            modules[name] = "\n".join(lines)
            name = None
        if line.startswith("VBA MACRO "):
            name, lines = line.removeprefix("VBA MACRO ").strip(), []
        elif name is not None and not line.startswith(("in file:", "- - -")):
            lines.append(line)
    return modules


def test_the_built_addin_is_a_valid_zip_named_apmodel_xlam(built: Path) -> None:
    assert built.name == ADDIN_FILE
    with zipfile.ZipFile(built) as archive:
        assert archive.testzip() is None
        with zipfile.ZipFile(template_path()) as template:
            # Nothing of the template is lost: the same parts, some of them edited.
            assert sorted(archive.namelist()) == sorted(template.namelist())


def test_its_ribbon_is_the_committed_well_formed_ribbon_xml(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        ribbon = archive.read(CUSTOMUI_PART)
    assert ribbon == (RESOURCES / "ribbon.xml").read_bytes()
    root = ElementTree.fromstring(ribbon)
    tabs = root.findall(".//{http://schemas.microsoft.com/office/2009/07/customui}tab")
    assert [tab.get("label") for tab in tabs] == ["AP Funding"]


def test_every_button_has_a_python_command_and_every_command_a_button(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        buttons = ribbon_buttons(archive.read(CUSTOMUI_PART))
    ids = [button.id for button in buttons]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(COMMANDS)
    assert {button.on_action for button in buttons} == {"apmodel_dispatch.OnAction"}


def test_every_button_has_a_built_in_icon_a_label_and_screentips() -> None:
    for button in ribbon_buttons():
        assert button.image and button.label and button.screentip and button.supertip, button.id


def excel_control_ids() -> set[str]:
    lines = EXCEL_CONTROL_IDS.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_every_icon_is_on_microsoft_s_published_list_of_excel_controls() -> None:
    published = excel_control_ids()
    assert "PrintPreview" not in published and "FilePrintPreview" in published  # the list is the real one
    assert [b.image for b in ribbon_buttons() if b.image not in published] == []


def test_the_ribbon_validates_against_the_office_customui_schema(built: Path) -> None:
    schema = customui_schema()
    with zipfile.ZipFile(built) as archive:
        ribbon = etree.fromstring(archive.read(CUSTOMUI_PART))
    assert schema.validate(ribbon), schema.error_log
    broken = etree.fromstring(archive_ribbon_with(built, 'size="large"', 'size="huge"'))
    assert not schema.validate(broken)  # the schema does check attribute values


def test_the_customui_schema_still_needs_each_of_its_recorded_fixes() -> None:
    # Stale exceptions fail here: each dropped duplicate is one libxml2 still refuses.
    _schema, dropped = compile_customui()
    assert tuple(dropped) == CUSTOMUI_DUPLICATE_DECLARATIONS


def archive_ribbon_with(built: Path, old: str, new: str) -> bytes:
    with zipfile.ZipFile(built) as archive:
        return archive.read(CUSTOMUI_PART).replace(old.encode(), new.encode(), 1)


def test_buttons_that_need_a_workbook_grey_out_while_none_is_open(built: Path) -> None:
    root = ElementTree.fromstring(archive_ribbon_with(built, "", ""))
    assert root.get("onLoad") == "apmodel_dispatch.OnRibbonLoad"
    buttons = list(root.iter("{http://schemas.microsoft.com/office/2009/07/customui}button"))
    assert {b.get("getEnabled") for b in buttons} == {"apmodel_dispatch.GetEnabled"}
    modules = olevba_code(built)
    dispatch = modules["apmodel_dispatch.bas"]
    # Only New workbook runs from Excel's start screen (with a scratch book RunPython needs).
    assert 'NeedsNoWorkbook = (id = "new_workbook")' in dispatch
    assert "If ActiveWorkbook Is Nothing Then" in dispatch and "Set scratch = Workbooks.Add" in dispatch
    assert dispatch.index("If ActiveWorkbook Is Nothing") < dispatch.index("RunPython")
    events = modules["apmodel_events.cls"]
    for handler in ("App_NewWorkbook", "App_WorkbookOpen", "App_WorkbookActivate", "App_WorkbookBeforeClose"):
        assert f"Private Sub {handler}(" in events
    assert events.count("apmodel_dispatch.Refresh") == 4


def test_the_vba_project_is_named_apmodel(built: Path) -> None:
    with ExcelFile(built) as book:
        assert book.vba_project().name == "apmodel"
        assert book.validate() == []


def test_olevba_shows_the_dispatch_module_exactly_as_committed(built: Path) -> None:
    committed = (RESOURCES / DISPATCH_BAS).read_text(encoding="utf-8")
    assert olevba_code(built)["apmodel_dispatch.bas"] == committed


def test_the_dispatch_module_passes_the_button_id_and_the_built_version_to_python(built: Path) -> None:
    modules = olevba_code(built)
    assert "dispatch('\" & control.Id & \"', '\" & APMODEL_VERSION & \"')" in modules["apmodel_dispatch.bas"]
    assert f'Public Const APMODEL_VERSION As String = "{__version__}"' in modules["apmodel_build.bas"]


def test_the_addin_reads_its_own_configuration_not_the_template_s(built: Path) -> None:
    modules = olevba_code(built)
    assert 'Public Const PROJECT_NAME As String = "apmodel"' in modules["xlwings.bas"]
    assert "RibbonMyAddin.bas" not in modules  # the template's own ribbon callback is gone
    with zipfile.ZipFile(built) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert 'name="_apmodel.conf"' in workbook and "myaddin" not in workbook


def vba_function(module: str, name: str) -> str:
    """One Function's text, from its first line to its End Function."""
    match = re.search(rf"^(Public )?Function {name}\(.*?^End Function", module, re.MULTILINE | re.DOTALL)
    assert match is not None, name
    return match.group(0)


def test_a_received_workbook_cannot_choose_what_the_addin_runs(built: Path) -> None:
    # xlwings' GetConfig read an apmodel.conf sheet in the ACTIVE workbook, then an apmodel.conf file
    # beside it, before the user's own file: any workbook could set INTERPRETER_WIN or PYTHONPATH.
    xlwings_vba = olevba_code(built)["xlwings.bas"]
    get_config = vba_function(xlwings_vba, "GetConfig")
    code = [line for line in get_config.splitlines() if not line.strip().startswith("'")]
    assert [line for line in code if "ActiveWorkbook" in line or "GetDirectory" in line] == []
    assert "GetConfigFromSheet(ThisWorkbook)" in get_config  # the add-in's own sheet
    # The one file GetConfig opens is the user's, written by `apmodel addin install`.
    assert [line.strip() for line in code if "GetConfigFromFile(" in line] == [
        "If GetConfigFromFile(GetConfigFilePath(), configKey, configValue) Then"
    ]
    # No code from the workbook's folder, and no embedded .py sheets of the active workbook.
    assert 'GetConfig("ADD_WORKBOOK_TO_PYTHONPATH"' not in xlwings_vba
    assert "AddExcelDir = GetConfig" not in xlwings_vba
    assert xlwings_vba.count("AddExcelDir = \"false\"  ' apmodel") == 2  # RunPython and the UDF server
    assert "For i = 2 To 2" in vba_function(xlwings_vba, "RunPython")


def test_a_macos_interpreter_path_with_spaces_is_quoted_for_the_shell(built: Path) -> None:
    xlwings_vba = olevba_code(built)["xlwings.bas"]
    assert "PythonInterpreter = \"'\" & Replace(ToPosixPath(PYTHON_MAC), \"'\", \"'\\''\") & \"'\"" in xlwings_vba


def test_an_xlwings_whose_vba_changed_where_it_is_locked_down_is_refused() -> None:
    module = with_project_name(template_module())
    assert all(edit.old in module.replace("\r\n", "\n") for edit in LOCKDOWN)
    changed = module.replace("'Workbook Sheet Config", "'Sheet config of the workbook")
    with pytest.raises(AddinBuildError, match=r"active workbook's apmodel\.conf sheet"):
        locked_down(changed)


def template_module() -> str:
    with ExcelFile(template_path()) as book:
        source: str = book.get_module("xlwings")
    return source


def test_a_template_without_the_project_name_constant_is_refused() -> None:
    with pytest.raises(Exception, match="PROJECT_NAME"):
        with_project_name("Attribute VB_Name = \"xlwings\"\r\n")


def test_no_binary_addin_is_shipped_in_the_package() -> None:
    folders = (Path(apmodel.__file__).parent, Path(apmodel.addin.__file__).parent)
    binaries = [p for folder in folders for p in folder.rglob("*") if p.suffix.lower() in (".xlam", ".xlsm", ".bin")]
    assert binaries == []


# -- Install and uninstall ---------------------------------------------------------------------


def test_a_non_ascii_python_path_is_written_in_the_code_page_vba_reads(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    interpreter = "C:\\Users\\Siân\\apmodel\\Scripts\\python.exe"
    install_addin(platform="win32", home=tmp_path, env=env, interpreter=interpreter)
    config = tmp_path / "me" / ".apmodel" / "apmodel.conf"
    # VBA's Open ... For Input reads Windows' ANSI code page (Windows-1252 in the UK): â is one byte, 0xE2.
    assert config.read_bytes() == b'"INTERPRETER_WIN","C:\\Users\\Si\xe2n\\apmodel\\Scripts\\python.exe"\n'
    assert read_config(config, "cp1252") == {"INTERPRETER_WIN": interpreter}


def test_a_python_path_the_code_page_cannot_spell_installs_nothing_and_says_why(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    message = install_addin(platform="win32", home=tmp_path, env=env, interpreter="C:\\Users\\Złota\\python.exe")
    assert message.startswith("Nothing was installed") and "cp1252" in message
    assert not (tmp_path / "Roaming").exists() and not (tmp_path / "me").exists()


def test_install_on_windows_puts_the_addin_in_xlstart_and_points_it_at_this_python(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    message = install_addin(platform="win32", home=tmp_path, env=env, interpreter=r"C:\apmodel\python.exe")
    addin = tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "apmodel.xlam"
    config = tmp_path / "me" / ".apmodel" / "apmodel.conf"
    assert zipfile.is_zipfile(addin)
    assert config.read_text() == '"INTERPRETER_WIN","C:\\apmodel\\python.exe"\n'
    assert str(addin) in message and "Restart Excel" in message


def test_install_on_macos_also_enables_runpython(tmp_path: Path) -> None:
    message = install_addin(platform="darwin", home=tmp_path, env={}, interpreter="/opt/ap/bin/python")
    where = places("darwin", tmp_path, {})
    assert where is not None and where.applescript_folder is not None
    assert where.addin.parent.name == "Excel" and zipfile.is_zipfile(where.addin)
    assert read_config(where.config_file) == {"INTERPRETER_MAC": "/opt/ap/bin/python"}
    assert where.config_file == tmp_path / "Library/Containers/com.microsoft.Excel/Data/apmodel.conf"
    assert len(list(where.applescript_folder.glob("xlwings-*.applescript"))) == 1
    assert "Cmd-Q" in message


def test_reinstalling_keeps_other_settings_in_the_config_file(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path)}
    config = tmp_path / ".apmodel" / "apmodel.conf"
    config.parent.mkdir(parents=True)
    config.write_text('"SHOW CONSOLE","True"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n')
    install_addin(platform="win32", home=tmp_path, env=env, interpreter=r"C:\new\python.exe")
    assert read_config(config) == {"SHOW CONSOLE": "True", "INTERPRETER_WIN": r"C:\new\python.exe"}


def test_on_other_systems_nothing_is_installed_and_the_way_forward_is_explained(tmp_path: Path) -> None:
    message = install_addin(platform="linux", home=tmp_path, env={})
    assert "Windows and macOS" in message and "apmodel addin build -o DIR" in message
    assert list(tmp_path.iterdir()) == []


def test_uninstall_removes_the_addin_and_its_config(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    install_addin(platform="win32", home=tmp_path, env=env, interpreter="python")
    message = uninstall_addin(platform="win32", home=tmp_path, env=env)
    assert "Removed" in message
    assert not (tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "apmodel.xlam").exists()
    assert not (tmp_path / "me" / ".apmodel").exists()
    assert "not installed" in uninstall_addin(platform="win32", home=tmp_path, env=env)


# -- Signing ------------------------------------------------------------------------------------


def fake_signtool(tmp_path: Path, exit_code: int = 0) -> Path:
    """A stand-in for signtool.exe that records its arguments (real signing needs Windows)."""
    tool = tmp_path / "signtool"
    tool.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/signed-with"\nexit {exit_code}\n')
    tool.chmod(0o755)
    return tool


def test_signing_runs_signtool_with_sha256_and_a_timestamp_and_hides_the_password(tmp_path: Path) -> None:
    from apmodel.addin.sign import sign_addin

    addin, certificate = tmp_path / "apmodel.xlam", tmp_path / "council.pfx"
    addin.write_bytes(b"xlam")
    certificate.write_bytes(b"pfx")
    tool = fake_signtool(tmp_path)
    signed = sign_addin(
        addin, certificate, password_variable="PFX_PASSWORD", env={"PFX_PASSWORD": "s3cret"}, signtool=str(tool)
    )
    assert signed.ok and "Signed" in signed.message and "s3cret" not in signed.message
    argv = (tmp_path / "signed-with").read_text().split()
    assert argv == [
        "sign", "/f", str(certificate), "/p", "s3cret", "/fd", "SHA256",
        "/tr", "http://timestamp.digicert.com", "/td", "SHA256", str(addin),
    ]  # fmt: skip


def test_without_signtool_the_addin_is_left_unsigned_and_the_way_forward_explained(tmp_path: Path) -> None:
    from apmodel.addin.sign import sign_addin

    certificate = tmp_path / "council.pfx"
    certificate.write_bytes(b"pfx")
    signed = sign_addin(tmp_path / "apmodel.xlam", certificate, signtool=None, env={})
    assert not signed.ok  # no add-in was built here: a real signtool on PATH refuses too
    assert "Office Subject Interface Packages" in signed.message or "SignTool refused" in signed.message


def test_a_signtool_refusal_is_reported_without_the_password(tmp_path: Path) -> None:
    from apmodel.addin.sign import sign_addin

    addin, certificate = tmp_path / "apmodel.xlam", tmp_path / "council.pfx"
    addin.write_bytes(b"xlam")
    certificate.write_bytes(b"pfx")
    tool = fake_signtool(tmp_path, exit_code=1)
    signed = sign_addin(addin, certificate, password_variable="P", env={"P": "s3cret"}, signtool=str(tool))
    assert not signed.ok and "SignTool refused (1)" in signed.message and "s3cret" not in signed.message


def test_a_click_imports_nothing_for_building_add_ins_or_writing_files() -> None:
    # Every click starts a fresh Python: what the click path imports is paid on every button.
    script = (
        "import sys; import apmodel.addin.commands, apmodel.service; "
        "print(sorted(m for m in ('openpyxl', 'pyopenvba', 'xlsxwriter', 'rich', 'lxml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- The add-in's layout module (apmodel_layout.bas): what Python sends is what the VBA reads --------

LAYOUT_SOURCE = (RESOURCES / LAYOUT_BAS).read_text(encoding="utf-8")


def procedure(source: str, name: str) -> str:
    """One Sub or Function of a VBA module, from its first line to its End line."""
    found = re.search(rf"^(?:Public |Private )?(Sub|Function) {name}\(.*?^End \1$", source, re.MULTILINE | re.DOTALL)
    assert found is not None, name
    return found.group(0)


def test_olevba_shows_the_layout_module_exactly_as_committed(built: Path) -> None:
    assert olevba_code(built)["apmodel_layout.bas"] == LAYOUT_SOURCE


def test_the_layout_vba_handles_exactly_the_steps_python_sends_with_their_fields() -> None:
    apply_step = procedure(LAYOUT_SOURCE, "ApplyStep")
    cases = re.split(r'^\s*Case "', apply_step, flags=re.MULTILINE)[1:]
    handled = {case.split('"', 1)[0]: case.split("Case Else")[0] for case in cases}
    assert set(handled) == set(OPS)
    helpers = {"SetFont": procedure(LAYOUT_SOURCE, "SetFont"), "SetPage": procedure(LAYOUT_SOURCE, "SetPage")}
    for op, body in handled.items():
        read = body + "".join(text for helper, text in helpers.items() if f"{helper} " in body)
        used = {int(n) for n in re.findall(r"fields\((\d+)\)", read)}
        # op, sheet, target, then OPS[op]'s fields: the VBA reads each field Python sends, and no more.
        assert used - {0, 1, 2} == set(range(3, 3 + len(OPS[op]))), op


def test_the_layout_vba_splits_on_the_separators_python_joins_with() -> None:
    assert f"Private Const STEP_SEPARATOR As Long = {ord(STEP_SEPARATOR)}" in LAYOUT_SOURCE
    assert f"Private Const FIELD_SEPARATOR As Long = {ord(FIELD_SEPARATOR)}" in LAYOUT_SOURCE
    read_index = procedure(LAYOUT_SOURCE, "ReadIndex")
    assert '"S" & Chr(FIELD_SEPARATOR) & sheet.Name' in read_index
    assert '"T" & Chr(FIELD_SEPARATOR) & table.Name' in read_index
    assert "table.Range.Address" in read_index and "Flag(table.ShowTotals)" in read_index


def test_nothing_in_the_layout_vba_can_raise_to_the_user() -> None:
    # Each procedure Python calls catches its own errors and answers with a text.
    for name in ("ApplyLayout", "ReadIndex", "ApplyStep"):
        assert "On Error GoTo " in procedure(LAYOUT_SOURCE, name), name
    assert "MsgBox" not in LAYOUT_SOURCE


@pytest.mark.parametrize("module", ["apmodel_dispatch.bas", "apmodel_layout.bas", "apmodel_events.cls"])
def test_the_committed_vba_declares_every_variable_and_closes_every_block(module: str) -> None:
    """What VBA's compiler would refuse first: an undeclared name under Option Explicit aside, a
    block opened and not closed (If, For, Select, With, Sub, Function), checked line by line."""
    source = (RESOURCES / module).read_text(encoding="utf-8")
    assert "Option Explicit" in source
    opened: list[str] = []
    closers = {"End If": "If", "Next": "For", "End Select": "Select", "End With": "With", "End Sub": "Sub"}
    closers["End Function"] = "Function"
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.split(" '")[0].strip() if not raw.strip().startswith("'") else ""
        if not line or line.startswith("Attribute "):
            continue
        closer = next((c for c in closers if line == c or line.startswith(c + " ")), None)
        if closer is not None:
            assert opened and opened[-1] == closers[closer], (module, number, raw)
            opened.pop()
        elif re.match(r"^(Public |Private )?(Sub|Function) ", line):
            opened.append(line.split("(")[0].split()[-2])
        elif re.match(r"^(ElseIf |Else$)", line):
            assert opened and opened[-1] == "If", (module, number, raw)
        elif re.match(r"^If .* Then$", line):
            opened.append("If")
        elif re.match(r"^For (Each )?\w+", line):
            opened.append("For")
        elif line.startswith("Select Case "):
            opened.append("Select")
        elif line.startswith("With "):
            opened.append("With")
    assert opened == [], module
