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

The file is written in the encoding xlwings' VBA reads it with (``Open ... For Input``, which
is the system's ANSI code page on Windows, Windows-1252 on a UK machine; Mac Roman on a Mac),
so an interpreter under ``C:\\Users\\Siân`` is read back as written. A path that code page
cannot spell is written as its Windows short (8.3) name, or refused with a way forward.

Excel with VBA add-ins exists only on Windows and macOS: elsewhere the command says so and
explains how to build the file here and install it on a Windows or Mac machine.
"""

from __future__ import annotations

import locale
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import xlwings

from . import ADDIN_FILE, PROJECT_NAME

MAC_OFFICE = Path("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized")
MAC_SANDBOX = Path("Library", "Containers", "com.microsoft.Excel", "Data")
MAC_SCRIPTS = Path("Library", "Application Scripts", "com.microsoft.Excel")


@dataclass(frozen=True)
class Places:
    """Where the add-in, its configuration and (macOS) xlwings' AppleScript go for one user."""

    startup_folder: Path
    config_file: Path
    config_key: str
    #: What xlwings' VBA reads the configuration file with (see the module docstring).
    encoding: str = "utf-8"
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
            encoding=windows_ansi_code_page(platform),
        )
    if platform == "darwin":
        return Places(
            startup_folder=home / MAC_OFFICE / "Startup.localized" / "Excel",
            config_file=home / MAC_SANDBOX / f"{PROJECT_NAME}.conf",
            config_key="INTERPRETER_MAC",
            encoding="mac_roman",
            applescript_folder=home / MAC_SCRIPTS,
        )
    return None


#: The ANSI code page of an English (UK) Windows, for an add-in installed from another system.
WINDOWS_ANSI_DEFAULT = "cp1252"


def windows_ansi_code_page(platform: str = sys.platform) -> str:
    """The code page VBA's file input uses on this Windows (the one Python calls the locale encoding)."""
    if platform == sys.platform == "win32":
        return locale.getencoding()
    return WINDOWS_ANSI_DEFAULT


def short_path(path: str) -> str | None:
    """Windows' short (8.3) name of ``path``, plain ASCII; None where there is none (or not on Windows)."""
    if sys.platform != "win32":
        return None
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)
    if not size:
        return None
    buffer = ctypes.create_unicode_buffer(size)
    ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size)
    return buffer.value if buffer.value.isascii() else None


def encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def spellable(path: str, encoding: str) -> str | None:
    """``path`` as the configuration can hold it in ``encoding`` (else its short name), or None."""
    return path if encodable(path, encoding) else short_path(path)


def config_line(key: str, value: str) -> str:
    """One setting as xlwings' VBA reads it (``Input #`` of two quoted fields)."""
    return f'"{key}","{value}"\n'


def read_config(path: Path, encoding: str = "utf-8") -> dict[str, str]:
    """The settings in an xlwings-style ``.conf`` file (missing file: none)."""
    settings: dict[str, str] = {}
    if not path.is_file():
        return settings
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
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
    written = spellable(interpreter, where.encoding)
    if written is None:
        return (
            f"Nothing was installed: Excel's VBA reads its settings in the {where.encoding} code page, which cannot "
            f"spell the Python path {interpreter}. Make the environment in a folder with plain letters (for example "
            "C:\\apmodel\\venv), install apmodel there and run `apmodel addin install` with that Python."
        )
    # The build (pyOpenVBA) is imported here, not with this module: Diagnose, on every click's
    # import path, needs only ``places`` and ``read_config``.
    from .build import build_addin

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
    settings = read_config(where.config_file, where.encoding)
    settings[where.config_key] = written
    text = "".join(config_line(k, v) for k, v in settings.items())
    where.config_file.write_text(text, encoding=where.encoding, errors="replace")
    lines = [
        f"Installed {where.addin}.",
        f"The add-in will run Python {written} (set in {where.config_file}).",
    ]
    if not encodable(str(where.config_file), where.encoding):
        lines.append(
            f"Note: {where.encoding} cannot spell the configuration file's own path; if a button cannot find Python, "
            f"ask IT to set {where.config_key} in {where.config_file} by hand (docs/excel-addin.md, 'For IT')."
        )
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
