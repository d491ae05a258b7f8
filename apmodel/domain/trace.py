"""The calculation trace: enough to recompute any published figure by hand.

Every rule module appends ``TraceLine`` rows as it computes; they are published in the
``Trace`` table (Figure, Entity, Formula, Inputs, Value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class TraceLine:
    #: What the figure is, in the published table's words ("District allocation").
    figure: str
    #: Whose figure it is ("Swale", "URN 118234 Oakwood Primary", "EX-0007").
    entity: str
    #: The rule as arithmetic ("Lump Sum + sum of weight x pot x value / total value").
    formula: str
    #: The numbers that went in, readable ("pot = 18,250,000.00; weight = 40%; ...").
    inputs: str
    value: Decimal | str


def fmt_money(value: Decimal) -> str:
    """``1,234.56`` (negative as ``-1,234.56``) for trace inputs."""
    return f"{value:,.2f}"


def fmt_number(value: Decimal) -> str:
    """A count or rate without float noise: ``1,234`` or ``12.5``."""
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_percent(value: Decimal) -> str:
    return f"{fmt_number(value * 100)}%"


@lru_cache(maxsize=4096)
def fmt_date(day: date) -> str:
    """``03 Nov 2025``: the date as trace inputs and messages show it.

    Cached: strftime is slow and the same few hundred dates (term days, placement starts)
    come up again on every charge line.
    """
    return f"{day:%d %b %Y}"
