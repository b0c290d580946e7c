"""PostgreSQL restarted under the app: every connection to the database is terminated."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError, connection

from checkins.actions import do_save_checkin
from checkins.insights import SIGN_FIELDS
from checkins.models import CheckIn, IntroSeen, Practice

from ..checkins.conftest import form_data
from ..conftest import PASSWORD
from .conftest import Browser, terminate_other_backends, web_server

pytestmark = pytest.mark.postgres


# Signs in through a gunicorn process, which checks passwords with the production hashers.
@pytest.mark.argon2
def test_after_every_connection_is_dropped_the_next_requests_succeed(require_postgres, transactional_db, alice):
    IntroSeen.objects.create(user=alice)
    with web_server() as base:
        browser = Browser(base)
        assert browser.sign_in(alice.email, PASSWORD) == 302
        assert browser.get("/checkin/")[0] == 200  # the server now holds a persistent connection

        # The server's connection and this test's own one both die, as in a restart.
        assert terminate_other_backends() >= 2
        connection.close()

        status, _location, body = browser.get("/checkin/")
        assert status == 200, body[-2000:]
        assert browser.post("/checkin/", form_data(level=3, nourish="after the restart"))[0] == 302
        assert Browser(base).sign_in(alice.email, PASSWORD) == 302

        terminate_other_backends()
        connection.close()
        assert browser.get("/checkin/history/")[0] == 200

    checkin = CheckIn.objects.get(user=alice)
    assert (checkin.intrusive_thoughts, checkin.nourish) == (3, "after the restart")


def snapshot(user) -> list[dict]:
    return [
        {
            **{name: getattr(c, name) for name in (*SIGN_FIELDS, "mood", "nourish", "private_note", "version")},
            "practices": sorted(c.practices.values_list("key", flat=True)),
        }
        for c in CheckIn.objects.filter(user=user)
    ]


class DropConnectionBefore:
    """A database execute wrapper: just before the n-th statement, every connection is terminated."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0

    def __call__(self, execute, sql, params, many, context):
        self.seen += 1
        if self.seen == self.n:
            terminate_other_backends()
        return execute(sql, params, many, context)


def save_interrupted_before(statement: int, user, values: dict, practices, loaded_version: int) -> bool:
    """Save with the connection dropped before `statement`; True if the save got that far."""
    wrapper = DropConnectionBefore(statement)
    try:
        with connection.execute_wrapper(wrapper):
            do_save_checkin(user, user.local_today(), values, practices, loaded_version)
    except (OperationalError, InterfaceError):
        connection.close()
        return True
    assert wrapper.seen < statement, "the save went on after its connection was dropped"
    return False


@pytest.mark.parametrize("existing", [False, True], ids=["a first save", "an edit"])
def test_a_save_cut_off_at_any_statement_leaves_the_old_or_the_new_check_in_whole(
    require_postgres, transactional_db, alice, existing
):
    # Made here: a transactional test before this one may have flushed the built-in practices.
    practices = [Practice.objects.create(key=f"fault-{i}", name=f"Practice {i}") for i in range(5)]
    if existing:
        do_save_checkin(
            alice,
            alice.local_today(),
            {**dict.fromkeys(SIGN_FIELDS, 1), "mood": 2, "nourish": "old", "private_note": "old note"},
            practices[:2],
            0,
        )
    before = snapshot(alice)
    new_values = {**dict.fromkeys(SIGN_FIELDS, 4), "mood": 5, "nourish": "new", "private_note": "new note"}
    loaded = before[0]["version"] if before else 0

    interrupted_at = []
    for statement in range(1, 40):
        if not save_interrupted_before(statement, alice, new_values, practices[2:5], loaded):
            break
        interrupted_at.append(statement)
        assert snapshot(alice) == before, f"half-written after a drop before statement {statement}"
    # The save really was cut at each of its statements in turn: a first save is one statement (the
    # row, its links and its rollups, checkins/store.py); this edit (it unticks practices) reads the
    # saved row, takes its week's rollup row, then writes everything in one statement.
    assert interrupted_at == ([1, 2, 3] if existing else [1])

    after = snapshot(alice)
    assert len(after) == 1
    assert {k: v for k, v in after[0].items() if k != "version"} == {
        **new_values,
        "practices": sorted(p.key for p in practices[2:5]),
    }
