"""One meaning for every percentage cell (docs/funding-rules.md, "Percentages").

Weights, Devolved Share, the protection floor and cap, the VAT rate, redress rates and
``Percent of AWPU`` charge rates are all read by one rule: "10", "10%" and 0.10 all mean 10%.
Text ending in % is that many per cent (the workbook reader turns it into a fraction); a bare
number of more than 1 in size is per cent too (10 is 10%, -2 is -2%); a number of 1 or less
in size is already a fraction, as Excel stores a cell formatted as % (0.1 is 10%, 1 is 100%).
A percentage that would take more than 100% of anything is an Error (``PERCENT_OVER_100``).
"""

from __future__ import annotations

from decimal import Decimal

#: 100% as a fraction.
WHOLE = Decimal(1)
_PER_CENT = Decimal(100)


def percent(number: Decimal) -> Decimal:
    """A percentage typed as a bare number, as a fraction (10 -> 0.10; 0.10 -> 0.10; 1 -> 1, i.e. 100%)."""
    return number / _PER_CENT if abs(number) > WHOLE else number


def takes_more_than_all(fraction: Decimal) -> bool:
    """Whether a rate that takes a share of something would take more than 100% of it."""
    return abs(fraction) > WHOLE
