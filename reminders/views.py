from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation, User
from accounts.requests import SignedInRequest
from accounts.weeks import monday_of
from checkins.actions import LEAVE_MAX_DAYS
from checkins.models import CheckIn, DayMark

from . import dispatch, links, scheduling
from .forms import PreferenceForm
from .models import Delivery, ReminderPreference, describe_weekdays

LOG_DAYS = 28
# A day's count is shown once the day is over everywhere and its reminders have gone out.
LOG_SETTLE_DAYS = 2


def _noted(user, days: list) -> set:
    """The days among `days` that the person already checked in or noted (no reminder is sent on them)."""
    return {
        *CheckIn.objects.filter(user=user, local_date__in=days).values_list("local_date", flat=True),
        *DayMark.objects.filter(user=user, local_date__in=days).values_list("local_date", flat=True),
    }


def upcoming_reminder(user, preference: ReminderPreference, schedules) -> datetime | None:
    """The next reminder that will really arrive: not on a day already checked in, noted, or on leave."""
    if preference.pk is None or not user.is_active:
        return None
    now = timezone.now()
    rule, tz = preference.as_rule(), user.tz
    window = [user.local_today() + timedelta(days=offset) for offset in range(LEAVE_MAX_DAYS + 2)]
    noted = _noted(user, window)
    from_date = None
    for _attempt in range(len(window)):
        instant = scheduling.next_reminder_at(dispatch.rules(schedules), rule, tz, now, from_date=from_date)
        if instant is None or instant.astimezone(tz).date() not in noted:
            return instant
        from_date = instant.astimezone(tz).date() + timedelta(days=1)
    return None


@login_required
def preferences(request: SignedInRequest) -> HttpResponse:
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
            "schedules": [{"schedule": s, "days": describe_weekdays(s.weekdays), "zone": s.tz.key} for s in schedules],
            "next_reminder": upcoming_reminder(user, preference, schedules),
            "noted_today": _noted(user, [user.local_today()]),
            "time_zone": user.time_zone,
        },
    )


def _organisation_for_log(request: SignedInRequest) -> Organisation:
    user = request.user
    if user.is_superuser:
        organisations = Organisation.objects.all()
        chosen = request.GET.get("organisation", "")
        organisation = organisations.filter(pk=chosen).first() if chosen.isdigit() else organisations.first()
        if organisation is None:
            raise Http404
        return organisation
    if user.is_org_admin and user.organisation is not None:
        return user.organisation
    raise Http404


@login_required
def deliveries(request: SignedInRequest) -> HttpResponse:
    """Reminder emails sent per day, for the whole organisation only, under the organisation's k rule.

    Who was reminded says who had not checked in, so the log shows no names, no teams and no
    outcome per person: one organisation-wide count per day. A count from 1 to k - 1 is shown
    as "fewer than k" (k as for that day's week, `Organisation.k_for_week`). A day appears only
    once it is over in every time zone and its reminders have gone out, so that the same day
    is never shown twice with different counts (two readings of a day that was still running
    would differ by exactly the people reminded in between).
    """
    organisation = _organisation_for_log(request)
    today = organisation.today()
    until = today - timedelta(days=LOG_SETTLE_DAYS)
    since = until - timedelta(days=LOG_DAYS - 1)
    rows = (
        Delivery.objects.filter(
            user__organisation=organisation,
            status=Delivery.Status.SENT,
            local_date__gte=since,
            local_date__lte=until,
        )
        .values("local_date")
        .annotate(count=Count("id"))
        .order_by("-local_date")
    )
    days = []
    for row in rows:
        day, count = row["local_date"], row["count"]
        k = organisation.k_for_week(monday_of(day))
        days.append({"date": day, "count": count, "k": k, "hidden": 0 < count < k})
    k_now = organisation.k_for_week(monday_of(until))
    return render(
        request,
        "reminders/deliveries.html",
        {
            "organisation": organisation,
            "organisations": Organisation.objects.all() if request.user.is_superuser else [],
            "days": days,
            "k": k_now,
            "k_minus_one": k_now - 1,
            "k_varies": len({day["k"] for day in days} | {k_now}) > 1,
            "log_days": LOG_DAYS,
            "since": since,
            "until": until,
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
