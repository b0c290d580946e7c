"""Reminder dispatch at scale: one `dispatch_due` over N people who are all due, against a bare insert.

The people are their own organisation ("Bench reminders"), loaded with COPY: one team per
`team_size` people, one organisation-wide schedule every day at midnight (so everyone is due
for today), a preference row each with `next_reminder_at` in the past. Rows are written with
SQL on purpose: the ORM signals would reschedule every person one by one.

Each run happens in a child process (`python -m bench.dispatch <n>`), so its peak memory
(VmHWM) is the dispatch's own and not the seeder's. The send tasks are really
published to the configured Celery broker (Redis db 9 by default for the bench) and purged
afterwards; nothing consumes them.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection, transaction

from .seed import EMAIL_DOMAIN, copy_people, copy_text, insert_organisation

REMINDERS_ORG = "Bench reminders"
BASE_DIR = Path(__file__).resolve().parent.parent


def _org_id(cursor) -> int | None:
    cursor.execute("SELECT id FROM accounts_organisation WHERE name = %s", [REMINDERS_ORG])
    row = cursor.fetchone()
    return row[0] if row else None


def people_present() -> int:
    with connection.cursor() as cursor:
        org = _org_id(cursor)
        if org is None:
            return 0
        cursor.execute("SELECT count(*) FROM accounts_user WHERE organisation_id = %s", [org])
        return cursor.fetchone()[0]


def drop_people() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        org = _org_id(cursor)
        if org is None:
            return
        people = "SELECT id FROM accounts_user WHERE organisation_id = %s"
        for table in ("reminders_delivery", "reminders_reminderpreference", "accounts_membership", "checkins_checkin"):
            cursor.execute(f"DELETE FROM {table} WHERE user_id IN ({people})", [org])
        cursor.execute("DELETE FROM reminders_reminderschedule WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_team WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_user WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_organisation WHERE id = %s", [org])


def ensure_people(count: int, team_size: int = 100) -> float:
    """Load `count` people who are all due (or keep them if exactly that many are there); seconds spent."""
    if people_present() == count:
        return 0.0
    drop_people()
    started = time.perf_counter()
    now = datetime.now(UTC).isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        org = insert_organisation(cursor, REMINDERS_ORG)
        teams = {
            f"Reminded {t:05d}": [
                (f"due-{i:06d}@{EMAIL_DOMAIN}", "member") for i in range(t * team_size, min(count, (t + 1) * team_size))
            ]
            for t in range((count + team_size - 1) // team_size)
        }
        today = datetime.now(UTC).date().isoformat()
        user_ids = copy_people(cursor, org, teams, password="!", date_joined=now, started_on=today).values()
        cursor.execute(
            "INSERT INTO reminders_reminderschedule (organisation_id, team_id, weekdays, local_time, time_zone, "
            "channel, message, is_active, created_at) "
            "VALUES (%s, NULL, '0123456', '00:00', '', 'email', '', true, now())",
            [org],
        )
        copy_text(
            cursor,
            "reminders_reminderpreference",
            ("weekdays", "paused", "opted_out", "next_reminder_at", "updated_at", "user_id"),
            "".join(f"\tf\tf\t{now}\t{now}\t{uid}\n" for uid in user_ids),
        )
    with connection.cursor() as cursor:
        for table in ("accounts_user", "accounts_membership", "reminders_reminderpreference"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def reset(due: int | None = None) -> None:
    """No deliveries yet; the first `due` people (all when None) due a minute ago, the rest not planned."""
    with transaction.atomic(), connection.cursor() as cursor:
        org = _org_id(cursor)
        people = "SELECT id FROM accounts_user WHERE organisation_id = %s"
        cursor.execute(f"DELETE FROM reminders_delivery WHERE user_id IN ({people})", [org])
        cursor.execute(
            "UPDATE reminders_reminderpreference SET next_reminder_at = CASE WHEN rank <= %s "
            "THEN now() - interval '1 minute' END FROM (SELECT id AS uid, row_number() OVER (ORDER BY id) AS rank "
            "FROM accounts_user WHERE organisation_id = %s) ranked WHERE user_id = ranked.uid",
            [due if due is not None else 10**9, org],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reminders_delivery")
        cursor.execute("VACUUM ANALYZE reminders_reminderpreference")


def bare_insert() -> tuple[float, int]:
    """The same Delivery rows, written by one INSERT … SELECT: (seconds, rows)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        org = _org_id(cursor)
        cursor.execute(
            "INSERT INTO reminders_delivery (user_id, local_date, kind, channel, status, attempts, error, "
            "created_at, enqueued_at) "
            "SELECT p.user_id, (now() AT TIME ZONE u.time_zone)::date, 'reminder', 'email', 'pending', 0, '', "
            "now(), now() FROM reminders_reminderpreference p JOIN accounts_user u ON u.id = p.user_id "
            "WHERE u.organisation_id = %s AND p.next_reminder_at <= now()",
            [org],
        )
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def purge_broker() -> int:
    from sts_checkin.celery import app

    try:
        with app.connection_for_write() as conn:
            return app.control.purge(connection=conn) or 0
    except Exception:  # a broker that keeps nothing (memory://) has nothing to purge
        return 0


@dataclass
class DispatchRun:
    seconds: float
    created: int
    queries: int
    peak_mb: float
    batches: int


def child_json(module: str, *args: str, timeout: float = 600) -> dict:
    """Run `python -m <module> <args>` in a fresh process on this process's database; its last line, as JSON."""
    from .writes import database_url

    env = {**os.environ, "DATABASE_URL": database_url()}
    process = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"{module} child failed: {process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def run_child(timeout: float = 600) -> DispatchRun:
    """One dispatch_due in a fresh process, on the same database as this one."""
    return DispatchRun(**child_json("bench.dispatch", timeout=timeout))


def peak_kb() -> int:
    """This process's peak resident memory. VmHWM, not getrusage: Linux carries ru_maxrss over exec
    from the parent that forked us, VmHWM starts afresh with the new program."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child() -> None:
    import django

    django.setup()
    from reminders.dispatch import dispatch_due

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        report = dispatch_due()
        seconds = time.perf_counter() - started
    peak = peak_kb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "created": len(report.created),
                "queries": queries,
                "peak_mb": peak / 1024,
                "batches": report.batches,
            }
        ),
        file=sys.stdout,
    )


@dataclass
class DispatchResult:
    people: int
    dispatch_s: float
    bare_s: float
    created: int
    queries: int
    queries_per_1000: float
    queries_per_1000_small: float
    small_people: int
    peak_mb: float
    load_s: float

    @property
    def ratio(self) -> float:
        return self.dispatch_s / self.bare_s if self.bare_s else 0.0


def measure_dispatch(
    people: int = 100_000, small: int = 10_000, runs: int = 3, budget_s: float = 120, log=print
) -> DispatchResult:
    load_s = ensure_people(people)
    if load_s:
        log(f"  loaded {people:,} people to remind in {load_s:.1f} s")
    # Constant queries: the same dispatch over a tenth of the people.
    reset(due=small)
    small_run = run_child()
    purge_broker()
    dispatch_runs: list[DispatchRun] = []
    bare_runs: list[float] = []
    started = time.perf_counter()
    while len(dispatch_runs) < runs:
        reset()
        seconds, rows = bare_insert()
        bare_runs.append(seconds)
        reset()
        run = run_child()
        purge_broker()
        dispatch_runs.append(run)
        log(
            f"  run {len(dispatch_runs)}: dispatch {run.seconds:.1f} s for {run.created:,} people "
            f"({run.queries} queries, peak {run.peak_mb:.0f} MB); bare insert {seconds:.2f} s for {rows:,} rows"
        )
        if time.perf_counter() - started > budget_s:
            break
    reset(due=0)
    dispatch_runs.sort(key=lambda r: r.seconds)
    median = dispatch_runs[len(dispatch_runs) // 2]
    bare_runs.sort()
    return DispatchResult(
        people=people,
        dispatch_s=median.seconds,
        bare_s=bare_runs[len(bare_runs) // 2],
        created=median.created,
        queries=median.queries,
        queries_per_1000=median.queries / (median.created / 1000) if median.created else 0.0,
        queries_per_1000_small=small_run.queries / (small_run.created / 1000) if small_run.created else 0.0,
        small_people=small_run.created,
        peak_mb=max(r.peak_mb for r in dispatch_runs),
        load_s=load_s,
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    _child()
