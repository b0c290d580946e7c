"""The one door through which aggregates of check-ins leave the database.

Rules (DESIGN.md, "Privacy rules"; README, "Supervision and anonymity"):

* Periods are closed ISO weeks or calendar months in the organisation's time zone.
  There are no arbitrary ranges and the still-open period is refused.
* Primary rule: a cell (team or group × period) is published only when at least k
  distinct people contributed; k is the organisation's setting, never below 3.
* Complementary rule: within one period, take every published team and group
  (the organisation, any union of teams). Sort the people by the exact set of
  published cells they count in; each such class ("atom") must hold at least k
  people. Every difference or inclusion–exclusion of published cells (team vs
  organisation, team vs union of teams, two overlapping teams) is a sum of whole
  atoms, so none of them rests on fewer than k people. While an atom is too small,
  one more cell is suppressed: the one whose removal merges the atom into a class of
  at least k, preferring a group total over a team (supervisors need their team)
  and then the smallest cell.
* Change rule: a cell is suppressed when the same team or group had at least k
  people in the previous period and the two sets of people differ (symmetric
  difference) by more than 0 and fewer than k: the change would single people out.
  It compares with the previous period's people whether or not that cell was shown,
  so a decision never depends on how far back a page looks.

The pure part (`decide`) works on sets of contributor ids; `publishable_cells` runs the
aggregation queries (supervision/trends.py) and passes everything through it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MIN_ANONYMITY_K

WEEK = "week"
MONTH = "month"
_WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A closed ISO week (Monday–Sunday) or calendar month; `end` is its last day."""

    start: dt.date
    end: dt.date
    kind: str

    def __post_init__(self) -> None:
        if self.kind == WEEK:
            valid = self.start.isoweekday() == 1 and self.end == self.start + dt.timedelta(days=6)
        elif self.kind == MONTH:
            last = calendar.monthrange(self.start.year, self.start.month)[1]
            valid = self.start.day == 1 and self.end == self.start.replace(day=last)
        else:
            valid = False
        if not valid:
            raise ValueError(f"not a whole ISO week or calendar month: {self.start}–{self.end} ({self.kind})")

    @classmethod
    def week_of(cls, day: dt.date) -> Period:
        start = day - dt.timedelta(days=day.isoweekday() - 1)
        return cls(start, start + dt.timedelta(days=6), WEEK)

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        start = day.replace(day=1)
        return cls(start, start.replace(day=calendar.monthrange(day.year, day.month)[1]), MONTH)

    @classmethod
    def from_label(cls, label: str) -> Period:
        if match := _WEEK_LABEL.match(label):
            return cls.week_of(dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
        if match := _MONTH_LABEL.match(label):
            return cls.month_of(dt.date(int(match[1]), int(match[2]), 1))
        raise ValueError(f"not a period label: {label!r}")

    @property
    def label(self) -> str:
        if self.kind == WEEK:
            year, week, _weekday = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        day = self.start - dt.timedelta(days=1)
        return Period.week_of(day) if self.kind == WEEK else Period.month_of(day)

    def next(self) -> Period:
        day = self.end + dt.timedelta(days=1)
        return Period.week_of(day) if self.kind == WEEK else Period.month_of(day)

    def is_closed(self, today: dt.date) -> bool:
        return self.end < today

    def __str__(self) -> str:
        return self.label


def organisation_today(organisation, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(organisation.tz).date()


def closed_periods(organisation, count: int, kind: str = WEEK, now: dt.datetime | None = None) -> list[Period]:
    """The last `count` closed weeks (or months) in the organisation's time zone, oldest first."""
    today = organisation_today(organisation, now)
    current = Period.week_of(today) if kind == WEEK else Period.month_of(today)
    periods = [current.previous()]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def period_range_label(periods: list[Period]) -> str:
    if not periods:
        return ""
    return periods[0].label if len(periods) == 1 else f"{periods[0].label}/{periods[-1].label}"


def effective_k(organisation) -> int:
    return max(int(organisation.anonymity_k or 0), MIN_ANONYMITY_K)


@dataclass(frozen=True)
class Unit:
    """A team, or a group of people drawn from teams (`kind` "organisation" or "group")."""

    kind: str
    id: int

    @property
    def is_team(self) -> bool:
        return self.kind == "team"


class Reason(StrEnum):
    TOO_FEW = "too_few"
    COMPLEMENTARY = "complementary"
    CHANGE = "change"

    @property
    def explanation(self) -> str:
        return str(REASON_EXPLANATIONS[self])


SUPPRESSED_TEXT = _("too few check-ins to show without identifying anyone")
REASON_EXPLANATIONS = {
    Reason.TOO_FEW: _("Fewer people than the organisation's threshold checked in."),
    Reason.COMPLEMENTARY: _("Showing it would let someone work out a hidden group by subtraction."),
    Reason.CHANGE: _("Only a few people differ from the week before, so the change could point to them."),
}

Contributors = Mapping[Period, Mapping[Unit, Iterable[Hashable]]]


def decide(contributors: Contributors, k: int) -> dict[tuple[Unit, Period], Reason | None]:
    """For each (unit, period): None when it may be published, else why it is suppressed.

    The change rule compares each period with the one just before it when that one is
    in `contributors` too; callers pass one period of lookback and ignore its decisions.
    """
    k = max(int(k), MIN_ANONYMITY_K)
    decisions: dict[tuple[Unit, Period], Reason | None] = {}
    raw_before: dict[Unit, frozenset] | None = None
    period_before: Period | None = None
    for period in sorted(contributors):
        raw = {unit: frozenset(people) for unit, people in contributors[period].items()}
        published: dict[Unit, frozenset] = {}
        for unit, people in raw.items():
            if len(people) < k:
                decisions[(unit, period)] = Reason.TOO_FEW
            else:
                published[unit] = people
        consecutive = period_before is not None and period_before.next() == period
        if consecutive and raw_before is not None:
            for unit in list(published):
                before = raw_before.get(unit, frozenset())
                if len(before) >= k and 0 < len(before ^ published[unit]) < k:
                    decisions[(unit, period)] = Reason.CHANGE
                    del published[unit]
        while (unit := _cell_to_suppress(published, k)) is not None:
            decisions[(unit, period)] = Reason.COMPLEMENTARY
            del published[unit]
        for unit in published:
            decisions[(unit, period)] = None
        raw_before, period_before = raw, period
    return decisions


def atoms(published: Mapping[Unit, frozenset]) -> dict[frozenset[Unit], set]:
    """People grouped by the exact set of published cells they count in."""
    signature: dict[Hashable, set[Unit]] = defaultdict(set)
    for unit, people in published.items():
        for person in people:
            signature[person].add(unit)
    grouped: dict[frozenset[Unit], set] = defaultdict(set)
    for person, units in signature.items():
        grouped[frozenset(units)].add(person)
    return grouped


def _cell_to_suppress(published: Mapping[Unit, frozenset], k: int) -> Unit | None:
    grouped = atoms(published)
    small = [sig for sig, people in grouped.items() if len(people) < k]
    if not small:
        return None
    target = min(small, key=lambda sig: (len(grouped[sig]), sorted((u.kind, u.id) for u in sig)))
    size = len(grouped[target])
    candidates: list[tuple[tuple, Unit]] = []
    for unit in published:
        if unit in target:
            rest = target - {unit}
            merged = k if not rest else size + len(grouped.get(rest, ()))
        elif target | {unit} in grouped:
            merged = size + len(grouped[target | {unit}])
        else:
            continue
        key = (merged < k, unit.is_team, len(published[unit]), unit.kind, unit.id)
        candidates.append((key, unit))
    return min(candidates, key=lambda item: item[0])[1]


@dataclass(frozen=True)
class Cell:
    value: Any
    reason: Reason | None = None

    @property
    def published(self) -> bool:
        return self.reason is None

    @property
    def text(self) -> str:
        return str(SUPPRESSED_TEXT) if self.reason else ""


@dataclass
class Grid:
    """Published or suppressed cells for every unit of one organisation over some periods."""

    organisation: Any
    periods: list[Period]
    units: list[Unit]
    labels: dict[Unit, str]
    members: dict[Unit, int]
    cells: dict[tuple[Unit, Period, str], Cell]
    k: int

    def cell(self, unit: Unit, period: Period, measure: str) -> Cell:
        return self.cells[(unit, period, measure)]

    def series(self, unit: Unit, measure: str) -> list[Cell]:
        return [self.cells[(unit, period, measure)] for period in self.periods]

    def has_any_published(self, unit: Unit) -> bool:
        return any(self.cells[(unit, period, "people")].published for period in self.periods)


def team_unit(team_id: int) -> Unit:
    return Unit("team", team_id)


def organisation_unit(organisation_id: int) -> Unit:
    return Unit("organisation", organisation_id)


def publishable_cells(organisation, periods: list[Period], now: dt.datetime | None = None) -> Grid:
    """Every team of the organisation and its total, over closed `periods`, through the rules above.

    The whole organisation is always decided together, whoever is looking, so that
    values shown on different pages can never be combined into a smaller group.
    """
    from . import trends

    if not periods:
        raise ValueError("at least one period is needed")
    today = organisation_today(organisation, now)
    kinds = {period.kind for period in periods}
    if len(kinds) != 1 or any(not period.is_closed(today) for period in periods):
        raise ValueError("only closed weeks or months of one kind can be shown")
    periods = sorted(set(periods))
    lookback = periods[0].previous()
    raw = trends.raw_aggregates(organisation, [lookback, *periods])
    k = effective_k(organisation)
    decisions = {basis: decide(sets, k) for basis, sets in raw.contributors.items()}
    cells: dict[tuple[Unit, Period, str], Cell] = {}
    for unit in raw.units:
        for period in periods:
            values = raw.values.get((unit, period), {})
            for measure in trends.MEASURES:
                reason = decisions[trends.CHECKED_IN][(unit, period)] or decisions[measure.basis][(unit, period)]
                value = None if reason else measure.publish(values, raw.members[unit], k)
                cells[(unit, period, measure.key)] = Cell(value, reason)
    return Grid(organisation, periods, raw.units, raw.labels, raw.members, cells, k)
