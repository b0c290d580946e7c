"""The application's URLs, plus the bench baselines when BENCH is set (never in production)."""

import os

from django.urls import path

from sts_checkin.urls import urlpatterns as app_urlpatterns

urlpatterns = list(app_urlpatterns)

if os.environ.get("BENCH"):
    from .views import floor, write_floor

    urlpatterns += [
        path("bench/write-floor/", write_floor, name="bench_write_floor"),
        path("bench/floor/", floor, name="bench_floor"),
    ]
