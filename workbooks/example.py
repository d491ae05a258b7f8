"""Realistic example data: a county like Kent in financial year 2025-26 (``apmodel demo``).

Everything is invented but shaped like the real thing (docs/funding-rules.md, docs/forum-workbook.md):
Kent's twelve districts in four areas and Kent-style stage 2 unit rates (about 69.31 per
pupil, 488.20 per IDACI pupil, 751.74 per looked-after child and 479.70 per EAL pupil, from
Kent's published 2019-20 AP budgets); about 100 secondary and 450 primary schools with
plausible pupil numbers and deprivation; delegated, devolved and one hybrid district; PRUs,
independent providers, a hospital school and an outreach service; a few thousand placements
across the DfE's three tiers; about a hundred permanent exclusions; two scenarios.

The data is deliberately clean: the only findings expected are the realistic ones (a
blank Relevant Date, a charge to a school without an AP agreement, placements carried
over from last year). Pupils carry only a pseudonymous Pupil Ref. Generation is
deterministic: the same seed and scale always give the same cell values. ``scale`` N
multiplies schools, placements, exclusions and (up to about 150, England's number of
LAs) districts: scale 36 is roughly England, some 20,000 schools.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from apmodel.domain.inputs import setting_default
from apmodel.workbook import contract as c
from apmodel.workbook.writer_inputs import build_forum_workbook

FY_END = date(2026, 3, 31)
#: The declared default (the DfE's rate for an AP place): the example county uses it.
PLACE_FUNDING_RATE = int(setting_default("place_funding_rate"))
SECONDARY_PER_SCALE = 100
PRIMARY_PER_SCALE = 450
PLACEMENTS_PER_SCALE = 2_400
EXCLUSIONS_PER_SCALE = 100
MAX_DISTRICTS = 150

TERMS: tuple[tuple[str, date, date], ...] = (
    ("Summer 2025", date(2025, 4, 22), date(2025, 7, 22)),
    ("Autumn 2025", date(2025, 9, 3), date(2025, 12, 19)),
    ("Spring 2026", date(2026, 1, 5), date(2026, 3, 27)),
)
CLOSURES: tuple[tuple[date, date, str], ...] = (
    (date(2025, 5, 5), date(2025, 5, 5), "Early May bank holiday"),
    (date(2025, 5, 26), date(2025, 5, 30), "Half term (incl. Spring bank holiday)"),
    (date(2025, 7, 21), date(2025, 7, 21), "INSET day"),
    (date(2025, 9, 3), date(2025, 9, 3), "INSET day"),
    (date(2025, 10, 27), date(2025, 10, 31), "Half term"),
    (date(2026, 1, 5), date(2026, 1, 5), "INSET day"),
    (date(2026, 2, 16), date(2026, 2, 20), "Half term"),
)
#: Spring term 2025 (last financial year), for placements carried over into this one.
LAST_SPRING = (date(2025, 1, 6), date(2025, 3, 28), (date(2025, 2, 17), date(2025, 2, 21)))

AREAS = ("North", "South", "East", "West")


@dataclass(frozen=True)
class _KentDistrict:
    name: str
    area: str
    code: str
    towns: tuple[str, ...]
    #: Share of pupils in IDACI bands and the EAL share, shaping the district's counts.
    deprivation: float
    eal: float
    #: Relative number of schools.
    size: float
    model: str


KENT: tuple[_KentDistrict, ...] = (
    _KentDistrict("Ashford", "South", "ASH", ("Ashford", "Tenterden", "Charing", "Wye", "Hamstreet"),
                  0.17, 0.08, 1.0, "Devolved"),
    _KentDistrict("Canterbury", "East", "CAN", ("Canterbury", "Whitstable", "Herne Bay", "Sturry", "Bridge"),
                  0.17, 0.07, 1.0, "Devolved"),
    _KentDistrict("Dartford", "North", "DAR", ("Dartford", "Swanscombe", "Greenhithe", "Wilmington", "Stone"),
                  0.16, 0.22, 0.8, "Delegated"),
    _KentDistrict("Dover", "South", "DOV", ("Dover", "Deal", "Sandwich", "Aylesham", "Whitfield"),
                  0.22, 0.05, 0.9, "Delegated"),
    _KentDistrict("Folkestone & Hythe", "South", "FOL", ("Folkestone", "Hythe", "New Romney", "Lydd", "Sandgate"),
                  0.22, 0.06, 0.8, "Delegated"),
    _KentDistrict("Gravesham", "North", "GRA", ("Gravesend", "Northfleet", "Meopham", "Higham", "Istead Rise"),
                  0.20, 0.24, 0.8, "Delegated"),
    _KentDistrict("Maidstone", "West", "MAI", ("Maidstone", "Headcorn", "Marden", "Lenham", "Staplehurst"),
                  0.15, 0.12, 1.3, "Delegated"),
    _KentDistrict("Sevenoaks", "North", "SEV", ("Sevenoaks", "Swanley", "Edenbridge", "Westerham", "Otford"),
                  0.10, 0.05, 0.9, "Devolved"),
    _KentDistrict("Swale", "East", "SWA", ("Sittingbourne", "Faversham", "Sheerness", "Minster", "Teynham"),
                  0.25, 0.06, 1.2, "Hybrid"),
    _KentDistrict("Thanet", "East", "THA", ("Margate", "Ramsgate", "Broadstairs", "Birchington", "Westgate"),
                  0.30, 0.09, 1.1, "Delegated"),
    _KentDistrict("Tonbridge & Malling", "West", "TON",
                  ("Tonbridge", "West Malling", "Snodland", "Aylesford", "Kings Hill"), 0.11, 0.05, 1.0, "Devolved"),
    _KentDistrict("Tunbridge Wells", "West", "TUN",
                  ("Tunbridge Wells", "Paddock Wood", "Cranbrook", "Southborough", "Hawkhurst"),
                  0.10, 0.06, 0.9, "Devolved"),
)

_TOWN_START = ("Ash", "Brook", "Elm", "Fair", "Hazel", "Kings", "Lang", "Mill", "Nor", "Oak", "Red", "Stan",
               "Thorn", "Wes", "Wood", "Bar", "Chal", "Down", "High", "Long", "Cold", "Med", "Rye", "Wick")
_TOWN_END = ("ford", "ley", "ton", "field", "bury", "ham", "stead", "wood", "den", "well", "combe", "minster")
_TRUSTS = ("Weald Learning Partnership", "Coastal Academies Trust", "Downs Education Trust",
           "White Cliffs Learning Trust", "Medway Valley Schools Trust", "Garden County Academies",
           "Orchard Learning Trust", "Estuary Schools Partnership", "Greensand Academy Trust",
           "Stour Valley Academy Trust", "Marsh Academy Trust", "Pilgrims Way Learning Trust")
_PRIMARY_WORDS = ("St Mary's CofE", "St Peter's CofE", "St Joseph's Catholic", "Holy Trinity CofE", "Oakwood",
                  "Brookfield", "Hillview", "Meadowside", "Riverside", "Westlands", "Eastcourt", "Northdown",
                  "Southfields", "Greenfields", "Woodlands", "Parkside", "Orchard", "Beechwood", "Kingsmead",
                  "Copperfield", "Manor", "Chestnut", "Willow", "Harbour", "Fairview", "Castle", "Abbey", "Priory",
                  "St John's CofE", "Our Lady's Catholic", "Lime Tree", "Hawthorn", "Rosewood", "Briary")
_SECONDARY_FORMS = ("{town} Academy", "{town} High School", "{town} School", "{town} Community College",
                    "{saint} Catholic School, {town}", "{saint} Church of England Academy, {town}")
_SAINTS = ("St Anselm's", "St Edmund's", "St George's", "St Augustine's", "St Simon Stock", "St Gregory's",
           "St John Fisher", "St Thomas More")
_PRU_NAMES = ("Pupil Referral Unit", "Alternative Provision Service", "Inclusion Centre", "Learning Centre")
_INDEPENDENT = ("Horizons Independent AP", "Pathways Education", "The Forge Vocational Centre", "Coastline Learning",
                "Open Road Education", "Bridge Point Tuition")
_ETHNICITIES = ("White", "Mixed", "Asian or Asian British", "Black or Black British", "Chinese",
                "Any other ethnic group", "Unclassified")
_ETHNICITY_WEIGHTS = (80, 7, 4, 5, 0.5, 1.5, 2)
_DISTRICT_FACTORS: tuple[tuple[str, str, str | None, float], ...] = (
    ("KS3 Pupils", "KS3 Pupils", "Secondary", 0.30),
    ("KS4 Pupils", "KS4 Pupils", "Secondary", 0.30),
    ("IDACI", "IDACI Pupils", None, 0.20),
    ("FSM6", "FSM6 Pupils", "Secondary", 0.10),
    ("Permanent Exclusions", "Permanent Exclusions 3yr", None, 0.10),
)


@dataclass(frozen=True)
class County:
    """The example workbook's contents: Settings values and each input table's rows in contract order."""

    settings: dict[str, object]
    rows: dict[str, list[list[object]]]


@dataclass
class _District:
    index: int
    name: str
    area: str
    code: str
    towns: tuple[str, ...]
    deprivation: float
    eal: float
    size: float
    model: str
    lead_pru: str | None = None
    previous_allocation: int = 0

    @property
    def devolved_share(self) -> float | None:
        return 0.5 if self.model == "Hybrid" else None


@dataclass
class _School:
    urn: int
    name: str
    district: _District
    phase: str
    academy: bool
    trust: str
    agreement: bool
    cost_centre: str
    po_number: str
    grammar: bool
    pupils: int
    ks3: int
    ks4: int
    idaci: int
    fsm6: int
    lac: int
    eal: int
    awaiting_ehcp: int
    exclusions_3yr: int
    suspensions: int

    def value(self, column: str) -> int:
        return {
            "Pupils": self.pupils,
            "KS3 Pupils": self.ks3,
            "KS4 Pupils": self.ks4,
            "IDACI Pupils": self.idaci,
            "FSM6 Pupils": self.fsm6,
            "Permanent Exclusions 3yr": self.exclusions_3yr,
        }[column]

    @property
    def boys(self) -> int:
        """Boys on roll: 49% to 55% of the pupils, set by the URN (no draw, so nothing else moves)."""
        return round(self.pupils * (49 + self.urn % 7) / 100)

    @property
    def ehcp_pupils(self) -> int:
        """Pupils with an EHC plan: about 3% in primary, 2.6% in secondary (school census 2025)."""
        per_1000 = (30 if self.phase == "Primary" else 26) + self.urn % 5 - 2
        return round(self.pupils * per_1000 / 1000)

    @property
    def sen_support_pupils(self) -> int:
        """Pupils on SEN support: about 14% in primary, 12.5% in secondary (school census 2025)."""
        per_1000 = (140 if self.phase == "Primary" else 125) + self.urn % 11 - 5
        return round(self.pupils * per_1000 / 1000)

    @property
    def trust_address(self) -> str:
        """An address for the trust's invoices (made up: the district's first town)."""
        return f"Trust Office, 1 High Street, {self.district.towns[0]}" if self.trust else ""

    def row(self) -> list[object]:
        primary = self.pupils if self.phase == "Primary" else 0
        return [
            self.urn, self.name, self.district.name, self.phase, "Academy" if self.academy else "Maintained",
            self.trust or None, self.trust_address or None, "Yes" if self.agreement else "No",
            self.cost_centre or None, self.po_number or None,
            self.pupils, self.boys, self.pupils - self.boys, self.ehcp_pupils, self.sen_support_pupils,
            self.ks3, self.ks4, primary, self.idaci, self.fsm6, self.lac, self.eal, self.awaiting_ehcp,
            self.exclusions_3yr, self.suspensions,
        ]


@dataclass
class _Provider:
    provider_id: str
    name: str
    type: str
    district: str | None
    places: int | None
    basis: str
    rate: float

    def row(self) -> list[object]:
        return [self.provider_id, self.name, self.type, self.district, self.places, None, self.basis, self.rate, "No"]


@dataclass(frozen=True)
class _Person:
    """What the equality analysis counts; never a name."""

    ehcp: bool
    sen_support: bool
    fsm6: bool
    sex: str
    ethnicity: str


@dataclass
class _Placement:
    pupil_ref: str
    home: _School
    provider: _Provider
    tier: int
    registration: str
    reason: str
    start: date
    end: date | None
    days_per_week: int
    year_group: int
    planned_weeks: int | None
    outcome: str
    person: _Person
    charge_basis: str | None = None
    charge_rate: float | None = None

    def row(self, placement_id: str) -> list[object]:
        yes_no = ("No", "Yes")
        return [
            placement_id, self.pupil_ref, self.home.urn, self.provider.provider_id, self.tier, self.registration,
            self.reason, self.start, self.end, self.days_per_week, self.year_group, self.charge_basis,
            self.charge_rate, self.planned_weeks, self.outcome, yes_no[self.person.ehcp],
            yes_no[self.person.sen_support], yes_no[self.person.fsm6], self.person.sex, self.person.ethnicity,
        ]


class _Calendar:
    """School days: weekdays inside the terms, less the closure days."""

    def __init__(self, terms: tuple[tuple[date, date], ...], closures: tuple[tuple[date, date], ...]) -> None:
        closed = {start + timedelta(days=i) for start, end in closures for i in range((end - start).days + 1)}
        self.days = sorted(
            start + timedelta(days=i)
            for start, end in terms
            for i in range((end - start).days + 1)
            if (start + timedelta(days=i)).weekday() < 5 and start + timedelta(days=i) not in closed
        )

    def pick(self, rng: random.Random, first: date, last: date) -> date:
        """A school day between ``first`` and ``last`` (inclusive), uniformly."""
        lo = bisect.bisect_left(self.days, first)
        hi = bisect.bisect_right(self.days, last)
        return self.days[rng.randrange(lo, hi)]

    def after(self, day: date, school_days: int) -> date:
        """The ``school_days``-th school day after ``day`` (beyond the calendar: plain weekdays)."""
        index = bisect.bisect_right(self.days, day) + school_days - 1
        if index < len(self.days):
            return self.days[index]
        return _weekday_on_or_after(self.days[-1] + timedelta(days=1 + 7 * (index - len(self.days)) // 5))


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _noise(rng: random.Random, spread: float = 0.35) -> float:
    return math.exp(rng.gauss(0.0, spread))


class _Generator:
    def __init__(self, seed: int, scale: int) -> None:
        if scale < 1:
            raise ValueError("scale must be 1 or more")
        self.rng = random.Random(seed)
        self.scale = scale
        self.calendar = _Calendar(
            tuple((start, end) for _, start, end in TERMS), tuple((start, end) for start, end, _ in CLOSURES)
        )
        last_spring_start, last_spring_end, half_term = LAST_SPRING
        self.last_spring = _Calendar(((last_spring_start, last_spring_end),), (half_term,))
        self.pupil_refs: set[str] = set()
        self.districts = self._districts()
        self.schools = self._schools()
        self.providers = self._providers()
        self.placements: list[_Placement] = []
        self.exclusion_rows: list[list[object]] = []

    # -- Districts, schools, providers -------------------------------------------------------------

    def _districts(self) -> list[_District]:
        rng = self.rng
        districts = [
            _District(i, k.name, k.area, k.code, k.towns, k.deprivation, k.eal, k.size, k.model)
            for i, k in enumerate(KENT)
        ]
        models = ("Delegated", "Devolved", "Delegated", "Devolved", "Delegated", "Devolved", "Delegated",
                  "Devolved", "Hybrid")
        for i in range(len(KENT), min(MAX_DISTRICTS, len(KENT) * self.scale)):
            towns = tuple(sorted({rng.choice(_TOWN_START) + rng.choice(_TOWN_END) for _ in range(5)}))
            districts.append(
                _District(
                    i, f"District {i + 1:03d}", AREAS[i % len(AREAS)], f"D{i + 1:03d}", towns,
                    rng.uniform(0.08, 0.32), rng.uniform(0.03, 0.25), rng.uniform(0.6, 1.4), models[i % len(models)],
                )
            )
        return districts

    def _counts(self, total: int, minimum: int) -> list[int]:
        weight = sum(d.size for d in self.districts)
        return [max(minimum, round(total * d.size / weight)) for d in self.districts]

    def _schools(self) -> list[_School]:
        rng = self.rng
        secondary = self._counts(SECONDARY_PER_SCALE * self.scale, 4)
        primary = self._counts(PRIMARY_PER_SCALE * self.scale, 12)
        urns = sorted(rng.sample(range(110_000, 999_999), sum(secondary) + sum(primary)))
        names: set[str] = set()
        schools: list[_School] = []
        for district, n_secondary, n_primary in zip(self.districts, secondary, primary, strict=True):
            trusts = [_TRUSTS[(district.index + k) % len(_TRUSTS)] for k in (0, 4, 8)]
            if district.index >= len(_TRUSTS):
                trusts[0] = f"{district.towns[0]} Learning Trust"
            for n in range(n_secondary + n_primary):
                phase = "Secondary" if n < n_secondary else "Primary"
                schools.append(self._school(urns[len(schools)], district, phase, n, trusts, names))
        return schools

    def _unique_name(self, names: set[str], candidates: list[str]) -> str:
        for name in candidates:
            if name not in names:
                names.add(name)
                return name
        base = candidates[0]
        k = 2
        while f"{base} ({k})" in names:
            k += 1
        names.add(f"{base} ({k})")
        return f"{base} ({k})"

    def _school(
        self, urn: int, district: _District, phase: str, serial: int, trusts: list[str], names: set[str]
    ) -> _School:
        rng = self.rng
        town = rng.choice(district.towns)
        grammar = phase == "Secondary" and rng.random() < 0.25
        if phase == "Secondary":
            pupils = rng.randint(800, 1300) if grammar else rng.randint(600, 1800)
            ks3 = round(pupils * rng.uniform(0.57, 0.63))
            ks4 = pupils - ks3
            form = rng.choice(_SECONDARY_FORMS)
            first = f"{town} Grammar School" if grammar else form.format(town=town, saint=rng.choice(_SAINTS))
            name = self._unique_name(names, [first, f"{town} {'Grammar' if grammar else 'Secondary'} Academy"])
            academy = rng.random() < 0.72
        else:
            pupils = min(630, max(100, round(rng.choice((1, 1, 1.5, 2, 2, 3)) * 210 * rng.uniform(0.8, 1.0))))
            ks3 = ks4 = 0
            word = rng.choice(_PRIMARY_WORDS)
            name = self._unique_name(names, [f"{word} Primary School", f"{word} Primary School, {town}"])
            academy = rng.random() < 0.38
        deprivation = district.deprivation * (0.3 if grammar else 1.0)
        idaci_share = min(0.6, max(0.02, deprivation * _noise(rng)))
        fsm6_share = min(0.65, max(0.03, deprivation * 1.1 * _noise(rng)))
        pressure = district.deprivation / 0.18 * (0.1 if grammar else 1.0)
        if phase == "Secondary":
            exclusions_3yr = _poisson(rng, pupils * 0.0055 * pressure)
            suspensions = _poisson(rng, pupils * 0.18 * pressure * _noise(rng, 0.3))
        else:
            exclusions_3yr = _poisson(rng, pupils * 0.0004 * pressure)
            suspensions = _poisson(rng, pupils * 0.015 * pressure * _noise(rng, 0.4))
        agreement = rng.random() < (0.88 if academy else 0.97)
        return _School(
            urn=urn,
            name=name,
            district=district,
            phase=phase,
            academy=academy,
            trust=rng.choice(trusts) if academy else "",
            agreement=agreement,
            cost_centre="" if academy else f"{district.code}-{serial + 1:04d}",
            po_number=f"PO{rng.randint(1_000_000, 9_999_999)}" if academy and rng.random() < 0.7 else "",
            grammar=grammar,
            pupils=pupils,
            ks3=ks3,
            ks4=ks4,
            idaci=round(pupils * idaci_share),
            fsm6=round(pupils * fsm6_share),
            lac=_poisson(rng, pupils * 0.006 * district.deprivation / 0.18),
            eal=round(pupils * min(0.7, district.eal * _noise(rng, 0.5))),
            awaiting_ehcp=_poisson(rng, pupils * 0.004),
            exclusions_3yr=exclusions_3yr,
            suspensions=suspensions,
        )

    def _providers(self) -> list[_Provider]:
        rng = self.rng
        providers: list[_Provider] = []
        for district in self.districts:
            if district.model == "Devolved":
                continue
            district.lead_pru = f"PRU-{district.code}"
            providers.append(
                _Provider(
                    district.lead_pru, f"{district.towns[0]} {rng.choice(_PRU_NAMES)}", "PRU", district.name,
                    None, "Daily", float(rng.choice(range(60, 91, 5))),
                )
            )
        devolved = [d for d in self.districts if d.model == "Devolved"] or self.districts
        for k in range(min(40, 4 * self.scale)):
            name = _INDEPENDENT[k % len(_INDEPENDENT)] + ("" if k < len(_INDEPENDENT) else f" {k // 6 + 1}")
            providers.append(
                _Provider(f"IND-{k + 1:02d}", name, "Independent", devolved[k % len(devolved)].name, None, "Weekly",
                          float(rng.choice(range(350, 481, 10))))
            )
        for k in range(math.ceil(self.scale / 3)):
            suffix = "" if k == 0 else f" ({AREAS[k % 4]} {k + 1})"
            providers.append(
                _Provider(f"HOSP-{k + 1:02d}", f"Health Needs Education Service{suffix}", "Hospital School",
                          self.districts[6 + 12 * k if 6 + 12 * k < len(self.districts) else 6].name, None,
                          "Daily", 70.0)
            )
            providers.append(
                _Provider(f"OUT-{k + 1:02d}", f"Inclusion Outreach Service{suffix}", "Other", None, None,
                          "Percent of AWPU", 50.0)
            )
        return providers

    # -- Stage 1 estimate: Previous Allocation and PRU places near this year's figures ---------------

    @property
    def ap_budget(self) -> int:
        return 20_463_500 * self.scale

    @property
    def centrally_retained(self) -> int:
        return 1_512_000 * self.scale

    def settings(self) -> dict[str, object]:
        """The county's own settings; every other setting takes its declared default."""
        return {
            "LA name": "Example County Council",
            "Financial year": "2025-26",
            "AP budget": self.ap_budget,
            "Centrally retained": self.centrally_retained,
            "Protection floor": -0.02,
            "Protection cap": 0.05,
            "Contact name": "AP Funding Team",
            "Contact email": "ap.funding@example.gov.uk",
            "Remittance address": "Schools Finance, County Hall, Example Town EX1 1AA",
            "LA address": "County Hall, Example Town EX1 1AA",
            "Bank details": "Example Bank plc, sort code 00-00-00, account 12345678, Example County Council",
            "VAT registration number": "GB 000 0000 00",
            "LA code": "886",
            "AP cost centre": "HN-AP-001",
            "Recoupment income account": "9410",
            "School budget account": "1890",
            "VAT code": "OS",
        }

    def _estimate_allocations(self, lump_sum: int) -> dict[str, float]:
        pot = self.ap_budget - self.centrally_retained - lump_sum * len(self.districts)
        formula = {d.name: 0.0 for d in self.districts}
        for _, column, phase, weight in _DISTRICT_FACTORS:
            totals = {d.name: 0 for d in self.districts}
            for school in self.schools:
                if phase is None or school.phase == phase:
                    totals[school.district.name] += school.value(column)
            grand = sum(totals.values()) or 1
            for name, total in totals.items():
                formula[name] += weight * pot * total / grand
        return {name: lump_sum + amount for name, amount in formula.items()}

    def district_rows(self, lump_sum: int) -> list[list[object]]:
        rng = self.rng
        estimate = self._estimate_allocations(lump_sum)
        rows: list[list[object]] = []
        by_id = {p.provider_id: p for p in self.providers}
        for district in self.districts:
            allocation = estimate[district.name]
            # Last year's budget was about 3% smaller: most districts gain, a few hit the cap or the floor.
            district.previous_allocation = round(allocation * rng.uniform(0.92, 1.035) / 100) * 100
            if district.lead_pru is not None:
                delegated = min(allocation, district.previous_allocation * 0.98) * (1 - (district.devolved_share or 0))
                places = max(40, min(120, int(delegated * rng.uniform(0.45, 0.6) / PLACE_FUNDING_RATE)))
                by_id[district.lead_pru].places = min(places, int(delegated * 0.75 / PLACE_FUNDING_RATE))
            rows.append(
                [district.name, district.area, district.model, district.devolved_share, district.lead_pru,
                 district.previous_allocation, lump_sum]
            )
        return rows

    # -- Pupils ---------------------------------------------------------------------------------------

    def pupil_ref(self) -> str:
        while True:
            ref = f"P-{self.rng.getrandbits(24):06X}"
            if ref not in self.pupil_refs:
                self.pupil_refs.add(ref)
                return ref

    def _year_group(self, school: _School) -> int:
        if school.phase == "Primary":
            return self.rng.choices((1, 2, 3, 4, 5), (5, 10, 15, 25, 30))[0]
        return self.rng.choices((7, 8, 9, 10), (15, 25, 30, 30))[0]

    def _placement_year_group(self, school: _School) -> int:
        if school.phase == "Primary":
            return self.rng.choices((1, 2, 3, 4, 5, 6), (5, 10, 15, 20, 25, 25))[0]
        return self.rng.choices((7, 8, 9, 10, 11), (12, 20, 25, 25, 18))[0]

    def _local_providers(self) -> dict[str, list[_Provider]]:
        """For each district: its own PRU, else the PRUs of its area, else the independents."""
        prus = {p.district: p for p in self.providers if p.type == "PRU"}
        independents = [p for p in self.providers if p.type == "Independent"]
        local: dict[str, list[_Provider]] = {}
        for district in self.districts:
            if district.name in prus:
                local[district.name] = [prus[district.name]]
            else:
                area = [prus[d.name] for d in self.districts if d.area == district.area and d.name in prus]
                local[district.name] = area[:2] or independents[:1]
        return local

    def _person(self) -> _Person:
        rng = self.rng
        return _Person(
            ehcp=rng.random() < 0.08,
            sen_support=rng.random() < 0.45,
            fsm6=rng.random() < 0.5,
            sex="Male" if rng.random() < 0.68 else "Female",
            ethnicity=rng.choices(_ETHNICITIES, _ETHNICITY_WEIGHTS)[0],
        )

    # -- Placements -----------------------------------------------------------------------------------

    def make_placements(self) -> None:
        rng = self.rng
        local = self._local_providers()
        independents = [p for p in self.providers if p.type == "Independent"]
        hospitals = [p for p in self.providers if p.type == "Hospital School"]
        outreach = [p for p in self.providers if p.type == "Other"]
        with_agreement = [s for s in self.schools if s.agreement]
        without = [s for s in self.schools if not s.agreement]
        cumulative: list[float] = []
        running = 0.0
        for school in with_agreement:
            running += school.suspensions + 2
            cumulative.append(running)
        count = PLACEMENTS_PER_SCALE * self.scale
        for n in range(count):
            # A couple of placements from schools without an AP agreement: a realistic Warning.
            if n % 1200 == 600 and without:
                home = without[(n // 1200) % len(without)]
            else:
                home = rng.choices(with_agreement, cum_weights=cumulative)[0]
            tier = rng.choices((1, 2, 3), (40, 35, 25))[0]
            self.placements.append(self._placement(home, tier, local, independents, hospitals, outreach))
        for first in list(self.placements):
            if first.end is not None and first.end < date(2026, 1, 31) and first.tier < 3 and rng.random() < 0.06:
                self.placements.append(self._follow_up(first, local))

    def _placement(
        self,
        home: _School,
        tier: int,
        local: dict[str, list[_Provider]],
        independents: list[_Provider],
        hospitals: list[_Provider],
        outreach: list[_Provider],
    ) -> _Placement:
        rng = self.rng
        reasons = {
            1: (("At risk of exclusion", 80), ("Awaiting EHCP", 10), ("Other", 10)),
            2: (("At risk of exclusion", 65), ("Medical", 15), ("Awaiting EHCP", 10), ("Other", 10)),
            3: (("At risk of exclusion", 40), ("Medical", 15), ("Awaiting EHCP", 20), ("Other", 25)),
        }[tier]
        reason = rng.choices([r for r, _ in reasons], [w for _, w in reasons])[0]
        if reason == "Medical":
            provider = hospitals[home.district.index % len(hospitals)]
        elif tier == 1:
            provider = outreach[home.district.index % len(outreach)] if rng.random() < 0.8 else rng.choice(
                local[home.district.name]
            )
        else:
            provider = rng.choice(local[home.district.name]) if rng.random() < 0.75 else rng.choice(independents)
        planned = {1: rng.choice((6, 8, 10, 12)), 2: rng.randint(6, 16), 3: rng.choice((26, 33, 39))}[tier]
        if tier == 3 and rng.random() < 0.05:
            start = self.last_spring.pick(rng, LAST_SPRING[0], LAST_SPRING[1])
        else:
            start = self.calendar.pick(rng, TERMS[0][1], TERMS[-1][2])
        end = self._planned_end(start, planned)
        year_group = self._placement_year_group(home)
        if year_group in (6, 11) and start < date(2025, 9, 1):
            # The last year of a phase leaves in the summer: the placement ends with the summer term.
            end = min(end or TERMS[0][2], TERMS[0][2])
        days = {
            1: rng.choice((1, 1, 2, 2, 3)),
            2: rng.choice((3, 4, 5, 5, 5)),
            3: rng.choice((5, 5, 5, 5, 3, 4)),
        }[tier]
        if reason == "Medical":
            days = rng.choice((2, 3, 5))
        registration = "Single" if tier == 3 and rng.random() < 0.15 else "Dual"
        placement = _Placement(
            pupil_ref=self.pupil_ref(),
            home=home,
            provider=provider,
            tier=tier,
            registration=registration,
            reason=reason,
            start=start,
            end=end,
            days_per_week=days,
            year_group=year_group,
            planned_weeks=planned,
            outcome=self._outcome(tier, end, year_group),
            person=self._person(),
        )
        if reason == "Awaiting EHCP" and rng.random() < 0.3:
            placement.charge_basis = "None"
        elif provider.type == "Independent" and rng.random() < 0.1:
            placement.charge_basis, placement.charge_rate = "Weekly", float(rng.choice(range(400, 551, 25)))
        return placement

    def _planned_end(self, start: date, planned_weeks: int) -> date | None:
        """Most placements end within their planned weeks; a few over-run; those still running at
        the year end either have no End Date yet or one after 31 March."""
        rng = self.rng
        if start + timedelta(weeks=planned_weeks) > TERMS[-1][2] and rng.random() < 0.5:
            return None
        weeks = planned_weeks * (rng.uniform(1.05, 1.3) if rng.random() < 0.02 else rng.uniform(0.6, 1.0))
        return max(start, _weekday_on_or_before(start + timedelta(days=round(weeks * 7) - 3)))

    def _outcome(self, tier: int, end: date | None, year_group: int) -> str:
        if end is None or end > FY_END:
            return "Continuing"
        if year_group == 11 and end >= date(2025, 6, 1) and end <= date(2025, 8, 31):
            return "Post-16"
        options = {
            1: (("Returned to mainstream", 85), ("Other", 10), ("Special school", 5)),
            2: (("Returned to mainstream", 70), ("Special school", 12), ("Other", 18)),
            3: (("Returned to mainstream", 35), ("Special school", 35), ("Other", 30)),
        }[tier]
        return self.rng.choices([o for o, _ in options], [w for _, w in options])[0]

    def _follow_up(self, first: _Placement, local: dict[str, list[_Provider]]) -> _Placement:
        """A second, later placement for the same pupil (escalating a tier): never overlapping the first."""
        rng = self.rng
        assert first.end is not None
        start = self.calendar.after(first.end + timedelta(days=7), 1)
        tier = first.tier + 1
        planned = rng.randint(6, 16) if tier == 2 else rng.choice((26, 33, 39))
        end = self._planned_end(start, planned)
        placement = _Placement(
            pupil_ref=first.pupil_ref,
            home=first.home,
            provider=rng.choice(local[first.home.district.name]),
            tier=tier,
            registration="Dual",
            reason="At risk of exclusion",
            start=start,
            end=end,
            days_per_week=5 if tier == 3 else rng.choice((3, 4, 5)),
            year_group=first.year_group,
            planned_weeks=planned,
            outcome=self._outcome(tier, end, first.year_group),
            person=first.person,
        )
        first.outcome = "Other"
        return placement

    # -- Exclusions -----------------------------------------------------------------------------------

    def make_exclusions(self) -> None:
        rng = self.rng
        local = self._local_providers()
        count = EXCLUSIONS_PER_SCALE * self.scale
        secondary = [s for s in self.schools if s.phase == "Secondary" and (s.agreement or not s.academy)]
        primary = [s for s in self.schools if s.phase == "Primary" and (s.agreement or not s.academy)]
        no_agreement = [s for s in self.schools if s.academy and not s.agreement and s.phase == "Secondary"]
        sec_weights = [s.exclusions_3yr + 0.5 for s in secondary]
        by_phase = {
            "Secondary": [s for s in self.schools if s.phase == "Secondary"],
            "Primary": [s for s in self.schools if s.phase == "Primary"],
        }
        for n in range(count):
            block, k = divmod(n, EXCLUSIONS_PER_SCALE)
            if k == 0:
                school, year_group = rng.choices(secondary, sec_weights)[0], 11
                excluded_on = self.calendar.pick(rng, date(2025, 4, 23), date(2025, 5, 23))
            elif k == 1:
                school, year_group = rng.choice(primary), 6
                excluded_on = self.calendar.pick(rng, date(2025, 4, 23), date(2025, 5, 23))
            else:
                if k == 50 and no_agreement:
                    # An academy without an AP agreement: the adjustment is shown as Not recoverable.
                    school = no_agreement[block % len(no_agreement)]
                elif k % 8 == 3:
                    school = rng.choice(primary)
                else:
                    school = rng.choices(secondary, sec_weights)[0]
                year_group = self._year_group(school)
                excluded_on = self.calendar.pick(rng, date(2025, 4, 23), date(2026, 2, 13))
            relevant = self.calendar.after(excluded_on, rng.randint(11, 20))
            relevant_blank = k in (17, 71)
            admitting: _School | None = None
            admitted_on: date | None = None
            reinstated_on: date | None = None
            if k in (23, 88):
                reinstated_on = self.calendar.after(relevant, rng.randint(10, 25))
            elif rng.random() < 0.2 and year_group not in (6, 11):
                admitting = rng.choice([s for s in by_phase[school.phase] if s.urn != school.urn])
                admitted_on = self.calendar.after(relevant, rng.randint(10, 45))
                if admitted_on > TERMS[-1][2]:
                    admitting, admitted_on = None, None
            if reinstated_on is not None and reinstated_on > TERMS[-1][2]:
                reinstated_on = None
            ref = self.pupil_ref()
            person = self._person()
            self.exclusion_rows.append(
                [
                    f"EX-{n + 1:05d}", ref, school.urn, excluded_on, None if relevant_blank else relevant, year_group,
                    "Yes" if person.fsm6 else "No", "Yes" if rng.random() < 0.4 else "No",
                    "Yes" if rng.random() < 0.08 else "No", "Yes" if rng.random() < 0.25 else "No",
                    round(rng.uniform(5200, 7400), 2) if k % 10 == 5 else None,
                    1050 if k == 42 and school.phase == "Secondary" else None,
                    1500 if k == 60 else None,
                    admitting.urn if admitting else None, admitted_on, reinstated_on,
                ]
            )
            self._exclusion_placements(school, ref, year_group, excluded_on, admitted_on, reinstated_on, person,
                                       local)

    def _exclusion_placements(
        self,
        school: _School,
        ref: str,
        year_group: int,
        excluded_on: date,
        admitted_on: date | None,
        reinstated_on: date | None,
        person: _Person,
        local: dict[str, list[_Provider]],
    ) -> None:
        """The excluded pupil's AP from the sixth school day, and for some an earlier outreach placement."""
        rng = self.rng
        start = self.calendar.after(excluded_on, 5)
        end: date | None = None
        outcome = "Continuing"
        if admitted_on is not None:
            end, outcome = admitted_on - timedelta(days=1), "Returned to mainstream"
        elif reinstated_on is not None:
            end, outcome = reinstated_on - timedelta(days=1), "Returned to mainstream"
        elif year_group in (6, 11):
            end = TERMS[0][2]
            outcome = "Post-16" if year_group == 11 else "Returned to mainstream"
        # Tier 2 is time-limited: only a placement that ends within its 16 weeks.
        tier = 2 if end is not None and (end - start).days <= 16 * 7 and rng.random() < 0.5 else 3
        self.placements.append(
            _Placement(
                pupil_ref=ref, home=school, provider=rng.choice(local[school.district.name]), tier=tier,
                registration="Single", reason="Permanent exclusion", start=start,
                end=_weekday_on_or_before(end) if end else None, days_per_week=5, year_group=year_group,
                planned_weeks=39 if tier == 3 else 16, outcome=outcome, person=person,
            )
        )
        earlier_start = excluded_on - timedelta(weeks=10)
        if rng.random() < 0.3 and earlier_start >= TERMS[0][1]:
            self.placements.append(
                _Placement(
                    pupil_ref=ref, home=school,
                    provider=next(p for p in self.providers if p.type == "Other"), tier=1, registration="Dual",
                    reason="At risk of exclusion", start=_weekday_on_or_after(earlier_start),
                    end=_weekday_on_or_before(excluded_on - timedelta(weeks=3)), days_per_week=1,
                    year_group=year_group, planned_weeks=8, outcome="Other", person=person,
                )
            )

    # -- Tables ---------------------------------------------------------------------------------------

    def county(self) -> County:
        lump_sum = 100_000
        districts = self.district_rows(lump_sum)
        self.make_placements()
        self.make_exclusions()
        placements = sorted(self.placements, key=lambda p: (p.start, p.home.urn, p.pupil_ref))
        rows: dict[str, list[list[object]]] = {
            c.DISTRICTS.name: districts,
            c.SCHOOLS.name: [s.row() for s in self.schools],
            c.DISTRICT_FACTORS.name: [[name, column, phase, weight] for name, column, phase, weight in
                                      _DISTRICT_FACTORS],
            c.SCHOOL_FACTORS.name: [
                ["Pupils", "Pupils", "Unit Rate", 69.31, "Secondary"],
                ["IDACI", "IDACI Pupils", "Unit Rate", 488.20, "Secondary"],
                ["Looked-after children", "LAC", "Unit Rate", 751.74, "Secondary"],
                ["EAL", "EAL", "Unit Rate", 479.70, "Secondary"],
                ["Awaiting EHCP", "Awaiting EHCP", "Weight", 0.10, None],
            ],
            c.REDRESS_RULES.name: [
                ["Permanent exclusions above 8 per 1,000", "Permanent Exclusions 3yr", "Pupils", 8,
                 "Per unit above threshold", 5000],
                ["Suspensions above 300 per 1,000", "Suspensions", "Pupils", 300, "Percent of allocation", 0.05],
            ],
            c.PROVIDERS.name: [p.row() for p in self.providers],
            c.PUPIL_RATES.name: [
                ["KS1", 3847.00, 705.00, 385.00, 590.00, 1170.00, 1480.00],
                ["KS2", 3847.00, 705.00, 385.00, 590.00, 1170.00, 1480.00],
                ["KS3", 5424.00, 790.00, 545.00, 1585.00, 1775.00, 1050.00],
                ["KS4", 6114.00, 790.00, 545.00, 1585.00, 1775.00, 1050.00],
            ],
            c.TERMS.name: [[name, start, end] for name, start, end in TERMS],
            c.CLOSURE_DAYS.name: [[start, end, reason] for start, end, reason in CLOSURES],
            c.PLACEMENTS.name: [p.row(f"PL-{i + 1:06d}") for i, p in enumerate(placements)],
            c.EXCLUSIONS.name: self.exclusion_rows,
            c.SCENARIOS.name: [
                ["Higher deprivation weight", "DistrictFactor", "IDACI", "35%"],
                ["Higher deprivation weight", "DistrictFactor", "KS3 Pupils", "22.5%"],
                ["Higher deprivation weight", "DistrictFactor", "KS4 Pupils", "22.5%"],
                ["Swale devolved", "District", "Swale/Funding Model", "Devolved"],
            ],
        }
        return County(self.settings(), rows)


def county_tables(*, seed: int = 2025, scale: int = 1) -> County:
    """The example county's Settings and table rows (deterministic in ``seed`` and ``scale``)."""
    return _Generator(seed, scale).county()


def generate_county(path: Path, *, seed: int = 2025, scale: int = 1) -> Path:
    """Write the example county as a Forum workbook at ``path``."""
    county = county_tables(seed=seed, scale=scale)
    return build_forum_workbook(path, county.rows, settings=county.settings)
