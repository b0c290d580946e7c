"""Publish once: each organisation's closed week is decided a single time and stored.

A week is published when nobody can change it any more: when its Sunday plus the check-in
edit window (`accounts.weeks.LATE_WINDOW_DAYS`) has ended in the organisation's time zone
and in every member's. `publish_week` then runs the rules of `anonymity` over every unit of
the organisation (teams, groups of teams, the organisation) for that week, with the k in
force that week, and stores every cell: its rounded value or why it is hidden. After that
nothing changes it: not a late edit (there can be none), a membership change, a new team or
group, a change of k, an erasure or retention. Recomputing the past is exactly what would
publish one person's values as a difference.

The change rule compares a week with the people of the week before *as that week was
published*: an erasure or a team added to a group since then must not hide a change. So each
publication keeps, per unit and basis, keyed digests of who counted (HMAC of the person's id
with a key derived from SECRET_KEY: not readable as ids without the key), and the next
publication compares with them and then clears them. Only the newest published week of an
organisation holds any. A week whose predecessor was never published (the first week of an
organisation) is compared with the predecessor worked out from today's data. Changing
SECRET_KEY between two publications makes everyone look new for one comparison.

Every dashboard, export and digest reads stored cells through `published_grid`; nothing
shown to a supervisor or admin is computed from live check-ins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from accounts.models import Membership, Organisation, Team, TeamGroup, User
from accounts.weeks import first_closed_day, first_whole_week, monday_of

from . import trends
from .anonymity import WEEK, Cell, Period, Reason, Unit, decide
from .models import Publication, PublishedUnit
from .trends import BASES, CHECKED_IN, MEASURE_BY_KEY, MEASURES

logger = logging.getLogger(__name__)

# How far back a first publication run (a new installation, or one upgraded to publish-once)
# looks for weeks to publish: the longest view a dashboard offers is 52 weeks.
MAX_BACKFILL_WEEKS = 53
ONE_WEEK = dt.timedelta(days=7)


def time_zones(organisation: Organisation) -> set[str]:
    """The organisation's time zone and every one of its people's: a week closes in the last of them."""
    zones = set(User.objects.filter(organisation=organisation).order_by().values_list("time_zone", flat=True))
    return zones | {organisation.time_zone}


def week_closes_at(monday: dt.date, zones: Iterable[str]) -> dt.datetime:
    """The first instant at which nobody, in any of `zones`, can still fill in or change that week."""
    day = first_closed_day(monday)
    return max(dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone)) for zone in zones)


def latest_due_week(organisation: Organisation, now: dt.datetime | None = None, zones=None) -> dt.date:
    """The Monday of the newest week that can be published at `now`."""
    now = now or timezone.now()
    zones = zones or time_zones(organisation)
    monday = monday_of(organisation.today(now)) - ONE_WEEK
    while week_closes_at(monday, zones) > now:
        monday -= ONE_WEEK
    return monday


def due_weeks(organisation: Organisation, now: dt.datetime | None = None) -> list[dt.date]:
    """Mondays of the weeks due and not yet published, oldest first.

    From the first week anyone was a member of one of its teams for the whole week (at most
    MAX_BACKFILL_WEEKS back) to the newest week that can no longer change.
    """
    latest = latest_due_week(organisation, now)
    first_start = Membership.objects.filter(team__organisation=organisation, role=Membership.Role.MEMBER).aggregate(
        first=Min("started_on")
    )["first"]
    if first_start is None:
        return []
    first = max(first_whole_week(first_start), latest - MAX_BACKFILL_WEEKS * ONE_WEEK)
    published = set(
        Publication.objects.filter(organisation=organisation, week__gte=first).values_list("week", flat=True)
    )
    weeks = []
    monday = first
    while monday <= latest:
        if monday not in published:
            weeks.append(monday)
        monday += ONE_WEEK
    return weeks


def _digest_key() -> bytes:
    return hashlib.sha256(b"sts-checkin change rule:" + settings.SECRET_KEY.encode()).digest()


def digest_of(key: bytes, organisation_id: int, user_id: int) -> str:
    """A person's digest for the change rule: the same from week to week, useless without the key."""
    return hmac.new(key, f"{organisation_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _digested(contributors: dict[str, dict[Unit, frozenset[int]]], organisation_id: int) -> dict:
    key = _digest_key()
    everyone = set().union(*(people for by_unit in contributors.values() for people in by_unit.values()))
    digest = {user_id: digest_of(key, organisation_id, user_id) for user_id in everyone}
    return {
        basis: {unit: frozenset(digest[user_id] for user_id in people) for unit, people in by_unit.items()}
        for basis, by_unit in contributors.items()
    }


def _published_before(organisation: Organisation, monday: dt.date) -> dict | None:
    """The week before's contributors as it was published (digests), or None if it was never published."""
    before_week = monday - ONE_WEEK
    if not Publication.objects.filter(organisation=organisation, week=before_week).exists():
        return None
    rows = PublishedUnit.objects.filter(publication__organisation=organisation, week=before_week).values_list(
        "kind", "unit_id", "contributor_digests"
    )
    before: dict[str, dict[Unit, frozenset[str]]] = {basis: {} for basis in BASES}
    for kind, unit_id, stored in rows:
        for basis, digests in stored.items():
            before[basis][Unit(kind, unit_id)] = frozenset(digests)
    return before


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        return Decimal(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def publish_week(organisation: Organisation, monday: dt.date) -> Publication | None:
    """Decide and store one week of the organisation; None if it was already published.

    Publishers of one organisation take turns on its row, so two workers at once publish a
    week once; the unique constraint on (organisation, week) guards the rest. A week that is
    not yet due is refused.
    """
    period = Period.week_of(monday)
    if period.start != monday or monday > latest_due_week(organisation):
        raise ValueError(f"the week of {monday} cannot be published yet")
    try:
        with transaction.atomic():
            organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
            if Publication.objects.filter(organisation=organisation, week=monday).exists():
                return None
            k = organisation.k_for_week(monday)
            current = trends.week_aggregates(organisation, monday)
            now_digests = _digested(current.contributors, organisation.pk)
            before = _published_before(organisation, monday)
            if before is None:
                worked_out = trends.week_aggregates(organisation, monday - ONE_WEEK)
                before = _digested(worked_out.contributors, organisation.pk)
            decisions = {
                basis: decide({period.previous(): before[basis], period: now_digests[basis]}, k) for basis in BASES
            }
            publication = Publication.objects.create(organisation=organisation, week=monday, k=k)
            rows = []
            for unit in current.units:
                values, hidden = {}, {}
                raw = current.values.get(unit, {})
                for measure in MEASURES:
                    reason = decisions[CHECKED_IN][(unit, period)] or decisions[measure.basis][(unit, period)]
                    if reason:
                        hidden[measure.key] = reason.value
                    else:
                        values[measure.key] = _encode(measure.publish(raw, current.members[unit], k))
                digests = {
                    basis: sorted(now_digests[basis][unit]) for basis in BASES if len(now_digests[basis][unit]) >= k
                }
                rows.append(
                    PublishedUnit(
                        publication=publication,
                        week=monday,
                        kind=unit.kind,
                        unit_id=unit.id,
                        label=current.labels[unit][:200],
                        members=current.members[unit],
                        values=values,
                        hidden=hidden,
                        contributor_digests=digests,
                    )
                )
            PublishedUnit.objects.bulk_create(rows)
            # Only the newest week keeps digests: the next publication is the only one that needs them.
            PublishedUnit.objects.filter(publication__organisation=organisation, week__lt=monday).exclude(
                contributor_digests={}
            ).update(contributor_digests={})
            lowered_k, lowered_k_from = organisation.lowered_k, organisation.lowered_k_from
            if lowered_k is not None and lowered_k_from is not None and monday >= lowered_k_from:
                # The scheduled lower k is now the organisation's k.
                organisation.anonymity_k = lowered_k
                organisation.lowered_k = organisation.lowered_k_from = None
                organisation.save(update_fields=["anonymity_k", "lowered_k", "lowered_k_from"])
            return publication
    except IntegrityError:
        if Publication.objects.filter(organisation=organisation, week=monday).exists():
            return None
        raise


def publish_due(now: dt.datetime | None = None, organisations=None) -> list[Publication]:
    """Publish every due week of every organisation (or of `organisations`), oldest first."""
    now = now or timezone.now()
    published = []
    for organisation in organisations if organisations is not None else Organisation.objects.all():
        for monday in due_weeks(organisation, now):
            publication = publish_week(organisation, monday)
            if publication is not None:
                logger.debug("published organisation %s, week of %s", organisation.pk, monday)
                published.append(publication)
    return published


class PublishedGrid:
    """Stored cells for some units of one organisation over some weeks, as pages show them.

    A week that has no stored row for a unit (the team or group did not exist yet when the
    week was published, or the week is not published yet) reads as not published.
    """

    def __init__(self, organisation: Organisation, periods: list[Period], units: list[Unit], rows):
        self.organisation = organisation
        self.periods = periods
        self.units = units
        self._rows: dict[tuple[Unit, Period], PublishedUnit] = {}
        self.k_by_week: dict[dt.date, int] = {}
        for row in rows:
            self._rows[(Unit(row.kind, row.unit_id), Period.week_of(row.week))] = row
        self.labels = _labels(organisation, units, self._rows)
        self.members: dict[Unit, int] = {}
        for unit in units:
            latest = next((self._rows[(unit, p)] for p in reversed(periods) if (unit, p) in self._rows), None)
            self.members[unit] = latest.members if latest else 0

    @property
    def k(self) -> int:
        return (
            self.k_by_week[max(self.k_by_week)]
            if self.k_by_week
            else self.organisation.k_for_week(self.periods[-1].start)
        )

    def members_in(self, unit: Unit, period: Period) -> int | None:
        row = self._rows.get((unit, period))
        return row.members if row else None

    def cell(self, unit: Unit, period: Period, measure: str) -> Cell:
        if measure not in MEASURE_BY_KEY:
            raise KeyError(measure)
        row = self._rows.get((unit, period))
        if row is None:
            return Cell(None, Reason.NOT_PUBLISHED)
        if measure in row.hidden:
            return Cell(None, Reason(row.hidden[measure]))
        return Cell(_decode(row.values.get(measure)))

    def series(self, unit: Unit, measure: str) -> list[Cell]:
        return [self.cell(unit, period, measure) for period in self.periods]

    def has_any_published(self, unit: Unit) -> bool:
        return any(self.cell(unit, period, "people").published for period in self.periods)


def _labels(organisation, units: list[Unit], rows) -> dict[Unit, str]:
    """Today's names of teams and groups; the stored name of one that no longer exists."""
    labels = {unit: row.label for (unit, _period), row in rows.items()}
    team_ids = [unit.id for unit in units if unit.kind == "team"]
    group_ids = [unit.id for unit in units if unit.kind == "group"]
    for team_id, name in Team.objects.filter(organisation=organisation, pk__in=team_ids).values_list("id", "name"):
        labels[Unit("team", team_id)] = name
    for group_id, name in TeamGroup.objects.filter(organisation=organisation, pk__in=group_ids).values_list(
        "id", "name"
    ):
        labels[Unit("group", group_id)] = name
    for unit in units:
        labels.setdefault(unit, "")
    return labels


def shown_weeks(organisation: Organisation, count: int, now: dt.datetime | None = None) -> list[Period]:
    """The `count` weeks a page shows, oldest first, ending with the newest published week.

    Before anything is published they end with the newest week that is due.
    """
    newest = Publication.objects.filter(organisation=organisation).order_by("-week").values_list("week", flat=True)
    last = newest.first() or latest_due_week(organisation, now)
    periods = [Period.week_of(last)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def published_grid(organisation: Organisation, periods: list[Period], units: list[Unit] | None = None) -> PublishedGrid:
    """The stored cells of `units` (every unit of the organisation when None) over `periods`."""
    if any(period.kind != WEEK for period in periods):
        raise ValueError("only weeks are published")
    mondays = [period.start for period in periods]
    query_rows = PublishedUnit.objects.filter(publication__organisation=organisation, week__in=mondays)
    if units is not None:
        by_kind: dict[str, list[int]] = {}
        for unit in units:
            by_kind.setdefault(unit.kind, []).append(unit.id)
        query = Q()
        for kind, ids in by_kind.items():
            query |= Q(kind=kind, unit_id__in=ids)
        query_rows = query_rows.filter(query)
    rows = list(query_rows.order_by())
    if units is None:
        seen = {Unit(row.kind, row.unit_id) for row in rows}
        order = {"organisation": 0, "group": 1, "team": 2}
        units = sorted(seen, key=lambda unit: (order.get(unit.kind, 3), unit.id))
    grid = PublishedGrid(organisation, periods, units, rows)
    k_rows = Publication.objects.filter(organisation=organisation, week__in=mondays).values_list("week", "k")
    grid.k_by_week = dict(k_rows)
    return grid
