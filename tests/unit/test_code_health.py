"""The code's shape: every package ships in the wheel.

``addin/``, ``workbooks/`` and ``templates/`` are top-level folders mapped into the package by
pyproject's ``package-dir``; setuptools then needs every package listed, so a new subpackage
left out of the list would be missing from the wheel although every test from the source
tree passes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["setuptools"])


def _folder(package: str, package_dir: dict[str, str]) -> Path:
    """Where a package's files are: its package-dir mapping, or its path under the repository."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        mapped = package_dir.get(".".join(parts[:cut]))
        if mapped is not None:
            return ROOT / mapped / Path(*parts[cut:])
    return ROOT / Path(*parts)


def test_every_package_folder_is_listed_for_the_wheel_and_every_listed_package_exists() -> None:
    config = _setuptools()
    listed = set(config["packages"])  # type: ignore[call-overload]
    package_dir: dict[str, str] = dict(config["package-dir"])  # type: ignore[call-overload]
    found = set()
    for top in ["apmodel", *package_dir]:
        base = _folder(top, package_dir)
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            found.add(".".join([top, *relative.parts]))
    assert found == listed
    assert all((_folder(package, package_dir) / "__init__.py").is_file() for package in listed)
