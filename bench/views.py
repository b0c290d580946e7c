"""The floors the benchmarks compare with, mounted only by bench/urls.py when BENCH is set (never in production).

Both go through the whole middleware stack the application's pages go through (session, CSRF,
authentication, the second sign-in step, language, messages, CSP, axes) and do the least a page
of that kind can do:

* `floor`: the dashboards' floor, the least a signed-in page costs: `base.html` rendered with the
  usual context processors (the navigation reads the person's roles), no query of its own.
* `write_floor`: the check-in write path's floor, the least a signed-in, CSRF-checked form POST
  that stores something costs: one raw INSERT of the same check-in row the check-in form
  stores (ratings read from the form, scores from a lookup table), answered with the same kind
  of redirect. No form class, no ORM, no transaction around it.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from checkins.insights import SIGN_FIELDS

from .seed import score_columns

_SQL = (
    "INSERT INTO checkins_checkin (user_id, local_date, mood, energy, stress_locations, intrusive_thoughts, "
    "avoidance, sleep_trouble, irritability, emotional_exhaustion, numbness, physical_strain, low_motivation, "
    "rest_guilt, sts_index, intrusion_score, avoidance_score, arousal_score, exhaustion_score, band, exposure, "
    "workload, day_off, nourish, private_note, version, created_at, updated_at) VALUES (%s, %s, %s, %s, '[]', "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false, %s, false, '', '', 1, now(), now())"
)


@login_required
@require_POST
def write_floor(request: HttpRequest) -> HttpResponse:
    ratings = [int(request.POST[field]) for field in SIGN_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(
            _SQL,
            [
                request.user.pk,
                date.fromisoformat(request.GET["date"]),
                int(request.POST["mood"]),
                int(request.POST["energy"]),
                *ratings,
                *score_columns(ratings),
                int(request.POST["workload"]),
            ],
        )
    return HttpResponseRedirect("/checkin/saved/")


@login_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
