"""Stage 1: sharing the AP budget between districts, with optional protection.

Rule (docs/funding-rules.md, "Stage 1: sharing the AP budget between districts"):

    pot = AP budget - Centrally retained - sum of district Lump Sums
    factor_value[d, f] = sum of the Schools column of f over the schools of d
                         (only schools whose Phase matches f's Phase, when it has one)
    formula[d] = sum over f of weight[f] x pot x factor_value[d, f] / sum over d' of factor_value[d', f]
    allocation[d] = Lump Sum[d] + formula[d]

Money (docs/funding-rules.md, "Money"): the pot is first shared between the factors pro rata to
their weights and each factor's pot is then shared between the districts pro rata to their
values, both with ``money.share_pot`` (largest remainder, ties to the earlier factor row /
the earlier district in the Districts table). So every factor column adds up to its pot and
the district allocations add up to ``AP budget - Centrally retained`` to the penny.

Bad data never stops the run: duplicate district names, schools naming an unknown
district, weights not adding up to 100% and factors whose column totals zero are findings.
Weights are used as typed, and the pot of a factor whose total is zero cannot be shared, so
in those cases the allocations do not add up to the budget and the Summary's difference
shows by how much.

Protection (docs/funding-rules.md, "Stage 1": the schools formula's minimum funding guarantee
shape) is budget neutral. Only districts with a ``Previous Allocation`` take part: the others
are outside protection altogether (neither protected nor asked to pay for it) and keep their
formula allocation. For a protected district ``floor = P x (1 + Protection floor)`` and
``cap = P x (1 + Protection cap)``, each rounded to the penny.

1. Cap first: a district above its cap is brought down to it (``kept = min(unprotected, cap)``).
2. Districts at or below their floor are held at the floor: they neither pay nor receive.
3. Every other district keeps its floor plus ``s x (kept - floor)``, its gain above the floor
   scaled by one common factor ``s``, chosen so that the protected districts still add up to
   what they had unprotected. ``s`` below 1 means the floor's cost (less the cap's savings) is
   met from every gain above the floor, capped districts included; ``s`` above 1 means the
   cap's savings are more than the floor's cost and the remainder goes to every district above
   its floor, in proportion to its gain.
4. A district whose scaled gain would take it above its cap is held at the cap and ``s`` is
   worked out again for the others; repeat until no district passes its cap (each round holds
   at least one more district, so it stops within one round per district).

The shares of ``s x gains`` are one pot shared with ``share_pot`` (pennies by largest
remainder), so the total never changes. Without a floor the gains are counted from zero (the
whole allocation is scaled). So the final change in % is ``min(cap, floor + s x (min(formula
change, cap) - floor))`` for a district above its floor, and the floor otherwise: a larger
formula change never ends with a smaller % change (to within a penny of rounding).

If the gains above the floor cannot pay for the floor, every district above its floor is
brought down to it and the districts below share what that raises pro rata to their
shortfalls (an Error). If every gaining district is at its cap and money is still left, it goes
to the capped districts pro rata to their previous allocations (a Warning). The protection
adjustment published per district is ``final allocation - unprotected allocation``; the
adjustments add up to zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from apmodel.domain.findings import Findings
from apmodel.domain.inputs import District, DistrictFactor, ModelInputs, School, Settings, normalise
from apmodel.domain.money import WIDE, ZERO, money, share_pot, share_weights
from apmodel.domain.trace import TraceLine, fmt_money, fmt_number, fmt_percent

_ONE = Decimal(1)
#: The scaling factor is shown in the Trace to six decimal places (the shares use it unrounded).
_SCALING_SHOWN = Decimal("0.000001")


@dataclass(frozen=True)
class DistrictStage1:
    """One district's stage 1 figures (money to the penny)."""

    district: District
    #: Factor name -> the district's factor value (a count, not money).
    factor_values: dict[str, Decimal]
    #: Factor name -> the district's share of that factor's pot.
    factor_amounts: dict[str, Decimal]
    lump_sum: Decimal
    formula_amount: Decimal
    unprotected: Decimal
    protection_adjustment: Decimal
    final_allocation: Decimal
    #: Whether the district took part in protection (it has a Previous Allocation and a floor or cap is set).
    protected: bool


@dataclass(frozen=True)
class Stage1Result:
    pot: Decimal
    #: Factor name -> the factor's share of the pot.
    factor_pots: dict[str, Decimal]
    districts: tuple[DistrictStage1, ...]
    #: The schools that count, by normalised district name, ordered by URN.
    schools_by_district: dict[str, tuple[School, ...]]
    trace: tuple[TraceLine, ...]

    @property
    def total_allocated(self) -> Decimal:
        return sum((d.final_allocation for d in self.districts), ZERO)


@dataclass(frozen=True)
class ProtectionCase:
    """What protection needs to know of one district."""

    name: str
    unprotected: Decimal
    previous: Decimal | None


@dataclass(frozen=True)
class ProtectionOutcome:
    #: Final allocations, in the order of the cases given.
    allocations: tuple[Decimal, ...]
    #: The floor and cap of each case (None where it has none).
    floors: tuple[Decimal | None, ...]
    caps: tuple[Decimal | None, ...]
    #: The common factor on gains above the floor (None when no district was scaled).
    scaling: Decimal | None
    rounds: int


def district_key(name: str) -> str:
    """District names are matched like headers: case and spacing ignored."""
    return normalise(name)


def phase_matches(school: School, phase: str | None) -> bool:
    return phase is None or normalise(school.phase) == normalise(phase)


def factor_value(schools: Sequence[School], column: str, phase: str | None) -> Decimal:
    """The sum of a Schools column over the schools of the given phase (all schools when none)."""
    return sum((s.value(column) for s in schools if phase_matches(s, phase)), Decimal(0))


def unique_districts(districts: Sequence[District], findings: Findings) -> list[District]:
    """The districts in table order, a repeated name kept once (the first row) with an Error."""
    seen: dict[str, District] = {}
    for district in districts:
        key = district_key(district.name)
        if key in seen:
            findings.error(
                "DUPLICATE_DISTRICT",
                "Districts",
                district.row,
                "District",
                district.name,
                f"District {district.name!r} appears twice (first on row {seen[key].row}); "
                "this row is ignored, so its lump sum and schools count only once.",
            )
            continue
        seen[key] = district
    return list(seen.values())


def schools_by_district(
    districts: Sequence[District], schools: Sequence[School], findings: Findings
) -> dict[str, tuple[School, ...]]:
    """Each known district's schools ordered by URN; a school naming no known district is an Error."""
    grouped: dict[str, list[School]] = {district_key(d.name): [] for d in districts}
    for school in schools:
        key = district_key(school.district)
        if key not in grouped:
            findings.error(
                "UNKNOWN_DISTRICT",
                "Schools",
                school.row,
                "District",
                school.district,
                f"School {school.urn} {school.name} names district {school.district!r}, which is not in "
                "the Districts table; the school is left out of the allocation.",
            )
            continue
        grouped[key].append(school)
    return {key: tuple(sorted(group, key=lambda s: s.urn)) for key, group in grouped.items()}


def allocate_districts(settings: Settings, inputs: ModelInputs, findings: Findings) -> Stage1Result:
    """Stage 1 for the whole county: factor values, lump sums, formula and protection."""
    trace: list[TraceLine] = []
    districts = unique_districts(inputs.districts, findings)
    if not districts:
        findings.error(
            "NO_DISTRICTS", "Districts", None, None, "", "There are no districts, so nothing can be allocated."
        )
    by_district = schools_by_district(districts, inputs.schools, findings)
    factors = list(inputs.district_factors)

    lumps = [money(d.lump_sum) for d in districts]
    budget = money(settings.ap_budget)
    retained = money(settings.centrally_retained)
    pot = budget - retained - sum(lumps, ZERO)
    trace.append(
        TraceLine(
            "Stage 1 pot",
            "AP budget - Centrally retained - sum of district Lump Sums",
            f"AP budget = {fmt_money(budget)}; Centrally retained = {fmt_money(retained)}; "
            f"Lump Sums = {fmt_money(sum(lumps, ZERO))}",
            pot,
            subject=settings.la_name,
        )
    )
    if pot < 0:
        findings.error(
            "NEGATIVE_POT",
            "Districts",
            None,
            "Lump Sum",
            fmt_money(pot),
            "The district lump sums and the centrally retained amount come to more than the AP budget, "
            "so nothing is shared by the formula; the Summary's Difference shows the overspend.",
        )
        # Sharing a negative pot would publish negative allocations: districts get their lump sums only.
        pot = ZERO

    factor_pots = _factor_pots(pot, factors, findings, trace)
    values: dict[str, list[Decimal]] = {}
    amounts: dict[str, list[Decimal]] = {}
    for factor in factors:
        column = [
            factor_value(by_district[district_key(d.name)], factor.source_column, factor.phase) for d in districts
        ]
        total = sum(column, Decimal(0))
        factor_pot = factor_pots[factor.factor]
        if total == 0:
            findings.error(
                "FACTOR_TOTAL_ZERO",
                "DistrictFactors",
                factor.row,
                "Source Column",
                factor.source_column,
                f"Factor {factor.factor!r}: {_column_label(factor.source_column, factor.phase)} totals zero over "
                f"all districts, so its share of the pot ({fmt_money(factor_pot)}) cannot be allocated; the "
                "district allocations fall short of the budget by that much.",
            )
        shares = share_pot(factor_pot, column)
        values[factor.factor] = column
        amounts[factor.factor] = shares
        for district, value, share in zip(districts, column, shares, strict=True):
            trace.append(
                TraceLine(
                    "District factor amount",
                    "factor pot x district value / total value (pennies by largest remainder)",
                    f"factor pot = {fmt_money(factor_pot)}; value = {fmt_number(value)}; "
                    f"total value = {fmt_number(total)}",
                    share,
                    district=district.name,
                    subject=factor.factor,
                )
            )

    formula = [sum((amounts[f.factor][i] for f in factors), ZERO) for i in range(len(districts))]
    unprotected = [lump + amount for lump, amount in zip(lumps, formula, strict=True)]
    for district, lump, amount, total in zip(districts, lumps, formula, unprotected, strict=True):
        trace.append(
            TraceLine(
                "Unprotected allocation",
                "Lump Sum + sum of factor amounts",
                f"Lump Sum = {fmt_money(lump)}; formula = {fmt_money(amount)}",
                total,
                district=district.name,
            )
        )

    cases = [
        ProtectionCase(d.name, u, None if d.previous_allocation is None else money(d.previous_allocation))
        for d, u in zip(districts, unprotected, strict=True)
    ]
    protecting = settings.protection_floor is not None or settings.protection_cap is not None
    if protecting:
        for district in districts:
            if district.previous_allocation is None:
                findings.info(
                    "UNPROTECTED_DISTRICT",
                    "Districts",
                    district.row,
                    "Previous Allocation",
                    "",
                    f"District {district.name} has no Previous Allocation, so protection does not apply to it: "
                    "it is neither protected by the floor or cap nor asked to pay for them.",
                )
        outcome = protect(cases, settings.protection_floor, settings.protection_cap, findings)
    else:
        outcome = ProtectionOutcome(tuple(unprotected), tuple(None for _ in cases), tuple(None for _ in cases), None, 0)

    rows: list[DistrictStage1] = []
    for i, district in enumerate(districts):
        final = outcome.allocations[i]
        adjustment = final - unprotected[i]
        is_protected = protecting and district.previous_allocation is not None
        if is_protected:
            trace.append(
                TraceLine(
                    "Protection adjustment",
                    "final allocation - unprotected allocation (budget-neutral floor and cap)",
                    _protection_inputs(cases[i], outcome, i, settings),
                    adjustment,
                    district=district.name,
                )
            )
        trace.append(
            TraceLine(
                "District allocation",
                "unprotected allocation + protection adjustment",
                f"unprotected = {fmt_money(unprotected[i])}; protection adjustment = {fmt_money(adjustment)}",
                final,
                district=district.name,
            )
        )
        rows.append(
            DistrictStage1(
                district=district,
                factor_values={f.factor: values[f.factor][i] for f in factors},
                factor_amounts={f.factor: amounts[f.factor][i] for f in factors},
                lump_sum=lumps[i],
                formula_amount=formula[i],
                unprotected=unprotected[i],
                protection_adjustment=adjustment,
                final_allocation=final,
                protected=is_protected,
            )
        )
    return Stage1Result(pot, factor_pots, tuple(rows), by_district, tuple(trace))


def _factor_pots(
    pot: Decimal, factors: Sequence[DistrictFactor], findings: Findings, trace: list[TraceLine]
) -> dict[str, Decimal]:
    """Each factor's share of the pot; with weights of 100% the shares add up to the pot exactly."""
    if not factors:
        findings.error(
            "NO_DISTRICT_FACTORS",
            "DistrictFactors",
            None,
            None,
            "",
            "There are no district factors, so the pot after lump sums cannot be allocated.",
        )
        return {}
    weights = [f.weight for f in factors]
    total_weight = sum(weights, Decimal(0))
    if total_weight != 1:
        findings.error(
            "WEIGHTS_NOT_100",
            "DistrictFactors",
            None,
            "Weight",
            fmt_percent(total_weight),
            f"The district factor weights add up to {fmt_percent(total_weight)}, not 100%. They are used as "
            "typed, so the district allocations do not add up to the budget (see the Summary's difference).",
        )
    # Weights as typed: a total of 100% shares exactly the pot; anything else shares pot x total weight.
    shares = share_weights(pot, weights)
    result: dict[str, Decimal] = {}
    for factor, share in zip(factors, shares, strict=True):
        result[factor.factor] = share
        trace.append(
            TraceLine(
                "District factor pot",
                "weight x pot (pennies by largest remainder)",
                f"weight = {fmt_percent(factor.weight)}; pot = {fmt_money(pot)}; "
                f"column = {_column_label(factor.source_column, factor.phase)}",
                share,
                subject=factor.factor,
            )
        )
    return result


def _column_label(column: str, phase: str | None) -> str:
    return f"{column} ({phase} schools only)" if phase else column


def _protection_inputs(case: ProtectionCase, outcome: ProtectionOutcome, i: int, settings: Settings) -> str:
    floor, cap = outcome.floors[i], outcome.caps[i]
    parts = [f"unprotected = {fmt_money(case.unprotected)}"]
    if case.previous is not None:
        parts.append(f"previous = {fmt_money(case.previous)}")
    if floor is not None and settings.protection_floor is not None:
        parts.append(f"floor = previous x (1 {_signed(settings.protection_floor)}) = {fmt_money(floor)}")
    if cap is not None and settings.protection_cap is not None:
        parts.append(f"cap = previous x (1 {_signed(settings.protection_cap)}) = {fmt_money(cap)}")
    if outcome.scaling is not None:
        scaling = fmt_number(outcome.scaling.quantize(_SCALING_SHOWN))
        parts.append(f"common scaling of gains above the floor = {scaling}")
    return "; ".join(parts)


def _signed(fraction: Decimal) -> str:
    return f"- {fmt_percent(-fraction)}" if fraction < 0 else f"+ {fmt_percent(fraction)}"


def protect(
    cases: Sequence[ProtectionCase], floor: Decimal | None, cap: Decimal | None, findings: Findings
) -> ProtectionOutcome:
    """Budget-neutral floor and cap in the minimum funding guarantee's shape (the module docstring)."""
    with localcontext(WIDE):
        floors = tuple(
            None if floor is None or c.previous is None else money(c.previous * (_ONE + floor)) for c in cases
        )
        caps = tuple(None if cap is None or c.previous is None else money(c.previous * (_ONE + cap)) for c in cases)
    allocations = [c.unprotected for c in cases]
    if floor is not None and cap is not None and floor > cap:
        findings.error(
            "PROTECTION_FLOOR_ABOVE_CAP",
            "Settings",
            None,
            "Value",
            f"{fmt_percent(floor)} > {fmt_percent(cap)}",
            "The Protection floor is above the Protection cap, so no allocation can satisfy both; "
            "protection is not applied.",
        )
        return ProtectionOutcome(tuple(allocations), floors, caps, None, 0)
    members = [i for i, c in enumerate(cases) if c.previous is not None]
    budget = sum((allocations[i] for i in members), ZERO)
    # Cap first: nobody keeps more than its cap.
    kept = {i: allocations[i] if (c := caps[i]) is None else min(allocations[i], c) for i in members}
    # The scaling starts from the floor (from nothing when there is no floor).
    base = {i: ZERO if (f := floors[i]) is None else f for i in members}
    # A district gains when its formula takes it above its floor (capped ones included, even at a cap equal
    # to the floor).
    gainers = [i for i in members if allocations[i] > base[i]]
    held = [i for i in members if allocations[i] <= base[i]]
    # Districts at or below the floor are held at it (keep what they have when there is no floor).
    held_at = {i: kept[i] if floors[i] is None else base[i] for i in held}
    spare = budget - sum(held_at.values(), ZERO) - sum((base[i] for i in gainers), ZERO)
    if spare < 0:
        _unaffordable_floor(allocations, floors, gainers, held, findings)
        return ProtectionOutcome(tuple(allocations), floors, caps, ZERO, 1)
    pinned: list[int] = []
    free = list(gainers)
    rounds = 0
    while True:
        rounds += 1
        to_share = spare - sum(((caps[i] or ZERO) - base[i] for i in pinned), ZERO)
        total_gain = sum((kept[i] - base[i] for i in free), ZERO)
        # A district whose scaled gain would pass its cap is held at the cap, and the rest rescaled.
        over = [
            i
            for i in free
            if (c := caps[i]) is not None and to_share * (kept[i] - base[i]) > (c - base[i]) * total_gain
        ]
        if not over:
            break
        pinned.extend(over)
        free = [i for i in free if i not in over]
    if total_gain == 0:
        # Nothing left to scale (every gain is nil at its cap): those districts are held at their caps too.
        pinned.extend(free)
        free = []
    for i in held:
        allocations[i] = held_at[i]
    for i in pinned:
        cap_i = caps[i]
        allocations[i] = kept[i] if cap_i is None else cap_i
    for i, share in zip(free, share_pot(to_share, [kept[i] - base[i] for i in free]), strict=True):
        allocations[i] = base[i] + share
    scaling: Decimal | None = None
    if free:
        with localcontext(WIDE):
            scaling = to_share / total_gain
    elif to_share > 0:
        _cap_not_affordable(cases, allocations, pinned, to_share, findings)
    return ProtectionOutcome(tuple(allocations), floors, caps, scaling, rounds)


def _unaffordable_floor(
    allocations: list[Decimal],
    floors: Sequence[Decimal | None],
    gainers: Sequence[int],
    held: Sequence[int],
    findings: Findings,
) -> None:
    """Every gainer brought down to its floor; the districts below it share that pro rata to their shortfalls."""
    raised = sum((allocations[i] - (floors[i] or ZERO) for i in gainers), ZERO)
    shortfalls = [(floors[i] or ZERO) - allocations[i] for i in held]
    cost = sum(shortfalls, ZERO)
    findings.error(
        "PROTECTION_FLOOR_UNAFFORDABLE",
        "Settings",
        None,
        "Value",
        fmt_money(cost),
        f"The protection floor would cost {fmt_money(cost)} but the districts above their floor gain only "
        f"{fmt_money(raised)} above it. Every district above its floor is brought down to it and the "
        "districts below share that amount pro rata to their shortfalls, so some stay below the floor.",
    )
    for i in gainers:
        allocations[i] = floors[i] or ZERO
    for i, share in zip(held, share_pot(raised, shortfalls), strict=True):
        allocations[i] += share


def _cap_not_affordable(
    cases: Sequence[ProtectionCase],
    allocations: list[Decimal],
    pinned: Sequence[int],
    left: Decimal,
    findings: Findings,
) -> None:
    """Every gainer is at its cap and money is left: it goes to them pro rata to their previous allocations."""
    findings.warning(
        "PROTECTION_CAP_NOT_APPLIED",
        "Settings",
        None,
        "Value",
        fmt_money(left),
        f"Every protected district that gains is at its cap and {fmt_money(left)} is still to be shared, so "
        "the cap cannot hold: that amount goes to the capped districts pro rata to their previous allocations "
        "(the same % above the cap for each).",
    )
    previous = [cases[i].previous or ZERO for i in pinned]
    # Previous allocations of nothing give nothing to go by: then equal shares.
    weights = previous if sum(previous, ZERO) > 0 else [Decimal(1) for _ in pinned]
    for i, share in zip(pinned, share_pot(left, weights), strict=True):
        allocations[i] += share
