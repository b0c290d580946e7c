"""The application's URLs, plus the bare insert view when BENCH is set (never in production)."""

import os

from django.urls import path

from sts_checkin.urls import urlpatterns as app_urlpatterns

urlpatterns = list(app_urlpatterns)

if os.environ.get("BENCH"):
    from .views import bare_insert

    urlpatterns.append(path("bench/bare-insert/", bare_insert, name="bench_bare_insert"))
