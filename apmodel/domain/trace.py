"""The calculation trace: enough to recompute any published figure by hand.

Every rule module appends ``TraceLine`` rows as it computes; they are published in the
``Trace`` table (Figure, then whose figure it is field by field, Formula, Inputs, and the value
in ``Value £`` when it is money, else in ``Value``: see ``TraceUnit``). Packs
read the same lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache


class TraceUnit(StrEnum):
    """What a traced value measures: the Trace table shows money as £ and anything else as a number."""

    MONEY = "money"
    #: A ratio or multiplier (the unit-rate scaling).
    RATE = "rate"
    COUNT = "count"
    DAYS = "days"
    WEEKS = "weeks"


@dataclass(frozen=True)
class TraceLine:
    """One traced figure: what it is, whose it is (in typed fields), the rule and what went in.

    Whose figure it is is held field by field (``urn``, ``school``, ``district``, ``provider``,
    ``line_id``, ``period``, ``subject``) so a reader (the Trace sheet, a school's pack) picks
    out a school's or a line's figures without parsing text; ``entity`` joins them as the Trace
    table's Entity column shows them.
    """

    #: What the figure is, in the published table's words ("District allocation").
    figure: str
    #: The rule as arithmetic ("Lump Sum + sum of weight x pot x value / total value").
    formula: str
    #: The numbers that went in, readable ("pot = 18,250,000.00; weight = 40%; ...").
    inputs: str
    value: Decimal | str
    #: The school's URN, for a school's figure or a recoupment line.
    urn: int | None = None
    #: The school's name (with ``urn``).
    school: str = ""
    #: The district the figure belongs to (a district's figure, or a school's district).
    district: str = ""
    #: ``<Provider ID> <Name>`` for a provider's figure.
    provider: str = ""
    #: The Recoupment line's Line ID, for a recoupment line.
    line_id: str = ""
    #: The billing period (term), for a settlement figure.
    period: str = ""
    #: What within the entity: a factor, a redress rule, or the LA for a county figure.
    subject: str = ""
    #: What ``value`` measures; every traced figure is money unless its rule says otherwise.
    unit: TraceUnit = TraceUnit.MONEY

    @property
    def entity(self) -> str:
        """Whose figure it is, as the Trace table's Entity column shows it.

        ``EX-0007/A URN 118234`` (a line), ``URN 118234 Oakwood Primary`` (a school; ``: <subject>``
        or ``, <period>`` after it), ``Swale: P01 Swale PRU`` (a district's provider), ``P01 Swale PRU``,
        ``Swale: Deprivation`` (a district's subject), ``Swale``, or the subject alone.
        """
        if self.line_id:
            return f"{self.line_id} URN {self.urn}"
        if self.urn is not None:
            text = f"URN {self.urn} {self.school}"
            if self.subject:
                return f"{text}: {self.subject}"
            return f"{text}, {self.period}" if self.period else text
        if self.provider:
            return f"{self.district}: {self.provider}" if self.district else self.provider
        if self.district:
            return f"{self.district}: {self.subject}" if self.subject else self.district
        return self.subject


def fmt_money(value: Decimal) -> str:
    """``£1,234.56`` (negative as ``-£1,234.56``) for trace inputs and a pack's workings."""
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


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
