"""The baseline for the write benchmark: the same single-row check-in insert, with nothing around it.

Mounted only by bench/urls.py when BENCH is set. No session, no form, no ORM: one INSERT.
"""

from datetime import date

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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
