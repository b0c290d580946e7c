"""Personas and real-service fixtures shared by every test.

Personas (one organisation "Riverside", one outsider organisation "Elsewhere"):
alice    member of team A                bob      supervisor of team A
carol    member of team B                dave     supervisor of team B
olivia   organisation admin of Riverside oscar    organisation admin of Elsewhere
eve      member of a team in Elsewhere   root     superuser
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organisation, Team, User
from accounts.two_factor import requires_two_factor

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "a-long-test-password-42"
# Personas have been in their teams since long before any test's history, so every past week counts.
PERSONAS_JOINED = dt.date(2020, 1, 6)


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings) -> None:
    """Argon2 is slow and memory-hungry on purpose; the suite hashes thousands of passwords. Tests
    marked `@pytest.mark.argon2` keep the production hashers (sts_checkin/settings.py)."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_practice_cache() -> None:
    """Each test starts with no cached practice list: a rolled-back test sends no signal to drop its own."""
    from checkins.offered import forget

    forget()


def _require(name: str, present: bool, reason: str) -> None:
    if present:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {name} is not configured: {reason}")
    pytest.skip(reason)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def uses_redis_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.fixture
def require_postgres() -> None:
    _require("PostgreSQL", uses_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def require_redis() -> None:
    _require(
        "Redis",
        bool(settings.REDIS_URL) and uses_redis_broker(),
        "needs Redis: set REDIS_URL and CELERY_BROKER_URL=redis://…",
    )


class TwoStepClient(Client):
    """`force_login` stands for the whole sign-in: for people who need two-step sign-in it
    also passes the second step with a confirmed authenticator device."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if requires_two_factor(user) or user_has_device(user, confirmed=True):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> TwoStepClient:
    return TwoStepClient()


def make_user(email: str, organisation: Organisation | None, **extra) -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, organisation=organisation, time_zone="Europe/London", **extra
    )


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Riverside", time_zone="Europe/London", anonymity_k=5)


@pytest.fixture
def other_organisation(db) -> Organisation:
    return Organisation.objects.create(name="Elsewhere", time_zone="America/New_York")


@pytest.fixture
def team_a(organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team A")


@pytest.fixture
def team_b(organisation) -> Team:
    return Team.objects.create(organisation=organisation, name="Team B")


@pytest.fixture
def outside_team(other_organisation) -> Team:
    return Team.objects.create(organisation=other_organisation, name="Outside team")


def _member(team: Team, email: str, role: str = Membership.Role.MEMBER, **extra) -> User:
    user = make_user(email, team.organisation, **extra)
    Membership.objects.create(user=user, team=team, role=role, started_on=PERSONAS_JOINED)
    return user


@pytest.fixture
def alice(team_a) -> User:
    return _member(team_a, "alice@example.org", display_name="Alice Member")


@pytest.fixture
def bob(team_a) -> User:
    return _member(team_a, "bob@example.org", Membership.Role.SUPERVISOR, display_name="Bob Supervisor")


@pytest.fixture
def carol(team_b) -> User:
    return _member(team_b, "carol@example.org", display_name="Carol Otherteam")


@pytest.fixture
def dave(team_b) -> User:
    return _member(team_b, "dave@example.org", Membership.Role.SUPERVISOR, display_name="Dave Othersupervisor")


@pytest.fixture
def eve(outside_team) -> User:
    return _member(outside_team, "eve@example.net", display_name="Eve Outsider")


@pytest.fixture
def olivia(organisation) -> User:
    return make_user("olivia@example.org", organisation, is_org_admin=True, display_name="Olivia Admin")


@pytest.fixture
def oscar(other_organisation) -> User:
    return make_user("oscar@example.net", other_organisation, is_org_admin=True, display_name="Oscar Admin")


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser(email="root@example.org", password=PASSWORD)


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for `celery_worker_process`; override it in a test module to add variables."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env):
    """A real Celery worker in its own process, on the configured broker and the test database.

    Tests using it must commit their data (transactional_db), since the worker reads
    through its own connection.
    """
    db_settings = connection.settings_dict
    env = dict(os.environ)
    env["DEBUG"] = "1"
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{db_settings['USER'] or 'postgres'}@{db_settings['HOST'] or '127.0.0.1'}:"
            f"{db_settings['PORT'] or 5432}/{db_settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{db_settings['NAME']}"
    env.update(celery_worker_env)
    # Output to a file: a pipe nobody reads fills up and stalls a worker that logs a lot.
    with tempfile.TemporaryFile() as log:
        process = start_celery_worker(env, "test", log)
        yield process
        stop_process(process)


def start_celery_worker(env: dict[str, str], name: str, log=subprocess.DEVNULL) -> subprocess.Popen:
    """A Celery worker process (solo pool) with `env`, its log to `log`; named `name-<random>`."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sts_checkin",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    time.sleep(0.5)
    if process.poll() is not None:
        output = b""
        if log is not subprocess.DEVNULL:
            log.seek(0)
            output = log.read()
        raise RuntimeError(f"Celery worker failed to start: {output.decode(errors='replace')[-2000:]}")
    return process


def stop_process(process: subprocess.Popen) -> None:
    """Ask a child process to stop; kill it if it has not within 15 seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {getattr(predicate, '__name__', 'a condition')}")
