"""The request type of a view behind @login_required, for the type checker: its user is a `User`."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class SignedInRequest(HttpRequest):
    user: User
