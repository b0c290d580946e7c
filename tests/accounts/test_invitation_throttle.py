"""Invitations queued by an import reach a real Celery worker on Redis, which sends them no
faster than INVITATION_RATE_LIMIT (here 30 a minute: one every two seconds)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from accounts.invitations import queue_invitations
from accounts.models import User
from tests.faults.mail_files import recipients

from ..conftest import wait_for


@pytest.fixture
def celery_worker_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
        "REMINDER_TEST_MAIL_DIR": str(tmp_path),
        "INVITATION_RATE_LIMIT": "30/m",
    }


def test_a_real_worker_sends_queued_invitations_one_every_two_seconds(
    require_redis, celery_worker_process, celery_worker_env, organisation, django_capture_on_commit_callbacks
):
    people = [User.objects.create_user(f"new{i}@example.org", organisation=organisation) for i in range(4)]
    accepted = User.objects.create_user(
        "accepted@example.org", password="a-long-test-password-42", organisation=organisation
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue_invitations([p.pk for p in [*people, accepted]])
    folder = Path(celery_worker_env["REMINDER_TEST_MAIL_DIR"])

    def all_sent():
        return sum(recipients(folder).values()) >= 4

    wait_for(all_sent, timeout=60)
    assert recipients(folder) == {p.email: 1 for p in people}  # nobody twice; the one who accepted not at all
    written = sorted(path.stat().st_mtime for path in folder.glob("*.log"))
    gaps = [later - earlier for earlier, later in pairwise(written)]
    assert len(written) == 4
    assert min(gaps) >= 1.5, gaps  # 30 a minute: about two seconds apart, never a burst
