"""Seed a large organisation into PostgreSQL with COPY, for `make bench`.

One organisation ("Bench Organisation"): `teams` teams of `team_size` people each, one of
whom supervises the team, plus one organisation admin. Every member has a history of
`days` days ending yesterday, checking in on about `participation` of the days (each person
has their own habit around that mean). Scores are computed in Python with the same
arithmetic as `checkins.insights.score` (tables built from it, checked against it in the
smoke test), so the stored columns are exactly what `CheckIn.save()` would have written.

Rows go in with COPY from generated text, produced in one thread while PostgreSQL loads the
previous chunk in another. Free text is the empty string (what the encrypted field stores
for empty), every user shares one precomputed password hash.
"""

from __future__ import annotations

import io
import queue
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from checkins import insights

ORG_NAME = "Bench Organisation"
EMAIL_DOMAIN = "bench.sts-checkin.test"
TIME_ZONE = "Europe/London"
BENCH_PASSWORD = "bench-password-not-secret-2026"

DEFAULT_TEAMS = 500
DEFAULT_TEAM_SIZE = 20
DEFAULT_DAYS = 365
DEFAULT_PARTICIPATION = 0.7
PEOPLE_PER_CHUNK = 400

CHECKIN_COLUMNS = (
    "id",
    "user_id",
    "local_date",
    "mood",
    "energy",
    "stress_locations",
    *insights.SIGN_FIELDS,
    "sts_index",
    "intrusion_score",
    "avoidance_score",
    "arousal_score",
    "exhaustion_score",
    "band",
    "exposure",
    "workload",
    "day_off",
    "nourish",
    "private_note",
    "version",
    "created_at",
    "updated_at",
)
USER_COLUMNS = (
    "password",
    "last_login",
    "is_superuser",
    "email",
    "display_name",
    "time_zone",
    "language",
    "organisation_id",
    "is_org_admin",
    "is_active",
    "is_staff",
    "date_joined",
)


class NotPostgres(SystemExit):
    pass


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        raise NotPostgres(
            "The benchmark needs PostgreSQL (it loads data with COPY and measures the production stack). "
            f"DATABASE_URL points at {connection.vendor}; set e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/sts_bench_big"
        )


# --- Scores, the same arithmetic as insights.score, as lookup tables ---------------------------


def _score_tables() -> tuple[dict[int, dict[int, str]], dict[int, str]]:
    """mean_text[n][s]: the stored text of the mean of n ratings summing to s; band_of[s] for the index."""
    mean_text: dict[int, dict[int, str]] = {}
    for n in {len(fields) for fields in insights.CLUSTERS.values()} | {len(insights.SIGN_FIELDS)}:
        mean_text[n] = {s: str(insights._mean([s] + [0] * (n - 1))) for s in range(4 * n + 1)}
    nine = len(insights.SIGN_FIELDS)
    band_of = {s: insights.band_for(Decimal(mean_text[nine][s])) for s in range(4 * nine + 1)}
    return mean_text, band_of


_MEAN_TEXT, _BAND_OF = _score_tables()
_CLUSTER_POSITIONS = [[insights.SIGN_FIELDS.index(name) for name in fields] for fields in insights.CLUSTERS.values()]


def score_columns(ratings: list[int] | tuple[int, ...]) -> tuple[str, ...]:
    """(sts_index, intrusion, avoidance, arousal, exhaustion, band) as COPY text, for ratings in SIGN_FIELDS order."""
    total = sum(ratings)
    clusters = [_MEAN_TEXT[len(positions)][sum(ratings[i] for i in positions)] for positions in _CLUSTER_POSITIONS]
    return (_MEAN_TEXT[len(ratings)][total], *clusters, _BAND_OF[total])


# --- Generation --------------------------------------------------------------------------------


@dataclass
class SeedReport:
    skipped: bool = False
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def checkins(self) -> int:
        return self.rows.get("checkins", 0)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_s(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def copy_text(cursor, table: str, columns: tuple[str, ...], text: str) -> None:
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def _pool_for(rng: random.Random, level: float, size: int = 24) -> list[str]:
    """Pre-formatted column runs (mood … band) around one person's usual level."""
    pool = []
    for _ in range(size):
        ratings = [min(4, max(0, round(level + rng.gauss(0, 0.8)))) for _sign in insights.SIGN_FIELDS]
        mood = "\\N" if rng.random() < 0.1 else str(min(5, max(1, round(4.2 - level + rng.gauss(0, 0.7)))))
        energy = "\\N" if rng.random() < 0.1 else str(min(5, max(1, round(4 - level + rng.gauss(0, 0.8)))))
        pool.append("\t".join([mood, energy, "[]", *map(str, ratings), *score_columns(ratings)]))
    return pool


def _checkin_chunks(
    people: list[int],
    first_day: date,
    days: int,
    participation: float,
    first_id: int,
    practice_ids: list[int],
    rng: random.Random,
) -> Iterator[tuple[str, str, int, int]]:
    """Yields (checkin COPY text, practice link COPY text, checkins, links) per chunk of people."""
    dates = [first_day + timedelta(days=offset) for offset in range(days)]
    date_text = [day.isoformat() for day in dates]
    stamp_text = [f"{day.isoformat()} 17:{offset % 60:02d}:00+00" for offset, day in enumerate(dates)]
    weekend = [day.weekday() >= 5 for day in dates]
    # A gentle seasonal swell: harder weeks in winter.
    harder = [0.25 + 0.2 * ((day.timetuple().tm_yday // 7) % 26 > 18) for day in dates]
    workload_values = ["\\N", "0", "1", "2", "2", "3", "3", "3", "4"]
    next_id = first_id
    for start in range(0, len(people), PEOPLE_PER_CHUNK):
        rows: list[str] = []
        links: list[str] = []
        for user_id in people[start : start + PEOPLE_PER_CHUNK]:
            habit = min(0.99, max(0.2, rng.gauss(participation, 0.18)))
            level = max(0.0, min(3.2, rng.gammavariate(2.0, 0.5)))
            usual, hard = _pool_for(rng, level), _pool_for(rng, level + 0.7)
            favourite = rng.sample(practice_ids, min(3, len(practice_ids)))  # none in a flushed test database
            prefix = f"\t{user_id}\t"
            random_ = rng.random
            for i in range(days):
                if random_() >= habit:
                    continue
                pool = hard if random_() < harder[i] else usual
                off = "t" if (random_() < 0.85 if weekend[i] else random_() < 0.04) else "f"
                exposure = "t" if random_() < 0.15 else "f"
                rows.append(
                    f"{next_id}{prefix}{date_text[i]}\t{pool[int(random_() * 24)]}\t{exposure}\t"
                    f"{workload_values[int(random_() * 9)]}\t{off}\t\t\t1\t{stamp_text[i]}\t{stamp_text[i]}\n"
                )
                r = random_()
                if r < 0.45 and favourite:
                    links.append(f"{next_id}\t{favourite[0]}\n")
                    if r < 0.12 and len(favourite) > 1:
                        links.append(f"{next_id}\t{favourite[1]}\n")
                next_id += 1
        yield "".join(rows), "".join(links), len(rows), len(links)


# --- Seeding -------------------------------------------------------------------------------------


def existing_checkins(org_name: str = ORG_NAME) -> int | None:
    """The number of the bench organisation's check-ins, or None when it is not there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_organisation WHERE name = %s", [org_name])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            "SELECT count(*) FROM checkins_checkin c JOIN accounts_user u ON u.id = c.user_id "
            "WHERE u.organisation_id = %s",
            [row[0]],
        )
        return cursor.fetchone()[0]


def delete_bench_organisation(org_name: str = ORG_NAME) -> None:
    """Remove the bench organisation and everything hanging off it, in bulk."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_organisation WHERE name = %s", [org_name])
        row = cursor.fetchone()
        if row is None:
            return
        org = row[0]
        people = "SELECT id FROM accounts_user WHERE organisation_id = %s"
        cursor.execute(
            f"DELETE FROM checkins_checkin_practices WHERE checkin_id IN "
            f"(SELECT id FROM checkins_checkin WHERE user_id IN ({people}))",
            [org],
        )
        for table, column in (
            ("checkins_checkinrollup", "user_id"),
            ("checkins_practicerollup", "user_id"),
            ("checkins_checkin", "user_id"),
            ("checkins_introseen", "user_id"),
            ("accounts_membership", "user_id"),
            ("otp_totp_totpdevice", "user_id"),
            ("otp_static_staticdevice", "user_id"),
            ("accounts_auditevent", "actor_id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({people})", [org])
        cursor.execute("DELETE FROM accounts_auditevent WHERE organisation_id = %s", [org])
        cursor.execute(
            "DELETE FROM accounts_auditevent WHERE team_id IN "
            "(SELECT id FROM accounts_team WHERE organisation_id = %s)",
            [org],
        )
        cursor.execute(
            "DELETE FROM supervision_publishedunit WHERE publication_id IN "
            "(SELECT id FROM supervision_publication WHERE organisation_id = %s)",
            [org],
        )
        cursor.execute("DELETE FROM supervision_publication WHERE organisation_id = %s", [org])
        cursor.execute(
            "DELETE FROM accounts_teamgroup_teams WHERE teamgroup_id IN "
            "(SELECT id FROM accounts_teamgroup WHERE organisation_id = %s)",
            [org],
        )
        cursor.execute("DELETE FROM accounts_teamgroup WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_team WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_user WHERE organisation_id = %s", [org])
        cursor.execute("DELETE FROM accounts_organisation WHERE id = %s", [org])


def insert_organisation(cursor, name: str) -> int:
    """One organisation row with the model's defaults, written in SQL like the rest of the seed."""
    from accounts.models import DEFAULT_LEAVER_ACCESS_DAYS  # after django.setup() in the child processes

    cursor.execute(
        "INSERT INTO accounts_organisation (name, time_zone, language, anonymity_k, support_contact, crisis_contact, "
        "support_contact_es, crisis_contact_es, leaver_access_days, created_at) "
        "VALUES (%s, %s, 'en', 5, '', '', '', '', %s, now()) RETURNING id",
        [name, TIME_ZONE, DEFAULT_LEAVER_ACCESS_DAYS],
    )
    return cursor.fetchone()[0]


def copy_people(
    cursor,
    org_id: int,
    teams: dict[str, list[tuple[str, str]]],
    *,
    password: str,
    date_joined: str,
    started_on: str,
    admins: tuple[str, ...] = (),
) -> dict[str, int]:
    """COPY an organisation's teams, people and memberships; the user id of each email.

    `teams` maps each team's name to its people as (email, role); `admins` are organisation
    admins in no team. Everyone shares one password hash and the date they joined.
    """
    now = datetime.now(UTC).isoformat()
    copy_text(
        cursor,
        "accounts_team",
        ("organisation_id", "name", "created_at"),
        "".join(f"{org_id}\t{name}\t{now}\n" for name in teams),
    )
    cursor.execute("SELECT id, name FROM accounts_team WHERE organisation_id = %s", [org_id])
    team_ids = {name: team_id for team_id, name in cursor.fetchall()}

    def user_line(email: str, admin: bool) -> str:
        flag = "t" if admin else "f"
        return f"{password}\t\\N\tf\t{email}\t\t{TIME_ZONE}\t\t{org_id}\t{flag}\tt\t{flag}\t{date_joined}\n"

    lines = [user_line(email, admin=True) for email in admins]
    lines += [user_line(email, admin=False) for people in teams.values() for email, _role in people]
    copy_text(cursor, "accounts_user", USER_COLUMNS, "".join(lines))
    cursor.execute("SELECT id, email FROM accounts_user WHERE organisation_id = %s", [org_id])
    user_ids = {email: user_id for user_id, email in cursor.fetchall()}
    copy_text(
        cursor,
        "accounts_membership",
        ("role", "created_at", "started_on", "user_id", "team_id"),
        "".join(
            f"{role}\t{now}\t{started_on}\t{user_ids[email]}\t{team_ids[name]}\n"
            for name, people in teams.items()
            for email, role in people
        ),
    )
    return user_ids


def _skip_triggers(cursor) -> bool:
    """Skip the row-by-row foreign-key triggers during the load (needs a superuser; the data is consistent)."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except Exception:
        return False


def seed(
    teams: int = DEFAULT_TEAMS,
    team_size: int = DEFAULT_TEAM_SIZE,
    days: int = DEFAULT_DAYS,
    participation: float = DEFAULT_PARTICIPATION,
    reseed: bool = False,
    today: date | None = None,
    random_seed: int = 20260101,
    org_name: str = ORG_NAME,
    log=print,
) -> SeedReport:
    """Load the bench organisation, unless it is already there (then report `skipped`)."""
    require_postgres()
    present = existing_checkins(org_name)
    if present is not None and not reseed:
        return SeedReport(skipped=True, rows={"checkins": present})
    if present is not None:
        log(f"Removing the earlier {org_name!r} (--reseed)…")
        delete_bench_organisation(org_name)

    rng = random.Random(random_seed)
    today = today or datetime.now(UTC).date()
    first_day = today - timedelta(days=days)
    password = make_password(BENCH_PASSWORD)  # once, for everybody
    report = SeedReport()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        fast = _skip_triggers(cursor)
        org_id = insert_organisation(cursor, org_name)
        prefix = "" if org_name == ORG_NAME else f"o{org_id}-"
        team_people = {
            f"Team {t:04d}": [
                (f"{prefix}t{t:04d}-p{p:02d}@{EMAIL_DOMAIN}", "supervisor" if p == 0 else "member")
                for p in range(team_size)
            ]
            for t in range(teams)
        }
        # Everyone joined on the Monday on or before the first seeded day, so every week of the
        # history is a whole week of membership and counts (Membership.whole_week).
        user_ids = copy_people(
            cursor,
            org_id,
            team_people,
            password=password,
            date_joined=f"{first_day} 09:00:00+00",
            started_on=(first_day - timedelta(days=first_day.weekday())).isoformat(),
            admins=(f"{prefix}admin@{EMAIL_DOMAIN}",),
        )
        members = [user_ids[email] for people in team_people.values() for email, role in people if role == "member"]
        report.rows.update(
            {"organisations": 1, "teams": teams, "users": len(user_ids), "memberships": teams * team_size}
        )

        cursor.execute("SELECT id FROM checkins_practice WHERE organisation_id IS NULL ORDER BY id")
        practice_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(max(id), 0) + 1 FROM checkins_checkin")
        first_id = cursor.fetchone()[0]

        # Generate in a thread while this one feeds PostgreSQL.
        chunks: queue.Queue = queue.Queue(maxsize=2)

        failed: list[BaseException] = []

        def produce() -> None:
            try:
                for chunk in _checkin_chunks(members, first_day, days, participation, first_id, practice_ids, rng):
                    chunks.put(chunk)
            except BaseException as error:  # raised again below, in the loading thread
                failed.append(error)
            finally:
                chunks.put(None)

        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        checkins = links = 0
        while (chunk := chunks.get()) is not None:
            checkin_text, link_text, checkin_count, link_count = chunk
            copy_text(cursor, "checkins_checkin", CHECKIN_COLUMNS, checkin_text)
            copy_text(cursor, "checkins_checkin_practices", ("checkin_id", "practice_id"), link_text)
            checkins += checkin_count
            links += link_count
            log(f"  … {checkins:,} check-ins loaded", end="\r")
        producer.join()
        if failed:
            raise failed[0]
        log("")
        report.rows.update({"checkins": checkins, "practice_links": links})
        for table in (
            "checkins_checkin",
            "checkins_checkin_practices",
            "accounts_user",
            "accounts_team",
            "accounts_membership",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(max(id), 1) FROM {table}))"
            )
        if not fast:
            log("  (foreign-key checks ran row by row: the database user is not a superuser)")
        # The per-person weekly sums the team trends read, built as the app builds them.
        from accounts.models import User
        from checkins import rollup

        rollup.rebuild(User.objects.filter(organisation_id=org_id))
        for table in ("checkins_checkinrollup", "checkins_practicerollup"):
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE user_id IN "
                "(SELECT id FROM accounts_user WHERE organisation_id = %s)",
                [org_id],
            )
            report.rows[table.removeprefix("checkins_")] = cursor.fetchone()[0]
    # What autovacuum would soon do on a live database: set hint bits and the visibility map
    # (so the first reads do not rewrite every page) and give the planner statistics.
    vacuum = "" if connection.in_atomic_block else "VACUUM "  # VACUUM cannot run inside a transaction
    with connection.cursor() as cursor:
        for table in (
            "checkins_checkin",
            "checkins_checkin_practices",
            "accounts_user",
            "accounts_membership",
            "accounts_team",
            "checkins_checkinrollup",
            "checkins_practicerollup",
        ):
            cursor.execute(f"{vacuum}ANALYZE {table}")
    report.seconds = time.perf_counter() - started
    return report


def store_rollups_by_week() -> float:
    """Store the weekly rollup rows in week order, as a live database writes them; seconds spent.

    A live installation adds a person's row for a week with their first check-in of that week,
    so one week's rows lie together. The loader builds them person by person
    (`rollup.rebuild`), which scatters each week's rows over the whole table: publishing one
    week would then read a block per row. CLUSTER (on the (week, user) index) puts them back
    in the order time would have; run once after loading.
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CLUSTER checkins_checkinrollup USING checkin_rollup_week_user_idx")
        cursor.execute("ANALYZE checkins_checkinrollup")
    return time.perf_counter() - started


def bench_people(org_name: str = ORG_NAME) -> dict:
    """Who the measurements sign in as: the org admin, and supervisors of teams."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_organisation WHERE name = %s", [org_name])
        org_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT t.id, m.user_id FROM accounts_team t JOIN accounts_membership m ON m.team_id = t.id "
            "AND m.role = 'supervisor' WHERE t.organisation_id = %s ORDER BY t.name",
            [org_id],
        )
        supervisors = cursor.fetchall()
        cursor.execute("SELECT id FROM accounts_user WHERE organisation_id = %s AND is_org_admin", [org_id])
        admin_id = cursor.fetchone()[0]
    return {"organisation_id": org_id, "admin_id": admin_id, "team_supervisors": supervisors}
