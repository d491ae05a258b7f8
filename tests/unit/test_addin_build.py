"""The add-in is built from text: a valid .xlam whose ribbon, VBA and configuration agree.

Checked the way IT would check a file they are asked to trust: it is a valid zip, its ribbon
XML is well formed, every button calls a Python command and every command has a button, and
oletools' olevba shows the dispatch module exactly as committed.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

import apmodel
from apmodel import __version__
from apmodel.addin import DISPATCH_BAS, ribbon_buttons
from apmodel.addin.build import ADDIN_FILE, CUSTOMUI_PART, build_addin, template_path, with_project_name
from apmodel.addin.commands import COMMANDS
from apmodel.addin.install import install_addin, places, read_config, uninstall_addin

RESOURCES = Path(apmodel.__file__).parent / "addin" / "resources"


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
    tabs = root.findall(".//{http://schemas.microsoft.com/office/2006/01/customui}tab")
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


def test_a_template_without_the_project_name_constant_is_refused() -> None:
    with pytest.raises(Exception, match="PROJECT_NAME"):
        with_project_name("Attribute VB_Name = \"xlwings\"\r\n")


def test_no_binary_addin_is_shipped_in_the_package() -> None:
    package = Path(apmodel.__file__).parent
    assert [p for p in package.rglob("*") if p.suffix.lower() in (".xlam", ".xlsm", ".bin")] == []


# -- Install and uninstall ---------------------------------------------------------------------


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
