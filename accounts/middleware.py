from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django_otp import user_has_device

from .two_factor import must_verify


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
    """Until the second step is passed, a person who needs it can reach only the 2FA pages."""

    allowed_url_names = frozenset(
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
            url_name = resolve(request.path_info).url_name
        except Resolver404:
            url_name = None
        if url_name in self.allowed_url_names or not must_verify(user):
            return self.get_response(request)
        target = "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_setup"
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
