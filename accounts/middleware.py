import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django_otp import user_has_device

from .two_factor import must_verify


class IdleSessionMiddleware:
    """A session lasts SESSION_COOKIE_AGE from its last use, but is not written on every request.

    Each save moves the session's expiry (in the database and on the cookie) to SESSION_COOKIE_AGE
    from then. A request saves it when something in it changed, or when its last save is
    SESSION_RENEW_AFTER or more ago; otherwise it is only read. So a session unused for
    SESSION_COOKIE_AGE has always expired, and one may end up to SESSION_RENEW_AFTER sooner than
    that, never later. Placed right after SessionMiddleware.
    """

    renewed_key = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # keys() loads it: a cookie whose session has ended or was deleted reads as empty.
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(time.time())
        if session.modified or now - session.get(self.renewed_key, 0) >= settings.SESSION_RENEW_AFTER:
            session[self.renewed_key] = now
        return response


class PreferredLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Until the second step is passed, a person who needs it can reach only the 2FA pages.

    Pages are matched by their full view name, namespace included, so `admin:login` (the admin's
    own sign-in page) is not `login` and stays closed until the second step."""

    allowed_view_names = frozenset(
        {"two_factor_verify", "two_factor_setup", "two_factor_backup_codes", "logout", "set_language", "login"}
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.static_prefix):
            return self.get_response(request)
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = None
        if view_name in self.allowed_view_names or not must_verify(user):
            return self.get_response(request)
        target = "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_setup"
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
