"""The Forum copy's money figures about pupils, declared once with their pupils and sums.

Rule: funding-rules.md, "Privacy" (apmodel.domain.disclosure). Every money figure the Forum
copy publishes that is made of recoupment lines (Summary's recoupment totals, each cell of
RecoupmentByTerm, the Dashboard's recoupment chart, APOutcomes' and APOutcomesTotals' Recovered £
and, when school totals are published, SchoolRecoupment) is declared here with the Pupil Refs whose
lines make it up, and every sum a reader could redo between them: within a table (its rows to its
totals, which the copy prints in a totals table of their own: RecoupmentByTermTotals,
SchoolRecoupmentTotals, APOutcomesTotals) and across tables (the terms' net to Summary's net).
``ForumMoney.show`` gives each figure or ``[c]``; the tables read it, so the same figure is hidden wherever it appears.

Allocation figures (districts, schools, providers, scenarios) are funding formula results,
not money of pupils, and are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apmodel.domain.disclosure import Disclosure
from apmodel.domain.equality import SUPPRESSED
from apmodel.domain.money import ZERO
from apmodel.domain.outcomes import OutcomesResult
from apmodel.domain.recoupment import RecoupmentResult
from apmodel.domain.recoupment_lines import LineType, RecoupmentLine

Key = tuple[str, ...]

NO_TERM = "(no term)"
RECOVERABLE = "Recoverable"
NOT_RECOVERED = "Not recovered"
CHARGED, CREDITED, NET = "Charged", "Credited", "Net"
SUMMARY_CHARGED: Key = ("Summary", CHARGED)
SUMMARY_CREDITED: Key = ("Summary", CREDITED)
#: Summary's net recoupment, which is also RecoupmentByTermTotals' Recoverable £ and SchoolRecoupmentTotals' Net £.
SUMMARY_NET: Key = ("Summary", NET)
#: RecoupmentByTermTotals' Not Recovered £ (the key kept from when it was RecoupmentByTerm's Total row).
TERM_NOT_RECOVERED_TOTAL: Key = ("RecoupmentByTerm", "Total", NOT_RECOVERED)


def term_key(period: str, kind: str, column: str) -> Key:
    return ("RecoupmentByTerm", period, kind, column)


def chart_key(period: str, series: str) -> Key:
    return ("Chart", period, series)


def school_key(urn: int, column: str) -> Key:
    return ("School", str(urn), column)


def outcome_key(row: int) -> Key:
    """The Recovered £ of row ``row`` of the OutcomesResult (a provider's, printed in APOutcomes, or a tier's
    or all tiers' total, printed in APOutcomesTotals: the key kept from when the totals were APOutcomes' rows)."""
    return ("APOutcomes", str(row))


@dataclass(frozen=True)
class ForumMoney:
    disclosure: Disclosure[Key]
    hidden: frozenset[Key]

    def show(self, key: Key) -> Decimal | str:
        """The figure, or ``[c]`` where it could identify a pupil."""
        return SUPPRESSED if key in self.hidden else self.disclosure.amounts[key]


def _refs(lines: Iterable[RecoupmentLine]) -> list[str]:
    """The pupils whose lines carry money (a line of 0.00 makes up nothing)."""
    return [line.pupil_ref for line in lines if line.amount]


def _total(lines: Iterable[RecoupmentLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def term_rows(recoupment: RecoupmentResult) -> list[tuple[str, str]]:
    """RecoupmentByTerm's (period, line type) rows: those with a line, terms in calendar order then
    ``(no term)``, then any other period by name."""
    present = {(line.period or NO_TERM, line.type.value) for line in recoupment.lines}
    periods = [p.name for p in recoupment.calendar.periods] if recoupment.calendar is not None else []
    order = {name: i for i, name in enumerate([*periods, NO_TERM])}
    return sorted(present, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))


def _signs(
    cells: dict[tuple[str, str], tuple[list[RecoupmentLine], list[RecoupmentLine]]],
) -> dict[tuple[str, str], int | None]:
    """Each RecoupmentByTerm row's sign: 1 when its recoverable lines are all charges (or none), -1 all
    credits, None when it holds both (then it is part of neither total)."""
    signs: dict[tuple[str, str], int | None] = {}
    for cell, (settled, _other) in cells.items():
        positive = any(line.amount > 0 for line in settled)
        negative = any(line.amount < 0 for line in settled)
        signs[cell] = None if positive and negative else -1 if negative else 1
    return signs


def forum_money(
    recoupment: RecoupmentResult,
    outcomes: OutcomesResult,
    *,
    chart_periods: Sequence[str],
    schools: bool,
) -> ForumMoney:
    """Declare every published recoupment figure and sum, and work out which to hide."""
    money: Disclosure[Key] = Disclosure()
    recoverable = recoupment.recoverable
    charges = [line for line in recoverable if line.amount > 0]
    credits = [line for line in recoverable if line.amount < 0]
    money.figure(SUMMARY_CHARGED, _total(charges), _refs(charges), headline=True)
    money.figure(SUMMARY_CREDITED, _total(credits), _refs(credits), headline=True)
    money.figure(SUMMARY_NET, _total(recoverable), _refs(recoverable), headline=True)
    money.sum(SUMMARY_NET, [SUMMARY_CHARGED, SUMMARY_CREDITED])

    # RecoupmentByTerm: each (period, type) row's recoverable and not recovered money; its totals
    # (RecoupmentByTermTotals): Summary's net and every line not recovered.
    cells: dict[tuple[str, str], tuple[list[RecoupmentLine], list[RecoupmentLine]]] = {}
    for line in recoupment.lines:
        settled, other = cells.setdefault((line.period or NO_TERM, line.type.value), ([], []))
        (settled if line.settled else other).append(line)
    rows = term_rows(recoupment)
    for period, kind in rows:
        settled, other = cells[(period, kind)]
        money.figure(term_key(period, kind, RECOVERABLE), _total(settled), _refs(settled))
        money.figure(term_key(period, kind, NOT_RECOVERED), _total(other), _refs(other))
    not_recovered = [line for line in recoupment.lines if not line.settled]
    money.figure(TERM_NOT_RECOVERED_TOTAL, _total(not_recovered), _refs(not_recovered))
    money.sum(SUMMARY_NET, [term_key(p, k, RECOVERABLE) for p, k in rows])
    money.sum(TERM_NOT_RECOVERED_TOTAL, [term_key(p, k, NOT_RECOVERED) for p, k in rows])
    # A reader who takes each type's cell for all charges or all credits (its name says which) adds them up
    # to the charged and credited totals: where that holds, it is a sum too.
    signs = _signs(cells)
    if all(sign is not None for sign in signs.values()):
        for total, sign in ((SUMMARY_CHARGED, 1), (SUMMARY_CREDITED, -1)):
            money.sum(total, [term_key(p, k, RECOVERABLE) for p, k in rows if signs[(p, k)] == sign])

    # The Dashboard's recoupment chart: each term's charges, credits and net.
    for period in chart_periods:
        in_term = [line for line in recoverable if line.period == period]
        for series, lines in (
            (CHARGED, [x for x in in_term if x.amount > 0]),
            (CREDITED, [x for x in in_term if x.amount < 0]),
            (NET, in_term),
        ):
            money.figure(chart_key(period, series), _total(lines), _refs(lines))
        money.sum(chart_key(period, NET), [chart_key(period, CHARGED), chart_key(period, CREDITED)])
        money.sum(chart_key(period, NET), [term_key(p, k, RECOVERABLE) for p, k in rows if p == period])
        in_rows = [(p, k) for p, k in rows if p == period]
        if all(signs[cell] is not None for cell in in_rows):
            for series, sign in ((CHARGED, 1), (CREDITED, -1)):
                money.sum(chart_key(period, series), [term_key(*cell, RECOVERABLE) for cell in in_rows
                                                      if signs[cell] == sign])  # fmt: skip
    if chart_periods:
        for total, series in ((SUMMARY_CHARGED, CHARGED), (SUMMARY_CREDITED, CREDITED), (SUMMARY_NET, NET)):
            money.sum(total, [chart_key(period, series) for period in chart_periods])

    # SchoolRecoupment (only when school totals are published): each school's charges, credits, net.
    if schools:
        by_school: dict[int, list[RecoupmentLine]] = {}
        for line in recoverable:
            by_school.setdefault(line.urn, []).append(line)
        for urn, lines in by_school.items():
            for column, part in (
                (CHARGED, [x for x in lines if x.amount > 0]),
                (CREDITED, [x for x in lines if x.amount < 0]),
                (NET, lines),
            ):
                money.figure(school_key(urn, column), _total(part), _refs(part))
            money.sum(school_key(urn, NET), [school_key(urn, CHARGED), school_key(urn, CREDITED)])
        for total, column in ((SUMMARY_CHARGED, CHARGED), (SUMMARY_CREDITED, CREDITED), (SUMMARY_NET, NET)):
            money.sum(total, [school_key(urn, column) for urn in by_school])

    # APOutcomes' Recovered £: providers to their tier, tiers to all tiers (both in APOutcomesTotals), and
    # all tiers to the placement charges of RecoupmentByTerm where they are the same money.
    for i, row in enumerate(outcomes.rows):
        money.figure(outcome_key(i), row.recovered, row.recovered_from)
    for members, total_row in outcomes.groups():
        money.sum(outcome_key(total_row), [outcome_key(i) for i in members])
    if outcomes.rows:
        placement_cells = [term_key(p, k, RECOVERABLE) for p, k in rows if k == LineType.PLACEMENT_CHARGE.value]
        all_tiers = outcome_key(len(outcomes.rows) - 1)
        if money.amounts[all_tiers] == sum((money.amounts[key] for key in placement_cells), ZERO):
            money.sum(all_tiers, placement_cells)
    return ForumMoney(money, frozenset(money.hidden()))
