"""The one thread-race helper: start several callables at the same moment and collect what each returned."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(*callables: Callable[[], Any], timeout: float = 60.0) -> list[Any]:
    """Run each callable in its own thread, all released at once by a barrier, each on its own
    database connection (closed when it ends). Returns their results in order; fails the test with
    every error raised in a thread, or if a thread has not finished within `timeout` seconds.

    Tests that race database work need committed data (`transactional_db`) and, for a real race,
    PostgreSQL: SQLite serialises writers.
    """
    barrier = threading.Barrier(len(callables))
    results: list[Any] = [None] * len(callables)
    errors: list[BaseException] = []

    def run(position: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[position] = work()
        except BaseException as exc:  # surfaced below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, work), daemon=True) for i, work in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a racing thread was still running after {timeout}s"
    assert errors == [], errors
    return results
