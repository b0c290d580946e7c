"""The application's URLs, plus the bench baselines when BENCH is set (never in production)."""

import os

from django.urls import path

from sts_checkin.urls import urlpatterns as app_urlpatterns

urlpatterns = list(app_urlpatterns)

if os.environ.get("BENCH"):
    from .views import bare_insert, floor

    urlpatterns += [
        path("bench/bare-insert/", bare_insert, name="bench_bare_insert"),
        path("bench/floor/", floor, name="bench_floor"),
    ]
