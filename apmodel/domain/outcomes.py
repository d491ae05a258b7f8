"""AP outcomes per DfE tier and provider: placements, weeks, over-runs, reintegration, money recovered.

Rules: docs/forum-workbook.md, "APOutcomes"; docs/funding-rules.md, "Recoupment 2" (open placements and
Planned Weeks) and "Context" (the DfE's three tiers: tier 2 placements aim to return the pupil
to school, so the reintegration rate is the measure the Forum asks about).

- Placements counted are those with a day in the financial year.
- Weeks are school weeks in the year: calendar weeks holding at least one of the placement's
  school days (Terms less ClosureDays). A placement with no End Date runs to the end of the
  last term, as the charges assume. "Over Planned Weeks" compares Planned Weeks with the weeks
  run from the placement's real start (``SchoolCalendar.weeks_run``: a start before 1 April adds
  its weeks before the year), as the PLACEMENT_OVER_PLANNED_WEEKS warning does, so it is the
  number of placements with that warning.
- Ended placements have an End Date on or before 31 March; the reintegration rate is those
  with Outcome "Returned to mainstream" over all ended placements.
- Money recovered is the sum of the Recoverable placement-charge lines of the placements (the
  statutory exclusion adjustment belongs to no tier and is in Summary's totals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from apmodel.domain.calendar import SchoolCalendar
from apmodel.domain.inputs import ModelInputs, Placement, normalise
from apmodel.domain.money import ZERO
from apmodel.domain.recoupment_lines import LineStatus, LineType, RecoupmentLine

TIERS = (1, 2, 3)
RETURNED = "Returned to mainstream"
WEEK_PLACES = Decimal("0.1")
RATE_PLACES = Decimal("0.0001")
UNKNOWN_PROVIDER = "(not in Providers)"
_RETURNED_KEY = normalise(RETURNED)


class _Measured(NamedTuple):
    """One placement as counted (a NamedTuple: immutable, and cheap to build once per placement)."""

    placement: Placement
    weeks: int
    ended: bool
    returned: bool
    over_planned: bool
    recovered: Decimal


@dataclass(frozen=True)
class OutcomeRow:
    """One provider in one tier; ``provider_id`` None is the tier's total, ``tier`` None all tiers."""

    tier: int | None
    provider_id: str | None
    provider_name: str
    placements: int
    ended: int
    returned: int
    over_planned: int
    total_weeks: int
    longest_weeks: int | None
    recovered: Decimal
    #: The Pupil Refs whose placement charges make up ``recovered`` (for the Forum copy's suppression).
    recovered_from: frozenset[str] = frozenset()

    @property
    def average_weeks(self) -> Decimal | None:
        if not self.placements:
            return None
        return (Decimal(self.total_weeks) / self.placements).quantize(WEEK_PLACES, ROUND_HALF_UP)

    @property
    def reintegration_rate(self) -> Decimal | None:
        """Returned to mainstream / ended, as a fraction to four places; None with none ended."""
        if not self.ended:
            return None
        return (Decimal(self.returned) / self.ended).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class OutcomesResult:
    """Rows per tier: its providers (by Provider ID), then the tier total; the all-tiers row last."""

    rows: tuple[OutcomeRow, ...]

    def groups(self) -> list[tuple[list[int], int]]:
        """(member row indices, total row index): all tiers first, then each tier's providers."""
        if not self.rows:
            return []
        tier_totals = [i for i, r in enumerate(self.rows) if r.tier is not None and r.provider_id is None]
        groups: list[tuple[list[int], int]] = [(tier_totals, len(self.rows) - 1)]
        for total in tier_totals:
            tier = self.rows[total].tier
            members = [i for i, r in enumerate(self.rows) if r.tier == tier and r.provider_id is not None]
            groups.append((members, total))
        return groups


def _row(tier: int | None, provider_id: str | None, name: str, measured: Sequence[_Measured]) -> OutcomeRow:
    weeks = [m.weeks for m in measured]
    return OutcomeRow(
        tier=tier,
        provider_id=provider_id,
        provider_name=name,
        placements=len(measured),
        ended=sum(m.ended for m in measured),
        returned=sum(m.returned for m in measured),
        over_planned=sum(m.over_planned for m in measured),
        total_weeks=sum(weeks),
        longest_weeks=max(weeks) if weeks else None,
        recovered=sum((m.recovered for m in measured), ZERO),
        recovered_from=frozenset(normalise(m.placement.pupil_ref) for m in measured if m.recovered),
    )


def ap_outcomes(
    inputs: ModelInputs, calendar: SchoolCalendar | None, lines: Sequence[RecoupmentLine]
) -> OutcomesResult:
    """The year's placements measured and summed per tier and provider (empty without a calendar)."""
    if calendar is None:
        return OutcomesResult(())
    year = calendar.year
    recovered: dict[str, Decimal] = {}
    for line in lines:
        if line.type is LineType.PLACEMENT_CHARGE and line.status is LineStatus.RECOVERABLE:
            key = normalise(line.source_id)
            recovered[key] = recovered.get(key, ZERO) + line.amount
    names = {normalise(p.provider_id): p.name for p in inputs.providers}
    measured: list[_Measured] = []
    for placement in inputs.placements:
        end = calendar.placement_end(placement.end)
        if placement.start > year.end or end < year.start:
            continue
        # An End Date before the Start Date has no span: counted, with no weeks.
        weeks = calendar.school_weeks(calendar.placement_span(placement.start, end))
        ended = placement.end is not None and placement.end <= year.end
        measured.append(
            _Measured(
                placement=placement,
                weeks=weeks,
                ended=ended,
                returned=ended and normalise(placement.outcome) == _RETURNED_KEY,
                over_planned=placement.over_planned(calendar.weeks_run(placement.start, end)),
                recovered=recovered.get(normalise(placement.placement_id), ZERO),
            )
        )
    rows: list[OutcomeRow] = []
    for tier in TIERS:
        in_tier = [m for m in measured if m.placement.tier == tier]
        by_provider: dict[str, list[_Measured]] = {}
        shown: dict[str, str] = {}
        for m in in_tier:
            key = normalise(m.placement.provider_id)
            by_provider.setdefault(key, []).append(m)
            shown.setdefault(key, m.placement.provider_id)
        for key in sorted(by_provider, key=lambda k: shown[k].casefold()):
            rows.append(_row(tier, shown[key], names.get(key, UNKNOWN_PROVIDER), by_provider[key]))
        rows.append(_row(tier, None, "All providers", in_tier))
    rows.append(_row(None, None, "All providers", [m for m in measured if m.placement.tier in TIERS]))
    return OutcomesResult(tuple(rows))
