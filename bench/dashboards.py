"""Dashboards against the raw aggregate.

The pages are rendered in full through Django's request handling (django.test.Client, with
a supervisor / organisation admin signed in and past the second step, as tests do). The
baseline is one hand-written SQL statement computing, for every team and for the whole
organisation, per week of the same 53 weeks (52 shown and the one before, which the change
rule reads): people who checked in, check-ins, the mean STS index and the four cluster
means, the high-band count, exposure days, the mean workload, and the practices' distinct
users. The organisation is always decided together (supervision/anonymity.py), so a team's
published cells depend on this whole-organisation aggregate; a team-only version of the same
statement is timed as well and reported beside it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, User
from supervision.anonymity import closed_periods

_BASELINE = """
WITH members AS (
    SELECT m.team_id, m.user_id FROM accounts_membership m JOIN accounts_team t ON t.id = m.team_id
    WHERE t.organisation_id = %(org)s AND m.role = 'member' {team_filter}
), per_person AS (
    SELECT mb.team_id, c.user_id, (c.local_date - %(start)s::date) / 7 AS w,
           count(*) AS n, sum(c.sts_index) AS s_idx, sum(c.intrusion_score) AS s_in,
           sum(c.avoidance_score) AS s_av, sum(c.arousal_score) AS s_ar, sum(c.exhaustion_score) AS s_ex,
           count(*) FILTER (WHERE c.band = 'high') AS high, count(*) FILTER (WHERE c.exposure) AS expo,
           sum(c.workload) AS wl, count(c.workload) AS wln
    FROM checkins_checkin c JOIN members mb ON mb.user_id = c.user_id
    WHERE c.local_date BETWEEN %(start)s AND %(end)s
    GROUP BY mb.team_id, c.user_id, w
), practices AS (
    SELECT mb.team_id, (c.local_date - %(start)s::date) / 7 AS w, cp.practice_id, c.user_id
    FROM checkins_checkin_practices cp JOIN checkins_checkin c ON c.id = cp.checkin_id
    JOIN members mb ON mb.user_id = c.user_id
    WHERE c.local_date BETWEEN %(start)s AND %(end)s
    GROUP BY mb.team_id, w, cp.practice_id, c.user_id
)
SELECT 'score', team_id, w, NULL::bigint, count(DISTINCT user_id), sum(n), sum(s_idx) / sum(n), sum(s_in) / sum(n),
       sum(s_av) / sum(n), sum(s_ar) / sum(n), sum(s_ex) / sum(n), sum(high), sum(expo),
       sum(wl) / nullif(sum(wln), 0)
FROM per_person GROUP BY GROUPING SETS ((team_id, w), (w))
UNION ALL
SELECT 'practice', team_id, w, practice_id, count(DISTINCT user_id), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL
FROM practices GROUP BY GROUPING SETS ((team_id, w, practice_id), (w, practice_id))
"""


def baseline(organisation: Organisation, weeks: int, team_id: int | None = None) -> tuple[float, int]:
    """(seconds, rows) of the hand-written aggregate."""
    periods = closed_periods(organisation, weeks)
    start, end = periods[0].previous().start, periods[-1].end
    sql = _BASELINE.format(team_filter="AND m.team_id = %(team)s" if team_id else "")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"org": organisation.pk, "start": start, "end": end, "team": team_id})
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def signed_in_client(user: User) -> Client:
    """A client past both sign-in steps (as tests/conftest.py TwoStepClient does)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Bench phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def render(client: Client, url: str) -> tuple[float, int, int]:
    """(seconds, bytes, queries) of one full GET; fails loudly on anything but 200."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return seconds, len(response.content), len(queries.captured_queries)


def _repeat(function, runs: int, budget_s: float) -> list:
    results, started = [], time.perf_counter()
    while len(results) < runs:
        results.append(function())
        if time.perf_counter() - started > budget_s:
            break
    return results


@dataclass
class PageResult:
    page: str
    runs: int
    seconds: float
    bytes: int
    queries: int
    baseline_s: float
    baseline_team_only_s: float | None = None

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_s if self.baseline_s else 0.0


def team_url(team_id: int, weeks: int) -> str:
    return f"{reverse('supervision:team_dashboard', args=[team_id])}?weeks={weeks}"


def org_url(weeks: int) -> str:
    return f"{reverse('supervision:organisation')}?weeks={weeks}"


def query_counts(supervisor: User, team_id: int, admin: User, weeks: int) -> tuple[int, int]:
    """Queries of (team dashboard, organisation overview) for this organisation and history length."""
    return (
        render(signed_in_client(supervisor), team_url(team_id, weeks))[2],
        render(signed_in_client(admin), org_url(weeks))[2],
    )


def measure_dashboards(
    organisation: Organisation, supervisor: User, team_id: int, admin: User, weeks: int = 52,
    runs: int = 3, budget_s: float = 100, log=print,
) -> tuple[PageResult, PageResult]:
    sup, adm = signed_in_client(supervisor), signed_in_client(admin)
    results = []
    # Both pages publish cells of the same whole-organisation aggregate: one baseline serves both.
    bases: list[tuple[float, int]] = []
    for page, client, url, team in (
        ("team dashboard", sup, team_url(team_id, weeks), team_id),
        ("organisation overview", adm, org_url(weeks), None),
    ):
        renders = _repeat(lambda client=client, url=url: render(client, url), runs, budget_s)
        bases += _repeat(lambda: baseline(organisation, weeks), max(1, len(renders) - len(bases)), budget_s)
        result = PageResult(
            page=page,
            runs=len(renders),
            seconds=statistics.median(r[0] for r in renders),
            bytes=renders[0][1],
            queries=renders[0][2],
            baseline_s=statistics.median(b[0] for b in bases),
        )
        if team:
            result.baseline_team_only_s = statistics.median(
                baseline(organisation, weeks, team_id)[0] for _ in range(3)
            )
        log(f"  {page}: {result.seconds:.2f} s over {result.runs} run(s), {result.bytes / 1e6:.1f} MB, "
            f"{result.queries} queries; raw aggregate {result.baseline_s:.2f} s")
        results.append(result)
    return results[0], results[1]
