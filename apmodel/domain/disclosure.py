"""Money that could identify a pupil: which published sums to hide as ``[c]``.

Rule: funding-rules.md, "Privacy". A published money figure that belongs to fewer than five
pupils (a single reinstatement repayment of -4,421.50 identifies a pupil just as a count of 1
would) is primary-suppressed: 1 to 4 distinct pupils (by Pupil Ref). A figure of no pupil at
all (0.00 with no line behind it) is shown.

Published figures are tied together by sums a reader can redo: a table's rows add up to its
Total, a term's charges and credits to its net, the Summary's totals to the terms'. A hidden
figure that those sums pin down (the total minus the figures shown, or any chain of such
differences) is no better hidden, so secondary suppression hides more until none is:

1. every sum is written as an equation over the figures (``total - part - part ... = 0``);
   with the shown figures known, the hidden ones are the unknowns;
2. a hidden figure is *recoverable* when those equations fix its value: its unit vector lies
   in the equations' row space (Gaussian elimination, exact, over the integers modulo a large
   prime: the coefficients are 0 and 1, so no rounding);
3. while one is, a figure shown that sits in a sum with it is hidden too: of the smallest few
   (fewest pupils, then smallest amount), the one that leaves the fewest figures recoverable.
   A *headline* figure (``Disclosure.figure(..., headline=True)``: the Forum copy's recoupment
   totals) is hidden this way only when every other candidate is hidden already, so secondary
   suppression falls on the less important cells beside it. The order only chooses which figure
   is hidden next: the loop still ends only when nothing hidden is recoverable.

The figures and sums come from the caller (``Disclosure.figure`` and ``Disclosure.sum``), so the
rule knows nothing of tables: the Forum copy declares every money figure it publishes and
every sum between them (across its tables and the Dashboard), then hides ``hidden()``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from apmodel.domain.equality import LARGEST_SUPPRESSED
from apmodel.domain.money import ZERO

K = TypeVar("K", bound=Hashable)

#: How many of the smallest figures next to a recoverable one are tried as the next to hide.
CANDIDATES_TRIED = 12
#: The orders secondary suppression tries candidates in: smallest first, largest first, and sums' totals
#: (smallest first) before the figures they add up.
SMALLEST, LARGEST, TOTALS = "smallest", "largest", "totals"
_ORDERS = (SMALLEST, LARGEST, TOTALS)
#: Up to this many figures (a Forum copy without school totals has about 80) all three orders and pairs are
#: tried; beyond it (school totals published: over 1,000) only smallest first, one figure at a time, as the
#: wider search would take minutes.
WIDE_SEARCH_LIMIT = 300
#: A Mersenne prime: arithmetic modulo it is exact for the small integer systems here.
_PRIME = (1 << 61) - 1


def is_identifying(pupils: int) -> bool:
    """Money of 1 to 4 pupils may identify one (none at all is shown)."""
    return 1 <= pupils <= LARGEST_SUPPRESSED


@dataclass
class Disclosure(Generic[K]):
    """The money figures one publication shows, the pupils behind each, and the sums between them."""

    pupils: dict[K, int] = field(default_factory=dict)
    amounts: dict[K, Decimal] = field(default_factory=dict)
    #: Each sum as (total, parts): ``total = sum of parts``.
    sums: list[tuple[K, tuple[K, ...]]] = field(default_factory=list)
    #: Figures hidden by secondary suppression only when no other candidate is left.
    headline: set[K] = field(default_factory=set)

    def figure(self, key: K, amount: Decimal, pupils: Iterable[str], *, headline: bool = False) -> None:
        """Declare a published figure and the Pupil Refs whose lines make it up (``headline``: a total
        to keep shown if any other figure can be hidden instead)."""
        self.amounts[key] = amount
        self.pupils[key] = len({ref.strip().casefold() for ref in pupils})
        if headline:
            self.headline.add(key)

    def sum(self, total: K, parts: Sequence[K]) -> None:
        """Declare that ``total`` is the sum of ``parts`` (all declared figures)."""
        self.sums.append((total, tuple(parts)))

    def hidden(self) -> set[K]:
        """The figures to show as ``[c]``: primary, then secondary until none can be worked out.

        Secondary suppression is worked out twice (the next figure hidden being the smallest that
        serves, then the largest), each followed by showing again what turns out not to be needed;
        of the two, the one hiding the fewest headline figures, then the fewest figures, is taken.
        Both end only when nothing hidden is recoverable, so either is safe."""
        primary = {key for key, count in self.pupils.items() if is_identifying(count)}
        wide = len(self.amounts) <= WIDE_SEARCH_LIMIT
        orders = _ORDERS if wide else _ORDERS[:1]
        tries = [self._shown_again(self._greedy(primary, order, wide), primary) for order in orders]
        return min(tries, key=lambda hidden: (len(hidden & self.headline), len(hidden)))

    def _greedy(self, primary: set[K], order: str, pairs: bool = True) -> set[K]:
        hidden = set(primary)
        while True:
            found = recoverable(self.sums, hidden)
            if not found:
                return hidden
            extra = self._next_to_hide(found, hidden, order, pairs)
            if not extra:
                # Every figure tied to the recoverable ones is hidden already: hide all the sums' members.
                return hidden | {key for total, parts in self.sums for key in (total, *parts)}
            hidden.update(extra)

    def _shown_again(self, hidden: set[K], primary: set[K]) -> set[K]:
        """Secondary figures the greedy steps hid that turn out not to be needed: each in turn (headline
        figures first, then the most pupils and largest amount) is shown again if, with it shown, still
        nothing hidden is recoverable."""
        hidden = set(hidden)

        def order(key: K) -> tuple[bool, int, Decimal, str]:
            return (key not in self.headline, -self.pupils.get(key, 0), -abs(self.amounts.get(key, ZERO)), str(key))

        for key in sorted(hidden - primary, key=order):
            if not recoverable(self.sums, hidden - {key}):
                hidden.discard(key)
        return hidden

    def _next_to_hide(self, found: set[K], hidden: set[K], order: str = SMALLEST, pairs: bool = True) -> tuple[K, ...]:
        """The shown figure to hide next: of those in a sum with a recoverable one (else with any
        hidden one), headline figures only if nothing else is left, the one that leaves the fewest
        recoverable, then the fewest pupils, the smallest amount and the first key (``largest``: the
        most pupils and largest amount; ``CANDIDATES_TRIED`` of the smallest, or largest, are tried)."""
        candidates: set[K] = set()
        for near in (found, hidden):
            candidates = {
                key
                for total, parts in self.sums
                if near & {total, *parts}
                for key in (total, *parts)
                if key not in hidden
            }
            if candidates:
                break
        if not candidates:
            return ()
        candidates = {key for key in candidates if key not in self.headline} or candidates
        totals = {total for total, _parts in self.sums}
        if order == TOTALS:
            tried = sorted(candidates, key=lambda k: (k not in totals, self._size(k)))[:CANDIDATES_TRIED]
        else:
            tried = sorted(candidates, key=self._size, reverse=order == LARGEST)[:CANDIDATES_TRIED]
        rank = {key: i for i, key in enumerate(tried)}
        left = {key: len(recoverable(self.sums, hidden | {key})) for key in tried}
        best = min(tried, key=lambda k: (left[k], rank[k]))
        if left[best] < len(found) or not pairs:
            return (best,)
        together = [(a, b) for i, a in enumerate(tried) for b in tried[i + 1 :]]
        scored = [(len(recoverable(self.sums, hidden | {a, b})), rank[a] + rank[b], a, b) for a, b in together]
        fewest = min(scored, key=lambda x: (x[0], x[1]), default=None)
        if fewest is not None and fewest[0] < len(found):
            return (fewest[2], fewest[3])
        return (best,)

    def _size(self, key: K) -> tuple[bool, int, Decimal, str]:
        pupils = self.pupils.get(key, 0)
        return (pupils == 0, pupils, abs(self.amounts.get(key, Decimal(0))), str(key))


def recoverable(sums: Sequence[tuple[K, Sequence[K]]], hidden: set[K]) -> set[K]:
    """The hidden figures whose value the sums fix, the shown figures being known."""
    columns = {key: i for i, key in enumerate(sorted(hidden, key=str))}
    rows: list[dict[int, int]] = []
    for total, parts in sums:
        row: dict[int, int] = {}
        for key, sign in ((total, 1), *((part, -1) for part in parts)):
            if key in columns:
                col = columns[key]
                row[col] = (row.get(col, 0) + sign) % _PRIME
        row = {c: v for c, v in row.items() if v}
        if row:
            rows.append(row)
    pivots = _reduce(rows)
    keys = {i: key for key, i in columns.items()}
    return {keys[col] for col, row in pivots.items() if len(row) == 1}


def _reduce(rows: list[dict[int, int]]) -> dict[int, dict[int, int]]:
    """Reduced row echelon form (sparse rows, modulo the prime): pivot column -> its row."""
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = dict(row)
        for col in sorted(set(row) & set(pivots)):
            _eliminate(row, pivots[col], col)
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for other in pivots.values():
            if col in other:
                _eliminate(other, row, col)
        pivots[col] = row
    return pivots


def _eliminate(row: dict[int, int], pivot: dict[int, int], col: int) -> None:
    factor = row.get(col, 0)
    if not factor:
        return
    for c, v in pivot.items():
        value = (row.get(c, 0) - factor * v) % _PRIME
        if value:
            row[c] = value
        else:
            row.pop(c, None)
