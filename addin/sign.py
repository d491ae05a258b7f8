"""Sign apmodel.xlam's VBA project with the council's code-signing certificate (docs/excel-addin.md, "Signing").

Where macro policy is "Disable all except digitally signed macros", Excel runs the add-in only
if its VBA project carries a signature from a publisher the machine trusts. Office signs a VBA
project with Microsoft's SignTool and the Office Subject Interface Packages for VBA
(``msosipx.dll``, Microsoft's free "Office Subject Interface Packages for Digitally Signing VBA
Projects"), registered on the signing machine: SignTool then signs the project inside the
``.xlam``. That needs Windows, so this step finds ``signtool.exe`` and runs it; anywhere else,
or without SignTool, it says what to do instead and signs nothing.

The certificate's password is read from an environment variable named by the caller, never from
the command line (where other users and shell history could see it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: RFC 3161 timestamping keeps the signature valid after the certificate expires.
DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"


@dataclass(frozen=True)
class Signed:
    ok: bool
    message: str


def signtool_command(
    addin: Path, certificate: Path, *, password: str | None, timestamp_url: str, signtool: str
) -> list[str]:
    """SignTool's command line for one add-in: SHA-256 file and timestamp digests, RFC 3161 timestamp."""
    command = [signtool, "sign", "/f", str(certificate)]
    if password:
        command += ["/p", password]
    return [*command, "/fd", "SHA256", "/tr", timestamp_url, "/td", "SHA256", str(addin)]


def sign_addin(
    addin: Path,
    certificate: Path,
    *,
    password_variable: str | None = None,
    timestamp_url: str = DEFAULT_TIMESTAMP_URL,
    env: Mapping[str, str] | None = None,
    signtool: str | None = None,
) -> Signed:
    """Sign ``addin`` with ``certificate`` (a .pfx); never raises for a missing tool or a refusal."""
    env = os.environ if env is None else env
    tool = signtool or shutil.which("signtool") or shutil.which("signtool.exe")
    if not certificate.is_file():
        return Signed(False, f"Not signed: the certificate {certificate} does not exist.")
    if tool is None:
        return Signed(
            False,
            f"Not signed: SignTool was not found. {addin} is built but unsigned. Sign it on a Windows machine "
            "with the Windows SDK's signtool.exe and Microsoft's Office Subject Interface Packages for VBA "
            "registered (docs/excel-addin.md, 'Signing'), or give IT the file to sign.",
        )
    password = env.get(password_variable) if password_variable else None
    if password_variable and password is None:
        return Signed(False, f"Not signed: the environment variable {password_variable} is not set.")
    command = signtool_command(addin, certificate, password=password, timestamp_url=timestamp_url, signtool=tool)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stdout + done.stderr).strip().replace(password or "\0", "***")
        return Signed(False, f"Not signed: SignTool refused ({done.returncode}): {said}")
    return Signed(True, f"Signed {addin} with {certificate.name} (timestamped by {timestamp_url}).")
