"""Publishing at scale: each organisation's year of weeks, one week again, and how many cells were shown.

* `publish_all`: drop the organisation's publications and publish every due week again with
  `supervision.publishing.publish_due` (for the bench organisations: the year of history),
  timed; or publish only the weeks not published yet. `make bench` republishes the
  10,000-person organisation on every run (through `measure_week`); the 1,000 and
  30,000-person ones when they are seeded (and then only new weeks, unless --republish).
* `measure_week`: in a fresh process (`python -m bench.publish <organisation id> <runs>`),
  publish the organisation's year again up to the week before the newest (timed, as the
  backfill), then the newest week with `publish_week`, `runs` times from the same state (the
  one the weekly task meets): its seconds, its queries and their time, the process's peak
  resident memory (VmHWM, as for the dispatch) before and during, and, in one more run, the
  peak of Python's own allocations (tracemalloc). The backfill plus the first run is the
  whole year (`publish_all_s`).
* `cell_counts`: for every kind of unit (team, group, organisation), how many cells
  (unit × week × measure) were published, how many shown and how many each rule hid.
* `demo_organisation`: the demo organisation of `make run` (`seed_demo`), made afresh in
  the bench database, so its share of shown cells is measured with today's rules.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection, transaction

from .dispatch import child_json, peak_kb

REASONS = ("too_few", "complementary", "change")
PUBLICATION_TABLES = ("supervision_publication", "supervision_publishedunit", "accounts_auditevent")


def drop_publications(organisation_id: int, week=None) -> None:
    """Delete the organisation's publications (or one week's), their stored cells first."""
    only_week = " AND week = %s" if week else ""
    params = [organisation_id, week] if week else [organisation_id]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM supervision_publishedunit WHERE publication_id IN "
            f"(SELECT id FROM supervision_publication WHERE organisation_id = %s{only_week})",
            params,
        )
        cursor.execute(f"DELETE FROM supervision_publication WHERE organisation_id = %s{only_week}", params)


def vacuum_publications() -> None:
    """What autovacuum would soon do after a large publication run (not inside a transaction)."""
    vacuum = "" if connection.in_atomic_block else "VACUUM "
    with connection.cursor() as cursor:
        for table in PUBLICATION_TABLES:
            cursor.execute(f"{vacuum}ANALYZE {table}")


@dataclass
class Backfill:
    seconds: float
    weeks: int
    units: int

    @property
    def per_week_s(self) -> float:
        return self.seconds / self.weeks if self.weeks else 0.0


def publish_all(organisation, again: bool = True) -> Backfill:
    """Every due week of the organisation published, timed: all again from nothing, or (`again` False)
    only those not published yet (`publish_due` as the beat task runs it)."""
    from supervision.models import PublishedUnit
    from supervision.publishing import publish_due

    if again:
        drop_publications(organisation.pk)
    started = time.perf_counter()
    published = publish_due(organisations=[organisation])
    seconds = time.perf_counter() - started
    units = PublishedUnit.objects.filter(publication__organisation=organisation).count()
    return Backfill(seconds=seconds, weeks=len(published), units=units)


@dataclass
class WeekRun:
    week: str
    backfill_s: float
    backfill_weeks: int
    runs_s: list[float]
    queries: int
    sql_s: float
    units: int
    start_mb: float
    peak_mb: float
    traced_peak_mb: float
    runs_identical: bool

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def all_s(self) -> float:
        """The whole year, as the beat task would have published it: the backfill and the newest week."""
        return self.backfill_s + self.runs_s[0]

    @property
    def all_weeks(self) -> int:
        return self.backfill_weeks + 1


def measure_week(organisation, runs: int = 3) -> WeekRun:
    """The organisation's year published again, the newest week on its own, `runs` times, in a child."""
    return WeekRun(**child_json("bench.publish", str(organisation.pk), str(runs)))


def _resident_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _child(organisation_id: int, runs: int) -> None:
    """Publish every week but the newest (timed), then the newest `runs` times, each from the same state.

    That state is the one the weekly task meets: the week before is the newest published and
    still holds who counted in it (`PublishedUnit.contributor_digests`, which publishing the
    next week clears), so the change rule reads it instead of working that week out again.
    Between runs the newest week is deleted and the week before's digests are put back as
    they were; the newest week is left published.
    """
    import datetime as dt

    import django

    django.setup()
    from accounts.models import Organisation
    from supervision.models import PublishedUnit
    from supervision.publishing import latest_due_week, publish_due, publish_week, time_zones, week_closes_at

    organisation = Organisation.objects.get(pk=organisation_id)
    monday = latest_due_week(organisation)
    start_kb = _resident_kb()
    drop_publications(organisation.pk)
    started = time.perf_counter()
    backfill = publish_due(
        now=week_closes_at(monday, time_zones(organisation)) - dt.timedelta(seconds=1), organisations=[organisation]
    )
    backfill_s = time.perf_counter() - started
    before = dict(
        PublishedUnit.objects.filter(
            publication__organisation=organisation, week=monday - dt.timedelta(days=7)
        ).values_list("id", "contributor_digests")
    )

    def restore() -> None:
        drop_publications(organisation.pk, monday)
        PublishedUnit.objects.bulk_update(
            [PublishedUnit(id=pk, contributor_digests=digests) for pk, digests in before.items()],
            ["contributor_digests"],
        )

    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - started)

    def cells() -> list[tuple]:
        stored = PublishedUnit.objects.filter(publication__organisation=organisation, week=monday)
        return sorted(map(str, stored.values_list("kind", "unit_id", "values", "hidden")))

    runs_s, per_run_queries, outcomes = [], [], []
    for run in range(runs):
        if run:
            restore()
        queries.clear()
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            publish_week(organisation, monday)
            runs_s.append(time.perf_counter() - started)
        per_run_queries.append((len(queries), sum(queries)))
        outcomes.append(cells())
    peak = peak_kb()  # before tracemalloc, whose own bookkeeping would count
    restore()
    tracemalloc.start()
    publish_week(organisation, monday)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    count, sql_s = sorted(per_run_queries, key=lambda item: item[1])[len(per_run_queries) // 2]
    print(
        json.dumps(
            {
                "week": monday.isoformat(),
                "backfill_s": backfill_s,
                "backfill_weeks": len(backfill),
                "runs_s": runs_s,
                "queries": count,
                "sql_s": sql_s,
                "units": len(outcomes[0]),
                "start_mb": start_kb / 1024,
                "peak_mb": peak / 1024,
                "traced_peak_mb": traced_peak / 2**20,
                # Every run decided the week alike (the week before's digests were put back each time).
                "runs_identical": all(outcome == outcomes[0] for outcome in [*outcomes, cells()]),
            }
        )
    )


_COUNTS = """
SELECT u.kind, count(*) AS units, count(DISTINCT u.week) AS weeks,
       sum((SELECT count(*) FROM jsonb_object_keys(u."values"))) AS shown,
       {reasons}
FROM supervision_publishedunit u JOIN supervision_publication p ON p.id = u.publication_id
WHERE p.organisation_id = %s
GROUP BY u.kind
"""


def cell_counts(organisation_id: int) -> dict[str, dict[str, float]]:
    """Per kind of unit: units × weeks published, cells, cells shown, cells each rule hid, share shown."""
    reasons = ", ".join(
        f"sum((SELECT count(*) FROM jsonb_each_text(u.hidden) h WHERE h.value = '{reason}')) AS {reason}"
        for reason in REASONS
    )
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS.format(reasons=reasons), [organisation_id])
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    from supervision.trends import MEASURES

    counts = {}
    for row in rows:
        kind = row.pop("kind")
        figures = {name: int(value or 0) for name, value in row.items()}
        figures["cells"] = figures["units"] * len(MEASURES)
        figures["share"] = round(figures["shown"] / figures["cells"], 3) if figures["cells"] else 0.0
        counts[kind] = figures
    return counts


def demo_organisation():
    """The `make run` demo (`seed_demo`: people, eight weeks of check-ins, shares, published weeks), made afresh."""
    from django.core.management import call_command

    from accounts import demo
    from accounts.models import Organisation

    Organisation.objects.filter(name=demo.DEMO_ORGANISATION).delete()
    call_command("seed_demo", stdout=io.StringIO())
    return Organisation.objects.get(name=demo.DEMO_ORGANISATION)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    _child(int(sys.argv[1]), int(sys.argv[2]))
