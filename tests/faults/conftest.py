"""Tools for breaking things on purpose, safely on a shared machine.

Nothing here stops, restarts or flushes a server. "Redis down" points the app at a closed
local port; "PostgreSQL restarted" terminates the backends of the test database only (what
the app sees during a restart); "worker killed" SIGKILLs a worker this test started.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import psycopg2
import pytest
from django.db import connection

from sts_checkin.celery import app as celery_app

from ..conftest import BASE_DIR, start_celery_worker, stop_process

CLOSED_PORT = 6399  # nothing listens here: a Redis that is down


def closed_port_url(url: str) -> str:
    return re.sub(r"^(redis://[^/]*?):\d+", rf"\1:{CLOSED_PORT}", url)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def service_env(**overrides: str) -> dict[str, str]:
    """The environment of a web server or worker process on the test database."""
    env = dict(os.environ)
    env.update({"DEBUG": "1", "DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"})
    env.update(overrides)
    return env


def terminate_other_backends() -> int:
    """What the app sees when PostgreSQL restarts: every connection to the test database dies."""
    db = connection.settings_dict
    killer = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    killer.autocommit = True
    try:
        with killer.cursor() as cursor:
            cursor.execute(
                "select count(*) filter (where pg_terminate_backend(pid, 5000)) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        killer.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"Server exited early: {log.read()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("Server did not start in time")


@contextmanager
def web_server(**env_overrides: str):
    """gunicorn, as in production (one worker, persistent database connections), on the test database."""
    port = _free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sts_checkin.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=service_env(**env_overrides),
            stdout=log,
            stderr=log,
        )
        try:
            _wait_for_port(port, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


def start_worker(**env_overrides: str) -> subprocess.Popen:
    """A Celery worker process of our own (so a test may kill it), like `celery_worker_process`."""
    return start_celery_worker(service_env(**env_overrides), "fault")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def own_workers():
    """Workers started by the test; whatever is still running at the end is stopped."""
    started: list[subprocess.Popen] = []

    def start(**env_overrides: str) -> subprocess.Popen:
        started.append(start_worker(**env_overrides))
        return started[-1]

    yield start
    for process in started:
        stop_process(process)


@pytest.fixture
def empty_queue(require_redis):
    """Our own Redis db only: messages left by an earlier run must not reach this test's rows.

    That includes messages a killed worker had taken but not acknowledged: Redis keeps them
    aside and hands them out again once their visibility timeout has passed, which may be
    in the middle of a later run (and its fresh database reuses the same row ids).
    """
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge(celery_app.conf.task_default_queue)
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)
    yield


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker URL."""
    previous = celery_app.conf.broker_url
    previous_environ = os.environ.get("CELERY_BROKER_URL")

    def switch(to: str) -> None:
        # kombu keeps one pool per broker URL; dropping our references picks the one for `to`.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.conf.broker_url = to
        # Celery reads CELERY_BROKER_URL from the environment before its own settings.
        if previous_environ is not None:
            os.environ["CELERY_BROKER_URL"] = to

    switch(url)
    try:
        yield
    finally:
        switch(previous)


class Browser:
    """A person with a browser: cookies, CSRF tokens, no automatic redirects."""

    class _NoRedirect(HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), self._NoRedirect)
        self.csrf = ""

    def _open(self, request: Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                status, location, body = response.status, response.headers.get("Location", ""), response.read()
        except HTTPError as error:
            status, location, body = error.code, error.headers.get("Location", ""), error.read()
        text = body.decode(errors="replace")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if token:
            self.csrf = token.group(1)
        return status, location, text

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        return self._open(Request(self.base + path, data=body, headers={"Referer": self.base + path}))

    def sign_in(self, email: str, password: str) -> int:
        self.get("/accounts/login/")
        status, _location, _body = self.post("/accounts/login/", {"username": email, "password": password})
        return status


class SlowSMTPServer:
    """A local mail server that takes its time over each message, so a worker can be caught mid-batch.

    A message counts as received only once its data is complete (a client killed earlier sent nothing).
    """

    def __init__(self, delay: float) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                with suppress(OSError):  # the worker was killed mid-conversation
                    self.converse()

            def converse(self) -> None:
                self.reply("220 slow.smtp.test ESMTP")
                recipients: list[str] = []
                in_data = False
                for raw in self.rfile:
                    if in_data:
                        if raw.rstrip(b"\r\n") == b".":
                            with fake.lock:
                                fake.received.update(recipients)
                            recipients, in_data = [], False
                            self.reply("250 2.0.0 queued")
                        continue
                    verb = raw[:4].decode(errors="replace").upper()
                    if verb == "RCPT":
                        recipients.append(re.search(rb"<([^>]*)>", raw).group(1).decode())
                        self.reply("250 OK")
                    elif verb == "DATA":
                        time.sleep(fake.delay)
                        in_data = True
                        self.reply("354 go ahead")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

        self.delay = delay
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __repr__(self) -> str:
        return f"SlowSMTPServer(received={dict(self.received)})"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())

    def __enter__(self) -> SlowSMTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
