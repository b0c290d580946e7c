"""`make bench` (python -m bench): seed a large organisation, measure, write bench/results.json, print a table.

Options: --reseed (load the organisation again), --quick (a small organisation and fewer
people to remind: a dry run in about a minute, figures not comparable).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sts_bench_big"
RESULTS = Path(__file__).resolve().parent / "results.json"


def _prepare_environment() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(
            "make bench needs PostgreSQL: it loads data with COPY and measures the production stack.\n"
            f"DATABASE_URL is {url.split('://')[0]}://…; set e.g. DATABASE_URL={DEFAULT_DATABASE_URL}"
        )
    os.environ["DEBUG"] = "0"  # measured as in production (also over a development .env)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "0" * 40)
    os.environ.setdefault(
        "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(hashlib.sha256(b"bench-field-key").digest()).decode()
    )
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")


def _ensure_database(url: str) -> None:
    """Create the benchmark's database when it is not there yet (the server must be running)."""
    from urllib.parse import unquote, urlsplit

    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    connection = psycopg2.connect(
        dbname="postgres", host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
        user=unquote(parts.username or "postgres"), password=unquote(parts.password or "") or None,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating the database {name!r}…")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def _machine() -> dict:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cores": os.cpu_count(),
        "memory": f"{pages / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _row(name: str, value: str, target: str, ok: bool | None) -> tuple[str, str, str, str]:
    return name, value, target, "—" if ok is None else ("ok" if ok else "MISS")


def print_table(r: dict) -> None:
    rows = [
        _row("check-ins seeded", f"{r['rows_seeded']:,}", "≈ 2.5 million", None),
        _row("seeding speed", f"{r['seed_rows_per_s']:,.0f} rows/s" if r["seed_rows_per_s"] else "already loaded",
             "a few minutes in all", None),
        _row("team dashboard (52 w) / raw aggregate", f"{r['dashboard_team_ratio']:.2f}×  "
             f"({r['dashboard_team_s']:.2f} s vs {r['dashboard_baseline_s']:.2f} s)", "≤ 1.5",
             r["dashboard_team_ratio"] <= 1.5),
        _row("organisation overview (52 w) / raw aggregate", f"{r['dashboard_org_ratio']:.2f}×  "
             f"({r['dashboard_org_s']:.2f} s, {r['dashboard_org_mb']:.1f} MB)", "≤ 1.5",
             r["dashboard_org_ratio"] <= 1.5),
        _row("dashboard queries (team, organisation)", f"{r['dashboard_queries']}", "constant",
             r["dashboard_queries_constant"]),
        _row("  … small organisation, 12 weeks", f"{r['dashboard_queries_small']}", "same as above", None),
        _row("check-in writes / bare insert", f"{r['checkin_write_ratio']:.2f}×  "
             f"({r['checkin_write_per_s']:.0f} vs {r['bare_insert_per_s']:.0f} req/s)", "≥ 0.7",
             r["checkin_write_ratio"] >= 0.7),
        _row("check-in write errors", str(r["checkin_write_errors"]), "0", r["checkin_write_errors"] == 0),
        _row("check-in p95 latency", f"{r['checkin_p95_ms']:.0f} ms (p50 {r['checkin_p50_ms']:.0f} ms)",
             "printed", None),
        _row("dispatch / bare insert", f"{r['dispatch_ratio']:.1f}×  "
             f"({r['dispatch_s']:.1f} s vs {r['dispatch_bare_s']:.2f} s, {r['dispatch_people']:,} people)", "≤ 3",
             r["dispatch_ratio"] <= 3),
        _row("dispatch queries per 1,000 people", f"{r['dispatch_queries_per_1000']:.1f} "
             f"(at {r['dispatch_small_people']:,}: {r['dispatch_queries_per_1000_small']:.1f})", "constant",
             abs(r["dispatch_queries_per_1000"] - r["dispatch_queries_per_1000_small"])
             <= 0.1 * r["dispatch_queries_per_1000_small"] + 1),
        _row("dispatch peak memory", f"{r['dispatch_peak_mb']:.0f} MB", "< 300 MB", r["dispatch_peak_mb"] < 300),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("figure", "measured", "target", "")
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(f"\nmachine: {r['machine']}; total {r['total_s']:.0f} s; written to {RESULTS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--reseed", action="store_true", help="load the big organisation again")
    parser.add_argument("--quick", action="store_true", help="small sizes: a dry run, not comparable figures")
    args = parser.parse_args(argv)
    _prepare_environment()
    _ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Organisation, User

    from . import dashboards, dispatch, seed, writes

    started = time.perf_counter()
    results: dict = {"machine": _machine(), "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    call_command("migrate", verbosity=0)

    sizes = {"teams": 25, "days": 120} if args.quick else {}
    print("1/4 Seeding the organisation (PostgreSQL COPY)…")
    big_name = "Bench quick organisation" if args.quick else seed.ORG_NAME
    report = seed.seed(reseed=args.reseed, org_name=big_name, **sizes)
    if report.skipped:
        print(f"  already loaded: {report.checkins:,} check-ins (use --reseed to load again)")
    else:
        print(f"  {report.total_rows:,} rows ({report.checkins:,} check-ins) in {report.seconds:.1f} s: "
              f"{report.rows_per_s:,.0f} rows/s")
    results.update(
        rows_seeded=report.checkins,
        seed_rows_total=report.total_rows,
        seed_seconds=round(report.seconds, 1),
        seed_rows_per_s=round(report.rows_per_s),
        seed_skipped=report.skipped,
    )
    small_name = "Bench small organisation"
    seed.seed(teams=2, team_size=7, days=90, org_name=small_name, log=lambda *a, **k: None)

    print("2/4 Dashboards against the raw aggregate…")
    people = seed.bench_people(big_name)
    organisation = Organisation.objects.get(pk=people["organisation_id"])
    team_id, supervisor_id = people["team_supervisors"][0]
    supervisor, admin = User.objects.get(pk=supervisor_id), User.objects.get(pk=people["admin_id"])
    team, org = dashboards.measure_dashboards(organisation, supervisor, team_id, admin)
    small = seed.bench_people(small_name)
    small_team, small_supervisor = small["team_supervisors"][0]
    small_counts = dashboards.query_counts(
        User.objects.get(pk=small_supervisor), small_team, User.objects.get(pk=small["admin_id"]), 12
    )
    results.update(
        dashboard_team_s=round(team.seconds, 3),
        dashboard_org_s=round(org.seconds, 3),
        dashboard_baseline_s=round(team.baseline_s, 3),
        dashboard_baseline_team_only_s=round(team.baseline_team_only_s or 0, 4),
        dashboard_team_ratio=round(team.ratio, 2),
        dashboard_org_ratio=round(org.ratio, 2),
        dashboard_runs=min(team.runs, org.runs),
        dashboard_org_mb=round(org.bytes / 1e6, 1),
        dashboard_queries={"team": team.queries, "organisation": org.queries},
        dashboard_queries_small={"team": small_counts[0], "organisation": small_counts[1]},
        dashboard_queries_constant=(team.queries, org.queries) == small_counts,
    )

    print("3/4 Check-in writes over HTTP (gunicorn, 2 workers) against a bare insert…")
    write = writes.measure_writes(writers_count=100 if args.quick else 400)
    results.update(
        checkin_write_ratio=round(write.ratio, 2),
        checkin_write_per_s=round(write.app_per_s, 1),
        bare_insert_per_s=round(write.bare_per_s, 1),
        checkin_write_errors=write.errors,
        checkin_p50_ms=round(write.p50_ms, 1),
        checkin_p95_ms=round(write.p95_ms, 1),
        bare_insert_p95_ms=round(write.bare_p95_ms, 1),
        checkin_write_requests_per_round=write.requests_per_round,
        checkin_write_concurrency=write.concurrency,
    )

    print("4/4 Reminder dispatch at scale…")
    reminded = dispatch.measure_dispatch(
        people=5_000 if args.quick else 100_000, small=1_000 if args.quick else 10_000
    )
    results.update(
        dispatch_people=reminded.created,
        dispatch_s=round(reminded.dispatch_s, 2),
        dispatch_bare_s=round(reminded.bare_s, 3),
        dispatch_ratio=round(reminded.ratio, 1),
        dispatch_queries=reminded.queries,
        dispatch_queries_per_1000=round(reminded.queries_per_1000, 2),
        dispatch_small_people=reminded.small_people,
        dispatch_queries_per_1000_small=round(reminded.queries_per_1000_small, 2),
        dispatch_peak_mb=round(reminded.peak_mb, 1),
        dispatch_publish="included: each send task is published to the Celery broker (Redis), purged after",
    )
    results["quick"] = args.quick
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
