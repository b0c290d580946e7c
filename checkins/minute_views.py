"""Take a minute: Pause, Reset and Nourish whenever they are needed, with no ratings asked.

What is kept here (a practice noted, a moment written) is the person's own: shown to them only,
erased with their check-ins, and never summed into the rollups, so no team figure counts it.
"""

from __future__ import annotations

import random

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.requests import SignedInRequest

from .actions import do_note_practice, do_record_moment
from .models import FREE_TEXT_MAX_LENGTH, CheckIn, MeaningfulMoment, Practice, PracticeUse


class MomentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("One moment from today that mattered"),
        max_length=FREE_TEXT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy(
                "Write a few words first, or simply bring a moment to mind: nothing has to be kept."
            ),
            "max_length": gettext_lazy(
                "Please keep it under %(limit_value)d characters (this has %(show_value)d). Your words are still here."
            ),
        },
    )


@login_required
def minute(request: SignedInRequest) -> HttpResponse:
    return render(request, "checkins/minute/index.html")


@login_required
def pause(request: SignedInRequest) -> HttpResponse:
    return render(request, "checkins/minute/pause.html")


def _reset_page(request: SignedInRequest, error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    practices = list(Practice.offered_to(user.organisation_id))
    noted = set(
        PracticeUse.objects.filter(user=user, local_date=user.local_today()).values_list("practice_id", flat=True)
    )
    return render(
        request,
        "checkins/minute/reset.html",
        {"practices": practices, "noted": noted, "error": error},
        status=status,
    )


@never_cache
@login_required
def reset(request: SignedInRequest) -> HttpResponse:
    """Every practice offered, with its description; one tap notes one as used today."""
    if request.method != "POST":
        return _reset_page(request)
    raw = request.POST.get("practice", "")
    practice = Practice.offered_to(request.user.organisation_id).filter(pk=int(raw)).first() if raw.isdigit() else None
    if practice is None:
        return _reset_page(request, _("That practice is not on the list any more. Please pick one below."), 400)
    do_note_practice(request.user, practice)
    messages.success(
        request, _("“%(practice)s” is noted for today. Only you can see this.") % {"practice": practice.display_name}
    )
    return redirect(f"{reverse('checkins:minute_reset')}#practice-{practice.pk}")


def _past_moment(user, skip: str) -> dict | None:
    """One of the person's own meaningful moments, from a check-in or written here, picked at random."""
    candidates = [
        f"c{pk}" for pk in CheckIn.objects.filter(user=user).exclude(nourish="").values_list("pk", flat=True)
    ] + [f"m{pk}" for pk in MeaningfulMoment.objects.filter(user=user).values_list("pk", flat=True)]
    if len(candidates) > 1 and skip in candidates:
        candidates.remove(skip)
    if not candidates:
        return None
    choice = random.choice(candidates)
    kind, pk = choice[0], int(choice[1:])
    if kind == "c":
        checkin = CheckIn.objects.only("local_date", "nourish").get(pk=pk, user=user)
        return {"ref": choice, "date": checkin.local_date, "text": checkin.nourish, "count": len(candidates)}
    moment = MeaningfulMoment.objects.get(pk=pk, user=user)
    return {"ref": choice, "date": moment.local_date, "text": moment.text, "count": len(candidates)}


@sensitive_post_parameters("text")
@never_cache
@login_required
def nourish(request: SignedInRequest) -> HttpResponse:
    """One of your own past meaningful moments, and a place to write today's."""
    form = MomentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            do_record_moment(request.user, form.cleaned_data["text"])
            messages.success(request, _("Kept. Only you can read it."))
            return redirect("checkins:minute_nourish")
        status = 400
    else:
        status = 200
    moment = _past_moment(request.user, request.GET.get("not", ""))
    return render(
        request,
        "checkins/minute/nourish.html",
        {"form": form, "moment": moment, "limit": FREE_TEXT_MAX_LENGTH},
        status=status,
    )
