"""Page weight as a phone receives it: gunicorn with DEBUG off, static files collected and served by whitenoise.

The demo (`seed_demo`) is loaded into a throwaway SQLite database with throwaway keys, so this part
never touches the benchmark's PostgreSQL organisations. Each page is fetched signed in as a demo
person (a session made in the database, second step passed for the supervisor), once without
compression and once with `Accept-Encoding: gzip, br`; the stylesheets and scripts the page links
to are fetched the same way. "Transferred" counts response bodies as sent (headers left out).

`python -m bench --only pages` runs this part alone; `python -m bench.pages --serve` keeps the
server running and prints its address and session cookies (for Lighthouse, docs/staff-experience.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .server import BASE_DIR, Server

# The person each page is measured as, and the page: (name, demo handle, path; {team} is filled in).
PAGES = [
    ("check-in (today)", "ana", "/checkin/"),
    ("history", "ana", "/checkin/history/"),
    ("team dashboard", "sam", "/supervision/teams/{team}/"),
]
# The figures issue 13 gives for the pages (raw HTML, before the phone-first check-in).
REFERENCE_HTML_KB = {"check-in (today)": 33, "history": 47}
# Stylesheets and scripts (the icons and the web manifest are not needed to show the page).
ASSET = re.compile(r"""<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+\.(?:css|js))\"""")


@dataclass
class Transfer:
    raw: int
    compressed: int
    encoding: str


@dataclass
class PageWeight:
    name: str
    path: str
    status: int
    html: Transfer
    assets: dict[str, Transfer]

    @property
    def total_raw(self) -> int:
        return self.html.raw + sum(a.raw for a in self.assets.values())

    @property
    def total_compressed(self) -> int:
        return self.html.compressed + sum(a.compressed for a in self.assets.values())


def environment(workdir: Path) -> dict[str, str]:
    """Production settings with throwaway values: a new key and database every run."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-pages-" + os.urandom(24).hex(),
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(hashlib.sha256(os.urandom(32)).digest()).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{workdir / 'pages.sqlite3'}",
            "VAR_DIR": str(workdir / "var"),
            "BENCH_STATIC_ROOT": str(workdir / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo, collect static files; return the demo people's session cookies."""
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run(manage + command, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    made = subprocess.run(
        [sys.executable, "-m", "bench.pages", "--sessions"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(made.stdout)


def make_sessions() -> dict[str, str]:
    """Run inside the throwaway environment: one signed-in session per demo person measured."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.demo import demo_email
    from accounts.models import Membership, User
    from checkins.models import IntroSeen

    found: dict[str, str] = {}
    for handle in sorted({handle for _name, handle, _path in PAGES}):
        user = User.objects.get(email=demo_email(handle))
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        IntroSeen.objects.get_or_create(user=user)  # someone who has used the app before
        found[handle] = session.session_key or ""
    supervised = Membership.objects.filter(user__email=demo_email("sam"), role=Membership.Role.SUPERVISOR).first()
    found["team"] = str(supervised.team_id if supervised else 0)
    return found


def fetch(port: int, path: str, cookie: str, encoding: str | None) -> tuple[int, bytes, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1", "Cookie": cookie}
    if encoding:
        headers["Accept-Encoding"] = encoding
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Content-Encoding") or "identity"
    finally:
        conn.close()


def weigh(port: int, path: str, cookie: str) -> tuple[int, Transfer, bytes]:
    status, plain, _identity = fetch(port, path, cookie, None)
    _status, sent, encoding = fetch(port, path, cookie, "gzip, br")
    return status, Transfer(len(plain), len(sent), encoding), plain


def measure(port: int, sessions: dict[str, str]) -> list[PageWeight]:
    weights = []
    for name, handle, template in PAGES:
        path = template.format(team=sessions["team"])
        cookie = f"sessionid={sessions[handle]}"
        status, html, body = weigh(port, path, cookie)
        assets = {}
        for asset in dict.fromkeys(ASSET.findall(body.decode())):
            _status, transfer, _body = weigh(port, asset, cookie)
            assets[asset] = transfer
        weights.append(PageWeight(name, path, status, html, assets))
    return weights


def results(weights: list[PageWeight]) -> dict:
    figures: dict = {}
    for page in weights:
        key = re.sub(r"[^a-z]+", "_", page.name.split(" (")[0]).strip("_")
        figures[f"page_{key}_html_bytes"] = page.html.raw
        figures[f"page_{key}_html_sent_bytes"] = page.html.compressed
        figures[f"page_{key}_html_encoding"] = page.html.encoding
        figures[f"page_{key}_total_sent_bytes"] = page.total_compressed
        figures[f"page_{key}_requests"] = 1 + len(page.assets)
    return figures


def print_weights(weights: list[PageWeight]) -> None:
    from .__main__ import _row, print_rows

    rows = []
    for page in weights:
        reference = REFERENCE_HTML_KB.get(page.name)
        rows.append(
            _row(
                f"{page.name} HTML (HTTP {page.status})",
                f"{page.html.raw:,} B raw, {page.html.compressed:,} B sent ({page.html.encoding})",
                f"issue 13: {reference} KB raw" if reference else "printed",
                None,
            )
        )
        for asset, transfer in page.assets.items():
            rows.append(
                _row(
                    f"  … {asset.rsplit('/', 1)[-1]}",
                    f"{transfer.raw:,} B raw, {transfer.compressed:,} B sent ({transfer.encoding})",
                    "printed",
                    None,
                )
            )
        rows.append(
            _row(
                "  … page in all",
                f"{page.total_raw:,} B raw, {page.total_compressed:,} B sent in {1 + len(page.assets)} requests",
                "printed",
                None,
            )
        )
    print_rows(rows)


def run() -> tuple[list[PageWeight], dict]:
    with tempfile.TemporaryDirectory(prefix="sts-pages-") as workdir:
        env = environment(Path(workdir))
        sessions = prepare(env)
        with Server(env) as server:
            weights = measure(server.port, sessions)
    return weights, results(weights)


def serve() -> None:
    """Keep a measured server up (Ctrl+C or SIGTERM stops it): for Lighthouse, which needs the session cookies."""
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))  # stops gunicorn too, on the way out
    with tempfile.TemporaryDirectory(prefix="sts-pages-") as workdir:
        env = environment(Path(workdir))
        sessions = prepare(env)
        with Server(env) as server:
            print(json.dumps({"port": server.port, **sessions}), flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                server.process.wait()


if __name__ == "__main__":
    if "--sessions" in sys.argv:
        print(json.dumps(make_sessions()))
    elif "--serve" in sys.argv:
        serve()
    else:
        weights, _figures = run()
        print_weights(weights)
