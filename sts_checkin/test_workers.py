"""Separate services for the test suite's parallel processes.

`make test` runs the suite in several processes with pytest-xdist, which names each one in
PYTEST_XDIST_WORKER (gw0, gw1, …). Before the settings read the environment, each process
moves to its own var directory (SQLite test database, mail files, filesystem broker) and its
own pair of Redis databases (broker and cache), so two processes never share a queue, a cache
or a file. Worker and web processes that a test starts inherit the moved environment.

Outside the test suite PYTEST_XDIST_WORKER is not set and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from pathlib import Path

MOVED = "STS_TEST_WORKER_MOVED"  # set once moved, so a child process does not move again
REDIS_DATABASES = 16  # Redis's default `databases`


def _redis_db(url: str) -> int | None:
    match = re.match(r"^rediss?://[^/]*/(\d+)", url)
    if match:
        return int(match.group(1))
    return 0 if re.match(r"^rediss?://[^/]*/?$", url) else None


def _with_db(url: str, db: int) -> str:
    return re.sub(r"^(rediss?://[^/]*)(/\d*)?", rf"\g<1>/{db}", url, count=1)


def move_test_worker(environ: MutableMapping[str, str], default_var_dir: Path) -> None:
    """Give the pytest-xdist process named in `environ` its own var directory and Redis databases."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or environ.get(MOVED) == worker:
        return
    index = int(worker.removeprefix("gw"))
    environ["VAR_DIR"] = str(Path(environ.get("VAR_DIR") or default_var_dir) / f"test-{worker}")
    urls = {name: environ.get(name, "") for name in ("CELERY_BROKER_URL", "REDIS_URL")}
    dbs = {name: db for name, url in urls.items() if (db := _redis_db(url)) is not None}
    if dbs:
        # Worker i takes the block of databases the first worker uses, shifted by i blocks.
        block = max(dbs.values()) - min(dbs.values()) + 1
        for name, db in dbs.items():
            moved = db + index * block
            if moved >= REDIS_DATABASES:
                raise RuntimeError(
                    f"{name} for test process {worker} would need Redis database {moved}: "
                    "run fewer test processes (pytest -n) or use lower database numbers."
                )
            environ[name] = _with_db(urls[name], moved)
    environ[MOVED] = worker
