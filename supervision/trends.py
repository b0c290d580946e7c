"""One week's measures for every team, group of teams and the organisation, in three queries.

They are sums of the per-person weekly rollups (`checkins.rollup`) of that one week, never of
the check-ins themselves, for the people who were members of a team for the whole week.
Nothing here is shown directly: `publishing.publish_week` passes what `week_aggregates`
returns through the rules in `anonymity` and stores the result. Only per-person weekly sums
reach Python, never check-in rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Team, TeamGroup
from checkins import wording
from checkins.models import DayMark

from .anonymity import Unit, group_unit, organisation_unit, team_unit

CHECKED_IN = "checked_in"
ANSWERED_WORKLOAD = "answered_workload"
KNOWN_TIME_OFF = "known_time_off"
# The two optional questions that are not STS signs: each counts only the people who answered it.
ANSWERED_MORAL_DISTRESS = "answered_moral_distress"
ANSWERED_MADE_DIFFERENCE = "answered_made_difference"
BASES = (CHECKED_IN, ANSWERED_WORKLOAD, KNOWN_TIME_OFF, ANSWERED_MORAL_DISTRESS, ANSWERED_MADE_DIFFERENCE)
TOP_PRACTICES = 3
CLUSTER_MEASURES = ("intrusion", "avoidance", "arousal", "exhaustion")


def _quantize(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _round(value, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return _quantize(Decimal(str(value)), places)


def _percent(part, whole) -> int | None:
    if not whole:
        return None
    return int(_quantize(Decimal(part) * 100 / Decimal(whole), "1"))


def _top_practices(values: dict, members: int, k: int) -> tuple[str, ...]:
    # Names only, and only practices at least k different people used: no count to subtract.
    usable = [(name, people) for name, people in values.get("practices", []) if people >= k]
    usable.sort(key=lambda item: (-item[1], item[0]))
    return tuple(name for name, _people in usable[:TOP_PRACTICES])


def _mean_of(key: str) -> Callable[[dict, int, int], Decimal | None]:
    def publish(values: dict, members: int, k: int) -> Decimal | None:
        return _round(values.get(key))

    return publish


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
    Measure("sts_index", wording.INDEX_LABEL, CHECKED_IN, lambda v, m, k: _round(v.get("sts_index"))),
    *(Measure(name, wording.GROUP_NAMES[name], CHECKED_IN, _mean_of(name)) for name in CLUSTER_MEASURES),
    Measure(
        "high_share",
        _("check-ins that were heavy"),
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
        _("workload felt manageable (0 = not at all, 4 = fully)"),
        ANSWERED_WORKLOAD,
        lambda v, m, k: _round(v.get("workload")),
    ),
    Measure(
        "moral_distress",
        _("the gap between need and what they could give weighed on them (0 = not at all, 4 = a lot)"),
        ANSWERED_MORAL_DISTRESS,
        lambda v, m, k: _round(v.get("moral_distress")),
    ),
    Measure(
        "made_difference",
        _("felt their work made a difference (0 = not at all, 4 = a lot)"),
        ANSWERED_MADE_DIFFERENCE,
        lambda v, m, k: _round(v.get("made_difference")),
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
class WeekAggregates:
    """Everything publishing needs for one week: who counts where, and the sums behind each cell."""

    units: list[Unit]
    labels: dict[Unit, str]
    members: dict[Unit, int]
    contributors: dict[str, dict[Unit, frozenset[int]]]
    values: dict[Unit, dict[str, Any]] = field(default_factory=dict)


_CENT = Decimal("0.01")
_SUMS = ("sts_index", "intrusion", "avoidance", "arousal", "exhaustion")
_OPTIONAL_ANSWERS = ("moral_distress", "made_difference")

# Each member's sums for one week (a week is its one or two rollup rows), with the latest day
# off they had recorded by its end: one probe of the partial index on rows that have a day off.
_PEOPLE = """
SELECT p.*, (
    SELECT d.last_day_off FROM checkins_checkinrollup d
    WHERE d.user_id = p.user_id AND d.week <= %s AND d.last_day_off IS NOT NULL
    ORDER BY d.week DESC, d.month DESC LIMIT 1
) AS known
FROM (
    SELECT r.user_id, SUM(r.checkins) AS n, SUM(r.sts_index_sum), SUM(r.intrusion_sum), SUM(r.avoidance_sum),
           SUM(r.arousal_sum), SUM(r.exhaustion_sum), SUM(r.high), SUM(r.exposure), SUM(r.workload_sum),
           SUM(r.workload_answers), SUM(r.moral_distress_sum), SUM(r.moral_distress_answers),
           SUM(r.made_difference_sum), SUM(r.made_difference_answers)
    FROM checkins_checkinrollup r
    WHERE r.week = %s AND r.user_id IN ({members})
    GROUP BY r.user_id
) p
"""
_PRACTICES = """
SELECT DISTINCT r.user_id, p.name
FROM checkins_practicerollup r JOIN checkins_practice p ON p.id = r.practice_id
WHERE r.week = %s AND r.user_id IN ({members})
"""


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _cell_values(rows: Iterable[tuple], sunday: dt.date) -> dict[str, Any]:
    """A cell's values from its people's weekly sums (sums of two-decimal scores are exact to the cent)."""
    checkins = high = exposure = workload_sum = workload_answers = 0
    optional = dict.fromkeys(_OPTIONAL_ANSWERS, (0, 0))
    sums = [Decimal(0)] * 5
    days: list[int] = []
    for n, *person_sums, person_high, person_exposure, wl, wa, md, mda, cs, csa, known in rows:
        checkins += n
        sums = [total + Decimal(str(value)) for total, value in zip(sums, person_sums, strict=True)]
        high += person_high
        exposure += person_exposure
        workload_sum += wl
        workload_answers += wa
        for name, (total, answers) in (("moral_distress", (md, mda)), ("made_difference", (cs, csa))):
            optional[name] = (optional[name][0] + total, optional[name][1] + answers)
        if known is not None:
            days.append((sunday - known).days)
    values: dict[str, Any] = {"checkins": checkins, "high": high, "exposure": exposure}
    if checkins:
        values.update({name: total.quantize(_CENT) / checkins for name, total in zip(_SUMS, sums, strict=True)})
    values["workload"] = Decimal(workload_sum) / workload_answers if workload_answers else None
    for name, (total, answers) in optional.items():
        values[name] = Decimal(total) / answers if answers else None
    if days:
        values["days_since_time_off"] = statistics.median(days)
    return values


def week_aggregates(organisation, monday: dt.date) -> WeekAggregates:
    """Every team, every group of teams and the organisation for the ISO week starting `monday`.

    A person counts in a team's week only if they were a member for the whole week
    (`Membership.whole_week`); a group and the organisation count each person once.
    """
    sunday = monday + dt.timedelta(days=6)
    org_unit = organisation_unit(organisation.id)
    teams = list(Team.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    groups = list(TeamGroup.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    units = [team_unit(team_id) for team_id, _name in teams]
    units += [group_unit(group_id) for group_id, _name in groups]
    units.append(org_unit)
    labels = {team_unit(team_id): name for team_id, name in teams}
    labels.update({group_unit(group_id): name for group_id, name in groups})
    labels[org_unit] = str(_("Whole organisation"))

    whole_week = Membership.objects.whole_week(monday).filter(
        team__organisation=organisation, role=Membership.Role.MEMBER
    )
    members_of: dict[Unit, set[int]] = {unit: set() for unit in units}
    for team_id, user_id in whole_week.values_list("team_id", "user_id"):
        members_of[team_unit(team_id)].add(user_id)
    group_teams = TeamGroup.teams.through.objects.filter(teamgroup__organisation=organisation)
    for group_id, team_id in group_teams.values_list("teamgroup_id", "team_id"):
        members_of[group_unit(group_id)] |= members_of[team_unit(team_id)]
    everyone = members_of[org_unit] = set().union(*(members_of[team_unit(team_id)] for team_id, _name in teams))

    people: dict[int, tuple] = {}
    used: dict[int, set[str]] = defaultdict(set)
    if everyone:
        member_sql, member_params = whole_week.order_by().values("user_id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_PEOPLE.format(members=member_sql), [monday, monday, *member_params])
            rows = cursor.fetchall()
        # Days off noted without ratings (one tap or a leave period) count for the time-off clock too.
        noted_off = dict(
            DayMark.objects.filter(
                user_id__in=whole_week.values("user_id"), kind=DayMark.Kind.DAY_OFF, local_date__lte=sunday
            )
            .values("user_id")
            .annotate(latest=Max("local_date"))
            .values_list("user_id", "latest")
        )
        with connection.cursor() as cursor:
            for user_id, *row, known in rows:
                latest = max(filter(None, (_as_date(known), _as_date(noted_off.get(user_id)))), default=None)
                people[user_id] = (*row, latest)
            cursor.execute(_PRACTICES.format(members=member_sql), [monday, *member_params])
            for user_id, name in cursor.fetchall():
                used[user_id].add(name)

    checked = frozenset(people)
    answered = frozenset(user_id for user_id, row in people.items() if row[9])
    answered_moral_distress = frozenset(user_id for user_id, row in people.items() if row[11])
    answered_made_difference = frozenset(user_id for user_id, row in people.items() if row[13])
    known = frozenset(user_id for user_id, row in people.items() if row[14] is not None)
    contributors: dict[str, dict[Unit, frozenset[int]]] = {basis: {} for basis in BASES}
    values: dict[Unit, dict[str, Any]] = {}
    for unit in units:
        in_unit = frozenset(members_of[unit])
        counted = in_unit & checked
        contributors[CHECKED_IN][unit] = counted
        contributors[ANSWERED_WORKLOAD][unit] = in_unit & answered
        contributors[KNOWN_TIME_OFF][unit] = in_unit & known
        contributors[ANSWERED_MORAL_DISTRESS][unit] = in_unit & answered_moral_distress
        contributors[ANSWERED_MADE_DIFFERENCE][unit] = in_unit & answered_made_difference
        if not counted:
            continue
        cell = _cell_values((people[user_id] for user_id in counted), sunday)
        cell["people"] = len(counted)
        practice_people: dict[str, int] = defaultdict(int)
        for user_id in counted:
            for name in used.get(user_id, ()):
                practice_people[name] += 1
        cell["practices"] = list(practice_people.items())
        values[unit] = cell
    members = {unit: len(people_in) for unit, people_in in members_of.items()}
    return WeekAggregates(units, labels, members, contributors, values)
