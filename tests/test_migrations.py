"""Upgrades cannot break: every migration applies in order to an empty database, and a database
filled before the rollups and dated memberships existed upgrades to today's schema with the
same rollups `checkins.rollup.rebuild` builds, dated memberships, and weeks that publish.

The tests drive the real migrations (django-test-migrations drops every table first and
migrates back to the latest state afterwards), so they run on whichever database the suite
uses: SQLite by default, PostgreSQL with DATABASE_URL=postgres://…
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_test_migrations.sql import drop_models_tables, flush_django_migrations_table

PROJECT_APPS = ("accounts", "checkins", "supervision", "reminders")

# The newest migration of each project app an installation could have before the rollups
# (checkins 0005) and dated memberships (accounts 0005): every other app at its latest.
BEFORE_ROLLUPS = {
    "accounts": "0004_user_two_factor_enabled",
    "checkins": "0004_retention_schedule",
    "supervision": "0002_weekly_digest_schedule",
    "reminders": "0003_delivery_without_dispatch_token",
}

pytestmark = pytest.mark.django_db(transaction=True)


def _empty_database(executor: MigrationExecutor) -> None:
    drop_models_tables(connection.alias)
    flush_django_migrations_table(connection.alias)
    executor.loader.build_graph()


def _migrate(executor: MigrationExecutor, targets):
    executor.loader.build_graph()
    state = executor.migrate(targets)
    state.clear_delayed_apps_cache()
    return state


def _full_plan(executor: MigrationExecutor) -> list[tuple[str, str]]:
    graph = executor.loader.graph
    plan: list[tuple[str, str]] = []
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node not in plan:
                plan.append(node)
    return plan


def test_an_empty_database_migrates_through_every_migration_in_order(migrator):
    executor = MigrationExecutor(connection)
    _empty_database(executor)
    plan = _full_plan(executor)
    ours = [node for node in plan if node[0] in PROJECT_APPS]
    assert ("checkins", "0005_rollups") in ours

    for node in ours:
        _migrate(executor, [node])
        assert node in executor.recorder.applied_migrations()
    _migrate(executor, executor.loader.graph.leaf_nodes())

    applied = executor.recorder.applied_migrations()
    assert set(plan) <= set(applied)
    # The data migrations did their part on an empty database.
    state = executor.loader.project_state()
    Practice = state.apps.get_model("checkins", "Practice")
    PeriodicTask = state.apps.get_model("django_celery_beat", "PeriodicTask")
    assert Practice.objects.filter(organisation=None).count() == 8
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {
        "checkins.apply_retention",
        "reminders.dispatch_due",
        "supervision.publish_due_weeks",
    }
    assert not PeriodicTask.objects.filter(name="Weekly supervisor digest").exists()


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _load_demo_shaped_data(apps, today: dt.date) -> dict:
    """An organisation, a team with a supervisor and six members, three weeks of check-ins with scores."""
    from checkins import insights  # pure scoring functions, used to fill the stored scores

    Organisation = apps.get_model("accounts", "Organisation")
    Team = apps.get_model("accounts", "Team")
    Membership = apps.get_model("accounts", "Membership")
    User = apps.get_model("accounts", "User")
    CheckIn = apps.get_model("checkins", "CheckIn")
    Practice = apps.get_model("checkins", "Practice")

    organisation = Organisation.objects.create(name="Upgraded", time_zone="Europe/London", anonymity_k=5)
    team = Team.objects.create(organisation=organisation, name="Night shift")
    supervisor = User.objects.create(
        email="sup@upgraded.test", password="!", organisation=organisation, time_zone="Europe/London"
    )
    Membership.objects.create(user=supervisor, team=team, role="supervisor")
    practices = list(Practice.objects.filter(organisation=None).order_by("order"))
    first_week = _monday(today) - dt.timedelta(weeks=4)
    rng = random.Random(17)
    members = []
    for number in range(6):
        user = User.objects.create(
            email=f"member{number}@upgraded.test", password="!", organisation=organisation, time_zone="Europe/London"
        )
        Membership.objects.create(user=user, team=team, role="member")
        members.append(user)
        for offset in range(0, 21, 2):  # every other day over three weeks, crossing weeks (and maybe a month)
            day = first_week + dt.timedelta(days=offset + number % 2)
            ratings = {field: rng.randint(0, 4) for field in insights.SIGN_FIELDS}
            scores = insights.score(ratings)
            checkin = CheckIn.objects.create(
                user=user,
                local_date=day,
                **ratings,
                exposure=rng.random() < 0.3,
                workload=rng.choice([None, 0, 2, 4]),
                day_off=offset % 7 == 6,
                sts_index=scores.index,
                band=scores.band,
                **{f"{name}_score": value for name, value in scores.clusters.items()},
            )
            checkin.practices.set(rng.sample(practices, 2))
    return {"organisation_id": organisation.pk, "first_week": first_week, "members": [m.pk for m in members]}


def _rollup_rows() -> tuple[list, list]:
    from checkins.models import CheckInRollup, PracticeRollup

    checkin_fields = [f.attname for f in CheckInRollup._meta.concrete_fields if f.name != "id"]
    return (
        sorted(CheckInRollup.objects.values_list(*checkin_fields)),
        sorted(PracticeRollup.objects.values_list("user_id", "week", "month", "practice_id")),
    )


def test_a_database_filled_before_the_rollups_upgrades_and_publishes(migrator):
    executor = MigrationExecutor(connection)
    _empty_database(executor)
    graph_leaves = executor.loader.graph.leaf_nodes()
    old_targets = [(app, BEFORE_ROLLUPS[app]) if app in BEFORE_ROLLUPS else (app, name) for app, name in graph_leaves]
    old_state = _migrate(executor, old_targets)
    assert ("checkins", "0005_rollups") not in executor.recorder.applied_migrations()

    today = timezone.now().date()  # accounts 0005 dates memberships from created_at, in UTC
    demo = _load_demo_shaped_data(old_state.apps, today)

    _migrate(executor, executor.loader.graph.leaf_nodes())

    # The live models from here on: the schema is today's.
    from accounts.models import Membership
    from checkins import rollup
    from supervision.models import Publication, PublishedUnit

    migrated = _rollup_rows()
    assert migrated[0] and migrated[1]
    rollup.rebuild()
    assert _rollup_rows() == migrated
    assert sum(row[3] for row in migrated[0]) == 6 * 11  # every check-in counted once
    assert all(isinstance(row[4], Decimal) for row in migrated[0])

    # Memberships are dated: members from the Monday of their first check-in (supervision 0004),
    # the supervisor (no check-ins) from the day the row was created (accounts 0005).
    starts = dict(Membership.objects.values_list("user_id", "started_on"))
    for user_id in demo["members"]:
        assert starts[user_id] == demo["first_week"]
    assert set(starts.values()) == {demo["first_week"], today}

    call_command("publish_weeks", verbosity=0)
    weeks = set(Publication.objects.filter(organisation_id=demo["organisation_id"]).values_list("week", flat=True))
    assert {demo["first_week"] + dt.timedelta(weeks=n) for n in range(3)} <= weeks
    team_week = PublishedUnit.objects.get(
        publication__organisation_id=demo["organisation_id"], week=demo["first_week"], kind="team"
    )
    assert team_week.members == 6
    assert team_week.values, team_week.hidden
