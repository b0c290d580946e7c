"""Settings for `make bench`: the production settings, served over plain HTTP on 127.0.0.1,
with bench/urls.py as the URL conf (it adds the bare insert view used as the baseline).

`python -m bench` sets SECRET_KEY and FIELD_ENCRYPTION_KEYS for the run when they are not set,
so the app runs with DEBUG off, as in production.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from sts_checkin.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Plain HTTP on the loopback: no secure-only cookies; static files without a collectstatic manifest.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Keep request logging quiet: a benchmark run prints its own table.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
