"""Money of fewer than five pupils is never published, nor recoverable from the sums that are.

funding-rules.md, "Privacy"; apmodel.domain.disclosure. The checks here do not trust the
rule's own elimination: whether a hidden figure can be worked out is decided again with
numpy's matrix rank (a figure is fixed by the published sums exactly when adding its unit
vector to the sums' equations leaves their rank unchanged).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from apmodel.domain.disclosure import Disclosure

Key = tuple[str, ...]


def fixed_by_the_sums(money: Disclosure[Key], hidden: set[Key]) -> set[Key]:
    """The hidden figures a reader who knows every shown figure and every sum can work out."""
    unknowns = sorted(hidden, key=str)
    if not unknowns:
        return set()
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for total, parts in money.sums:
        row = np.zeros(len(unknowns))
        for key, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if key in index:
                row[index[key]] += sign
        rows.append(row)
    equations = np.array(rows) if rows else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(equations) if rows else 0
    fixed = set()
    for key, i in index.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([equations, unit])) == rank:
            fixed.add(key)
    return fixed


def pupils(count: int, cell: str) -> list[str]:
    return [f"{cell}-P{i}" for i in range(count)]


def table(counts: list[list[int]]) -> Disclosure[Key]:
    """A table of money with row totals, column totals and a grand total, each cell of ``counts`` pupils
    (each pupil's line 100.00 plus its cell's number, so no two cells are alike)."""
    money: Disclosure[Key] = Disclosure()
    all_refs: list[str] = []
    row_refs: dict[int, list[str]] = {}
    col_refs: dict[int, list[str]] = {}
    for r, row in enumerate(counts):
        for c, count in enumerate(row):
            refs = pupils(count, f"{r}.{c}")
            money.figure(("cell", str(r), str(c)), Decimal(count * 100 + r * 10 + c), refs)
            row_refs.setdefault(r, []).extend(refs)
            col_refs.setdefault(c, []).extend(refs)
            all_refs.extend(refs)
    width = len(counts[0])
    for r in range(len(counts)):
        amount = sum((money.amounts[("cell", str(r), str(c))] for c in range(width)), Decimal(0))
        money.figure(("row", str(r)), amount, row_refs[r])
        money.sum(("row", str(r)), [("cell", str(r), str(c)) for c in range(width)])
    for c in range(width):
        amount = sum((money.amounts[("cell", str(r), str(c))] for r in range(len(counts))), Decimal(0))
        money.figure(("col", str(c)), amount, col_refs[c])
        money.sum(("col", str(c)), [("cell", str(r), str(c)) for r in range(len(counts))])
    money.figure(("total",), sum((money.amounts[("row", str(r))] for r in range(len(counts))), Decimal(0)), all_refs)
    money.sum(("total",), [("row", str(r)) for r in range(len(counts))])
    money.sum(("total",), [("col", str(c)) for c in range(width)])
    return money


def test_a_single_pupils_repayment_is_hidden_and_so_is_a_figure_that_would_reveal_it() -> None:
    money: Disclosure[Key] = Disclosure()
    money.figure(("charges",), Decimal("148224.24"), pupils(52, "c"))
    money.figure(("repayment",), Decimal("-4421.50"), ["P-0042"])
    money.figure(("net",), Decimal("143802.74"), [*pupils(52, "c"), "P-0042"])
    # 148,224.24 - 4,421.50 = 143,802.74: with the net and the charges shown, the repayment is their difference.
    money.sum(("net",), [("charges",), ("repayment",)])
    hidden = money.hidden()
    assert ("repayment",) in hidden
    assert len(hidden) == 2
    assert fixed_by_the_sums(money, hidden) == set()


def test_money_of_no_pupil_or_of_five_is_shown() -> None:
    money: Disclosure[Key] = Disclosure()
    money.figure(("none",), Decimal("0.00"), [])
    money.figure(("five",), Decimal("500.00"), pupils(5, "f"))
    money.figure(("total",), Decimal("500.00"), pupils(5, "f"))
    money.sum(("total",), [("none",), ("five",)])
    assert money.hidden() == set()


def test_a_pupil_with_two_lines_counts_once() -> None:
    money: Disclosure[Key] = Disclosure()
    money.figure(("cell",), Decimal("900.00"), ["P-1", "p-1 ", "P-2", "P-3", "P-4", "P-4"])
    assert money.pupils[("cell",)] == 4
    assert money.hidden() == {("cell",)}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=7), min_size=width, max_size=width), min_size=1, max_size=4
        )
    )
)
def test_no_figure_of_fewer_than_five_pupils_can_be_worked_out_from_the_table(counts: list[list[int]]) -> None:
    money = table(counts)
    hidden = money.hidden()
    identifying = {key for key, count in money.pupils.items() if 1 <= count <= 4}
    assert identifying <= hidden
    assert fixed_by_the_sums(money, hidden) == set()


def test_every_small_table_brute_force() -> None:
    # Every 2 x 2 table of cells with 0, 1, 4 or 5 pupils: 4^4 = 256 tables.
    for values in itertools.product((0, 1, 4, 5), repeat=4):
        money = table([list(values[:2]), list(values[2:])])
        hidden = money.hidden()
        assert {key for key, count in money.pupils.items() if 1 <= count <= 4} <= hidden, values
        assert fixed_by_the_sums(money, hidden) == set(), values


def test_the_worked_example_hides_the_repayment_and_the_adjustments_and_shows_the_net() -> None:
    # funding-rules.md, "Privacy and equality": 96,233.53 - 4,421.50 = 91,812.03.
    money: Disclosure[Key] = Disclosure()
    money.figure(("adjustments",), Decimal("96233.53"), pupils(21, "a"))
    money.figure(("repayment",), Decimal("-4421.50"), ["R-1"])
    money.figure(("net",), Decimal("91812.03"), [*pupils(21, "a"), "R-1"])
    money.sum(("net",), [("adjustments",), ("repayment",)])
    assert money.hidden() == {("adjustments",), ("repayment",)}


def test_a_headline_total_is_kept_shown_when_other_figures_can_be_hidden_instead() -> None:
    def money(headline: bool) -> Disclosure[Key]:
        m: Disclosure[Key] = Disclosure()
        # p: 2 pupils' -300.00; y = u + v = 1,000.00 + 2,000.00 = 3,000.00; H = p + y = 2,700.00.
        m.figure(("p",), Decimal("-300.00"), pupils(2, "p"))
        m.figure(("u",), Decimal("1000.00"), pupils(25, "u"))
        m.figure(("v",), Decimal("2000.00"), pupils(25, "v"))
        m.figure(("y",), Decimal("3000.00"), [*pupils(25, "u"), *pupils(25, "v")])
        m.figure(("H",), Decimal("2700.00"), [*pupils(2, "p"), *pupils(25, "u"), *pupils(25, "v")], headline=headline)
        m.sum(("H",), [("p",), ("y",)])
        m.sum(("y",), [("u",), ("v",)])
        return m

    # p = H - y: hiding H alone protects it.
    assert money(False).hidden() == {("p",), ("H",)}
    # With H a headline, y goes instead, and then u (y = u + v would give y, so p, back).
    kept = money(True)
    assert kept.hidden() == {("p",), ("y",), ("u",)}
    assert fixed_by_the_sums(kept, kept.hidden()) == set()
