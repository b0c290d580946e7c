"""Settings for the page-weight part of `make bench` (bench/pages.py): production settings as
deployed, with the static files collected into a throwaway folder that whitenoise serves."""

import os
from pathlib import Path

from sts_checkin.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
# Plain HTTP on the loopback: the session cookie is sent by the measuring client itself.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
