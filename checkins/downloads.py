"""Downloads: attachments that no browser or proxy keeps (the one helper for them, also for
supervision's figures), and what a person's own download of their check-ins holds."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django import forms
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import wording
from .actions import CHECKIN_FIELDS
from .forms import SIGNS, CheckInForm
from .models import SCORE_FIELDS, CheckIn, DayMark, MeaningfulMoment, PracticeUse


def attachment(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_attachment(rows: Iterable[Sequence], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return attachment(buffer.getvalue(), "text/csv; charset=utf-8", filename)


# --- One person's own check-ins, for them alone ----------------------------------------------

EXPORT_COLUMNS: tuple[str, ...] = (
    "date",
    *CHECKIN_FIELDS,
    "practices",
    *SCORE_FIELDS,
    "version",
    "created_at",
    "updated_at",
)
# The CSV's answers, each under its question as the form asks it.
TABLE_FIELDS: tuple[str, ...] = (
    *(name for name, _label, _help in SIGNS),
    "mood",
    "energy",
    "stress_locations",
    "exposure",
    "workload",
    "moral_distress",
    "made_difference",
    "day_off",
    "practices",
    "nourish",
    "private_note",
)


def _own_checkins(user: User) -> Iterable[CheckIn]:
    return CheckIn.objects.filter(user=user).prefetch_related("practices").order_by("local_date")


def _days_noted(user: User) -> list[tuple[date, str]]:
    """The days noted without ratings (rough days, days off), oldest first."""
    return list(DayMark.objects.filter(user=user).order_by("local_date").values_list("local_date", "kind"))


def export_rows(user: User) -> list[dict]:
    """All of one person's check-ins as plain values (numbers, keys, decrypted free text), oldest first."""
    rows = []
    for checkin in _own_checkins(user):
        row: dict[str, object] = {"date": checkin.local_date.isoformat()}
        for name in EXPORT_COLUMNS[1:]:
            if name == "practices":
                row[name] = sorted(practice.key for practice in checkin.practices.all())
            elif name in {"created_at", "updated_at"}:
                row[name] = getattr(checkin, name).isoformat()
            else:
                value = getattr(checkin, name)
                row[name] = str(value) if isinstance(value, Decimal) else value
        rows.append(row)
    return rows


def export_minutes(user: User) -> dict:
    """What Take a minute kept for one person (decrypted for them alone)."""
    return {
        "meaningful_moments": [
            {"date": moment.local_date.isoformat(), "text": moment.text}
            for moment in MeaningfulMoment.objects.filter(user=user).order_by("local_date", "pk")
        ],
        "practices_noted": [
            {"date": use.local_date.isoformat(), "practice": use.practice.key}
            for use in PracticeUse.objects.filter(user=user).select_related("practice").order_by("local_date", "pk")
        ],
    }


def export_json(user: User) -> str:
    """The JSON download: every value as stored, plus the days noted and what Take a minute kept."""
    payload = {
        "exported_at": timezone.now().isoformat(),
        "person": user.email,
        "checkins": export_rows(user),
        "days_noted": [{"date": local_date.isoformat(), "kind": kind} for local_date, kind in _days_noted(user)],
        "take_a_minute": export_minutes(user),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _words(choices) -> dict:
    return {value: str(label) for value, label in choices}


def export_table(user: User) -> list[list[str]]:
    """One person's check-ins in the words of the form, in the active language, oldest first.

    Days noted without ratings (rough days, days off) are rows of their own. The JSON export
    keeps the machine-readable values.
    """
    fields = CheckInForm.base_fields
    yes, no = str(_("Yes")), str(_("No"))
    # What each chosen answer reads as on the form (the yes/no questions are stored as booleans).
    words = {name: _words(field.choices) for name, field in fields.items() if isinstance(field, forms.ChoiceField)}

    def in_words(checkin: CheckIn, name: str) -> str:
        value = getattr(checkin, name)
        if name == "practices":
            return "; ".join(str(practice.display_name) for practice in checkin.practices.all())
        if isinstance(value, bool):
            return yes if value else no
        if name == "stress_locations":
            return "; ".join(words[name].get(key, key) for key in value)
        if name in words:
            return words[name].get(value, "")
        return value

    kinds = _words(DayMark.Kind.choices)
    header = [
        str(_("Date")),
        str(_("Noted as")),
        *(str(fields[name].label) for name in TABLE_FIELDS),
        str(wording.INDEX_LABEL),
        str(_("Range")),
    ]
    marks = dict(_days_noted(user))
    rows: dict[date, list[str]] = {}
    for checkin in _own_checkins(user):
        rows[checkin.local_date] = [
            checkin.local_date.isoformat(),
            kinds.get(marks.get(checkin.local_date), ""),
            *(in_words(checkin, name) for name in TABLE_FIELDS),
            formats.localize(checkin.sts_index),
            str(checkin.get_band_display()),
        ]
    for local_date, kind in marks.items():
        if local_date not in rows:
            rows[local_date] = [local_date.isoformat(), kinds[kind], *([""] * (len(header) - 2))]
    return [header, *(rows[day] for day in sorted(rows))]
