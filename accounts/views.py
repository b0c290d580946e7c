from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .forms import ProfileForm
from .invitations import user_for_invitation_token
from .navigation import nav_items_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the first page their roles give them."""
    items = [item for item in nav_items_for(request.user) if item.order < 80]
    if items:
        return redirect(items[0].url)
    return render(request, "accounts/home.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


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
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(next_url)
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited": user})
