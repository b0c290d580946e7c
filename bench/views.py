"""Baselines mounted only by bench/urls.py when BENCH is set (never in production).

* `bare_insert`: the write benchmark's baseline, the same single-row check-in insert with
  nothing around it. No session, no form, no ORM: one INSERT.
* `floor`: the dashboards' floor, the least a signed-in page costs. It goes through the whole
  middleware stack (session, CSRF, authentication, the second sign-in step, messages, CSP)
  and renders `base.html` with the usual context processors (the navigation reads the
  person's roles), but runs no query of its own.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .seed import score_columns

_SQL = (
    "INSERT INTO checkins_checkin (user_id, local_date, mood, energy, stress_locations, intrusive_thoughts, "
    "avoidance, sleep_trouble, irritability, emotional_exhaustion, numbness, physical_strain, low_motivation, "
    "rest_guilt, sts_index, intrusion_score, avoidance_score, arousal_score, exhaustion_score, band, exposure, "
    "workload, day_off, nourish, private_note, version, created_at, updated_at) VALUES (%s, %s, %s, %s, '[]', "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false, %s, false, '', '', 1, now(), now())"
)


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    ratings = [int(request.POST[f"r{i}"]) for i in range(9)]
    with connection.cursor() as cursor:
        cursor.execute(
            _SQL,
            [
                int(request.POST["user"]),
                date.fromisoformat(request.POST["date"]),
                int(request.POST["mood"]),
                int(request.POST["energy"]),
                *ratings,
                *score_columns(ratings),
                int(request.POST["workload"]),
            ],
        )
    return HttpResponse(status=204)


@login_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
