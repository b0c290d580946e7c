"""The one door through which aggregates of check-ins leave the database.

Rules (docs/privacy.md, "Supervision and anonymity"):

* Periods are closed ISO weeks or calendar months in the organisation's time zone.
  There are no arbitrary ranges and the still-open period is refused.
* Primary rule: a cell (team, group of teams or organisation × period) is published only when at least k
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

* Publish once: each organisation's closed week is decided a single time, with the k in
  force that week, and stored (`supervision.publishing`); pages read only what was stored.

This module is pure: `decide` works on sets of contributor ids. `publishing.publish_week`
gathers them for one week (and the week before, for the change rule) from
`trends.week_aggregates` and stores the outcome.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

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


def period_range_label(periods: list[Period]) -> str:
    if not periods:
        return ""
    return periods[0].label if len(periods) == 1 else f"{periods[0].label}/{periods[-1].label}"


class Unit(NamedTuple):
    """A team, or a group of people drawn from teams (`kind` "organisation" or "group").

    A named tuple rather than a dataclass: an organisation's decisions key a few hundred
    thousand dictionary entries on units, and a tuple hashes in C.
    """

    kind: str
    id: int

    @property
    def is_team(self) -> bool:
        return self.kind == "team"


class Reason(StrEnum):
    TOO_FEW = "too_few"
    COMPLEMENTARY = "complementary"
    CHANGE = "change"
    NOT_PUBLISHED = "not_published"

    @property
    def explanation(self) -> str:
        return str(REASON_EXPLANATIONS[self])


REASON_EXPLANATIONS = {
    Reason.TOO_FEW: _("Fewer people than the organisation's threshold checked in."),
    Reason.COMPLEMENTARY: _("Showing it would let someone work out a hidden group by subtraction."),
    Reason.CHANGE: _("Only a few people differ from the week before, so the change could point to them."),
    Reason.NOT_PUBLISHED: _(
        "This team or group did not exist yet, or had no members for the whole week, when the week was published."
    ),
}

Contributors = Mapping[Period, Mapping[Unit, Iterable[Hashable]]]


def decide(contributors: Contributors, k: int) -> dict[tuple[Unit, Period], Reason | None]:
    """For each (unit, period): None when it may be published, else why it is suppressed.

    The change rule compares each period with the one just before it when that one is
    in `contributors` too; callers pass one period of lookback and ignore its decisions.
    """
    k = max(int(k), MIN_ANONYMITY_K)
    decisions: dict[tuple[Unit, Period], Reason | None] = {}
    raw_before: dict[Unit, frozenset[Hashable]] | None = None
    period_before: Period | None = None
    for period in sorted(contributors):
        raw = {unit: frozenset(people) for unit, people in contributors[period].items()}
        published: dict[Unit, frozenset[Hashable]] = {}
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
        for unit in _complementary_suppressions(published, k):
            decisions[(unit, period)] = Reason.COMPLEMENTARY
            del published[unit]
        for unit in published:
            decisions[(unit, period)] = None
        raw_before, period_before = raw, period
    return decisions


def atom_sizes(published: Mapping[Unit, Iterable[Hashable]]) -> tuple[list[Unit], dict[int, int]]:
    """People grouped by the exact set of published cells they count in: how many in each group.

    A group ("atom") is named by a bit mask over the returned list of units (bit i: units[i]).
    """
    units = list(published)
    signature: dict[Hashable, int] = {}
    get = signature.get
    for index, unit in enumerate(units):
        bit = 1 << index
        for person in published[unit]:
            signature[person] = get(person, 0) | bit
    return units, dict(Counter(signature.values()))


def _complementary_suppressions(published: Mapping[Unit, frozenset[Hashable]], k: int) -> list[Unit]:
    """The cells to suppress, in order, until every atom holds at least k people.

    Removing a cell only clears its bit in every atom's mask, so the people are grouped
    once and the sizes are merged after each removal.
    """
    units, sizes = atom_sizes(published)
    bit_of = {unit: 1 << index for index, unit in enumerate(units)}
    remaining = {unit: len(published[unit]) for unit in units}
    suppressed: list[Unit] = []
    while True:
        small = [mask for mask, size in sizes.items() if mask and size < k]
        if not small:
            return suppressed
        target = min(small, key=lambda mask: (sizes[mask], sorted((u.kind, u.id) for u in units if mask & bit_of[u])))
        size = sizes[target]
        candidates: list[tuple[tuple[bool, bool, int, str, int], Unit]] = []
        for unit, people in remaining.items():
            bit = bit_of[unit]
            if target & bit:
                rest = target & ~bit
                merged = k if not rest else size + sizes.get(rest, 0)
            elif target | bit in sizes:
                merged = size + sizes[target | bit]
            else:
                continue
            candidates.append(((merged < k, unit.is_team, people, unit.kind, unit.id), unit))
        unit = min(candidates, key=lambda item: item[0])[1]
        suppressed.append(unit)
        del remaining[unit]
        merged_sizes: Counter[int] = Counter()
        for mask, count in sizes.items():
            merged_sizes[mask & ~bit_of[unit]] += count
        sizes = dict(merged_sizes)


@dataclass(frozen=True)
class Cell:
    value: Any
    reason: Reason | None = None

    @property
    def published(self) -> bool:
        return self.reason is None


def team_unit(team_id: int) -> Unit:
    return Unit("team", team_id)


def group_unit(group_id: int) -> Unit:
    return Unit("group", group_id)


def organisation_unit(organisation_id: int) -> Unit:
    return Unit("organisation", organisation_id)
