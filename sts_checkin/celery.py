import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sts_checkin.settings")

app = Celery("sts_checkin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sts_checkin.ping")
def ping(token: str) -> str:
    """Leave a mark in the shared cache so a health check can see a worker is alive."""
    from django.core.cache import cache

    cache.set(f"celery-ping:{token}", "pong", timeout=300)
    return "pong"
