"""A recoupment line's workings in words and figures, so a headteacher can redo it by hand.

Rule: funding-rules.md, "Recoupment 1", "Recoupment 2". Each ``RecoupmentLine`` carries, beside
the regulation's letters, the facts its sum was worked from (``recoupment_lines.Workings``: the
dates counted, the provider and charge basis, days a week, weeks, the basic entitlement, where
A came from); ``workings_text`` writes the sum out for a school's pack, ending in the line's
amount:

- Daily: ``Oakfield PRU, daily rate, 3 Nov 2025 to 12 Dec 2025: £75.00 x 28 school days x 3/5
  days a week = £1,260.00``;
- Weekly: ``... £300.00 x 6 weeks (28 school days) x 3/5 days a week = £1,080.00``;
- Percent of AWPU: ``... 50% x basic entitlement £5,500.00 x 28 school days / 190 school days in
  the year = £405.26``;
- exclusion adjustment: ``A £5,500.00 (PupilRates KS3) x B 21 complete weeks (149 days, 3 Nov
  2025 to 31 Mar 2026) / 52 = £2,221.15, + C £0.00 = £2,221.15``;
- pupil premium: ``A £1,050.00 (...) x B 21 complete weeks (...) / 52 = £424.04``;
- admitting credit and reinstatement repayment: ``D £2,221.15 x E 10 complete weeks (...) / F 21
  weeks = £1,057.69, credited to the school: -£1,057.69``.

The amount is the line's (rounded half up to the penny from the unrounded sum); D is shown to
the penny, the credit being worked from D before rounding.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apmodel.domain.recoupment_lines import LineStatus, LineType, RecoupmentLine, Workings
from apmodel.domain.trace import fmt_money, fmt_number, fmt_percent

#: How each charge basis is named in the workings.
BASIS_WORDS = {"Daily": "daily rate", "Weekly": "weekly rate", "Percent of AWPU": "percent of AWPU"}


#: ``£1,234.56``, or ``-£1,234.56`` for a negative amount: as the trace writes money.
pounds = fmt_money


def day(value: date) -> str:
    """``3 Nov 2025`` (portable: ``%-d`` is not available on Windows)."""
    return f"{value.day} {value:%b %Y}"


def _span(w: Workings) -> str:
    if w.start is None or w.end is None:
        return ""
    return f"{day(w.start)} to {day(w.end)}"


def _placement(line: RecoupmentLine, w: Workings) -> str:
    head = ", ".join(part for part in (w.provider, BASIS_WORDS.get(w.basis, w.basis), _span(w)) if part)
    rate = line.rate if line.rate is not None else Decimal(0)
    days = line.days or 0
    per_week = f"{fmt_number(w.days_per_week)}/5 days a week" if w.days_per_week is not None else ""
    if w.basis == "Weekly":
        weeks = w.weeks or 0
        sum_text = f"{pounds(rate)} x {weeks} week{'s' * (weeks != 1)} ({days} school days) x {per_week}"
    elif w.basis == "Percent of AWPU":
        share = fmt_percent(w.share) if w.share is not None else "?"
        entitlement = pounds(w.basic_entitlement) if w.basic_entitlement is not None else "?"
        sum_text = (
            f"{share} x basic entitlement {entitlement} x {days} school days / {w.year_days} school days in the year"
        )
    else:
        sum_text = f"{pounds(rate)} x {days} school days x {per_week}"
    return f"{head}: {sum_text} = {pounds(line.amount)}"


def _weeks(letter: str, weeks: int | None, days: int | None, w: Workings) -> str:
    counted = f"{letter} {weeks} complete week{'s' * (weeks != 1)}"
    detail = ", ".join(part for part in (f"{days} days" if days is not None else "", _span(w)) if part)
    if w.phase_change:
        detail += ", to the school year end at the change of phase"
    return f"{counted} ({detail})" if detail else counted


def workings_text(line: RecoupmentLine) -> str:
    """The line's sum in words and figures (module docstring), or why there is none."""
    w = line.workings or Workings()
    if line.status is LineStatus.OUT_OF_YEAR:
        when = f" ({day(w.start)})" if w.start is not None else ""
        return f"The dates{when} are outside the financial year: no charge this year."
    source = f" ({w.source})" if w.source else ""
    a = pounds(line.a) if line.a is not None else "?"
    if line.type is LineType.PLACEMENT_CHARGE:
        return _placement(line, w)
    if line.type is LineType.EXCLUSION_ADJUSTMENT:
        c = line.c if line.c is not None else Decimal(0)
        d = pounds(line.d) if line.d is not None else "?"
        return (
            f"A {a}{source} x {_weeks('B', line.b, line.days, w)} / 52 = {d}, + C {pounds(c)} = {pounds(line.amount)}"
        )
    if line.type is LineType.PUPIL_PREMIUM:
        return f"Pupil premium A {a}{source} x {_weeks('B', line.b, line.days, w)} / 52 = {pounds(line.amount)}"
    d = pounds(line.d) if line.d is not None else "?"
    return (
        f"D {d}{source} x {_weeks('E', line.e, line.days, w)} / F {line.f} weeks = {pounds(-line.amount)}, "
        f"credited to the school: {pounds(line.amount)}"
    )
