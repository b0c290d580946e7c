"""Check-in write path over real HTTP: gunicorn (2 sync workers), the check-in form against the write floor.

The writers are their own small organisation ("Bench writers"), so their check-ins never
touch the big organisation's figures. Each writer has a session made in the database up
front (as if they had signed in) and a CSRF cookie; each request posts one writer's check-in
for one date of the editable window (today and the two days before). A round of first saves
inserts a new row on every request, as the write floor (`bench.views.write_floor`: the same
session, CSRF and middleware, one raw INSERT) does; a round of edits then posts the same days
again. Concurrent client threads each own a slice of the writers. After the rounds of each
kind the writers' check-ins are deleted.
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts import roles
from accounts.models import Membership, Organisation, Team, User
from checkins.actions import editable_dates
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen

from .seed import EMAIL_DOMAIN, TIME_ZONE
from .server import Server

WRITERS_ORG = "Bench writers"
BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Writer:
    user_id: int
    session_key: str
    csrf: str


@dataclass
class Round:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    """The value below which a share `q` of `values` lies (nearest rank; p95 of 40 is the 39th)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def setup_writers(count: int) -> list[Writer]:
    """(Re)create the writers' organisation with `count` signed-in members."""
    with transaction.atomic():
        old = Organisation.objects.filter(name=WRITERS_ORG).first()
        if old is not None:
            people = User.objects.filter(organisation=old)
            Session.objects.filter(session_key__startswith="bench").delete()
            CheckIn.objects.filter(user__in=people).delete()
            people.delete()
            old.delete()
        organisation = Organisation.objects.create(name=WRITERS_ORG, time_zone=TIME_ZONE)
        team = Team.objects.create(organisation=organisation, name="Writers")
        password = User.objects.filter(email__endswith=EMAIL_DOMAIN).values_list("password", flat=True).first()
        users = User.objects.bulk_create(
            [
                User(
                    email=f"writer-{i:05d}@{EMAIL_DOMAIN}",
                    organisation=organisation,
                    time_zone=TIME_ZONE,
                    password=password or "!",
                )
                for i in range(count)
            ]
        )
        joined = organisation.today()
        Membership.objects.bulk_create([Membership(user=user, team=team, started_on=joined) for user in users])
        IntroSeen.objects.bulk_create([IntroSeen(user=user) for user in users])
        writers, sessions = [], []
        expire = timezone.now() + timedelta(days=1)
        for user in users:
            key = "bench" + get_random_string(27)
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                # What signing in keeps in the session (accounts/roles.py): their roles, with the version read.
                roles.SESSION_KEY: [user.roles_version, [Membership.Role.MEMBER]],
            }
            sessions.append(Session(session_key=key, session_data=SessionStore().encode(data), expire_date=expire))
            writers.append(Writer(user.pk, key, get_random_string(32)))
        Session.objects.bulk_create(sessions)
    return writers


def clear_writes() -> None:
    with connection.cursor() as cursor:
        for table in ("checkins_checkinrollup", "checkins_checkin"):
            cursor.execute(
                f"DELETE FROM {table} WHERE user_id IN (SELECT u.id FROM accounts_user u "
                "JOIN accounts_organisation o ON o.id = u.organisation_id WHERE o.name = %s)",
                [WRITERS_ORG],
            )


def database_url() -> str:
    """The database this process really uses (the test database under pytest)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}/{db['NAME']}"


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "BENCH": "1",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        }
    )
    env["DEBUG"] = "0"
    return env


def _ratings(rng: random.Random) -> dict[str, str]:
    values = {field: str(rng.randint(0, 3)) for field in SIGN_FIELDS}
    values.update(
        {"mood": str(rng.randint(1, 5)), "energy": str(rng.randint(1, 5)), "workload": str(rng.randint(0, 4))}
    )
    return values


def request(port: int, path: str, cookie: str, body: str | None = None) -> tuple[int, float, int]:
    """(status, milliseconds, response bytes) of one request on a new connection: POST when `body` is given."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    size = 0
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request("GET" if body is None else "POST", path, body=body, headers=headers)
        response = conn.getresponse()
        size = len(response.read())
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000, size


def _request(port: int, path: str, body: str, cookie: str) -> tuple[int, float]:
    status, ms, _size = request(port, path, cookie, body)
    return status, ms


# What each kind of round posts to; every one answers a good POST with a redirect (302).
TARGETS = {"insert": "/checkin/", "edit": "/checkin/", "floor": "/bench/write-floor/"}


def run_round(port: int, writers: list[Writer], kind: str, concurrency: int) -> Round:
    """Every writer posts a check-in for each editable date; `concurrency` threads share the writers.

    `insert` posts the check-in form on days with nothing saved yet; `edit` posts it again on the
    days an `insert` round saved (version 1, so no other edit is reported); `floor` posts the same
    body to the write floor, which stores the same row with one raw INSERT.
    """
    # The writers' own time zone decides "today".
    local_today = timezone.now().astimezone(ZoneInfo(TIME_ZONE)).date()
    dates = [day.isoformat() for day in editable_dates(local_today)]
    version = "1" if kind == "edit" else "0"
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def work(slice_: list[Writer], seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        mine: list[float] = []
        failed = 0
        for writer in slice_:
            cookie = f"sessionid={writer.session_key}; csrftoken={writer.csrf}"
            for day in dates:
                values = _ratings(rng)
                body = urlencode({**values, "exposure": "no", "version": version, "csrfmiddlewaretoken": writer.csrf})
                status, ms = _request(port, f"{TARGETS[kind]}?date={day}", body, cookie)
                mine.append(ms)
                failed += status != 302
        with lock:
            latencies.extend(mine)
            errors += failed

    slices = [writers[i::concurrency] for i in range(concurrency)]
    threads = [threading.Thread(target=work, args=(s, i)) for i, s in enumerate(slices) if s]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Round(requests=len(latencies), errors=errors, seconds=seconds, latencies_ms=latencies)


@dataclass
class WriteResult:
    insert: Round  # the median round of each kind (by throughput)
    edit: Round
    floor: Round
    insert_per_s: float  # medians over the rounds
    edit_per_s: float
    floor_per_s: float
    errors: int
    concurrency: int
    writers: int

    @property
    def vs_floor(self) -> float:
        """Check-in form POST throughput / write floor POST throughput (≥ 0.7 wanted)."""
        return self.insert_per_s / self.floor_per_s if self.floor_per_s else 0.0

    @property
    def edit_vs_insert(self) -> float:
        """What an edit costs compared with a first save: insert throughput / edit throughput (≤ 1.2 wanted)."""
        return self.insert_per_s / self.edit_per_s if self.edit_per_s else 0.0


def measure_writes(writers_count: int = 400, concurrency: int = 16, rounds: int = 3, log=print) -> WriteResult:
    """Rounds of first saves, edits of them, and the floor, in a rotating order, on the same server."""
    writers = setup_writers(writers_count)
    measured: dict[str, list[Round]] = {"insert": [], "edit": [], "floor": []}
    with Server(server_env()) as server:
        # Warm both workers (imports, templates, connections), then start clean.
        warm = writers[: 2 * concurrency]
        for kind in ("insert", "edit"):
            run_round(server.port, warm, kind, concurrency)
        clear_writes()
        run_round(server.port, warm, "floor", concurrency)
        clear_writes()
        for i in range(rounds):
            # The floor goes first in every other round, so a busy moment on the machine touches both alike.
            order = (("insert", "edit"), ("floor",)) if i % 2 == 0 else (("floor",), ("insert", "edit"))
            for kinds in order:
                for kind in kinds:
                    result = run_round(server.port, writers, kind, concurrency)
                    measured[kind].append(result)
                    log(
                        f"  round {i + 1} {kind}: {result.per_s:.0f} req/s, p50 {result.percentile(0.5):.1f} ms, "
                        f"p95 {result.percentile(0.95):.1f} ms, {result.errors} errors"
                    )
                clear_writes()
        if any(r.errors for rounds_ in measured.values() for r in rounds_):
            server.show_log(log)

    def median_round(kind: str) -> Round:
        return sorted(measured[kind], key=lambda r: r.per_s)[len(measured[kind]) // 2]

    return WriteResult(
        insert=median_round("insert"),
        edit=median_round("edit"),
        floor=median_round("floor"),
        insert_per_s=statistics.median(r.per_s for r in measured["insert"]),
        edit_per_s=statistics.median(r.per_s for r in measured["edit"]),
        floor_per_s=statistics.median(r.per_s for r in measured["floor"]),
        errors=sum(r.errors for rounds_ in measured.values() for r in rounds_),
        concurrency=concurrency,
        writers=writers_count,
    )
