"""The benchmark's parts run on tiny organisations, so `make bench` cannot rot between runs.

These check that seeding, publishing and each measurement work end to end, not how fast they are.
"""

from __future__ import annotations

import importlib
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import dashboards, dispatch, publish, seed, writes
from checkins import insights
from checkins.models import CheckIn

pytestmark = pytest.mark.postgres

QUIET = {"log": lambda *a, **k: None}


def test_seeded_scores_are_exactly_what_insights_computes():
    rng = random.Random(7)
    for _ in range(2000):
        ratings = [rng.randint(0, 4) for _sign in insights.SIGN_FIELDS]
        scores = insights.score(dict(zip(insights.SIGN_FIELDS, ratings, strict=True)))
        expected = (str(scores.index), *(str(scores.clusters[name]) for name in insights.CLUSTERS), scores.band)
        assert seed.score_columns(ratings) == expected


def test_seeding_refuses_sqlite_with_a_clear_message(settings, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        seed.seed(teams=1, team_size=3, days=2)


def test_a_tiny_organisation_is_seeded_once_with_scores_as_save_would_store_them(require_postgres, db):
    from accounts.models import Membership

    report = seed.seed(teams=2, team_size=6, days=14, participation=0.7, **QUIET)
    assert not report.skipped
    assert report.rows["users"] == 13 and report.rows["memberships"] == 12
    assert 0 < report.checkins <= 2 * 5 * 14
    assert report.rows_per_s > 0
    for checkin in CheckIn.objects.all()[:50]:
        stored = (checkin.sts_index, *checkin.cluster_scores().values(), checkin.band)
        checkin.refresh_scores()
        assert stored == (checkin.sts_index, *checkin.cluster_scores().values(), checkin.band)
        assert checkin.nourish == "" and checkin.private_note == ""
    # Everyone joined on a Monday no later than the first check-in, so every seeded week counts.
    first = CheckIn.objects.order_by("local_date").values_list("local_date", flat=True).first()
    started = set(Membership.objects.values_list("started_on", flat=True))
    assert len(started) == 1 and (joined := started.pop()) <= first and joined.weekday() == 0
    assert seed.seed(teams=2, team_size=6, days=14).skipped


def test_organisations_of_any_size_and_name_are_seeded_side_by_side_and_reseeded(require_postgres, db):
    seed.seed(teams=1, team_size=4, days=10, **QUIET)
    seed.seed(teams=3, team_size=4, days=10, org_name="Bench other organisation", **QUIET)
    assert len(seed.bench_people("Bench other organisation")["team_supervisors"]) == 3
    assert len(seed.bench_people()["team_supervisors"]) == 1
    report = seed.seed(teams=2, team_size=4, days=10, org_name="Bench other organisation", reseed=True, **QUIET)
    assert not report.skipped and report.rows["users"] == 9
    assert len(seed.bench_people("Bench other organisation")["team_supervisors"]) == 2


def test_publishing_a_year_and_one_week_again_is_measured_and_cells_add_up(require_postgres, transactional_db):
    from accounts.models import Organisation
    from supervision.models import Publication, PublishedUnit

    seed.seed(teams=3, team_size=9, days=40, **QUIET)
    assert seed.store_rollups_by_week() > 0
    organisation = Organisation.objects.get(name=seed.ORG_NAME)
    backfill = publish.publish_all(organisation)
    assert backfill.weeks >= 4 and backfill.units == backfill.weeks * 4  # three teams and the organisation
    assert publish.publish_all(organisation).weeks == backfill.weeks  # every run publishes afresh

    def stored() -> list[tuple]:
        units = PublishedUnit.objects.filter(publication__organisation=organisation)
        return sorted(map(str, units.values_list("week", "kind", "unit_id", "values", "hidden")))

    published = stored()
    week = publish.measure_week(organisation, runs=2)
    assert len(week.runs_s) == 2 and week.seconds > 0 and week.queries > 0 and week.units == 4
    assert week.peak_mb >= week.start_mb > 0 and week.traced_peak_mb > 0
    assert week.all_weeks == backfill.weeks and week.all_s > week.backfill_s > 0 and week.runs_identical
    assert Publication.objects.filter(organisation=organisation).count() == backfill.weeks
    # Each run met the state the weekly task meets, so the year came out as one backfill had published it.
    assert stored() == published
    counts = publish.cell_counts(organisation.pk)
    assert set(counts) == {"team", "organisation"} and counts["organisation"]["shown"] > 0
    for figures in counts.values():
        hidden = sum(figures[reason] for reason in publish.REASONS)
        assert figures["shown"] + hidden == figures["cells"] > 0
        assert figures["weeks"] == backfill.weeks


def test_the_demo_is_made_afresh_and_its_cells_are_counted(require_postgres, db):
    demo = publish.demo_organisation()
    again = publish.demo_organisation()
    assert again.pk != demo.pk
    counts = publish.cell_counts(again.pk)
    assert set(counts) == {"team", "group", "organisation"}
    assert counts["team"]["units"] == 5 * counts["team"]["weeks"]
    assert counts["team"]["too_few"] > 0  # the three small teams are never shown on their own
    assert 0 < counts["organisation"]["share"] <= 1


def test_the_floor_runs_no_query_of_its_own(require_postgres, db, settings, monkeypatch):
    from accounts.models import User

    monkeypatch.setenv("BENCH", "1")
    importlib.reload(importlib.import_module("bench.urls"))
    settings.ROOT_URLCONF = "bench.urls"
    seed.seed(teams=1, team_size=3, days=3, **QUIET)
    supervisor = User.objects.get(pk=seed.bench_people()["team_supervisors"][0][1])
    client = dashboards.signed_in_client(supervisor)
    client.get(dashboards.FLOOR_PATH)  # the first request renews the session (one write)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboards.FLOOR_PATH)
    assert response.status_code == 200 and b"navbar" in response.content
    tables = {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|UPDATE|INTO) "(\w+)"', query["sql"])
    }
    assert len(tables) == len(queries.captured_queries) > 0
    # Session, user, second-step device (the roles ride in the session): the request's, none of the view's.
    assert tables <= {"django_session", "accounts_user", "otp_totp_totpdevice", "accounts_membership"}


def test_dashboards_are_measured_over_http_against_the_floor(require_postgres, transactional_db, settings, monkeypatch):
    from accounts.models import Organisation, User

    monkeypatch.setenv("BENCH", "1")
    importlib.reload(importlib.import_module("bench.urls"))
    settings.ROOT_URLCONF = "bench.urls"
    pages = []
    for name, teams in (("Bench small", 1), ("Bench large", 3)):
        seed.seed(teams=teams, team_size=6, days=30, org_name=name, **QUIET)
        publish.publish_all(Organisation.objects.get(name=name))
        people = seed.bench_people(name)
        team_id, supervisor_id = people["team_supervisors"][0]
        supervisor = User.objects.get(pk=supervisor_id)
        if name == "Bench large":
            pages.append(dashboards.page("floor", dashboards.FLOOR_PATH, supervisor))
            pages.append(dashboards.page("team CSV", dashboards.team_export_url(team_id), supervisor))
            pages.append(
                dashboards.page("organisation overview", dashboards.org_url(), User.objects.get(pk=people["admin_id"]))
            )
        pages.append(dashboards.page(f"team dashboard {name}", dashboards.team_url(team_id), supervisor))
    measured = dashboards.measure_pages(pages, requests=3, warmup=1, **QUIET)
    assert set(measured) == {
        "floor",
        "team CSV",
        "organisation overview",
        "team dashboard Bench small",
        "team dashboard Bench large",
    }
    for item in measured.values():
        assert len(item.latencies_ms) == 3 and item.p95_ms >= item.p50_ms > 0 and item.bytes > 0
    assert measured["team dashboard Bench small"].queries == measured["team dashboard Bench large"].queries
    assert measured["floor"].queries == 3  # session, user, second-step device; roles from the session
    assert measured["floor"].queries < measured["team dashboard Bench large"].queries


def test_check_in_writes_are_measured_over_http_without_errors(require_postgres, transactional_db):
    seed.seed(teams=1, team_size=3, days=3, **QUIET)
    result = writes.measure_writes(writers_count=6, concurrency=3, rounds=1, log=lambda *a: None)
    assert result.errors == 0
    assert result.insert_per_s > 0 and result.edit_per_s > 0 and result.floor_per_s > 0
    assert result.insert.requests == result.edit.requests == result.floor.requests == 6 * 3


def test_dispatch_is_measured_in_a_child_process(require_postgres, transactional_db, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    result = dispatch.measure_dispatch(people=60, small=20, runs=1, log=lambda *a: None)
    assert result.created == 60 and result.small_people == 20
    assert result.queries > 0 and result.peak_mb > 0 and result.bare_s > 0


def test_page_weight_is_measured_under_gunicorn_with_pages_compressed():
    from bench import pages

    weights, figures = pages.run()
    assert [page.status for page in weights] == [200, 200, 200]
    for page in weights:
        assert page.html.encoding == "gzip" and page.html.compressed < page.html.raw / 3, page.name
        assert page.assets and all(asset.encoding == "gzip" for asset in page.assets.values()), page.name
    assert figures["page_check_in_html_sent_bytes"] == weights[0].html.compressed
    assert figures["page_check_in_requests"] == 1 + len(weights[0].assets)


def test_a_failed_run_shows_the_end_of_the_server_log_and_keeps_it(tmp_path, capsys):
    from bench import pages
    from bench.server import Server

    env = pages.environment(tmp_path)  # VAR_DIR in tmp_path
    with pytest.raises(RuntimeError, match="the run failed"), Server(env) as server:
        status, _ms, _size = writes.request(server.port, "/no-such-page/", cookie="")
        raise RuntimeError(f"the run failed: {status}")
    assert server.process.poll() is not None and server.log_path.exists()
    shown = capsys.readouterr().err
    assert str(server.log_path) in shown and "/no-such-page/" in shown
    with Server(env) as server:
        pass
    assert not server.log_path.exists()
