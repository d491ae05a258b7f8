"""Equality analysis: placements and exclusions by year group, sex, ethnicity, SEN status and tier.

Rules: docs/funding-rules.md, "Privacy" (equality tables suppress counts from 1 to 4 as ``[c]``)
and docs/forum-workbook.md, "EqualityAnalysis". Counts are of placements and exclusions, not of
pupils (a pupil with two placements counts twice), as the DfE counts exclusions.

- Placements counted are those with a day in the financial year; exclusions those whose
  Exclusion Date is in the year. Without Settings there is no year and everything counts.
- The Exclusions table holds no sex, ethnicity or SEN status, so an exclusion takes them from
  the same pupil's placement (by Pupil Ref; the "Permanent exclusion" placement first, else the
  earliest). With no placement they are "Not recorded".
- A group's rate is per 1,000 pupils OF THAT GROUP on roll (Equality Act 2010 s149: a rate
  per group shows over- or under-representation, a share of the whole roll cannot): Boys and
  Girls for Male and Female, EHCP Pupils and SEN Support Pupils for EHCP and SEN support, and
  No SEN as Pupils - EHCP Pupils - SEN Support Pupils (``ROLL_COLUMNS``). A column's roll is
  known only when every school gives a figure (a blank at one school would understate the roll
  and overstate the rate); otherwise, and for groups the workbook holds no roll of (year group,
  ethnicity, Not recorded), the roll is None (published ``[x]``). Tiers are kinds of provision,
  not groups of pupils: their rate is per 1,000 of the whole roll (``Pupils``), and so is the
  Total's.

Statistical disclosure control (``suppress_group``), with the DfE's ``[c]`` ("confidential")
symbol of its published statistics: every count from 1 to 4 is primary-suppressed. The categories of one breakdown add
up to the breakdown's total, and that total is treated as public (it is, in every breakdown and
in APOutcomes), so a single hidden count would be its total minus the others. So:

1. if exactly one count of a group is hidden, or the hidden counts are all 1s or all 4s (a
   reader who knows hidden counts are 1 to 4 could pin those down from their sum), the
   next-smallest non-zero count of the group is hidden too, and every count equal to it (so
   that a reader who knows this rule cannot tell which of two equal counts was chosen);
2. if the group has no non-zero count left to hide, all its remaining zeros are hidden instead.

Whichever cells are hidden, swapping the value of a 1-to-4 count with that of a secondary
count gives a table this rule hides in exactly the same way, so even a reader who knows the
rule and every total is left with at least two possible values for each hidden count. The
unit tests check this by brute force over every small table.

Zeros are otherwise shown. So that no group has a single category, every breakdown lists
"Not recorded", Sex lists Female and Male and SEN status its three values even at 0, and Tier
always lists its three tiers (with "Not recorded" only if a placement has no tier).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

from apmodel.domain.inputs import ModelInputs, Placement, Reason, normalise

#: What a suppressed figure shows (the DfE's symbol for "confidential").
SUPPRESSED = "[c]"
#: Counts from 1 to this are never shown.
LARGEST_SUPPRESSED = 4
NOT_RECORDED = "Not recorded"
RATE_PLACES = Decimal("0.01")
PER = Decimal(1000)
#: The Schools column giving pupils on roll (the whole roll: Total's and tiers' denominator).
PUPILS_COLUMN = "Pupils"
BOYS_COLUMN, GIRLS_COLUMN = "Boys", "Girls"
EHCP_COLUMN, SEN_SUPPORT_COLUMN = "EHCP Pupils", "SEN Support Pupils"
#: Every Schools column the equality analysis reads (optional: a missing one gives ``[x]``).
ROLL_COLUMNS = (PUPILS_COLUMN, BOYS_COLUMN, GIRLS_COLUMN, EHCP_COLUMN, SEN_SUPPORT_COLUMN)


def is_primary(count: int) -> bool:
    """A count that may identify a pupil: 1 to 4 (0 is shown)."""
    return 1 <= count <= LARGEST_SUPPRESSED


def _secondary(counts: Sequence[int], hidden: set[int]) -> set[int]:
    """The next-smallest non-zero count and every count equal to it; failing those, every zero."""
    rest = [i for i in range(len(counts)) if i not in hidden]
    non_zero = [i for i in rest if counts[i] > 0]
    if not non_zero:
        return set(rest)
    smallest = min(counts[i] for i in non_zero)
    return {i for i in non_zero if counts[i] == smallest}


def suppress_group(counts: Sequence[int]) -> frozenset[int]:
    """The indices of the counts to hide in one group whose total is public (module docstring)."""
    hidden = {i for i, count in enumerate(counts) if is_primary(count)}
    if not hidden:
        return frozenset()
    hidden_sum = sum(counts[i] for i in hidden)
    if len(hidden) == 1 or hidden_sum in (len(hidden), LARGEST_SUPPRESSED * len(hidden)):
        hidden |= _secondary(counts, hidden)
    return frozenset(hidden)


def suppress_hierarchy(counts: Sequence[int], groups: Sequence[tuple[Sequence[int], int]]) -> set[int]:
    """Hidden indices of ``counts`` over groups ``(member indices, total index)``, highest group first.

    For tables where a group's total is itself a member of a higher group (providers within a
    tier, tiers within all tiers). Each group is protected by ``suppress_group`` as if its total
    were public; but where its total is hidden (a 1 to 4 count, or hidden to protect another
    tier), all its members are hidden: otherwise they would add up to the total again, and
    hiding only some lets a reader who knows the rule narrow the total to one value.
    The grand total (the last group's total) is treated as public even when shown as [c].
    """
    hidden: set[int] = set()
    for members, total in groups:
        if is_primary(counts[total]):
            hidden.add(total)
        member_counts = [counts[m] for m in members]
        chosen = set(range(len(members))) if total in hidden else set(suppress_group(member_counts))
        hidden.update(members[i] for i in chosen)
    return hidden


class Measure(StrEnum):
    PLACEMENTS = "Placements"
    EXCLUSIONS = "Exclusions"


class Breakdown(StrEnum):
    YEAR_GROUP = "Year group"
    SEX = "Sex"
    ETHNICITY = "Ethnicity"
    SEN_STATUS = "SEN status"
    TIER = "Tier"


EHCP = "EHCP"
SEN_SUPPORT = "SEN support"
NO_SEN = "No SEN"
FEMALE, MALE = "Female", "Male"
_SEX_WORDS = {"f": FEMALE, "female": FEMALE, "girl": FEMALE, "m": MALE, "male": MALE, "boy": MALE}


@dataclass(frozen=True)
class GroupCount:
    group: str
    count: int
    hidden: bool
    #: Pupils on roll the rate is per: the group's own (the whole roll for a tier); None when unknown.
    roll: Decimal | None = None


@dataclass(frozen=True)
class BreakdownCounts:
    """One breakdown of one measure: its groups (in published order) and their total."""

    measure: Measure
    breakdown: Breakdown
    groups: tuple[GroupCount, ...]
    total: int

    @property
    def total_hidden(self) -> bool:
        return is_primary(self.total)

    @property
    def of_pupils(self) -> bool:
        """Whether the groups are groups of pupils (with a share of the roll): all but tiers."""
        return self.breakdown is not Breakdown.TIER


def rate(count: int, roll: Decimal | None) -> Decimal | None:
    """Per 1,000 of ``roll``, to two decimal places (half up); None when the roll is unknown or 0."""
    if not roll:
        return None
    return (Decimal(count) * PER / roll).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class EqualityResult:
    #: Pupils on roll (sum of the Schools Pupils column); None when unknown.
    pupils_on_roll: Decimal | None
    breakdowns: tuple[BreakdownCounts, ...]

    def rate(self, count: int) -> Decimal | None:
        """Per 1,000 pupils on the whole roll, to two decimal places (half up)."""
        return rate(count, self.pupils_on_roll)


class _Record(NamedTuple):
    """What is counted of one placement or exclusion (a NamedTuple: immutable, and cheap to build per row)."""

    year_group: int | None
    sex: str
    ethnicity: str
    sen_status: str
    tier: int | None


def year_group_label(year_group: int | None) -> str:
    if year_group is None:
        return NOT_RECORDED
    return "Reception" if year_group == 0 else f"Year {year_group}"


def sex_label(text: str) -> str:
    text = text.strip()
    if not text:
        return NOT_RECORDED
    return _SEX_WORDS.get(text.casefold(), text)


def sen_status(placement: Placement) -> str:
    if placement.ehcp:
        return EHCP
    return SEN_SUPPORT if placement.sen_support else NO_SEN


def _in_year_placements(inputs: ModelInputs) -> list[Placement]:
    if inputs.settings is None:
        return list(inputs.placements)
    year = inputs.settings.financial_year
    return [p for p in inputs.placements if p.start <= year.end and (p.end is None or p.end >= year.start)]


def _placement_record(placement: Placement) -> _Record:
    return _Record(
        placement.year_group,
        sex_label(placement.sex),
        placement.ethnicity.strip() or NOT_RECORDED,
        sen_status(placement),
        placement.tier,
    )


def _pupil_placements(placements: Iterable[Placement]) -> dict[str, Placement]:
    """Each pupil's placement that describes them: their permanent-exclusion one, else the earliest."""
    chosen: dict[str, Placement] = {}
    for placement in placements:
        key = normalise(placement.pupil_ref)
        best = chosen.get(key)
        rank = (placement.reason is not Reason.PERMANENT_EXCLUSION, placement.start, placement.row)
        if best is None or rank < (best.reason is not Reason.PERMANENT_EXCLUSION, best.start, best.row):
            chosen[key] = placement
    return chosen


def _exclusion_records(inputs: ModelInputs) -> list[_Record]:
    described = _pupil_placements(inputs.placements)
    year = inputs.settings.financial_year if inputs.settings is not None else None
    records: list[_Record] = []
    for exclusion in inputs.exclusions:
        if year is not None and not year.contains(exclusion.exclusion_date):
            continue
        placement = described.get(normalise(exclusion.pupil_ref))
        if placement is None:
            records.append(_Record(exclusion.year_group, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, None))
        else:
            records.append(
                _Record(
                    exclusion.year_group,
                    sex_label(placement.sex),
                    placement.ethnicity.strip() or NOT_RECORDED,
                    sen_status(placement),
                    None,
                )
            )
    return records


def _ordered(
    counts: dict[str, int], fixed: Sequence[str], key_order: dict[str, tuple[int, str]] | None = None
) -> list[str]:
    """The fixed categories first, then the others seen (alphabetically), then Not recorded."""
    seen = [g for g in counts if g not in fixed and g != NOT_RECORDED]
    seen.sort(key=lambda g: key_order[g] if key_order is not None else (0, g.casefold()))
    return [*fixed, *seen, NOT_RECORDED]


def _breakdown(
    measure: Measure, breakdown: Breakdown, records: Sequence[_Record], rolls: dict[tuple[Breakdown, str], Decimal]
) -> BreakdownCounts:
    order: dict[str, tuple[int, str]] = {}
    spelling: dict[str, str] = {}
    # Each record's label, the breakdown decided once for all the records.
    if breakdown is Breakdown.YEAR_GROUP:
        labels_seen = [year_group_label(record.year_group) for record in records]
        for record, label in zip(records, labels_seen, strict=True):
            order[label] = (record.year_group if record.year_group is not None else 99, label)
    elif breakdown is Breakdown.SEX:
        labels_seen = [record.sex for record in records]
    elif breakdown is Breakdown.ETHNICITY:
        # Group spellings that differ only in case or spacing under the first one seen.
        labels_seen = [spelling.setdefault(normalise(record.ethnicity), record.ethnicity) for record in records]
    elif breakdown is Breakdown.SEN_STATUS:
        labels_seen = [record.sen_status for record in records]
    else:
        labels_seen = [str(record.tier) if record.tier is not None else NOT_RECORDED for record in records]
    # Counter keeps the labels in the order first seen, as counting them one by one would.
    counts: dict[str, int] = Counter(labels_seen)
    fixed: tuple[str, ...] = ()
    if breakdown is Breakdown.SEX:
        fixed = (FEMALE, MALE)
    elif breakdown is Breakdown.SEN_STATUS:
        fixed = (EHCP, SEN_SUPPORT, NO_SEN)
    elif breakdown is Breakdown.TIER:
        fixed = ("1", "2", "3")
    labels = _ordered(counts, fixed, order if breakdown is Breakdown.YEAR_GROUP else None)
    if breakdown is Breakdown.TIER and not counts.get(NOT_RECORDED):
        labels.remove(NOT_RECORDED)  # every placement has a tier: three groups suffice
    values = [counts.get(label, 0) for label in labels]
    hidden = suppress_group(values)
    groups = tuple(
        GroupCount(label, value, i in hidden, rolls.get((breakdown, label)))
        for i, (label, value) in enumerate(zip(labels, values, strict=True))
    )
    return BreakdownCounts(measure, breakdown, groups, len(records))


def roll(inputs: ModelInputs, column: str) -> Decimal | None:
    """The county's pupils in one Schools column: None unless every school gives a figure."""
    key = normalise(column)
    if not inputs.schools or any(key not in school.values for school in inputs.schools):
        return None
    return sum((school.values[key] for school in inputs.schools), Decimal(0))


def pupils_on_roll(inputs: ModelInputs) -> Decimal | None:
    total = roll(inputs, PUPILS_COLUMN)
    return total if total else None


def group_rolls(inputs: ModelInputs) -> dict[tuple[Breakdown, str], Decimal]:
    """Each group's pupils on roll where the Schools table gives it (module docstring)."""
    whole = pupils_on_roll(inputs)
    known = {
        (Breakdown.SEX, MALE): roll(inputs, BOYS_COLUMN),
        (Breakdown.SEX, FEMALE): roll(inputs, GIRLS_COLUMN),
        (Breakdown.SEN_STATUS, EHCP): roll(inputs, EHCP_COLUMN),
        (Breakdown.SEN_STATUS, SEN_SUPPORT): roll(inputs, SEN_SUPPORT_COLUMN),
    }
    ehcp, support = known[Breakdown.SEN_STATUS, EHCP], known[Breakdown.SEN_STATUS, SEN_SUPPORT]
    if whole is not None and ehcp is not None and support is not None and whole - ehcp - support >= 0:
        known[Breakdown.SEN_STATUS, NO_SEN] = whole - ehcp - support
    if whole is not None:
        known |= {(Breakdown.TIER, tier): whole for tier in ("1", "2", "3", NOT_RECORDED)}
    return {group: value for group, value in known.items() if value is not None}


def analyse_equality(inputs: ModelInputs) -> EqualityResult:
    """Counts of the year's placements and exclusions by each characteristic, suppressed."""
    placements = [_placement_record(p) for p in _in_year_placements(inputs)]
    exclusions = _exclusion_records(inputs)
    rolls = group_rolls(inputs)
    breakdowns: list[BreakdownCounts] = []
    for breakdown in Breakdown:
        breakdowns.append(_breakdown(Measure.PLACEMENTS, breakdown, placements, rolls))
    for breakdown in Breakdown:
        if breakdown is not Breakdown.TIER:
            breakdowns.append(_breakdown(Measure.EXCLUSIONS, breakdown, exclusions, rolls))
    return EqualityResult(pupils_on_roll(inputs), tuple(breakdowns))
