from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation, User

from . import dispatch, links
from .forms import PreferenceForm
from .models import Delivery, ReminderPreference, describe_weekdays

LOG_DAYS = 28


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    preference = ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)
    form = PreferenceForm(request.POST or None, instance=preference, today=user.local_today())
    if request.method == "POST" and form.is_valid():
        form.save()
        dispatch.reschedule([user.pk])
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminders:preferences")
    schedules = dispatch.coverage([user])[user.pk]
    return render(
        request,
        "reminders/preferences.html",
        {
            "form": form,
            "schedules": [
                {"schedule": s, "days": describe_weekdays(s.weekdays), "zone": s.tz.key} for s in schedules
            ],
            "next_reminder": preference.next_reminder_at,
            "time_zone": user.time_zone,
        },
    )


def _organisation_for_log(request: HttpRequest) -> Organisation:
    user = request.user
    if user.is_superuser:
        organisations = Organisation.objects.all()
        chosen = request.GET.get("organisation", "")
        organisation = organisations.filter(pk=chosen).first() if chosen.isdigit() else organisations.first()
        if organisation is None:
            raise Http404
        return organisation
    if user.is_org_admin and user.organisation_id:
        return user.organisation
    raise Http404


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Counts by day and status for one organisation, never names: who was reminded says who had not checked in."""
    organisation = _organisation_for_log(request)
    today = timezone.now().astimezone(organisation.tz).date()
    since = today - timedelta(days=LOG_DAYS - 1)
    counts: dict = defaultdict(dict)
    rows = (
        Delivery.objects.filter(user__organisation=organisation, local_date__gte=since)
        .values_list("local_date", "status")
        .order_by()
    )
    for local_date, status in rows:
        counts[local_date][status] = counts[local_date].get(status, 0) + 1
    k = organisation.anonymity_k
    statuses = list(Delivery.Status)
    days = [
        {
            "date": day,
            "cells": [
                {"status": status.label, "count": count, "hidden": 0 < count < k}
                for status in statuses
                for count in [counts[day].get(status.value, 0)]
            ],
        }
        for day in sorted(counts, reverse=True)
    ]
    return render(
        request,
        "reminders/deliveries.html",
        {
            "organisation": organisation,
            "organisations": Organisation.objects.all() if request.user.is_superuser else [],
            "statuses": statuses,
            "days": days,
            "k": k,
            "log_days": LOG_DAYS,
        },
    )


def _person_for_link(token: str, action: str) -> User | None:
    user_id = links.read_token(token, action)
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "reminders/link_invalid.html", status=400)


@require_http_methods(["GET", "POST"])
def snooze(request: HttpRequest, length: str, token: str) -> HttpResponse:
    if length not in links.SNOOZE_DAYS:
        raise Http404
    person = _person_for_link(token, f"snooze-{length}")
    if person is None:
        return _invalid_link(request)
    until = person.local_today() + timedelta(days=links.SNOOZE_DAYS[length])
    if request.method == "GET":
        return render(request, "reminders/snooze_confirm.html", {"until": until, "length": length})
    preference, _created = ReminderPreference.objects.get_or_create(user=person)
    if preference.snoozed_until is None or preference.snoozed_until < until:
        preference.snoozed_until = until
        preference.save(update_fields=["snoozed_until", "updated_at"])
    dispatch.reschedule([person.pk])
    return render(request, "reminders/snooze_done.html", {"until": preference.snoozed_until})


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie; the token is the credential.
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    person = _person_for_link(token, "stop")
    if person is None:
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "reminders/stop_confirm.html")
    ReminderPreference.objects.update_or_create(user=person, defaults={"opted_out": True})
    dispatch.reschedule([person.pk])
    return render(request, "reminders/stop_done.html")
