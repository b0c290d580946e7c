"""Dashboards over HTTP against the floor: what a signed-in page costs at the least.

Every page is requested through gunicorn (2 sync workers, DEBUG off, `bench/settings.py`),
one request at a time on a new connection, with the session and CSRF cookies a browser
would send; a supervisor and an organisation admin are signed in and past the second step.
The floor is `bench.views.floor`: the same middleware, `base.html` with its context
processors, no query of its own. All pages are measured in the same rounds, in a rotating
order, so a busy moment on the machine touches every page alike; p50 and p95 are over the
same number of requests for each.

Query counts come from the same pages rendered in this process (django.test.Client), on a
second request (the first also renews the session): a team dashboard's must be the same on
every size of organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.crypto import get_random_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

from .server import Server
from .writes import percentile, request, server_env

FLOOR_PATH = "/bench/floor/"


def signed_in_client(user: User) -> Client:
    """A client past both sign-in steps (as tests/conftest.py TwoStepClient does)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Bench phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def browser_cookie(client: Client) -> str:
    """The Cookie header a browser signed in as `client` would send (session and CSRF cookies)."""
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={get_random_string(32)}"


def render(client: Client, url: str) -> tuple[int, int]:
    """(bytes, queries) of one full GET in this process; fails loudly on anything but 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return len(response.content), len(queries.captured_queries)


def team_url(team_id: int, weeks: int = 52) -> str:
    return f"{reverse('supervision:team_dashboard', args=[team_id])}?weeks={weeks}"


def team_export_url(team_id: int, weeks: int = 52) -> str:
    return f"{reverse('supervision:team_export', args=[team_id])}?weeks={weeks}"


def org_url(weeks: int = 52, page: int = 1) -> str:
    return f"{reverse('supervision:organisation')}?weeks={weeks}&page={page}"


@dataclass
class Page:
    name: str
    path: str
    client: Client
    cookie: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    bytes: int = 0
    queries: int = 0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.5)

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 0.95)


def page(name: str, path: str, user: User) -> Page:
    client = signed_in_client(user)
    return Page(name, path, client, browser_cookie(client))


def measure_pages(pages: list[Page], requests: int = 40, warmup: int = 3, log=print) -> dict[str, Page]:
    """Latencies of every page over HTTP, `requests` each, in rotating order; queries counted in-process."""
    for item in pages:
        render(item.client, item.path)  # the first request also renews the session: count the next
        item.bytes, item.queries = render(item.client, item.path)
    with Server(server_env()) as server:

        def get(item: Page) -> float:
            status, ms, _size = request(server.port, item.path, item.cookie)
            if status != 200:
                raise RuntimeError(f"GET {item.path} ({item.name}) answered {status} through gunicorn")
            return ms

        for _ in range(warmup):  # both workers: imports, templates, connections, caches
            for item in pages:
                get(item)
        for i in range(requests):
            shift = i % len(pages)
            for item in pages[shift:] + pages[:shift]:
                item.latencies_ms.append(get(item))
    for item in pages:
        log(
            f"  {item.name}: p50 {item.p50_ms:.1f} ms, p95 {item.p95_ms:.1f} ms over {len(item.latencies_ms)}; "
            f"{item.bytes / 1e3:,.0f} kB, {item.queries} queries"
        )
    return {item.name: item for item in pages}
