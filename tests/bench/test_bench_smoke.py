"""The benchmark's parts run on a tiny organisation, so `make bench` cannot rot between runs.

These check that seeding and each measurement work end to end, not how fast they are.
"""

from __future__ import annotations

import random

import pytest

from bench import dashboards, dispatch, seed, writes
from checkins import insights
from checkins.models import CheckIn

pytestmark = pytest.mark.postgres


def test_seeded_scores_are_exactly_what_insights_computes():
    rng = random.Random(7)
    for _ in range(2000):
        ratings = [rng.randint(0, 4) for _sign in insights.SIGN_FIELDS]
        scores = insights.score(dict(zip(insights.SIGN_FIELDS, ratings, strict=True)))
        expected = (str(scores.index), *(str(scores.clusters[name]) for name in insights.CLUSTERS), scores.band)
        assert seed.score_columns(ratings) == expected


def test_seeding_refuses_sqlite_with_a_clear_message(settings, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        seed.seed(teams=1, team_size=3, days=2)


def test_a_tiny_organisation_is_seeded_once_with_scores_as_save_would_store_them(require_postgres, db):
    report = seed.seed(teams=2, team_size=6, days=14, participation=0.7, log=lambda *a, **k: None)
    assert not report.skipped
    assert report.rows["users"] == 13 and report.rows["memberships"] == 12
    assert 0 < report.checkins <= 2 * 5 * 14
    assert report.rows_per_s > 0
    for checkin in CheckIn.objects.all()[:50]:
        stored = (checkin.sts_index, *checkin.cluster_scores().values(), checkin.band)
        checkin.refresh_scores()
        assert stored == (checkin.sts_index, *checkin.cluster_scores().values(), checkin.band)
        assert checkin.nourish == "" and checkin.private_note == ""
    assert seed.seed(teams=2, team_size=6, days=14).skipped


def test_dashboards_are_measured_against_the_raw_aggregate(require_postgres, db):
    from accounts.models import Organisation, User

    seed.seed(teams=2, team_size=6, days=60, log=lambda *a, **k: None)
    people = seed.bench_people()
    organisation = Organisation.objects.get(pk=people["organisation_id"])
    team_id, supervisor_id = people["team_supervisors"][0]
    supervisor, admin = User.objects.get(pk=supervisor_id), User.objects.get(pk=people["admin_id"])
    team, org = dashboards.measure_dashboards(
        organisation, supervisor, team_id, admin, weeks=12, runs=1, log=lambda *a: None
    )
    assert team.ratio > 0 and org.ratio > 0 and team.baseline_team_only_s > 0
    assert (team.queries, org.queries) == dashboards.query_counts(supervisor, team_id, admin, 12)


def test_check_in_writes_are_measured_over_http_without_errors(require_postgres, transactional_db):
    seed.seed(teams=1, team_size=3, days=3, log=lambda *a, **k: None)
    result = writes.measure_writes(writers_count=6, concurrency=3, rounds=1, log=lambda *a: None)
    assert result.errors == 0
    assert result.requests_per_round == 6 * 3
    assert result.app_per_s > 0 and result.bare_per_s > 0 and result.p95_ms > 0


def test_dispatch_is_measured_in_a_child_process(require_postgres, transactional_db, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    result = dispatch.measure_dispatch(people=60, small=20, runs=1, log=lambda *a: None)
    assert result.created == 60 and result.small_people == 20
    assert result.queries > 0 and result.peak_mb > 0 and result.bare_s > 0
