"""Team measures, aggregated in the database by team × period in a fixed number of queries.

Nothing here is shown directly: `anonymity.publishable_cells` calls `raw_aggregates` and
decides what may leave. Only per-person aggregates (who contributed in which period,
their last day off) reach Python, never check-in rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from django.db import connection
from django.db.models import Avg, Case, Count, F, Func, IntegerField, Max, Q, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Team
from checkins.models import CheckIn

from .anonymity import WEEK, Period, Unit, organisation_unit, team_unit

CHECKED_IN = "checked_in"
ANSWERED_WORKLOAD = "answered_workload"
KNOWN_TIME_OFF = "known_time_off"
BASES = (CHECKED_IN, ANSWERED_WORKLOAD, KNOWN_TIME_OFF)
TOP_PRACTICES = 3
CLUSTER_MEASURES = ("intrusion", "avoidance", "arousal", "exhaustion")


def _round(value, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _percent(part, whole) -> int | None:
    if not whole:
        return None
    return int(_round(Decimal(part) * 100 / Decimal(whole), "1"))


def _top_practices(values: dict, members: int, k: int) -> tuple[str, ...]:
    # Names only, and only practices at least k different people used: no count to subtract.
    usable = [(name, people) for name, people in values.get("practices", []) if people >= k]
    usable.sort(key=lambda item: (-item[1], item[0]))
    return tuple(name for name, _people in usable[:TOP_PRACTICES])


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any
    basis: str
    publish: Callable[[dict, int, int], Any]
    unit: Any = ""
    chart: bool = True


MEASURES: tuple[Measure, ...] = (
    Measure("people", _("people who checked in"), CHECKED_IN, lambda v, m, k: v.get("people"), chart=False),
    Measure(
        "participation", _("participation"), CHECKED_IN,
        lambda v, m, k: _percent(v.get("people", 0), m), unit="%",
    ),
    Measure("sts_index", _("STS index (0–4)"), CHECKED_IN, lambda v, m, k: _round(v.get("sts_index"))),
    Measure("intrusion", _("intrusion"), CHECKED_IN, lambda v, m, k: _round(v.get("intrusion"))),
    Measure("avoidance", _("avoidance"), CHECKED_IN, lambda v, m, k: _round(v.get("avoidance"))),
    Measure("arousal", _("on edge (arousal)"), CHECKED_IN, lambda v, m, k: _round(v.get("arousal"))),
    Measure("exhaustion", _("exhaustion"), CHECKED_IN, lambda v, m, k: _round(v.get("exhaustion"))),
    Measure(
        "high_share", _("check-ins in the high band"), CHECKED_IN,
        lambda v, m, k: _percent(v.get("high", 0), v.get("checkins")), unit="%",
    ),
    Measure(
        "exposure_days", _("distressing-exposure days per person"), CHECKED_IN,
        lambda v, m, k: _round(Decimal(v["exposure"]) / Decimal(v["people"])) if v.get("people") else None,
    ),
    Measure(
        "workload", _("workload felt manageable (0–4)"), ANSWERED_WORKLOAD,
        lambda v, m, k: _round(v.get("workload")),
    ),
    Measure(
        "days_since_time_off", _("days since time off (median)"), KNOWN_TIME_OFF,
        lambda v, m, k: _round(v.get("days_since_time_off"), "1"), unit=_("days"),
    ),
    Measure("top_practices", _("most-used Reset practices"), CHECKED_IN, _top_practices, chart=False),
)
MEASURE_BY_KEY = {measure.key: measure for measure in MEASURES}


@dataclass
class RawAggregates:
    units: list[Unit]
    labels: dict[Unit, str]
    members: dict[Unit, int]
    contributors: dict[str, dict[Period, dict[Unit, set[int]]]]
    values: dict[tuple[Unit, Period], dict[str, Any]] = field(default_factory=dict)


def _period_case(periods: list[Period], date_field: str) -> Case | Func:
    """The index of the period a date falls in.

    On PostgreSQL, for consecutive periods, plain date arithmetic (one subtraction per row,
    `make bench` showed the CASE of up to 53 ranges dominating the aggregation time);
    otherwise a CASE over the ranges.
    """
    consecutive = all(a.next() == b for a, b in pairwise(periods))
    if consecutive and connection.vendor == "postgresql":
        first = periods[0].start
        if periods[0].kind == WEEK:
            template = f"((%(expressions)s - DATE '{first.isoformat()}') / 7)"
        else:
            base = first.year * 12 + first.month
            template = (
                "((EXTRACT(YEAR FROM %(expressions)s)::int * 12 + EXTRACT(MONTH FROM %(expressions)s)::int)"
                f" - {base})"
            )
        return Func(F(date_field), template=template, output_field=IntegerField())
    return Case(
        *[When(**{f"{date_field}__range": (p.start, p.end)}, then=Value(i)) for i, p in enumerate(periods)],
        output_field=IntegerField(),
    )


_SCORE_AGGREGATES = {
    "checkins": Count("id"),
    "sts_index": Avg("sts_index"),
    "intrusion": Avg("intrusion_score"),
    "avoidance": Avg("avoidance_score"),
    "arousal": Avg("arousal_score"),
    "exhaustion": Avg("exhaustion_score"),
    "high": Count("id", filter=Q(band=CheckIn.Band.HIGH)),
    "exposure": Count("id", filter=Q(exposure=True)),
    "workload": Avg("workload"),
}


def raw_aggregates(organisation, periods: list[Period]) -> RawAggregates:
    """Eight queries, whatever the number of teams, people, periods or check-ins."""
    start, end = periods[0].start, periods[-1].end
    org_unit = organisation_unit(organisation.id)
    teams = list(Team.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    units = [team_unit(team_id) for team_id, _name in teams] + [org_unit]
    labels = {team_unit(team_id): name for team_id, name in teams}
    labels[org_unit] = str(_("Whole organisation"))

    memberships = Membership.objects.filter(team__organisation=organisation, role=Membership.Role.MEMBER)
    teams_of: dict[int, list[Unit]] = defaultdict(list)
    for team_id, user_id in memberships.values_list("team_id", "user_id"):
        teams_of[user_id].append(team_unit(team_id))
    members = {unit: 0 for unit in units}
    for user_units in teams_of.values():
        for unit in user_units:
            members[unit] += 1
    members[org_unit] = len(teams_of)

    in_window = CheckIn.objects.filter(
        user_id__in=memberships.values("user_id"), local_date__range=(start, end)
    ).order_by()
    period_of = _period_case(periods, "local_date")

    contributors = {basis: {p: {unit: set() for unit in units} for p in periods} for basis in BASES}
    per_person = in_window.values("user_id", p=period_of).annotate(
        answered_workload=Count("workload"), last_day_off=Max("local_date", filter=Q(day_off=True))
    )
    last_off_before = dict(
        CheckIn.objects.filter(user_id__in=memberships.values("user_id"), day_off=True, local_date__lt=start)
        .order_by()
        .values("user_id")
        .annotate(last=Max("local_date"))
        .values_list("user_id", "last")
    )
    rows_by_period: dict[int, list[dict]] = defaultdict(list)
    for row in per_person:
        rows_by_period[row["p"]].append(row)

    days_off: dict[tuple[Unit, Period], list[int]] = defaultdict(list)
    last_known = dict(last_off_before)
    for index, period in enumerate(periods):
        for row in rows_by_period.get(index, []):
            user_id = row["user_id"]
            if row["last_day_off"] and (user_id not in last_known or row["last_day_off"] > last_known[user_id]):
                last_known[user_id] = row["last_day_off"]
            for unit in [*teams_of[user_id], org_unit]:
                contributors[CHECKED_IN][period][unit].add(user_id)
                if row["answered_workload"]:
                    contributors[ANSWERED_WORKLOAD][period][unit].add(user_id)
                if user_id in last_known:
                    contributors[KNOWN_TIME_OFF][period][unit].add(user_id)
                    days_off[(unit, period)].append((period.end - last_known[user_id]).days)

    values: dict[tuple[Unit, Period], dict[str, Any]] = defaultdict(dict)
    team_rows = (
        CheckIn.objects.filter(
            user__memberships__team__organisation=organisation,
            user__memberships__role=Membership.Role.MEMBER,
            local_date__range=(start, end),
        )
        .order_by()
        .values(team=F("user__memberships__team_id"), p=period_of)
        .annotate(**_SCORE_AGGREGATES)
    )
    for row in team_rows:
        values[(team_unit(row.pop("team")), periods[row.pop("p")])].update(row)
    for row in in_window.values(p=period_of).annotate(**_SCORE_AGGREGATES):
        values[(org_unit, periods[row.pop("p")])].update(row)

    through = CheckIn.practices.through.objects.order_by()
    practice_period = _period_case(periods, "checkin__local_date")
    team_practices = (
        through.filter(
            checkin__user__memberships__team__organisation=organisation,
            checkin__user__memberships__role=Membership.Role.MEMBER,
            checkin__local_date__range=(start, end),
        )
        .values(team=F("checkin__user__memberships__team_id"), p=practice_period, name=F("practice__name"))
        .annotate(people=Count("checkin__user_id", distinct=True))
    )
    for row in team_practices:
        values[(team_unit(row["team"]), periods[row["p"]])].setdefault("practices", []).append(
            (row["name"], row["people"])
        )
    org_practices = (
        through.filter(
            checkin__user_id__in=memberships.values("user_id"), checkin__local_date__range=(start, end)
        )
        .values(p=practice_period, name=F("practice__name"))
        .annotate(people=Count("checkin__user_id", distinct=True))
    )
    for row in org_practices:
        values[(org_unit, periods[row["p"]])].setdefault("practices", []).append((row["name"], row["people"]))

    for key, days in days_off.items():
        values[key]["days_since_time_off"] = statistics.median(days)
    # Distinct people per cell come from the contributor sets (a COUNT(DISTINCT) in the score
    # queries forced a sort of every check-in row; without it they aggregate in one hash pass).
    for period, by_unit in contributors[CHECKED_IN].items():
        for unit, people in by_unit.items():
            if people:
                values[(unit, period)]["people"] = len(people)
    return RawAggregates(units, labels, members, contributors, dict(values))
