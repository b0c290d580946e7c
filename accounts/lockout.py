"""What django-axes counts sign-in failures against (settings.AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from django.conf import settings


def normalise_email(value: object) -> str | None:
    """The address as it is matched to an account: surrounding spaces dropped, lower case."""
    if value is None:
        return None
    return str(value).strip().lower()


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The typed email, normalised, so every spelling of one address shares one failure count.

    Sign-in finds the account case-insensitively (`email__iexact`), so without this
    `Alice@Example.org` and ` alice@example.org ` each had their own count, and a successful
    sign-in with one spelling cleared the lock held for another."""
    field = settings.AXES_USERNAME_FORM_FIELD
    typed = credentials if credentials else getattr(request, "data", getattr(request, "POST", {}))
    return normalise_email(typed.get(field))
