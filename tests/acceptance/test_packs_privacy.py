"""Privacy of school packs: nothing of any other school anywhere in a school's file.

Rule: docs/funding-rules.md, "Privacy" and docs/forum-workbook.md, "School packs": a school's pack holds
that school's rows and nothing of any other school, not in hidden sheets, names, styles or
cached strings. So this test opens every zip part of every pack of the example county (sheets,
shared strings, styles, workbook.xml with its defined names, tables, docProps) and looks for
another school's URN, name or pupil ref, matched as whole tokens.

Two traps in the data make a naive search wrong: a school's own name can contain another
school's whole name ("Hillview Primary School" inside "Hillview Primary School, Dover"), so
names contained in the school's own strings are not counted; and amounts are numbers that can
look like URNs, so a URN only counts as a 6-digit token not inside a longer number.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apmodel.cli import main
from apmodel.workbook.interface import RawTable
from apmodel.workbook.xlsx_reader import read_tables

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"
SIX_DIGITS = re.compile(r"(?<![\d.,])\d{6}(?![\d]|[.,]\d)")
WORDS = re.compile(r"\w+")
REF_TOKENS = re.compile(r"[\w-]+")


def column(table: RawTable, name: str) -> list[Any]:
    index = table.index(name)
    assert index is not None, f"{table.name} has no {name} column"
    return [row[index] for row in table.rows]


def as_urn(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def pack_text(path: Path) -> str:
    """Every part of the .xlsx, XML entities decoded, as one text."""
    with zipfile.ZipFile(path) as archive:
        parts = [archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()]
    return html.unescape("\n".join(parts))


def has_whole(text: str, phrase: str) -> bool:
    """``phrase`` as whole words: not a part of a longer word on either side."""
    return phrase in text and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


@dataclass
class Register:
    """Who is who in the example county: every school's name and trust, and each school's pupils."""

    names: dict[int, str]
    trusts: dict[int, str]
    pupils_of: dict[int, set[str]]
    all_refs: set[str] = field(default_factory=set)
    names_by_first_word: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, workbook: Path) -> Register:
        tables = read_tables(workbook)
        schools = tables["Schools"]
        urns = [int(u) for u in column(schools, "URN")]
        names = dict(zip(urns, (str(n) for n in column(schools, "School Name")), strict=True))
        trusts = dict(zip(urns, (str(t or "") for t in column(schools, "Trust")), strict=True))
        pupils_of: dict[int, set[str]] = defaultdict(set)
        for table, key in (
            ("Placements", "Home URN"),
            ("Exclusions", "Excluding URN"),
            ("Exclusions", "Admitting URN"),
        ):
            for ref, urn in zip(column(tables[table], "Pupil Ref"), column(tables[table], key), strict=True):
                if (u := as_urn(urn)) is not None:
                    pupils_of[u].add(str(ref))
        by_word: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for urn, name in names.items():
            by_word[WORDS.findall(name)[0]].append((urn, name))
        return cls(names, trusts, pupils_of, set().union(*pupils_of.values()), by_word)

    def leaks(self, urn: int, text: str) -> list[str]:
        """Another school's URN, name or pupil ref in ``text`` (the pack of ``urn``)."""
        found = [f"URN {u}" for u in sorted({int(t) for t in SIX_DIGITS.findall(text)} & (set(self.names) - {urn}))]
        own = (self.names[urn], self.trusts[urn])
        for first in set(WORDS.findall(text)) & self.names_by_first_word.keys():
            for other, name in self.names_by_first_word[first]:
                # A name inside the school's own name or trust is the school's own text, not a leak.
                if other != urn and not any(name in mine for mine in own) and has_whole(text, name):
                    found.append(f"school name {name!r}")
        tokens = set(REF_TOKENS.findall(text))
        found += [f"pupil {ref}" for ref in sorted((tokens & self.all_refs) - self.pupils_of[urn])]
        return found


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.of(EXAMPLE)


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = tmp_path_factory.mktemp("privacy") / "packs"
    assert main(["packs", str(EXAMPLE), "-o", str(out), "--date", "2025-12-01", "-q"]) == 0
    return {int(path.name.split(" ", 1)[0]): path for path in out.iterdir()}


def test_no_pack_holds_another_schools_urn_name_or_pupil_ref(packs: dict[int, Path], register: Register) -> None:
    assert set(packs) == set(register.names)
    assert len(register.all_refs) > 1000  # the example county really has pupil-level rows to leak
    leaks: list[str] = []
    own_refs_seen = 0
    for urn, path in sorted(packs.items()):
        text = pack_text(path)
        # Positive controls: the scan does see the school's own identifiers.
        assert str(urn) in SIX_DIGITS.findall(text), path.name
        assert has_whole(text, register.names[urn]), path.name
        own_refs_seen += len(set(REF_TOKENS.findall(text)) & register.pupils_of[urn])
        leaks += [f"{path.name}: {leak}" for leak in register.leaks(urn, text)]
    assert own_refs_seen > 1000  # pupil refs are found where they belong, so the search works
    assert leaks == []


def test_the_scan_finds_a_leak_planted_in_the_document_properties(
    packs: dict[int, Path], register: Register, tmp_path: Path
) -> None:
    urn, other = sorted(packs)[:2]
    [other_pupil] = sorted(register.pupils_of[other] - register.pupils_of[urn])[:1]
    planted = tmp_path / "planted.xlsx"
    with zipfile.ZipFile(packs[urn]) as source, zipfile.ZipFile(planted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                leak = html.escape(f"{register.names[other]} {other} {other_pupil}")
                data = data.replace(b"</dc:title>", f" {leak}</dc:title>".encode())
            target.writestr(item, data)
    assert register.leaks(urn, pack_text(packs[urn])) == []
    assert register.leaks(urn, pack_text(planted)) == [
        f"URN {other}",
        f"school name {register.names[other]!r}",
        f"pupil {other_pupil}",
    ]
