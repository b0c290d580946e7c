"""Team measures, aggregated in the database by team × period in a fixed number of queries.

They are sums of the per-person weekly rollups (`checkins.rollup`), never of the check-ins
themselves: a year of an organisation's trends reads about a fifth as many rows.
Nothing here is shown directly: `anonymity.publishable_cells` calls `raw_aggregates` and
decides what may leave. Only per-person aggregates (who contributed in which period,
their last day off) reach Python, never check-in rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Team
from checkins.models import PracticeRollup

from .anonymity import MONTH, WEEK, Period, Unit, organisation_unit, team_unit

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
_CENT = Decimal("0.01")

# Per person and period (a week is the sum of its one or two rollup rows, a month of the parts
# of weeks in it), with the latest day off known by the end of that period; then per team and
# period, and per period for the whole organisation. Who counts in each cell comes back as
# comma-separated ids, so the sets are built in C rather than row by row in Python.
_CELLS = """
WITH members AS (
    SELECT m.team_id, m.user_id FROM accounts_membership m JOIN accounts_team t ON t.id = m.team_id
    WHERE t.organisation_id = %s AND m.role = 'member'
), person AS (
    SELECT r.user_id, r.{key} AS p, SUM(r.checkins) AS n, SUM(r.sts_index_sum) AS s_idx,
           SUM(r.intrusion_sum) AS s_in, SUM(r.avoidance_sum) AS s_av, SUM(r.arousal_sum) AS s_ar,
           SUM(r.exhaustion_sum) AS s_ex, SUM(r.high) AS high, SUM(r.exposure) AS expo,
           SUM(r.workload_sum) AS wl, SUM(r.workload_answers) AS wa,
           MAX(MAX(r.last_day_off)) OVER (PARTITION BY r.user_id ORDER BY r.{key}) AS known
    FROM checkins_checkinrollup r
    WHERE r.user_id IN (SELECT user_id FROM members) AND r.{key} <= %s
    GROUP BY r.user_id, r.{key}
), cell AS (
    SELECT person.*, {days_since} AS days FROM person WHERE person.p IN ({periods})
)
SELECT m.team_id, c.p, SUM(n), SUM(s_idx), SUM(s_in), SUM(s_av), SUM(s_ar), SUM(s_ex), SUM(high), SUM(expo),
       SUM(wl), SUM(wa), {ids}CAST(c.user_id AS text){ids_end},
       {ids}CASE WHEN wa > 0 THEN CAST(c.user_id AS text) END{ids_end},
       {ids}CASE WHEN known IS NOT NULL THEN CAST(c.user_id AS text) END{ids_end},
       {ids}CAST(days AS text){ids_end}
FROM cell c JOIN members m ON m.user_id = c.user_id
GROUP BY m.team_id, c.p
UNION ALL
SELECT NULL, c.p, SUM(n), SUM(s_idx), SUM(s_in), SUM(s_av), SUM(s_ar), SUM(s_ex), SUM(high), SUM(expo),
       SUM(wl), SUM(wa), NULL, NULL, NULL, {ids}CAST(days AS text){ids_end}
FROM cell c
GROUP BY c.p
"""
# The last day of the period starting on `person.p`, less the latest known day off, in days.
_DAYS_SINCE = {
    ("postgresql", WEEK): "(person.p + 6) - person.known",
    ("postgresql", MONTH): "(CAST(person.p + INTERVAL '1 month' AS date) - 1) - person.known",
    ("sqlite", WEEK): "CAST(julianday(person.p, '+6 days') - julianday(person.known) AS integer)",
    ("sqlite", MONTH): "CAST(julianday(person.p, '+1 month', '-1 day') - julianday(person.known) AS integer)",
}
_ID_LIST = {"postgresql": "string_agg(", "sqlite": "group_concat("}


def _ids(text: str | None) -> frozenset[int]:
    return frozenset(map(int, text.split(","))) if text else frozenset()


def _means(checkins, sums, high, exposure, workload_sum, workload_answers) -> dict:
    """A cell's values from the sums of its rollup rows (sums of two-decimal scores are exact to the cent)."""
    values = {"checkins": checkins, "high": high, "exposure": exposure}
    values.update(
        {name: Decimal(str(total)).quantize(_CENT) / checkins for name, total in zip(_SUMS, sums, strict=True)}
    )
    values["workload"] = Decimal(workload_sum) / workload_answers if workload_answers else None
    return values


def raw_aggregates(organisation, periods: list[Period]) -> RawAggregates:
    """Five queries over the per-person weekly rollups, whatever the number of teams, people or periods."""
    org_unit = organisation_unit(organisation.id)
    teams = list(Team.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    units = [team_unit(team_id) for team_id, _name in teams] + [org_unit]
    unit_of = {team_id: team_unit(team_id) for team_id, _name in teams}
    labels = {unit_of[team_id]: name for team_id, name in teams}
    labels[org_unit] = str(_("Whole organisation"))

    memberships = Membership.objects.filter(team__organisation=organisation, role=Membership.Role.MEMBER)
    pairs = list(memberships.values_list("team_id", "user_id"))
    per_team = Counter(team_id for team_id, _user_id in pairs)
    members = {unit: per_team[team_id] for team_id, unit in unit_of.items()}
    members[org_unit] = len({user_id for _team_id, user_id in pairs})  # each person once

    kind = periods[0].kind
    key = "week" if kind == WEEK else "month"
    period_at = {period.start: period for period in periods}
    vendor = connection.vendor if connection.vendor == "sqlite" else "postgresql"
    sql = _CELLS.format(
        key=key,
        days_since=_DAYS_SINCE[(vendor, kind)],
        periods=", ".join(["%s"] * len(periods)),
        ids=_ID_LIST[vendor],
        ids_end=", ',')",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation.id, periods[-1].start, *period_at])
        rows = cursor.fetchall()

    contributors: dict[str, dict[Period, dict[Unit, frozenset[int]]]] = {
        basis: {period: dict.fromkeys(units, frozenset()) for period in periods} for basis in BASES
    }
    values: dict[tuple[Unit, Period], dict[str, Any]] = defaultdict(dict)
    for team_id, start, checkins, *sums, high, exposure, wl, wa, checked, answered, known, days in rows:
        period = period_at[start if isinstance(start, dt.date) else dt.date.fromisoformat(start)]
        unit = org_unit if team_id is None else unit_of[team_id]
        cell = values[(unit, period)]
        cell.update(_means(checkins, sums, high, exposure, wl, wa))
        if days:
            cell["days_since_time_off"] = statistics.median(map(int, days.split(",")))
        if team_id is not None:
            for basis, people in ((CHECKED_IN, checked), (ANSWERED_WORKLOAD, answered), (KNOWN_TIME_OFF, known)):
                contributors[basis][period][unit] = _ids(people)
    # The organisation counts each person once, however many of its teams they are in.
    for by_period in contributors.values():
        for cells in by_period.values():
            cells[org_unit] = frozenset().union(*cells.values())
    for period, cells in contributors[CHECKED_IN].items():
        for unit, people in cells.items():
            if people:
                values[(unit, period)]["people"] = len(people)

    # A practice counts the people who used it (a person's two parts of a week count once).
    by_team = {"user__memberships__team__organisation": organisation, "user__memberships__role": Membership.Role.MEMBER}
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
        practices.filter(user_id__in=memberships.values("user_id"))
        .values(p=F(key), name=F("practice__name"))
        .annotate(people=Count("user_id", distinct=True))
    )
    for row in org_practices:
        values[(org_unit, period_at[row["p"]])].setdefault("practices", []).append((row["name"], row["people"]))
    return RawAggregates(units, labels, members, contributors, dict(values))
