"""The code's shape: every package ships in the wheel, no layer imports upward, no import circles.

``addin/``, ``workbooks/`` and ``templates/`` are top-level folders mapped into the package by
pyproject's ``package-dir``; setuptools then needs every package listed, so a new subpackage
left out of the list would be missing from the wheel although every test from the source
tree passes.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, Any]:
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
    listed = set(config["packages"])
    package_dir: dict[str, str] = dict(config["package-dir"])
    found = set()
    for top in ["apmodel", *package_dir]:
        base = _folder(top, package_dir)
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            found.add(".".join([top, *relative.parts]))
    assert found == listed
    assert all((_folder(package, package_dir) / "__init__.py").is_file() for package in listed)


# -- Layers and import circles -----------------------------------------------------------------

#: The layers, lowest first: a module imports only from its own layer and the layers below
#: (the longest matching prefix decides a module's layer). The package root holds the
#: version constants everything reads.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("apmodel",),
    ("apmodel.domain",),
    ("apmodel.workbook.contract", "apmodel.workbook.interface"),
    ("apmodel.workbook",),
    ("apmodel.reports",),
    ("apmodel.service", "apmodel.systems"),
    ("apmodel.cli", "apmodel.api", "apmodel.addin", "apmodel.workbooks", "apmodel.templates"),
)
#: Upward imports allowed, each for a stated reason.
ALLOWED_UPWARD = {
    # ``apmodel.open``: the package root's public pandas API, loaded on first use only.
    ("apmodel", "apmodel.api"),
}


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name, wherever its folder is."""
    config = _setuptools()
    package_dir: dict[str, str] = dict(config["package-dir"])
    modules: dict[str, Path] = {}
    for package in config["packages"]:
        folder = _folder(package, package_dir)
        for path in folder.glob("*.py"):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports anywhere in its file (lazily, or for type checking only, too)."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # ``from package import module`` imports the module; ``from module import name`` the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    best, rank = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS"
    return rank


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = sorted(
        (module, imported)
        for module, imports in _graph().items()
        for imported in imports
        if _layer(imported) > _layer(module) and (module, imported) not in ALLOWED_UPWARD
    )
    assert upward == []


def test_the_workbook_adapters_never_import_the_reports() -> None:
    graph = _graph()
    assert [(m, i) for m, imports in graph.items() if m.startswith("apmodel.workbook.")
            for i in imports if i.startswith("apmodel.reports")] == []


def test_the_domain_imports_nothing_but_the_domain() -> None:
    graph = _graph()
    assert [(m, i) for m, imports in graph.items() if m.startswith("apmodel.domain")
            for i in imports if not i.startswith("apmodel.domain")] == []


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in sorted(graph.get(node, ())):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_modules_import_each_other_round_a_circle() -> None:
    graph = {m: {i for i in imports if (m, i) not in ALLOWED_UPWARD} for m, imports in _graph().items()}
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle_of_three() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
