"""The example county's Forum copy publishes no money of fewer than five pupils, directly or by sums.

funding-rules.md, "Privacy". The example has single reinstatement repayments (one pupil's
-5,168.62 in Summer 2025: D's -4,421.50 and the pupil premium's -747.12) and terms with one or
two credits: each such figure is [c], and no
hidden figure can be worked out from the figures shown and the sums between them (checked
again with numpy's rank, not the rule's own elimination). The written file holds none of the
amounts of fewer than five pupils anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from apmodel import service
from apmodel.reports.forum_copy import forum_money_of, write_forum_copy
from apmodel.workbook.openpyxl_store import FileWorkbook
from tests.integration.test_rollover_corrections import set_cell
from tests.unit.test_disclosure import fixed_by_the_sums

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "example-county.xlsx"


def test_the_example_forum_copy_hides_every_money_figure_of_fewer_than_five_pupils(tmp_path: Path) -> None:
    report = service.compute_results(FileWorkbook(EXAMPLE), today=date(2025, 12, 1), with_scenarios=True)
    money = forum_money_of(report.results, report.comparison)
    assert money is not None
    figures = money.disclosure
    identifying = {key for key, count in figures.pupils.items() if 1 <= count <= 4}
    assert ("RecoupmentByTerm", "Summer 2025", "Reinstatement repayment", "Recoverable") in identifying
    assert identifying <= money.hidden
    assert fixed_by_the_sums(figures, set(money.hidden)) == set()

    out = write_forum_copy(report.results, report.comparison, tmp_path / "forum.xlsx", made=datetime(2025, 12, 1))
    book = openpyxl.load_workbook(out)
    published = {
        round(Decimal(str(value)), 2)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }
    secret = {figures.amounts[key] for key in identifying if figures.amounts[key]}
    assert Decimal("-5168.62") in secret
    assert secret & published == set()


CREDIT_TYPES = {"Admitting credit", "Reinstatement repayment"}


def _data(book: openpyxl.Workbook, name: str) -> list[tuple[Any, ...]]:
    """A table's data rows as written (below the title, the note and the header on row 3)."""
    return [row for row in book[name].iter_rows(min_row=4, values_only=True) if any(v is not None for v in row)]


@dataclass
class Published:
    """What a reader of the copy has: Summary's items, RecoupmentByTerm's rows and its totals, the recoupment
    chart's figures and, with school totals, SchoolRecoupment's rows and its totals."""

    summary: dict[str, object]
    terms: list[tuple[Any, ...]]
    term_totals: tuple[Any, ...]
    chart: list[tuple[Any, ...]]
    schools: list[tuple[Any, ...]]
    school_totals: tuple[Any, ...] | None
    #: APOutcomes' providers (Tier, Provider ID, Recovered £) and APOutcomesTotals' tiers (Tier, Providers,
    #: Recovered £), All tiers last.
    outcomes: list[tuple[Any, ...]]
    outcome_totals: list[tuple[Any, ...]]


def _published(path: Path) -> Published:
    book = openpyxl.load_workbook(path)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if isinstance(row[0], str)}
    dashboard = list(book["Dashboard"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(dashboard) if row[:4] == ("Term", "Charged £", "Credited £", "Net £"))
    chart = []
    for row in dashboard[start + 1 :]:
        if row[0] is None:
            break
        chart.append(row[:4])
    [term_totals] = _data(book, "RecoupmentByTermTotals")
    schools = "SchoolRecoupment" in book.sheetnames
    return Published(
        summary,
        [row[:4] for row in _data(book, "RecoupmentByTerm")],
        term_totals,
        chart,
        [row[:6] for row in _data(book, "SchoolRecoupment")] if schools else [],
        _data(book, "SchoolRecoupmentTotals")[0] if schools else None,
        [(row[0], row[1], row[10]) for row in _data(book, "APOutcomes")],
        [(row[0], row[1], row[9]) for row in _data(book, "APOutcomesTotals")],
    )


def _determined(equations: list[dict[str, Fraction]], unknowns: set[str]) -> set[str]:
    """The unknowns the equations fix (exact rational elimination: an unknown is fixed when it is alone in a
    row of the reduced system)."""
    rows = [{k: v for k, v in eq.items() if k in unknowns and v} for eq in equations]
    pivots: dict[str, dict[str, Fraction]] = {}
    for row in rows:
        for col, pivot in pivots.items():
            if col in row:
                factor = row[col]
                for k, v in pivot.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {k: v / lead for k, v in row.items()}
        for other in pivots.values():
            if col in other:
                factor = other[col]
                for k, v in row.items():
                    other[k] = other.get(k, Fraction(0)) - factor * v
                for k in [k for k, v in other.items() if not v]:
                    del other[k]
        pivots[col] = row
    return {col for col, row in pivots.items() if set(row) == {col}}


def example_with_school_totals(tmp_path: Path) -> Path:
    """The example county with Publish school totals = Yes (SchoolRecoupment and its totals published)."""
    source = tmp_path / "example-schools.xlsx"
    source.write_bytes(EXAMPLE.read_bytes())
    set_cell(source, "Settings", "Setting", "Publish school totals", "Value", "Yes")
    return source


def eq(total_key: str, parts: list[str]) -> dict[str, Fraction]:
    """The sum ``total_key`` = the ``parts`` added up, as an equation (total - parts = 0)."""
    row: dict[str, Fraction] = {total_key: Fraction(1)}
    for part in parts:
        row[part] = row.get(part, Fraction(0)) - 1
    return row


@pytest.mark.parametrize("school_totals", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_no_hidden_figure_can_be_worked_out_from_the_published_copy_and_summary_is_shown(
    tmp_path: Path, school_totals: bool
) -> None:
    """A reader's attack on the written file: every sum the tables and the chart make plain (Net = Charged +
    Credited; RecoupmentByTerm's rows to RecoupmentByTermTotals and to the chart's Net; the chart's terms to
    Summary; from the line types' names, charges and credits added up separately; with school totals, each
    school's Net = Charged + Credited and SchoolRecoupment's rows to SchoolRecoupmentTotals, which is Summary),
    solved exactly for the [c] cells. The totals are tables of their own, read from there."""
    source = example_with_school_totals(tmp_path) if school_totals else EXAMPLE
    report = service.compute_results(FileWorkbook(source), today=date(2025, 12, 1), with_scenarios=True)
    out = write_forum_copy(report.results, report.comparison, tmp_path / "forum.xlsx", made=datetime(2025, 12, 1))
    published = _published(out)
    summary, terms, chart = published.summary, published.terms, published.chart
    # The headline totals are published (secondary suppression falls on cells beside them).
    for item in ("Total recouped", "Total credited", "Net recoupment"):
        assert isinstance(summary[item], float), item
    cells: dict[str, object] = {"S charged": summary["Total recouped"], "S credited": summary["Total credited"],
                                "S net": summary["Net recoupment"]}  # fmt: skip
    # No Total row among the terms: RecoupmentByTermTotals holds how many rows there are, then the totals.
    assert "Total" not in {t[0] for t in terms}
    rows_count, cells["T|R"], cells["T|N"] = published.term_totals
    assert rows_count == len(terms)
    for period, kind, recoverable, not_recovered in terms:
        cells[f"{period}|{kind}|R"], cells[f"{period}|{kind}|N"] = recoverable, not_recovered
    for period, charged, credited, net in chart:
        cells[f"C|{period}|charged"], cells[f"C|{period}|credited"], cells[f"C|{period}|net"] = charged, credited, net

    periods = [p for p, *_ in chart]
    charge_cells = [f"{p}|{k}|R" for p, k, *_ in terms if k not in CREDIT_TYPES]
    credit_cells = [f"{p}|{k}|R" for p, k, *_ in terms if k in CREDIT_TYPES]
    equations = [
        eq("S net", ["S charged", "S credited"]),
        eq("T|R", ["S net"]),
        eq("T|R", [f"{p}|{k}|R" for p, k, *_ in terms]),
        eq("T|N", [f"{p}|{k}|N" for p, k, *_ in terms]),
        eq("S charged", charge_cells),
        eq("S credited", credit_cells),
        *(eq(f"S {s}", [f"C|{p}|{s}" for p in periods]) for s in ("charged", "credited", "net")),
    ]
    for p in periods:
        equations += [
            eq(f"C|{p}|net", [f"C|{p}|charged", f"C|{p}|credited"]),
            eq(f"C|{p}|net", [f"{q}|{k}|R" for q, k, *_ in terms if q == p]),
            eq(f"C|{p}|charged", [c for c in charge_cells if c.startswith(f"{p}|")]),
            eq(f"C|{p}|credited", [c for c in credit_cells if c.startswith(f"{p}|")]),
        ]
    if school_totals:
        assert published.school_totals is not None and published.schools
        assert "Total" not in {row[1] for row in published.schools}
        count, cells["ST charged"], cells["ST credited"], cells["ST net"] = published.school_totals
        assert count == len(published.schools)
        for urn, _name, _district, charged, credited, net in published.schools:
            cells[f"U|{urn}|charged"], cells[f"U|{urn}|credited"], cells[f"U|{urn}|net"] = charged, credited, net
            equations.append(eq(f"U|{urn}|net", [f"U|{urn}|charged", f"U|{urn}|credited"]))
        for column in ("charged", "credited", "net"):
            urns = [row[0] for row in published.schools]
            equations += [eq(f"ST {column}", [f"U|{u}|{column}" for u in urns]), eq(f"ST {column}", [f"S {column}"])]
        # The school totals are Summary's, shown (or hidden) alike: 4,428,502.71 charged, -59,016.75 credited,
        # 4,428,502.71 - 59,016.75 = 4,369,485.96 net, which is RecoupmentByTermTotals' Recoverable £ too.
        assert (cells["ST charged"], cells["ST credited"], cells["ST net"]) == (4428502.71, -59016.75, 4369485.96)
        assert cells["T|R"] == 4369485.96
        assert sum(1 for row in published.schools for v in row[3:] if v == "[c]") > 0
    # APOutcomes' Recovered £: no total row among the providers; APOutcomesTotals adds each tier's providers up,
    # All tiers the tiers, and All tiers is the placement charges of RecoupmentByTerm when they are the same money.
    money = forum_money_of(report.results, report.comparison)
    assert money is not None
    assert "All tiers" not in {row[0] for row in published.outcomes}
    assert all(provider is not None for _tier, provider, _recovered in published.outcomes)
    tiers = [row[0] for row in published.outcome_totals]
    assert tiers == ["Tier 1", "Tier 2", "Tier 3", "All tiers"]
    for tier, provider, recovered in published.outcomes:
        cells[f"O|{tier}|{provider}"] = recovered
    for tier, providers, recovered in published.outcome_totals:
        cells[f"OT|{tier}"] = recovered
        members = [f"O|{t}|{p}" for t, p, _ in published.outcomes if t == tier or tier == "All tiers"]
        assert providers == len(members), tier
        equations.append(eq(f"OT|{tier}", members))
    equations.append(eq("OT|All tiers", [f"OT|{t}" for t in tiers[:-1]]))
    placement_cells = [f"{p}|{k}|R" for p, k, *_ in terms if k == "Placement charge"]
    # forum_money's key of All tiers: the last row of the domain's result (the providers, then the 4 totals).
    all_tiers = ("APOutcomes", str(len(published.outcomes) + len(tiers) - 1))
    if money.disclosure.amounts[all_tiers] == sum(
        (money.disclosure.amounts[("RecoupmentByTerm", p, k, "Recoverable")] for p, k, *_ in terms
         if k == "Placement charge"), Decimal(0)):  # fmt: skip
        equations.append(eq("OT|All tiers", placement_cells))
    # The example's tiers, added up exactly: 425,948.37 + 1,550,438.00 + 2,157,648.00 = 4,134,034.37.
    assert [cells[f"OT|{t}"] for t in tiers] == [425948.37, 1550438, 2157648, 4134034.37]
    assert sum(Decimal(str(cells[f"OT|{t}"])) for t in tiers[:-1]) == Decimal("4134034.37")
    hidden = {key for key, value in cells.items() if value == "[c]"}
    assert hidden
    assert _determined(equations, hidden) == set()
    # The attack has teeth: with only the figures of 1 to 4 pupils hidden, it works some of them out (Autumn's
    # one reinstatement repayment is the chart's Autumn credits minus its admitting credits).
    few = {f"{key[1]}|{key[2]}|{'R' if key[3] == 'Recoverable' else 'N'}" for key, n in money.disclosure.pupils.items()
           if key[0] == "RecoupmentByTerm" and key[1] != "Total" and 1 <= n <= 4}  # fmt: skip
    few |= {f"C|{key[1]}|{key[2].lower()}" for key, n in money.disclosure.pupils.items()
            if key[0] == "Chart" and 1 <= n <= 4}  # fmt: skip
    assert "Autumn 2025|Reinstatement repayment|R" in _determined(equations, few)
    if school_totals:
        few |= {f"U|{key[1]}|{key[2].lower()}" for key, n in money.disclosure.pupils.items()
                if key[0] == "School" and 1 <= n <= 4}  # fmt: skip
        # And school by school: with only the primaries hidden, a school's one credit is its Net minus its
        # Charged (14 schools' Credited £ in the example), so secondary suppression is needed there too.
        assert len({k for k in _determined(equations, few) if k.startswith("U|") and k.endswith("|credited")}) == 14
