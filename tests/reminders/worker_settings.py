"""Settings for the Celery worker process started by the integration tests: the project's,
with emails written as files into a folder the test chooses, since the test cannot see the
worker's mail.outbox."""

import os

from sts_checkin.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_MAIL_DIR"]
