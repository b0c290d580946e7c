import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from sts_checkin.celery import app as celery_app
from sts_checkin.test_workers import move_test_worker

from .conftest import BASE_DIR

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq2!vN9pLw3@rT8zYb5^mC1&fH6sJ4dG0eA-Uo_iXnQyZlKjWrVtBcMhPgS",
    "FIELD_ENCRYPTION_KEYS": "3q2-7wEXAMPLEkeyAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "ALLOWED_HOSTS": "checkin.example.org",
    "DATABASE_URL": "postgres://app@db.example.org:5432/sts",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "CELERY_BROKER_URL": "redis://cache.example.org:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests (tests/e2e); a deployment never has it.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k not in ("VAR_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def test_it_reads_services_from_the_environment():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_BROKER_URL, s.EMAIL_HOST, s.ALLOWED_HOSTS)",
        env={**PRODUCTION_ENV, "DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql sts sts_checkin.cache.TolerantRedisCache" in result.stdout
    assert "redis://cache.example.org:6379/1 smtp.example.org ['checkin.example.org']" in result.stdout


def test_the_embedded_defaults_need_no_server():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'], s.EMAIL_BACKEND)",
        env={"DEBUG": "1", "DATABASE_URL": "", "CELERY_BROKER_URL": "", "REDIS_URL": "", "EMAIL_URL": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    env = {**PRODUCTION_ENV}
    del env["FIELD_ENCRYPTION_KEYS"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_check_deploy_is_clean_with_a_realistic_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_time_and_serialisation_settings():
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "UTC"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT > 0
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_links_in_emails_follow_the_port_make_run_serves_on():
    show = "from django.conf import settings as s; print(s.SITE_URL)"
    other_port = _manage("shell", "--no-imports", "-c", show, env={"DEBUG": "1", "PORT": "8123", "SITE_URL": ""})
    assert other_port.returncode == 0, other_port.stderr
    assert other_port.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"
    behind_a_proxy = _manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        env={"DEBUG": "1", "PORT": "8123", "SITE_URL": "https://checkin.example.org/"},
    )
    assert behind_a_proxy.stdout.strip().splitlines()[-1] == "https://checkin.example.org"


def test_make_run_serves_on_the_port_it_is_given():
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=8123"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plan.returncode == 0, plan.stderr
    assert "honcho start -f Procfile -p 8123" in plan.stdout
    assert "http://127.0.0.1:8123" in plan.stdout
    assert "runserver 127.0.0.1:$PORT" in (BASE_DIR / "Procfile").read_text()


def test_outside_parallel_tests_the_environment_is_left_as_it_is():
    environ = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1", "REDIS_URL": "redis://127.0.0.1:6379/2"}
    move_test_worker(environ, Path("/srv/var"))
    assert environ == {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1", "REDIS_URL": "redis://127.0.0.1:6379/2"}


def test_each_parallel_test_process_gets_its_own_var_directory_and_redis_databases_once():
    seen = []
    for worker in ("gw0", "gw1", "gw2"):
        environ = {
            "PYTEST_XDIST_WORKER": worker,
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
            "REDIS_URL": "redis://:secret@127.0.0.1:6379/2",
        }
        move_test_worker(environ, Path("/srv/var"))
        again = dict(environ)
        move_test_worker(again, Path("/srv/var"))  # a worker process started by that test process
        assert again == environ
        seen.append((environ["VAR_DIR"], environ["CELERY_BROKER_URL"], environ["REDIS_URL"]))
    assert seen == [
        ("/srv/var/test-gw0", "redis://127.0.0.1:6379/1", "redis://:secret@127.0.0.1:6379/2"),
        ("/srv/var/test-gw1", "redis://127.0.0.1:6379/3", "redis://:secret@127.0.0.1:6379/4"),
        ("/srv/var/test-gw2", "redis://127.0.0.1:6379/5", "redis://:secret@127.0.0.1:6379/6"),
    ]
    environ = {"PYTEST_XDIST_WORKER": "gw1", "VAR_DIR": "/tmp/v", "REDIS_URL": "redis://127.0.0.1:6379"}
    move_test_worker(environ, Path("/srv/var"))
    assert (environ["VAR_DIR"], environ["REDIS_URL"]) == ("/tmp/v/test-gw1", "redis://127.0.0.1:6379/1")


def test_too_many_parallel_test_processes_for_redis_is_a_clear_error():
    environ = {
        "PYTEST_XDIST_WORKER": "gw7",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "REDIS_URL": "redis://h/2",
    }
    with pytest.raises(RuntimeError, match=r"REDIS_URL for test process gw7 would need Redis database 16: run fewer"):
        move_test_worker(environ, Path("/srv/var"))


def test_this_test_process_and_its_celery_app_use_the_services_moved_for_it():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("runs in one process: nothing was moved")
    assert Path(settings.VAR_DIR).name == f"test-{worker}"
    assert celery_app.conf.broker_url == os.environ["CELERY_BROKER_URL"] == settings.CELERY_BROKER_URL
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]
