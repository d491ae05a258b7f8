"""Install and uninstall apmodel.xlam for the current user (docs/excel-addin.md, "Install").

Excel opens every workbook in its start-up folder when it starts, so installing is: build
the add-in from the installed package (so add-in and package versions always match), copy
it into that folder, and write the add-in's configuration file, which tells xlwings'
``RunPython`` which Python to start: this one, ``sys.executable``. The file format and
places are xlwings' own (its VBA reads ``<PROJECT_NAME>.conf``):

- Windows: ``%APPDATA%\\Microsoft\\Excel\\XLSTART\\apmodel.xlam`` and
  ``%USERPROFILE%\\.apmodel\\apmodel.conf`` holding ``"INTERPRETER_WIN","<python.exe>"``;
- macOS: ``~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/``
  and the sandbox file ``~/Library/Containers/com.microsoft.Excel/Data/apmodel.conf``
  holding ``"INTERPRETER_MAC","<python>"``; ``RunPython`` on a Mac also needs xlwings'
  AppleScript in ``~/Library/Application Scripts/com.microsoft.Excel/``.

Excel with VBA add-ins exists only on Windows and macOS: elsewhere the command says so and
explains how to build the file here and install it on a Windows or Mac machine.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import xlwings

from apmodel.addin import PROJECT_NAME
from apmodel.addin.build import ADDIN_FILE, build_addin

MAC_OFFICE = Path("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized")
MAC_SANDBOX = Path("Library", "Containers", "com.microsoft.Excel", "Data")
MAC_SCRIPTS = Path("Library", "Application Scripts", "com.microsoft.Excel")


@dataclass(frozen=True)
class Places:
    """Where the add-in, its configuration and (macOS) xlwings' AppleScript go for one user."""

    startup_folder: Path
    config_file: Path
    config_key: str
    applescript_folder: Path | None = None

    @property
    def addin(self) -> Path:
        return self.startup_folder / ADDIN_FILE


def places(
    platform: str = sys.platform, home: Path | None = None, env: Mapping[str, str] | None = None
) -> Places | None:
    """The per-user places on Windows or macOS; None on systems without desktop Excel."""
    home = home or Path.home()
    env = os.environ if env is None else env
    if platform.startswith("win"):
        appdata = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        profile = Path(env.get("USERPROFILE") or home)
        return Places(
            startup_folder=appdata / "Microsoft" / "Excel" / "XLSTART",
            config_file=profile / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf",
            config_key="INTERPRETER_WIN",
        )
    if platform == "darwin":
        return Places(
            startup_folder=home / MAC_OFFICE / "Startup.localized" / "Excel",
            config_file=home / MAC_SANDBOX / f"{PROJECT_NAME}.conf",
            config_key="INTERPRETER_MAC",
            applescript_folder=home / MAC_SCRIPTS,
        )
    return None


def config_line(key: str, value: str) -> str:
    """One setting as xlwings' VBA reads it (``Input #`` of two quoted fields)."""
    return f'"{key}","{value}"\n'


def read_config(path: Path) -> dict[str, str]:
    """The settings in an xlwings-style ``.conf`` file (missing file: none)."""
    settings: dict[str, str] = {}
    if not path.is_file():
        return settings
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(",")
        if sep:
            settings[key.strip().strip('"').upper()] = value.strip().strip('"')
    return settings


def unsupported_message(platform: str) -> str:
    return (
        f"The apmodel Excel add-in needs desktop Excel, which runs on Windows and macOS; this system is "
        f"'{platform}'. Nothing was installed. On the Windows or Mac machine, install apmodel in a Python "
        "environment (`pip install apmodel==<version>`) and run `apmodel addin install` there: it builds the "
        "add-in from that machine's apmodel and xlwings and writes the interpreter setting. Here, "
        f"`apmodel addin build -o DIR` writes DIR/{ADDIN_FILE} for inspection, or for IT to deploy to machines "
        "with the same apmodel and xlwings versions. The headless commands (`apmodel run`, `apmodel validate`, "
        "...) work here without Excel."
    )


def install_addin(
    *,
    platform: str = sys.platform,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    interpreter: str = sys.executable,
) -> str:
    """Build apmodel.xlam, put it in Excel's start-up folder and point it at this Python."""
    where = places(platform, home, env)
    if where is None:
        return unsupported_message(platform)
    where.startup_folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        built = build_addin(Path(work))
        try:
            shutil.copyfile(built, where.addin)
        except PermissionError:
            return (
                f"Could not replace {where.addin}: Excel has it open. Quit Excel (all windows) and run "
                "`apmodel addin install` again."
            )
    where.config_file.parent.mkdir(parents=True, exist_ok=True)
    settings = read_config(where.config_file)
    settings[where.config_key] = interpreter
    where.config_file.write_text("".join(config_line(k, v) for k, v in settings.items()), encoding="utf-8")
    lines = [
        f"Installed {where.addin}.",
        f"The add-in will run Python {interpreter} (set in {where.config_file}).",
    ]
    if where.applescript_folder is not None:
        script = f"xlwings-{xlwings.__version__}.applescript"
        where.applescript_folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(xlwings.__file__).parent / script, where.applescript_folder / script)
        lines.append(f"Enabled RunPython for Excel ({where.applescript_folder / script}).")
        lines.append("Quit Excel completely (Cmd-Q) and start it again: the AP Funding tab appears.")
    else:
        lines.append("Restart Excel: the AP Funding tab appears.")
    return "\n".join(lines)


def uninstall_addin(
    *, platform: str = sys.platform, home: Path | None = None, env: Mapping[str, str] | None = None
) -> str:
    """Remove apmodel.xlam from the start-up folder and the add-in's configuration file."""
    where = places(platform, home, env)
    if where is None:
        return f"Nothing to uninstall: the Excel add-in is only installed on Windows and macOS (this is '{platform}')."
    removed: list[str] = []
    for path in (where.addin, where.config_file):
        if path.exists():
            try:
                path.unlink()
            except PermissionError:
                return f"Could not remove {path}: Excel has it open. Quit Excel, then uninstall again."
            removed.append(str(path))
    if platform.startswith("win") and where.config_file.parent.is_dir() and not any(where.config_file.parent.iterdir()):
        where.config_file.parent.rmdir()
    if not removed:
        return f"The add-in was not installed (no {where.addin})."
    return "Removed " + " and ".join(removed) + ". Restart Excel to remove the AP Funding tab."
