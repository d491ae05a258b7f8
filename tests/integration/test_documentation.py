"""Code health: everything a user can meet in the workbook is documented in docs/forum-workbook.md.

The lists come from the code, never from a hand-kept list: the warning codes from every place
the code raises one (read from the source with ``ast``), the settings and input columns from
the contract's declarations, the output columns from the tables a real run, a scenario
comparison and a Forum copy build, the school packs' tables from the contract's pack section.
A new code, setting or column that is not documented fails here, and so does a documented one
the code no longer has.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from apmodel import service
from apmodel.domain.inputs import SETTING_SPECS
from apmodel.reports.forum_copy import forum_tables
from apmodel.workbook import contract
from apmodel.workbook.interface import OutputTable
from apmodel.workbook.openpyxl_store import FileWorkbook
from tests.builders import small_county, write_workbook

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "apmodel"
WORKBOOK_DOC = ROOT / "docs" / "forum-workbook.md"
RULES_DOC = ROOT / "docs" / "funding-rules.md"

#: The Findings methods and their positional argument holding the code (``add`` takes the severity first).
_FINDING_CALLS = {"error": 0, "warning": 0, "info": 0, "warn": 0, "add": 1}
#: How many positional arguments a findings call has at least (code, table or row, ..., message):
#: fewer is some other ``add`` or ``info`` (a set, a logger).
_FINDING_ARGS = {"error": 6, "warning": 6, "info": 6, "warn": 5, "add": 7}
#: A code handed on rather than written out: a CellProblem's code, or a helper's ``code`` parameter.
_FORWARDED = {"problem.code", "code"}
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def raised_codes() -> dict[str, list[str]]:
    """Every warning code the package can emit, with where (file:line), read from the source."""
    found: dict[str, list[str]] = {}
    forwarded: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if name == "CellProblem":
                argument = node.args[0]
            elif name in _FINDING_CALLS and len(node.args) >= _FINDING_ARGS[name]:
                argument = node.args[_FINDING_CALLS[name]]
            else:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                assert _CODE.fullmatch(argument.value), f"{where}: {argument.value!r} is not a CODE_LIKE_THIS"
                found.setdefault(argument.value, []).append(where)
            elif ast.unparse(argument) not in _FORWARDED:
                forwarded.append(f"{where}: {ast.unparse(argument)}")
    # A code passed in some other way could not be checked: write it out, or forward it as above.
    assert forwarded == []
    return found


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line) up to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    assert heading in lines, f"docs/forum-workbook.md has no heading {heading!r}"
    start = lines.index(heading) + 1
    end = next(
        (i for i in range(start, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def first_cells(text: str) -> list[str]:
    """The backticked name in the first cell of each table row of ``text``."""
    return re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE)


def table_rows(text: str) -> dict[str, list[str]]:
    """Each table row of ``text`` by its backticked first cell: the row's other cells."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in re.split(r"(?<!\\)\|", match.group(2))]
    return rows


def matches(column: str, documented: list[str]) -> bool:
    """A column is documented by name, or by a pattern such as ``<Factor> £`` (one per factor)."""
    for name in documented:
        pattern = "".join(".+" if part.startswith("<") else re.escape(part) for part in re.split(r"(<[^>]+>)", name))
        if re.fullmatch(pattern, column):
            return True
    return False


@pytest.fixture(scope="module")
def workbook_doc() -> str:
    return WORKBOOK_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def output_tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[OutputTable], list[OutputTable]]:
    """Every output table of a run with a scenario, and of its Forum copy with school totals published."""
    tables = small_county(**{"Publish school totals": "Yes"})
    scenario = ["Bigger budget", "Setting", "AP budget", 1_100_000]
    tables["Scenarios"] = (["Scenario", "Target", "Key", "Value"], [scenario])
    source = write_workbook(tmp_path_factory.mktemp("docs") / "county.xlsx", tables)
    report = service.compute(FileWorkbook(source), with_scenarios=True)
    assert report.comparison is not None and report.comparison.scenario_names == ("Bigger budget",)
    return report.tables, forum_tables(report.results, report.comparison, datetime(2025, 12, 1))


def test_every_warning_code_the_code_can_raise_is_documented(workbook_doc: str) -> None:
    documented = first_cells(section(workbook_doc, "## Warning codes"))
    raised = raised_codes()
    missing = {code: places for code, places in raised.items() if code not in documented}
    assert missing == {}, "add these codes to docs/forum-workbook.md, 'Warning codes'"
    assert sorted(set(documented) - set(raised)) == [], "documented codes the code never raises"
    assert documented == sorted(documented) and len(documented) == len(set(documented))


def test_every_documented_code_has_its_severity(workbook_doc: str) -> None:
    rows = table_rows(section(workbook_doc, "## Warning codes"))
    for code, (severity, meaning) in rows.items():
        assert severity in ("Error", "Warning", "Info", "Error or Warning"), code
        assert meaning, code


def test_every_setting_is_documented_as_declared(workbook_doc: str) -> None:
    rows = table_rows(section(workbook_doc, "## Settings"))
    # docs/forum-workbook.md, "Settings": one row per declared setting, in the declaration's order
    assert list(rows) == [spec.label for spec in SETTING_SPECS]
    for spec in SETTING_SPECS:
        kind, default, choices, help_text, source = (cell.replace("\\|", "|") for cell in rows[spec.label])
        shown = contract.default_text(spec) or ("required" if spec.required else "blank")
        assert (kind, default, help_text, source) == (spec.kind.value, shown, spec.help, spec.source), spec.label
        assert choices == ", ".join(contract.SETTING_CHOICES.get(spec.label, ())), spec.label


def test_every_input_table_column_and_allowed_word_is_documented(workbook_doc: str) -> None:
    for spec in (*contract.INPUT_TABLES, contract.INVOICE_REGISTER):
        if spec is contract.SETTINGS:
            continue
        rows = table_rows(section(workbook_doc, f"### `{spec.name}`"))
        assert list(rows) == spec.column_names, spec.name
        for column in spec.columns:
            _kind, required, choices, _meaning = rows[column.name]
            assert (required == "yes") == column.required, (spec.name, column.name)
            if column.kind is not contract.Kind.YES_NO:
                assert [c.strip() for c in choices.split(",") if c.strip()] == list(column.choices), column.name


def test_every_output_table_and_column_is_documented(
    workbook_doc: str, output_tables: tuple[list[OutputTable], list[OutputTable]]
) -> None:
    run, forum = output_tables
    assert set(contract.OUTPUT_TABLES) <= {table.name for table in run}
    # A Forum copy table is looked for under "The Forum copy" first (its Scenarios is not the input table).
    forum_doc = section(workbook_doc, "## The Forum copy")
    undocumented: list[str] = []
    for table, doc in [*((t, workbook_doc) for t in run), *((t, forum_doc) for t in forum)]:
        heading = f"### `{table.name}`"
        documented = first_cells(section(doc if heading in doc.splitlines() else workbook_doc, heading))
        undocumented += [f"{table.name}.{c.name}" for c in table.columns if not matches(c.name, documented)]
    assert undocumented == [], "add these columns to docs/forum-workbook.md"



def test_every_school_pack_table_and_column_is_documented(workbook_doc: str) -> None:
    packs_doc = section(workbook_doc, "## School packs")
    # one "### `Table`" per pack table under "School packs", in the pack's order, and nothing else
    assert re.findall(r"^### `([^`]+)`$", packs_doc, flags=re.MULTILINE) == [s.name for s in contract.PACK_SPECS]
    for spec in contract.PACK_SPECS:
        rows = table_rows(section(packs_doc, f"### `{spec.name}`"))
        assert list(rows) == [c.name for c in spec.columns], spec.name
        assert all(meaning for (meaning,) in rows.values()), spec.name

def test_the_docs_link_only_to_files_that_exist() -> None:
    for doc in (WORKBOOK_DOC, RULES_DOC, ROOT / "README.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


def test_nothing_in_the_project_points_outside_it() -> None:
    # Spelled [d] so that a plain grep for these paths finds nothing in the project, this file included.
    outside = re.compile(r"\.\./share[d]|share[d]/spec|style\.md")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("apmodel", "addin", "tests", "docs", "templates", "workbooks", "benchmarks")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".md", ".toml", ".bas", ".xml")
        and outside.search(path.read_text(encoding="utf-8"))
    ]
    offenders += ["README.md"] if outside.search((ROOT / "README.md").read_text(encoding="utf-8")) else []
    assert offenders == []
