"""`make bench` (python -m bench): seed three organisations, publish, measure, write bench/results.json, print a table.

Options: --reseed (load the organisations again), --republish (publish the 1,000 and
30,000-person organisations again, not only their new weeks), --quick (small organisations and fewer
people to remind: a dry run in a few minutes, figures not comparable), --only writes / --only pages
(one part alone; pages needs no PostgreSQL: the page weight under gunicorn, bench/pages.py).
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
    os.environ["BENCH"] = "1"  # bench/urls.py mounts the baselines (the floor is counted in-process too)
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
        dbname="postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or "") or None,
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


def _commit() -> str:
    """The commit measured, with "+changes" when the working tree differs from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


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


TARGETS = {
    "publish_week_s": 5.0,
    "dashboard_team_vs_floor": 10.0,
    "dashboard_flat_ratio": 1.3,
    "checkin_write_vs_floor": 0.7,
    "checkin_edit_vs_insert": 1.2,
    "dispatch_ratio": 3.0,
    "dispatch_peak_mb": 300.0,
    "total_s": 15 * 60.0,
}


def _cells(r: dict, who: str) -> str:
    return (
        f"{r[f'cells_shown_share_{who}']:.1%} of {r[f'cells_{who}']:,} shown; hidden: "
        f"{r[f'cells_hidden_{who}_too_few']:,} too few, {r[f'cells_hidden_{who}_complementary']:,} "
        f"complementary, {r[f'cells_hidden_{who}_change']:,} change"
    )


def print_table(r: dict) -> None:
    t = TARGETS
    rows = [
        _row("check-ins seeded (10,000 people)", f"{r['rows_seeded']:,}", "≈ 2.5 million", None),
        _row(
            "seeding speed",
            f"{r['seed_rows_per_s']:,.0f} rows/s" if r["seed_rows_per_s"] else "already loaded",
            "a few minutes in all",
            None,
        ),
        _row(
            "  … 1,000 and 30,000 people",
            f"{r['rows_seeded_1k']:,} and {r['rows_seeded_30k']:,} check-ins",
            "same loader",
            None,
        ),
        _row(
            "publish_week_s (one week, 10,000 people)",
            f"{r['publish_week_s']:.2f} s (runs "
            f"{', '.join(f'{x:.2f}' for x in r['publish_week_runs_s'])}; SQL {r['publish_week_sql_s']:.2f} s in "
            f"{r['publish_week_queries']} queries)",
            f"≤ {t['publish_week_s']:g} s",
            r["publish_week_s"] <= t["publish_week_s"],
        ),
        _row(
            "  … peak memory",
            f"{r['publish_week_peak_mb']:.0f} MB resident (process at start "
            f"{r['publish_week_start_mb']:.0f} MB); Python allocations {r['publish_week_traced_peak_mb']:.0f} MB",
            "printed",
            None,
        ),
        _row(
            "publish_all_s (year's backfill, 10,000)",
            f"{r['publish_all_s']:.1f} s for {r['publish_all_weeks']} "
            f"weeks ({r['publish_all_s'] / max(1, r['publish_all_weeks']):.2f} s a week)",
            "printed",
            None,
        ),
        _row(
            "  … 1,000 and 30,000 people",
            f"{r['publish_all_s_1k']:.1f} s and {r['publish_all_s_30k']:.1f} s "
            f"({r['publish_all_weeks_1k']} and {r['publish_all_weeks_30k']} weeks published in this run)",
            "printed",
            None,
        ),
        _row(
            "floor (signed-in base.html)",
            f"p50 {r['floor_p50_ms']:.1f} ms, p95 {r['floor_p95_ms']:.1f} ms "
            f"({r['floor_queries']} queries, none its own)",
            "printed",
            None,
        ),
        _row(
            "dashboard_team_vs_floor (52 w, 10,000)",
            f"{r['dashboard_team_vs_floor']:.2f}×  (p95 "
            f"{r['dashboard_team_p95_ms']:.1f} ms, p50 {r['dashboard_team_p50_ms']:.1f} ms)",
            f"≤ {t['dashboard_team_vs_floor']:g}",
            r["dashboard_team_vs_floor"] <= t["dashboard_team_vs_floor"],
        ),
        _row(
            "dashboard_flat_ratio (30,000 / 1,000)",
            f"{r['dashboard_flat_ratio']:.2f}×  (p95 "
            f"{r['dashboard_team_30k_p95_ms']:.1f} vs {r['dashboard_team_1k_p95_ms']:.1f} ms)",
            f"≤ {t['dashboard_flat_ratio']:g}",
            r["dashboard_flat_ratio"] <= t["dashboard_flat_ratio"],
        ),
        _row(
            "team CSV (52 w) / floor",
            f"{r['team_csv_vs_floor']:.2f}×  (p95 {r['team_csv_p95_ms']:.1f} ms)",
            "printed",
            None,
        ),
        _row(
            "organisation overview p. 1 (52 w) / floor",
            f"{r['organisation_vs_floor']:.2f}×  (p95 "
            f"{r['organisation_p95_ms']:.1f} ms, {r['organisation_kb']:,.0f} kB)",
            "printed",
            None,
        ),
        _row(
            "team dashboard queries (1k, 10k, 30k)",
            ", ".join(map(str, r["dashboard_queries"])),
            "constant",
            r["dashboard_queries_constant"],
        ),
        _row("cells shown, demo teams", _cells(r, "demo_teams"), "printed", None),
        _row(
            "  … demo group, organisation",
            f"{r['cells_shown_share_demo_group']:.1%}, {r['cells_shown_share_demo_organisation']:.1%}",
            "printed",
            None,
        ),
        _row("cells shown, bench teams (10,000)", _cells(r, "bench_teams"), "printed", None),
        *write_rows(r),
        _row(
            "dispatch / bare insert",
            f"{r['dispatch_ratio']:.1f}×  "
            f"({r['dispatch_s']:.1f} s vs {r['dispatch_bare_s']:.2f} s, {r['dispatch_people']:,} people)",
            f"≤ {t['dispatch_ratio']:g}",
            r["dispatch_ratio"] <= t["dispatch_ratio"],
        ),
        _row(
            "dispatch queries per 1,000 people",
            f"{r['dispatch_queries_per_1000']:.1f} "
            f"(at {r['dispatch_small_people']:,}: {r['dispatch_queries_per_1000_small']:.1f})",
            "constant",
            abs(r["dispatch_queries_per_1000"] - r["dispatch_queries_per_1000_small"])
            <= 0.1 * r["dispatch_queries_per_1000_small"] + 1,
        ),
        _row(
            "dispatch peak memory",
            f"{r['dispatch_peak_mb']:.0f} MB",
            f"< {t['dispatch_peak_mb']:g} MB",
            r["dispatch_peak_mb"] < t["dispatch_peak_mb"],
        ),
        _row("whole run", f"{r['total_s'] / 60:.1f} min", "< 15 min", r["total_s"] < t["total_s"]),
    ]
    print_rows(rows)
    print(f"\nmachine: {r['machine']}; written to {RESULTS}")


def write_rows(r: dict) -> list[tuple[str, str, str, str]]:
    t = TARGETS
    return [
        _row(
            "checkin_write_vs_floor (form POST / floor POST)",
            f"{r['checkin_write_vs_floor']:.2f}×  "
            f"({r['checkin_write_per_s']:.0f} vs {r['write_floor_per_s']:.0f} req/s, "
            f"{r['checkin_write_concurrency']} at a time)",
            f"≥ {t['checkin_write_vs_floor']:g}",
            r["checkin_write_vs_floor"] >= t["checkin_write_vs_floor"],
        ),
        _row(
            "checkin_edit_vs_insert (edit cost / first save)",
            f"{r['checkin_edit_vs_insert']:.2f}×  "
            f"({r['checkin_edit_per_s']:.0f} vs {r['checkin_write_per_s']:.0f} req/s)",
            f"≤ {t['checkin_edit_vs_insert']:g}",
            r["checkin_edit_vs_insert"] <= t["checkin_edit_vs_insert"],
        ),
        _row("check-in write errors", str(r["checkin_write_errors"]), "0", r["checkin_write_errors"] == 0),
        _row(
            "check-in latency p50 / p95",
            f"save {r['checkin_p50_ms']:.1f} / {r['checkin_p95_ms']:.1f} ms, "
            f"edit {r['checkin_edit_p50_ms']:.1f} / {r['checkin_edit_p95_ms']:.1f} ms, "
            f"floor {r['write_floor_p50_ms']:.1f} / {r['write_floor_p95_ms']:.1f} ms",
            "printed",
            None,
        ),
    ]


def write_results(write) -> dict:
    return dict(
        checkin_write_vs_floor=round(write.vs_floor, 2),
        checkin_edit_vs_insert=round(write.edit_vs_insert, 2),
        checkin_write_per_s=round(write.insert_per_s, 1),
        checkin_edit_per_s=round(write.edit_per_s, 1),
        write_floor_per_s=round(write.floor_per_s, 1),
        checkin_write_errors=write.errors,
        checkin_p50_ms=round(write.insert.percentile(0.5), 1),
        checkin_p95_ms=round(write.insert.percentile(0.95), 1),
        checkin_edit_p50_ms=round(write.edit.percentile(0.5), 1),
        checkin_edit_p95_ms=round(write.edit.percentile(0.95), 1),
        write_floor_p50_ms=round(write.floor.percentile(0.5), 1),
        write_floor_p95_ms=round(write.floor.percentile(0.95), 1),
        checkin_write_requests_per_round=write.insert.requests,
        checkin_write_concurrency=write.concurrency,
    )


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("figure", "measured", "target", "")
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


# The three organisations: (name, teams of 20, name in --quick, teams in --quick).
ORGANISATIONS = {
    "10k": (None, 500, "Bench quick organisation", 25),
    "1k": ("Bench 1k organisation", 50, "Bench quick 1k organisation", 5),
    "30k": ("Bench 30k organisation", 1500, "Bench quick 30k organisation", 15),
}


def _flatten_cells(results: dict, who: str, counts: dict, kind: str = "team") -> None:
    figures = counts.get(
        kind, {"cells": 0, "shown": 0, "share": 0.0, **dict.fromkeys(("too_few", "complementary", "change"), 0)}
    )
    results[f"cells_{who}"] = figures["cells"]
    results[f"cells_shown_share_{who}"] = figures["share"]
    for reason in ("too_few", "complementary", "change"):
        results[f"cells_hidden_{who}_{reason}"] = figures[reason]


def only(part: str, quick: bool) -> int:
    """One part on its own (after a change to it): its figures replace the same keys of results.json."""
    import django

    django.setup()
    from django.core.management import call_command

    from . import writes

    call_command("migrate", verbosity=0)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print("Check-in writes over HTTP (gunicorn, 2 workers): first saves and edits against the write floor…")
    figures = write_results(writes.measure_writes(writers_count=100 if quick else 400))
    results.update(figures)
    _record_part(results, part)
    print_rows(write_rows(figures))
    return 0


def _record_part(results: dict, part: str) -> None:
    results.setdefault("parts_measured_later", {})[part] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": _machine(),
    }
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")


def only_pages() -> int:
    from . import pages

    print("Page weight as a phone receives it (gunicorn, DEBUG off, the demo in its own SQLite file)…")
    weights, figures = pages.run()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    _record_part(results, "pages")
    pages.print_weights(weights)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--reseed", action="store_true", help="load the organisations again")
    parser.add_argument(
        "--republish",
        action="store_true",
        help="publish the 1,000 and 30,000-person organisations again (the 10,000 always is)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a dry run, not comparable figures")
    parser.add_argument(
        "--only",
        choices=["writes", "pages"],
        help="measure only this part (no seeding) and update its figures in results.json",
    )
    args = parser.parse_args(argv)
    if args.only == "pages":  # its own server and throwaway SQLite database: no PostgreSQL needed
        return only_pages()
    _prepare_environment()
    _ensure_database(os.environ["DATABASE_URL"])
    if args.only:
        return only(args.only, quick=args.quick)

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Organisation, User

    from . import dashboards, dispatch, publish, seed, writes
    from . import pages as page_weight

    started = time.perf_counter()
    results: dict = {"machine": _machine(), "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    results["commit"] = _commit()
    call_command("migrate", verbosity=0)

    days = {"days": 120} if args.quick else {}
    print("1/7 Seeding the organisations (PostgreSQL COPY): 10,000, 1,000 and 30,000 people…")
    names, organisations, loaded = {}, {}, False
    for size, (name, teams, quick_name, quick_teams) in ORGANISATIONS.items():
        names[size] = (quick_name if args.quick else name) or seed.ORG_NAME
        report = seed.seed(
            reseed=args.reseed,
            org_name=names[size],
            teams=quick_teams if args.quick else teams,
            log=print if size == "10k" else (lambda *a, **k: None),
            **days,
        )
        if report.skipped:
            print(f"  {names[size]}: already loaded, {report.checkins:,} check-ins (--reseed loads it again)")
        else:
            print(
                f"  {names[size]}: {report.total_rows:,} rows ({report.checkins:,} check-ins) in "
                f"{report.seconds:.1f} s: {report.rows_per_s:,.0f} rows/s"
            )
        suffix = "" if size == "10k" else f"_{size}"
        results.update(
            {
                f"rows_seeded{suffix}": report.checkins,
                f"seed_seconds{suffix}": round(report.seconds, 1),
            }
        )
        if size == "10k":
            results.update(
                seed_rows_total=report.total_rows, seed_rows_per_s=round(report.rows_per_s), seed_skipped=report.skipped
            )
        organisations[size] = Organisation.objects.get(name=names[size])
        loaded = loaded or not report.skipped
    if loaded:
        clustered = seed.store_rollups_by_week()
        print(f"  rollup rows stored in week order, as a live database writes them, in {clustered:.1f} s")
        results["seed_rollups_by_week_s"] = round(clustered, 1)

    print("2/7 Publishing: each organisation's year of weeks; one week of 10,000 people on its own…")
    for size in ("1k", "30k"):
        # Published when seeded (every due week then), afterwards only new weeks unless --republish.
        backfill = publish.publish_all(organisations[size], again=args.republish)
        print(
            f"  {names[size]}: {backfill.weeks} weeks published in {backfill.seconds:.1f} s "
            f"({backfill.per_week_s:.2f} s a week; {backfill.units:,} unit rows in all)"
        )
        results[f"publish_all_s_{size}"] = round(backfill.seconds, 1)
        results[f"publish_all_weeks_{size}"] = backfill.weeks
    # The 10,000-person organisation, published again on every run: the year, then its newest week alone.
    week = publish.measure_week(organisations["10k"], runs=3)
    print(
        f"  {names['10k']}: {week.all_weeks} weeks published in {week.all_s:.1f} s "
        f"({week.all_s / week.all_weeks:.2f} s a week)"
    )
    print(
        f"  one week ({week.week}, {week.units} units): {week.seconds:.2f} s (median of "
        f"{len(week.runs_s)}), {week.queries} queries taking {week.sql_s:.2f} s; peak {week.peak_mb:.0f} MB "
        f"resident, Python allocations {week.traced_peak_mb:.0f} MB"
    )
    if not week.runs_identical:
        print("  WARNING: the runs of that week did not all publish the same cells")
    publish.vacuum_publications()
    results.update(
        publish_week_runs_identical=week.runs_identical,
        publish_all_s=round(week.all_s, 1),
        publish_all_weeks=week.all_weeks,
        publish_week_s=round(week.seconds, 2),
        publish_week_runs_s=[round(x, 2) for x in week.runs_s],
        publish_week_week=week.week,
        publish_week_units=week.units,
        publish_week_queries=week.queries,
        publish_week_sql_s=round(week.sql_s, 2),
        publish_week_start_mb=round(week.start_mb, 1),
        publish_week_peak_mb=round(week.peak_mb, 1),
        publish_week_traced_peak_mb=round(week.traced_peak_mb, 1),
    )

    print("3/7 Cells shown: the demo organisation (seed_demo) and the 10,000-person organisation…")
    demo = publish.demo_organisation()
    demo_counts = publish.cell_counts(demo.pk)
    bench_counts = publish.cell_counts(organisations["10k"].pk)
    _flatten_cells(results, "demo_teams", demo_counts)
    results["cells_shown_share_demo_group"] = demo_counts.get("group", {}).get("share", 0.0)
    results["cells_shown_share_demo_organisation"] = demo_counts.get("organisation", {}).get("share", 0.0)
    results["cells_demo_weeks"] = demo_counts.get("organisation", {}).get("weeks", 0)
    _flatten_cells(results, "bench_teams", bench_counts)
    results["cells_shown_share_bench_organisation"] = bench_counts.get("organisation", {}).get("share", 0.0)
    for who, counts in (("demo", demo_counts), ("bench", bench_counts)):
        for kind, figures in counts.items():
            print(
                f"  {who} {kind}: {figures['shown']:,} of {figures['cells']:,} cells shown ({figures['share']:.1%}) "
                f"over {figures['weeks']} weeks; hidden: {figures['too_few']:,} too few, "
                f"{figures['complementary']:,} complementary, {figures['change']:,} change"
            )

    print("4/7 Dashboards over HTTP (gunicorn, 2 workers, DEBUG off) against the floor…")
    pages = []
    for size in ("10k", "1k", "30k"):
        people = seed.bench_people(names[size])
        team_id, supervisor_id = people["team_supervisors"][0]
        supervisor = User.objects.get(pk=supervisor_id)
        if size == "10k":
            pages.append(dashboards.page("floor", dashboards.FLOOR_PATH, supervisor))
            pages.append(dashboards.page("team CSV", dashboards.team_export_url(team_id), supervisor))
            pages.append(
                dashboards.page("organisation overview", dashboards.org_url(), User.objects.get(pk=people["admin_id"]))
            )
        pages.append(dashboards.page(f"team dashboard {size}", dashboards.team_url(team_id), supervisor))
    measured = dashboards.measure_pages(pages, requests=20 if args.quick else 50)
    floor, team = measured["floor"], measured["team dashboard 10k"]
    small, large = measured["team dashboard 1k"], measured["team dashboard 30k"]
    csv, overview = measured["team CSV"], measured["organisation overview"]
    results.update(
        dashboard_requests=len(floor.latencies_ms),
        floor_p50_ms=round(floor.p50_ms, 1),
        floor_p95_ms=round(floor.p95_ms, 1),
        floor_queries=floor.queries,
        dashboard_team_p50_ms=round(team.p50_ms, 1),
        dashboard_team_p95_ms=round(team.p95_ms, 1),
        dashboard_team_vs_floor=round(team.p95_ms / floor.p95_ms, 2),
        dashboard_team_1k_p50_ms=round(small.p50_ms, 1),
        dashboard_team_1k_p95_ms=round(small.p95_ms, 1),
        dashboard_team_30k_p50_ms=round(large.p50_ms, 1),
        dashboard_team_30k_p95_ms=round(large.p95_ms, 1),
        dashboard_flat_ratio=round(large.p95_ms / small.p95_ms, 2),
        dashboard_flat_ratio_p50=round(large.p50_ms / small.p50_ms, 2),
        dashboard_team_kb=round(team.bytes / 1e3, 1),
        team_csv_p50_ms=round(csv.p50_ms, 1),
        team_csv_p95_ms=round(csv.p95_ms, 1),
        team_csv_vs_floor=round(csv.p95_ms / floor.p95_ms, 2),
        organisation_p50_ms=round(overview.p50_ms, 1),
        organisation_p95_ms=round(overview.p95_ms, 1),
        organisation_vs_floor=round(overview.p95_ms / floor.p95_ms, 2),
        organisation_kb=round(overview.bytes / 1e3, 1),
        organisation_queries=overview.queries,
        dashboard_queries=[small.queries, team.queries, large.queries],
        dashboard_queries_constant=small.queries == team.queries == large.queries,
    )

    print("5/7 Check-in writes over HTTP (gunicorn, 2 workers): first saves and edits against the write floor…")
    results.update(write_results(writes.measure_writes(writers_count=100 if args.quick else 400)))

    print("6/7 Reminder dispatch at scale…")
    reminded = dispatch.measure_dispatch(people=5_000 if args.quick else 100_000, small=1_000 if args.quick else 10_000)
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
    print("7/7 Page weight as a phone receives it (gunicorn, DEBUG off, the demo in its own SQLite file)…")
    weights, page_figures = page_weight.run()
    results.update(page_figures)
    results["quick"] = args.quick
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_table(results)
    page_weight.print_weights(weights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
