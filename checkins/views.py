from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

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
from accounts.requests import SignedInRequest
from accounts.weeks import LATE_WINDOW_DAYS

from . import charts, insights, wording
from .access import own_checkin_or_404
from .actions import (
    do_cancel_days_off,
    do_erase_account,
    do_erase_checkins,
    do_mark_day,
    do_record_leave,
    do_save_checkin,
    do_unmark_day,
    editable_dates,
    is_editable,
)
from .downloads import attachment, csv_attachment, export_json, export_table
from .forms import SIGNS, CheckInForm, LeaveForm
from .models import STRESS_LOCATIONS, CheckIn, DayMark, IntroSeen, Practice
from .offered import offered_practices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HISTORY_WEEKS = (4, 12, 52)
SIGN_NAMES = frozenset(name for name, _label, _help in SIGNS)
# Translators: the one word a person types to confirm deleting their account; lower case.
ERASE_ACCOUNT_WORD = gettext_lazy("delete")
CLUSTER_NAMES = wording.GROUP_NAMES


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


def _marked_days_off(user, since: date) -> list[date]:
    return list(
        DayMark.objects.filter(user=user, kind=DayMark.Kind.DAY_OFF, local_date__gte=since).values_list(
            "local_date", flat=True
        )
    )


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


def _without_label(contact: str, label: str) -> str:
    """The contact text, minus a leading copy of the label printed before it (admins often type it)."""
    text = contact.strip()
    for word in {label.rstrip(":").strip(), "If you feel unsafe or in crisis"}:
        if text.lower().startswith(word.lower()):
            return text[len(word) :].lstrip(" :–-").strip()
    return text


def _warning_context(user, days: list[insights.Day], today: date) -> dict:
    organisation = user.organisation
    return {
        "early_warning": insights.early_warning(days, today),
        "support_contact": _without_label(getattr(organisation, "support_contact", ""), _("Support:")),
        "crisis_contact": _without_label(
            getattr(organisation, "crisis_contact", ""), _("If you feel unsafe or in crisis:")
        ),
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
def today(request: SignedInRequest) -> HttpResponse:
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
        # Validated with the form class's own field objects: this one is never rendered. The
        # practices offered are needed only to check the ones ticked.
        ticked = bool(request.POST.getlist("practices"))
        offered = offered_practices(user.organisation_id) if ticked else ()
        form = CheckInForm(request.POST, offered=offered, validate_only=True)
        if form.is_valid():
            result = do_save_checkin(
                user,
                local_date,
                form.checkin_values(),
                form.cleaned_data["practices"],
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
        # Shown again with its errors: a form of its own to render, and what is saved that day.
        form = CheckInForm(request.POST, offered=offered_practices(user.organisation_id))
        form.is_valid()
        checkin = CheckIn.objects.filter(user=user, local_date=local_date).first()
    else:
        checkin = CheckIn.objects.filter(user=user, local_date=local_date).first()
        form = CheckInForm(initial=CheckInForm.initial_for(checkin), offered=offered_practices(user.organisation_id))

    action = reverse("checkins:today")
    if local_date != local_today:
        action += f"?date={local_date.isoformat()}"
    window = editable_dates(local_today)
    noted = set(CheckIn.objects.filter(user=user, local_date__in=window).values_list("local_date", flat=True))
    marks = dict(DayMark.objects.filter(user=user, local_date__in=window).values_list("local_date", "kind"))
    sign_fields = form.pause_sign_fields()
    return render(
        request,
        "checkins/today.html",
        {
            "form": form,
            "checkin": checkin,
            "mark": marks.get(local_date),
            "local_date": local_date,
            "is_today": local_date == local_today,
            "action": action,
            # Only the days still open and not yet noted in any way.
            "other_dates": [day for day in window if day != local_date and day not in noted and day not in marks],
            "local_today": local_today,
            "sign_fields": sign_fields,
            "missing": sum(1 for field in sign_fields if field.value() in (None, "")),
            "more_open": any(form[name].errors for name in form.fields if name not in SIGN_NAMES),
            "window_days": LATE_WINDOW_DAYS,
        },
    )


def _date_from_post(request: HttpRequest, local_today: date) -> date | None:
    raw = request.POST.get("date", "")
    if not raw:
        return local_today
    try:
        local_date = date.fromisoformat(raw)
    except ValueError:
        return None
    return local_date if is_editable(local_date, local_today) else None


@require_POST
@login_required
def mark_day(request: SignedInRequest) -> HttpResponse:
    """One tap: note a rough day or a day off without ratings (or take the note back)."""
    user = request.user
    if not user.is_member:
        return _not_a_member(request)
    local_today = user.local_today()
    local_date = _date_from_post(request, local_today)
    if local_date is None:
        return _refuse_date(request, "too_old", local_today)
    kind = request.POST.get("kind", "")
    if kind == "clear":
        do_unmark_day(user, local_date)
        messages.success(request, _("Done: that day is no longer noted."))
    elif kind in DayMark.Kind.values:
        do_mark_day(user, local_date, kind)
        if kind == DayMark.Kind.HARD_DAY:
            messages.success(
                request,
                _(
                    "Noted as a rough day. Thank you for letting yourself mark it. If you want to, you can add "
                    "the ratings any time in the next %(days)d days; nothing else is needed."
                )
                % {"days": LATE_WINDOW_DAYS},
            )
        else:
            messages.success(request, _("Noted as a day off. Rest well."))
    else:
        messages.warning(request, _("That button did not work as expected. Please try again."))
    url = reverse("checkins:today")
    return redirect(url if local_date == local_today else f"{url}?date={local_date.isoformat()}")


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive dates joined into (first, last) ranges, in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


@never_cache
@login_required
def days_off(request: SignedInRequest) -> HttpResponse:
    """Record a leave period (from–to) as days off, and see or cancel the coming ones."""
    user = request.user
    if not user.is_member:
        return _not_a_member(request)
    local_today = user.local_today()
    form = LeaveForm(request.POST if request.POST.get("action") == "record" else None, today=local_today)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                first = date.fromisoformat(request.POST.get("first", ""))
                last = date.fromisoformat(request.POST.get("last", ""))
            except ValueError:
                messages.warning(request, _("That button did not work as expected. Please try again."))
                return redirect("checkins:days_off")
            do_cancel_days_off(user, first, last)
            messages.success(request, _("Done: those days are no longer marked as days off."))
            return redirect("checkins:days_off")
        if form.is_valid():
            do_record_leave(user, form.cleaned_data["first_day"], form.cleaned_data["last_day"])
            messages.success(request, _("Your days off are recorded. No reminders will be sent on them."))
            return redirect("checkins:days_off")
    coming = list(
        DayMark.objects.filter(
            user=user, kind=DayMark.Kind.DAY_OFF, local_date__gte=local_today - timedelta(days=30)
        ).values_list("local_date", flat=True)
    )
    return render(
        request,
        "checkins/days_off.html",
        {"form": form, "ranges": _ranges(coming), "local_today": local_today},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@login_required
def intro(request: SignedInRequest) -> HttpResponse:
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
def saved(request: SignedInRequest) -> HttpResponse:
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
            "suggestion": _suggestion_text(
                insights.suggestion(days, local_today, _marked_days_off(user, local_today - timedelta(days=7 * 52))),
                names,
            ),
            "editable": is_editable(checkin.local_date, local_today),
            "edit_url": _edit_url(checkin, local_today),
            **_warning_context(user, days, local_today),
        },
    )


def _edit_url(checkin: CheckIn, local_today: date) -> str:
    url = reverse("checkins:today")
    return url if checkin.local_date == local_today else f"{url}?date={checkin.local_date.isoformat()}"


def _chart_context(
    name: str,
    title: StrOrPromise,
    values,
    first: date,
    last: date,
    days,
    weeks: int,
    five_point: bool = False,
    answer: bool = False,
) -> dict:
    """One history chart: daily points, or weekly means with their ranges once the view is long.

    `five_point`: mood and energy (1–5); `answer`: an optional 0–4 question that is not an STS
    sign (no lighter/noticeable/heavy bands); otherwise a score of the signs."""
    banded = not (five_point or answer)
    values = [(day, value) for day, value in values if value is not None]
    weekly = charts.weekly(values) if (last - first).days + 1 > charts.WEEKLY_AFTER_DAYS else None
    chart = charts.build_chart(
        values,
        first,
        last,
        exposure_dates=[day.local_date for day in days if day.exposure],
        day_off_dates=[day.local_date for day in days if day.day_off],
        low=1 if five_point else 0,
        high=5 if five_point else 4,
        banded=banded,
        weeks=weekly,
    )
    scores = [value for _day, value in values]
    if not scores:
        caption = _("%(title)s: no answers in the last %(weeks)d weeks yet.") % {"title": title, "weeks": weeks}
    else:
        mean = (sum((Decimal(score) for score in scores), Decimal(0)) / len(scores)).quantize(Decimal("0.01"))
        count = len(scores)
        context = {"title": title, "weeks": weeks, "mean": formats.localize(mean)}
        if five_point:
            context["counted"] = ngettext("%(count)d answer", "%(count)d answers", count) % {"count": count}
            caption = (
                _(
                    "%(title)s on each day you answered over the last %(weeks)d weeks, from 1 (very low) to 5 "
                    "(very good): %(counted)s, averaging %(mean)s."
                )
                % context
            )
        elif answer:
            context["counted"] = ngettext("%(count)d answer", "%(count)d answers", count) % {"count": count}
            caption = (
                _(
                    "%(title)s on each day you answered over the last %(weeks)d weeks, from 0 (not at all) to 4 "
                    "(a lot): %(counted)s, averaging %(mean)s."
                )
                % context
            )
        else:
            context["counted"] = ngettext("%(count)d check-in", "%(count)d check-ins", count) % {"count": count}
            caption = _(
                "%(title)s on each day you checked in over the last %(weeks)d weeks: %(counted)s, "
                "averaging %(mean)s out of 4 (%(band)s range)."
            ) % {**context, "band": _band_word(insights.band_for(mean))}
        if weekly is not None:
            caption += " " + _(
                "Each point is one week's average; the shaded bar runs from that week's lowest day to its highest."
            )
        caption += " " + _(
            "Triangles at the top mark days with especially distressing exposure; squares at the bottom mark days off."
        )
    by_date = {day.local_date: day for day in days}
    rows = [
        {
            "date": day,
            "value": value,
            "band": _band_word(insights.band_for(value)) if banded else "",
            "exposure": by_date[day].exposure if day in by_date else False,
            "day_off": by_date[day].day_off if day in by_date else False,
        }
        for day, value in sorted(values, reverse=True)
    ]
    return {
        "id": name,
        "title": title,
        "chart": chart,
        "caption": caption,
        "rows": rows,
        "five_point": five_point,
        "banded": banded,
    }


CALENDAR_DAYS = 28


def _entries(user, checkins: list[CheckIn], first: date, local_today: date) -> list[dict]:
    """The check-ins and the days noted without ratings in the range, newest first, one entry a day."""
    entries = {
        checkin.local_date: {
            "date": checkin.local_date,
            "checkin": checkin,
            "mark": None,
            "editable": is_editable(checkin.local_date, local_today),
            "edit_url": _edit_url(checkin, local_today),
        }
        for checkin in checkins
    }
    today_url = reverse("checkins:today")
    for local_date, kind in DayMark.objects.filter(user=user, local_date__range=(first, local_today)).values_list(
        "local_date", "kind"
    ):
        editable = is_editable(local_date, local_today)
        entry = entries.setdefault(
            local_date,
            {
                "date": local_date,
                "checkin": None,
                "editable": editable,
                "edit_url": today_url if local_date == local_today else f"{today_url}?date={local_date.isoformat()}",
            },
        )
        entry["mark"] = kind
    return [entries[day] for day in sorted(entries, reverse=True)]


def _calendar(user, local_today: date, checked_in: set[date]) -> list[list[dict]]:
    """The last four weeks as rows of seven days (Monday first), each day's state in a word.

    Only what happened: checked in, a rough day, a day off, or nothing noted. No streaks, no counts.
    """
    first = local_today - timedelta(days=CALENDAR_DAYS - 1)
    first -= timedelta(days=first.weekday())
    marks = dict(
        DayMark.objects.filter(user=user, local_date__range=(first, local_today)).values_list("local_date", "kind")
    )
    words = {
        "checked_in": _("checked in"),
        "hard_day": _("rough day"),
        "day_off": _("day off"),
        "none": _("nothing noted"),
        "ahead": "",
    }
    rows: list[list[dict]] = []
    day = first
    while day <= local_today + timedelta(days=6 - local_today.weekday()):
        if day > local_today:
            state = "ahead"
        elif marks.get(day) == DayMark.Kind.HARD_DAY:
            state = "hard_day"
        elif day in checked_in:
            state = "checked_in"
        elif marks.get(day) == DayMark.Kind.DAY_OFF:
            state = "day_off"
        else:
            state = "none"
        if day.weekday() == 0:
            rows.append([])
        rows[-1].append({"date": day, "state": state, "word": words[state], "today": day == local_today})
        day += timedelta(days=1)
    return rows


def _band_word(band: str) -> str:
    return str(dict(CheckIn.Band.choices)[band]).lower()


@never_cache
@login_required
def history(request: SignedInRequest) -> HttpResponse:
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
        "index", wording.YOUR_INDEX, [(d.local_date, d.index) for d in days], first, local_today, days, weeks
    )
    pause = {checkin.local_date: checkin for checkin in checkins}

    def answer_chart(field: str, title, **scale) -> dict:
        """One of the person's own answers, day by day (mood and energy on 1-5, the optional questions on 0-4)."""
        values = [(day, getattr(checkin, field)) for day, checkin in pause.items()]
        return _chart_context(field, title, values, first, local_today, days, weeks, **scale)

    mood_energy_charts = [
        answer_chart(field, title, five_point=True)
        for field, title in (("mood", _("Your mood")), ("energy", _("Your energy")))
    ]
    answer_charts = [
        answer_chart(field, title, answer=True)
        for field, title in (
            ("moral_distress", _("The gap between need and what you could give")),
            ("made_difference", _("Your work made a difference")),
        )
    ]
    marked_off = _marked_days_off(user, local_today - timedelta(days=7 * 52 * 2))
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
            "answer_charts": answer_charts,
            "cluster_charts": cluster_charts,
            "mood_energy_charts": mood_energy_charts,
            "calendar": _calendar(user, local_today, {day.local_date for day in all_days}),
            "trend_7": insights.trend(all_days, local_today, 7),
            "trend_28": insights.trend(all_days, local_today, 28),
            "rising": insights.is_rising(all_days, local_today),
            "since_day_off": insights.days_since_day_off(all_days, local_today, marked_off),
            "long_stretch": insights.LONG_STRETCH_DAYS,
            "observations": observations,
            "entries": _entries(user, checkins, first, local_today),
            "practice_names": names,
            **_warning_context(user, all_days, local_today),
        },
    )


@never_cache
@login_required
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    checkin = own_checkin_or_404(request.user, pk, CheckIn.objects.prefetch_related("practices"))
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
def privacy(request: SignedInRequest) -> HttpResponse:
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
def my_data(request: SignedInRequest) -> HttpResponse:
    return _my_data_page(request)


def _my_data_page(request: SignedInRequest, errors: dict | None = None, status: int = 200) -> HttpResponse:
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


@login_required
def export(request: SignedInRequest, fmt: str) -> HttpResponse:
    """The person's own check-ins, for them alone: in the form's words (CSV) or as plain values (JSON)."""
    if fmt not in {"csv", "json"}:
        raise Http404
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "json":
        return attachment(export_json(request.user), "application/json", f"my-checkins-{stamp}.json")
    return csv_attachment(export_table(request.user), f"my-checkins-{stamp}.csv")


@require_POST
@login_required
def erase_checkins(request: SignedInRequest) -> HttpResponse:
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
        )
        % {"count": count},
    )
    return redirect("checkins:my_data")


@sensitive_post_parameters("confirm_word")
@require_POST
@login_required
def erase_account(request: SignedInRequest) -> HttpResponse:
    # The English word also works, in case the language changed since the page was shown.
    if request.POST.get("confirm_word", "").strip().lower() not in {"delete", str(ERASE_ACCOUNT_WORD).lower()}:
        return _my_data_page(
            request,
            {
                "account": _("To delete your account, type the word “%(word)s” in the box.")
                % {"word": ERASE_ACCOUNT_WORD}
            },
            status=400,
        )
    do_erase_account(request.user)
    logout(request)
    messages.success(request, _("Your account and all your check-ins are deleted. Take care of yourself."))
    return redirect("login")
