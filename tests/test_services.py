"""One test that really talks to PostgreSQL, one that really round-trips through Redis and a worker."""

import uuid

from django.core.cache import cache
from django.db import connection

from sts_checkin.celery import ping

from .conftest import wait_for


def test_it_talks_to_a_real_postgresql(require_postgres, db):
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        (version,) = cursor.fetchone()
    assert version.startswith("PostgreSQL")


def test_a_task_round_trips_through_redis_and_a_real_worker(require_redis, celery_worker_process):
    token = uuid.uuid4().hex
    cache.delete(f"celery-ping:{token}")
    ping.delay(token)

    def pong_arrived():
        return cache.get(f"celery-ping:{token}")

    assert wait_for(pong_arrived, timeout=30) == "pong"
