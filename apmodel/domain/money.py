"""Exact money: pounds and pence as Decimal, rounding half up, shares that conserve the pot.

Rule (docs/funding-rules.md, "Money"): round to the penny, half up, at the last step of each
published figure; where a pot is shared, the shares add up to the pot exactly, the rounding
pennies going by largest remainder, ties to the earlier item (the caller orders items by
URN or row).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
#: Precision for intermediate arithmetic: far beyond any county budget's digits.
WIDE = Context(prec=50)


def money(value: Decimal | int | str) -> Decimal:
    """Round to the penny, half up."""
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def to_pence(value: Decimal) -> int:
    """Whole pence of an amount already rounded to the penny (or round it first)."""
    return int(money(value) * 100)


def from_pence(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(PENNY)


def share_pot(pot: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share ``pot`` (rounded to the penny) pro rata to ``weights``, conserving it exactly.

    Each share is floored to the penny and the pennies left over go one each to the largest
    fractional remainders, ties to the earlier item. Works for negative pots too (a
    budget-neutral scale-back). All-zero weights give all-zero shares: the caller decides
    whether an unshared pot is an error.
    """
    total_pence = to_pence(pot)
    total_weight = sum(weights, Decimal(0))
    if not weights or total_weight == 0:
        return [ZERO for _ in weights]
    with localcontext(WIDE):
        quotas = [Decimal(total_pence) * w / total_weight for w in weights]
        floors = [int(q.to_integral_value(rounding=ROUND_FLOOR)) for q in quotas]
        remainders = [q - f for q, f in zip(quotas, floors, strict=True)]
    left_over = total_pence - sum(floors)
    # Largest remainder first; Python's sort is stable so ties keep the earlier item first.
    order = sorted(range(len(weights)), key=lambda i: remainders[i], reverse=True)
    for i in order[:left_over]:
        floors[i] += 1
    return [from_pence(p) for p in floors]


def share_weights(pot: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``weight x pot`` for each weight as typed, conserving ``pot x total weight`` exactly.

    ``pot x total weight`` is rounded to the penny (so weights of 100% share exactly the pot)
    and shared with ``share_pot`` pro rata to the weights; a total weight of zero gives zeros.
    """
    total_weight = sum(weights, Decimal(0))
    with localcontext(WIDE):
        shared = money(pot * total_weight)
    return share_pot(shared, weights)


def exact(value: Decimal) -> Decimal:
    """``+value`` in the ``WIDE`` context, for an unrounded intermediate (traces and products).

    It does not widen anything: ``value`` was already computed by the caller, in the caller's
    context. So it returns ``value`` unchanged, except that a negative zero becomes zero (and a
    value of more than 50 digits would be rounded to 50).
    """
    # WIDE.plus(value) is what ``with localcontext(WIDE): +value`` would give, without copying and
    # swapping the context on every call.
    return WIDE.plus(value)
