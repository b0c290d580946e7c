from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp import user_has_device

from . import two_factor
from .forms import OneTimeCodeForm, ProfileForm
from .invitations import user_for_invitation_token
from .navigation import nav_items_for
from .redirects import safe_next
from .requests import SignedInRequest


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    """Send each person to the first page their roles give them."""
    items = [item for item in nav_items_for(request.user) if item.order < 80]
    if items:
        return redirect(items[0].url)
    return render(request, "accounts/home.html")


@login_required
def profile(request: SignedInRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "two_factor_on": user_has_device(request.user, confirmed=True),
            "two_factor_required": two_factor.requires_two_factor(request.user),
        },
    )


@sensitive_post_parameters()
@never_cache
@login_required
def two_factor_verify(request: SignedInRequest) -> HttpResponse:
    if not user_has_device(request.user, confirmed=True):
        return redirect("two_factor_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(safe_next(request))
        form.add_error("otp_token", _("That code did not work. Codes change every 30 seconds; try the newest one."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": request.GET.get("next", "")})


@sensitive_post_parameters()
@never_cache
@login_required
def two_factor_setup(request: SignedInRequest) -> HttpResponse:
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        return redirect("two_factor_verify")
    device = two_factor.pending_totp_device(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["otp_token"].split())):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session["fresh_backup_codes"] = two_factor.new_backup_codes(request.user)
            otp_login(request, device)
            return redirect(reverse("two_factor_backup_codes") + "?" + urlencode({"next": safe_next(request)}))
        form.add_error("otp_token", _("That code did not work. Check the time on your phone and try the newest code."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_for_manual_entry(device),
            "required": two_factor.requires_two_factor(request.user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def two_factor_backup_codes(request: SignedInRequest) -> HttpResponse:
    """Shows new backup codes once; POST makes a fresh set (the old ones stop working)."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("two_factor_verify")
        request.session["fresh_backup_codes"] = two_factor.new_backup_codes(request.user)
        return redirect("two_factor_backup_codes")
    codes = request.session.pop("fresh_backup_codes", None)
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": safe_next(request, "profile")}
    )


@require_POST
@login_required
def two_factor_turn_off(request: SignedInRequest) -> HttpResponse:
    if two_factor.requires_two_factor(request.user):
        messages.error(request, _("Your role needs two-step sign-in, so it stays on."))
    else:
        two_factor.turn_off(request.user)
        messages.success(request, _("Two-step sign-in is off."))
    return redirect("profile")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a signed-in person also their saved preference."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(request.user.Language.choices):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@sensitive_post_parameters()
@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_invitation_token(token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome. Your password is set and you are signed in."))
        return HttpResponseRedirect(safe_next(request))
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited": user})
