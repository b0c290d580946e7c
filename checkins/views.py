from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.models import DEFAULT_ANONYMITY_K
from accounts.places import where_i_count
from accounts.redirects import safe_next

from . import charts, insights
from .actions import (
    CHECKIN_FIELDS,
    LATE_WINDOW_DAYS,
    do_erase_account,
    do_erase_checkins,
    do_save_checkin,
    editable_dates,
    is_editable,
)
from .downloads import attachment, csv_attachment
from .forms import SIGNS, CheckInForm
from .minute_views import export_minutes
from .models import SCORE_FIELDS, STRESS_LOCATIONS, CheckIn, IntroSeen, Practice

HISTORY_WEEKS = (4, 12, 52)
# Translators: the one word a person types to confirm deleting their account; lower case.
ERASE_ACCOUNT_WORD = gettext_lazy("delete")
CLUSTER_NAMES = {
    "intrusion": gettext_lazy("Stories coming back"),
    "avoidance": gettext_lazy("Pulling away"),
    "arousal": gettext_lazy("On edge"),
    "exhaustion": gettext_lazy("Worn down"),
}


def _get_checkin_for_user(request: HttpRequest, pk: int) -> CheckIn:
    """The person's own check-in, or 404 for anyone else's, whoever is asking."""
    return get_object_or_404(CheckIn.objects.prefetch_related("practices"), pk=pk, user=request.user)


def _not_a_member(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/not_member.html", status=403)


def _practice_names(user) -> dict[str, str]:
    practices = Practice.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=user.organisation_id))
    return {practice.key: str(practice.display_name) for practice in practices}


def _days(user, since: date | None = None) -> list[insights.Day]:
    checkins = CheckIn.objects.filter(user=user).prefetch_related("practices").order_by("local_date")
    if since is not None:
        checkins = checkins.filter(local_date__gte=since)
    return [checkin.as_day(frozenset(p.key for p in checkin.practices.all())) for checkin in checkins]


def _suggestion_text(suggestion: insights.Suggestion, names: dict[str, str]) -> str:
    practice = names.get(suggestion.practice, suggestion.practice)
    if suggestion.kind == "practice_helps":
        return _(
            "On days after “%(practice)s”, your check-ins have tended to be a little lighter the next day. "
            "It might be worth making a little room for it tomorrow."
        ) % {"practice": practice}
    if suggestion.kind == "time_off":
        return _(
            "It has been %(days)d days since you last marked a day off. If you can, plan some time that is "
            "just yours — rest is part of doing this work well."
        ) % {"days": suggestion.days}
    if suggestion.kind == "favourite_practice":
        return _(
            "You often turn to “%(practice)s”. Planning a few minutes of it tomorrow could be a kind thing "
            "to do for yourself."
        ) % {"practice": practice}
    return _(
        "Before you move on: three slow breaths, a little longer out than in. Over the coming days, "
        "your own history will start to show what seems to help you."
    )


def _warning_context(user, days: list[insights.Day], today: date) -> dict:
    organisation = user.organisation
    return {
        "early_warning": insights.early_warning(days, today),
        "support_contact": getattr(organisation, "support_contact", ""),
        "crisis_contact": getattr(organisation, "crisis_contact", ""),
    }


def _refuse_date(request: HttpRequest, reason: str, today: date) -> HttpResponse:
    return render(
        request,
        "checkins/date_refused.html",
        {"reason": reason, "editable_dates": editable_dates(today), "window_days": LATE_WINDOW_DAYS},
        status=400,
    )


@sensitive_post_parameters("nourish", "private_note")
@never_cache
@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Today's check-in (or one of the last few days with ?date=): a blank form, or the saved one to edit."""
    user = request.user
    if not user.is_member:
        return _not_a_member(request)
    local_today = user.local_today()
    local_date = local_today
    raw_date = request.GET.get("date", "")
    if raw_date:
        try:
            local_date = date.fromisoformat(raw_date)
        except ValueError:
            return _refuse_date(request, "unreadable", local_today)
        if local_date > local_today:
            return _refuse_date(request, "future", local_today)
        if not is_editable(local_date, local_today):
            return _refuse_date(request, "too_old", local_today)

    if request.method == "GET" and not IntroSeen.objects.filter(user=user).exists():
        return redirect(f"{reverse('checkins:intro')}?next={request.get_full_path()}")

    if request.method == "POST":
        form = CheckInForm(request.POST, organisation_id=user.organisation_id)
        if form.is_valid():
            result = do_save_checkin(
                user,
                local_date,
                form.checkin_values(),
                list(form.cleaned_data["practices"]),
                form.cleaned_data["version"],
            )
            if result.replaced_other_edit:
                messages.warning(
                    request,
                    _(
                        "This check-in had been changed somewhere else (another tab or device) since you opened "
                        "it. What you just sent is now the saved version, complete; the earlier edit was replaced."
                    ),
                )
            return redirect(f"{reverse('checkins:saved')}?date={local_date.isoformat()}")
        # Loaded only when the form is shown again: a successful save never needs it.
        checkin = CheckIn.objects.filter(user=user, local_date=local_date).first()
    else:
        checkin = CheckIn.objects.filter(user=user, local_date=local_date).first()
        form = CheckInForm(initial=CheckInForm.initial_for(checkin), organisation_id=user.organisation_id)

    action = reverse("checkins:today")
    if local_date != local_today:
        action += f"?date={local_date.isoformat()}"
    return render(
        request,
        "checkins/today.html",
        {
            "form": form,
            "checkin": checkin,
            "local_date": local_date,
            "is_today": local_date == local_today,
            "action": action,
            "other_dates": [day for day in editable_dates(local_today) if day != local_date],
            "local_today": local_today,
            "sign_fields": form.pause_sign_fields(),
        },
    )


@never_cache
@login_required
def intro(request: HttpRequest) -> HttpResponse:
    """The one short screen before a first check-in: what is kept, who sees what, how to erase it."""
    next_url = safe_next(request, "checkins:today")
    if request.method == "POST":
        IntroSeen.objects.get_or_create(user=request.user)
        return HttpResponseRedirect(next_url)
    organisation = request.user.organisation
    return render(
        request,
        "checkins/intro.html",
        {"next": next_url, "k": getattr(organisation, "anonymity_k", DEFAULT_ANONYMITY_K)},
    )


@never_cache
@login_required
def saved(request: HttpRequest) -> HttpResponse:
    """The warm acknowledgement after saving, with one suggestion from the person's own history."""
    user = request.user
    try:
        local_date = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        local_date = user.local_today()
    checkin = get_object_or_404(CheckIn, user=user, local_date=local_date)
    local_today = user.local_today()
    days = _days(user, since=local_today - timedelta(days=7 * 52))
    names = _practice_names(user)
    return render(
        request,
        "checkins/saved.html",
        {
            "checkin": checkin,
            "suggestion": _suggestion_text(insights.suggestion(days, local_today), names),
            "editable": is_editable(checkin.local_date, local_today),
            "edit_url": _edit_url(checkin, local_today),
            **_warning_context(user, days, local_today),
        },
    )


def _edit_url(checkin: CheckIn, local_today: date) -> str:
    url = reverse("checkins:today")
    return url if checkin.local_date == local_today else f"{url}?date={checkin.local_date.isoformat()}"


def _chart_context(name: str, title: str, values, first: date, last: date, days, weeks: int) -> dict:
    chart = charts.build_chart(
        values,
        first,
        last,
        exposure_dates=[day.local_date for day in days if day.exposure],
        day_off_dates=[day.local_date for day in days if day.day_off],
    )
    scores = [value for _day, value in values]
    mean = insights.mean_index([insights.Day(local_date=first, index=value) for value in scores])
    if mean is None:
        caption = _("%(title)s: no check-ins in the last %(weeks)d weeks yet.") % {"title": title, "weeks": weeks}
    else:
        caption = _(
            "%(title)s on each day you checked in over the last %(weeks)d weeks: %(count)d check-ins, "
            "averaging %(mean)s out of 4 (%(band)s range). Triangles at the top mark days with especially "
            "distressing exposure; squares at the bottom mark days off."
        ) % {
            "title": title,
            "weeks": weeks,
            "count": len(scores),
            "mean": formats.localize(mean),
            "band": _band_word(insights.band_for(mean)),
        }
    by_date = {day.local_date: day for day in days}
    rows = [
        {
            "date": day,
            "value": value,
            "band": _band_word(insights.band_for(value)),
            "exposure": by_date[day].exposure if day in by_date else False,
            "day_off": by_date[day].day_off if day in by_date else False,
        }
        for day, value in sorted(values, reverse=True)
    ]
    return {"id": name, "title": title, "chart": chart, "caption": caption, "rows": rows}


def _band_word(band: str) -> str:
    return str(dict(CheckIn.Band.choices)[band]).lower()


@never_cache
@login_required
def history(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_member and not CheckIn.objects.filter(user=user).exists():
        return _not_a_member(request)
    try:
        weeks = int(request.GET.get("weeks", "4"))
    except ValueError:
        weeks = 4
    if weeks not in HISTORY_WEEKS:
        weeks = 4
    local_today = user.local_today()
    first = local_today - timedelta(days=7 * weeks - 1)
    all_days = _days(user, since=local_today - timedelta(days=7 * 52 * 2))
    days = [day for day in all_days if day.local_date >= first]
    checkins = list(
        CheckIn.objects.filter(user=user, local_date__gte=first).prefetch_related("practices").order_by("-local_date")
    )
    names = _practice_names(user)
    index_chart = _chart_context(
        "index", _("Your STS index"), [(d.local_date, d.index) for d in days], first, local_today, days, weeks
    )
    cluster_charts = [
        _chart_context(
            name, str(label), [(d.local_date, d.clusters[name]) for d in days], first, local_today, days, weeks
        )
        for name, label in CLUSTER_NAMES.items()
    ]
    observations = [
        {
            "name": names.get(observation.key, observation.key),
            "observation": observation,
            "lighter": observation.seems_to_help,
        }
        for observation in insights.what_seems_to_help(all_days)
    ]
    return render(
        request,
        "checkins/history.html",
        {
            "weeks": weeks,
            "weeks_options": HISTORY_WEEKS,
            "has_checkins": bool(days),
            "index_chart": index_chart,
            "cluster_charts": cluster_charts,
            "trend_7": insights.trend(all_days, local_today, 7),
            "trend_28": insights.trend(all_days, local_today, 28),
            "rising": insights.is_rising(all_days, local_today),
            "since_day_off": insights.days_since_day_off(all_days, local_today),
            "long_stretch": insights.LONG_STRETCH_DAYS,
            "observations": observations,
            "entries": [
                {"checkin": checkin, "editable": is_editable(checkin.local_date, local_today),
                 "edit_url": _edit_url(checkin, local_today)}
                for checkin in checkins
            ],
            "practice_names": names,
            **_warning_context(user, all_days, local_today),
        },
    )


@never_cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = _get_checkin_for_user(request, pk)
    local_today = request.user.local_today()
    stress = dict(STRESS_LOCATIONS)
    return render(
        request,
        "checkins/detail.html",
        {
            "checkin": checkin,
            "signs": [(label, help_text, getattr(checkin, name)) for name, label, help_text in SIGNS],
            "clusters": [(CLUSTER_NAMES[name], value) for name, value in checkin.cluster_scores().items()],
            "stress_locations": [stress.get(key, key) for key in checkin.stress_locations],
            "editable": is_editable(checkin.local_date, local_today),
            "edit_url": _edit_url(checkin, local_today),
        },
    )


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    return render(
        request,
        "checkins/privacy.html",
        {
            "k": getattr(organisation, "anonymity_k", DEFAULT_ANONYMITY_K),
            "organisation": organisation,
            "places": where_i_count(request.user),
        },
    )


@never_cache
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return _my_data_page(request)


def _my_data_page(request: HttpRequest, errors: dict | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "checkins/my_data.html",
        {
            "count": CheckIn.objects.filter(user=request.user).count(),
            "errors": errors or {},
            "erase_word": ERASE_ACCOUNT_WORD,
        },
        status=status,
    )


EXPORT_COLUMNS: tuple[str, ...] = (
    "date",
    *CHECKIN_FIELDS,
    "practices",
    *SCORE_FIELDS,
    "version",
    "created_at",
    "updated_at",
)


def export_rows(user) -> list[dict]:
    """All of one person's check-ins as plain values (numbers, keys, decrypted free text), oldest first."""
    rows = []
    for checkin in CheckIn.objects.filter(user=user).prefetch_related("practices").order_by("local_date"):
        row = {"date": checkin.local_date.isoformat()}
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


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The person's own check-ins, for them alone."""
    if fmt not in {"csv", "json"}:
        raise Http404
    rows = export_rows(request.user)
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "json":
        payload = {
            "exported_at": timezone.now().isoformat(),
            "person": request.user.email,
            "checkins": rows,
            "take_a_minute": export_minutes(request.user),
        }
        return attachment(
            json.dumps(payload, ensure_ascii=False, indent=2), "application/json", f"my-checkins-{stamp}.json"
        )
    table = [list(EXPORT_COLUMNS)]
    for row in rows:
        flat = {**row, "practices": ";".join(row["practices"]), "stress_locations": ";".join(row["stress_locations"])}
        table.append(["" if flat[name] is None else flat[name] for name in EXPORT_COLUMNS])
    return csv_attachment(table, f"my-checkins-{stamp}.csv")


@require_POST
@login_required
def erase_checkins(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        return _my_data_page(
            request, {"checkins": _("Please tick the box to confirm that you want to erase them.")}, status=400
        )
    count = do_erase_checkins(request.user)
    messages.success(
        request,
        ngettext(
            "Done. %(count)d check-in was erased, with nothing kept.",
            "Done. %(count)d check-ins were erased, with nothing kept.",
            count,
        ) % {"count": count},
    )
    return redirect("checkins:my_data")


@sensitive_post_parameters("confirm_word")
@require_POST
@login_required
def erase_account(request: HttpRequest) -> HttpResponse:
    # The English word also works, in case the language changed since the page was shown.
    if request.POST.get("confirm_word", "").strip().lower() not in {"delete", str(ERASE_ACCOUNT_WORD).lower()}:
        return _my_data_page(
            request,
            {"account": _("To delete your account, type the word “%(word)s” in the box.") % {
                "word": ERASE_ACCOUNT_WORD}},
            status=400,
        )
    do_erase_account(request.user)
    logout(request)
    messages.success(request, _("Your account and all your check-ins are deleted. Take care of yourself."))
    return redirect("login")
