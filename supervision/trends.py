"""Team measures, aggregated in the database by team × period in a fixed number of queries.

They are sums of the per-person weekly rollups (`checkins.rollup`), never of the check-ins
themselves: a year of an organisation's trends reads about a fifth as many rows.
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
from typing import Any

from django.db.models import Count, F, Max, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Team
from checkins.models import CheckInRollup, PracticeRollup

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
        "participation",
        _("participation"),
        CHECKED_IN,
        lambda v, m, k: _percent(v.get("people", 0), m),
        unit="%",
    ),
    Measure("sts_index", _("STS index (0–4)"), CHECKED_IN, lambda v, m, k: _round(v.get("sts_index"))),
    Measure("intrusion", _("intrusion"), CHECKED_IN, lambda v, m, k: _round(v.get("intrusion"))),
    Measure("avoidance", _("avoidance"), CHECKED_IN, lambda v, m, k: _round(v.get("avoidance"))),
    Measure("arousal", _("on edge (arousal)"), CHECKED_IN, lambda v, m, k: _round(v.get("arousal"))),
    Measure("exhaustion", _("exhaustion"), CHECKED_IN, lambda v, m, k: _round(v.get("exhaustion"))),
    Measure(
        "high_share",
        _("check-ins in the high band"),
        CHECKED_IN,
        lambda v, m, k: _percent(v.get("high", 0), v.get("checkins")),
        unit="%",
    ),
    Measure(
        "exposure_days",
        _("distressing-exposure days per person"),
        CHECKED_IN,
        lambda v, m, k: _round(Decimal(v["exposure"]) / Decimal(v["people"])) if v.get("people") else None,
    ),
    Measure(
        "workload",
        _("workload felt manageable (0–4)"),
        ANSWERED_WORKLOAD,
        lambda v, m, k: _round(v.get("workload")),
    ),
    Measure(
        "days_since_time_off",
        _("days since time off (median)"),
        KNOWN_TIME_OFF,
        lambda v, m, k: _round(v.get("days_since_time_off"), "1"),
        unit=_("days"),
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


_SUMS = ("sts_index", "intrusion", "avoidance", "arousal", "exhaustion")
_SCORE_SUMS = {
    "checkins": Sum("checkins"),
    **{f"{name}_sum": Sum(f"{name}_sum") for name in _SUMS},
    "high": Sum("high"),
    "exposure": Sum("exposure"),
    "workload_sum": Sum("workload_sum"),
    "workload_answers": Sum("workload_answers"),
}


def _means(row: dict) -> dict:
    """A cell's values from the sums of its rollup rows."""
    checkins, answers = row["checkins"], row["workload_answers"]
    values = {"checkins": checkins, "high": row["high"], "exposure": row["exposure"]}
    values.update({name: Decimal(row[f"{name}_sum"]) / checkins for name in _SUMS})
    values["workload"] = Decimal(row["workload_sum"]) / answers if answers else None
    return values


def raw_aggregates(organisation, periods: list[Period]) -> RawAggregates:
    """Eight queries over the per-person weekly rollups, whatever the number of teams, people or periods."""
    org_unit = organisation_unit(organisation.id)
    teams = list(Team.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    units = [team_unit(team_id) for team_id, _name in teams] + [org_unit]
    unit_of = {team_id: team_unit(team_id) for team_id, _name in teams}
    labels = {unit_of[team_id]: name for team_id, name in teams}
    labels[org_unit] = str(_("Whole organisation"))

    memberships = Membership.objects.filter(team__organisation=organisation, role=Membership.Role.MEMBER)
    teams_of: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in memberships.values_list("team_id", "user_id"):
        teams_of[user_id].append(team_id)
    members = {unit: 0 for unit in units}
    for team_ids in teams_of.values():
        for team_id in team_ids:
            members[unit_of[team_id]] += 1
    members[org_unit] = len(teams_of)

    # A week is the sum of its (one or two) rows; a month the sum of the parts of weeks in it.
    key = "week" if periods[0].kind == WEEK else "month"
    period_at = {period.start: period for period in periods}
    member_ids = memberships.values("user_id")
    in_window = CheckInRollup.objects.filter(user_id__in=member_ids, **{f"{key}__in": list(period_at)}).order_by()
    index_of = {period.start: index for index, period in enumerate(periods)}
    per_person = (
        in_window.values("user_id", p=F(key))
        .annotate(answered_workload=Sum("workload_answers"), last_day_off=Max("last_day_off"))
        .values_list("user_id", "p", "answered_workload", "last_day_off")
    )
    last_known = dict(
        CheckInRollup.objects.filter(
            user_id__in=member_ids, last_day_off__isnull=False, **{f"{key}__lt": periods[0].start}
        )
        .order_by()
        .values("user_id")
        .annotate(last=Max("last_day_off"))
        .values_list("user_id", "last")
    )
    rows_by_period: list[list[tuple]] = [[] for _period in periods]
    for row in per_person:
        rows_by_period[index_of[row[1]]].append(row)

    # Sets per team id first (plain ints hash fast); the organisation's are their unions.
    contributors: dict[str, dict[Period, dict[Unit, frozenset[int]]]] = {basis: {} for basis in BASES}
    days_off: dict[tuple[Unit, Period], list[int]] = {}
    for period, rows in zip(periods, rows_by_period, strict=True):
        by_team: dict[str, dict[int, set[int]]] = {basis: defaultdict(set) for basis in BASES}
        checked, answered, known = by_team[CHECKED_IN], by_team[ANSWERED_WORKLOAD], by_team[KNOWN_TIME_OFF]
        team_days: dict[int, list[int]] = defaultdict(list)
        org_days: list[int] = []
        for user_id, _index, answered_workload, last_day_off in rows:
            if last_day_off and (user_id not in last_known or last_day_off > last_known[user_id]):
                last_known[user_id] = last_day_off
            since = last_known.get(user_id)
            if since is not None:
                since = (period.end - since).days
                org_days.append(since)
            for team_id in teams_of[user_id]:
                checked[team_id].add(user_id)
                if answered_workload:
                    answered[team_id].add(user_id)
                if since is not None:
                    known[team_id].add(user_id)
                    team_days[team_id].append(since)
        for basis, sets in by_team.items():
            cells = {unit: frozenset() for unit in units}
            cells.update((unit_of[team_id], frozenset(people)) for team_id, people in sets.items())
            cells[org_unit] = frozenset().union(*sets.values())
            contributors[basis][period] = cells
        days_off.update(((unit_of[team_id], period), days) for team_id, days in team_days.items())
        if org_days:
            days_off[(org_unit, period)] = org_days

    values: dict[tuple[Unit, Period], dict[str, Any]] = defaultdict(dict)
    by_team = {"user__memberships__team__organisation": organisation, "user__memberships__role": Membership.Role.MEMBER}
    team_rows = (
        CheckInRollup.objects.filter(**by_team, **{f"{key}__in": list(period_at)})
        .order_by()
        .values(team=F("user__memberships__team_id"), p=F(key))
        .annotate(**_SCORE_SUMS)
    )
    for row in team_rows:
        values[(unit_of[row["team"]], period_at[row["p"]])].update(_means(row))
    for row in in_window.values(p=F(key)).annotate(**_SCORE_SUMS):
        values[(org_unit, period_at[row["p"]])].update(_means(row))

    # A practice counts the people who used it (a person's two parts of a week count once).
    practices = PracticeRollup.objects.filter(**{f"{key}__in": list(period_at)}).order_by()
    team_practices = (
        practices.filter(**by_team)
        .values(team=F("user__memberships__team_id"), p=F(key), name=F("practice__name"))
        .annotate(people=Count("user_id", distinct=True))
    )
    for row in team_practices:
        values[(unit_of[row["team"]], period_at[row["p"]])].setdefault("practices", []).append(
            (row["name"], row["people"])
        )
    org_practices = (
        practices.filter(user_id__in=member_ids)
        .values(p=F(key), name=F("practice__name"))
        .annotate(people=Count("user_id", distinct=True))
    )
    for row in org_practices:
        values[(org_unit, period_at[row["p"]])].setdefault("practices", []).append((row["name"], row["people"]))

    for key, days in days_off.items():
        values[key]["days_since_time_off"] = statistics.median(days)
    # Distinct people per cell come from the contributor sets (a COUNT(DISTINCT) in the score
    # queries forced a sort of every check-in row; without it they aggregate in one hash pass).
    for period, by_unit in contributors[CHECKED_IN].items():
        for unit, people in by_unit.items():
            if people:
                values[(unit, period)]["people"] = len(people)
    return RawAggregates(units, labels, members, contributors, dict(values))
