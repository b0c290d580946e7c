"""Whose check-in is it: the one ownership check for every view that opens a check-in by its id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from .models import CheckIn

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User


def own_checkin_or_404(user: User, pk: int, queryset: QuerySet[CheckIn] | None = None) -> CheckIn:
    """The person's own check-in, or 404 for anyone else's, whoever is asking (a supervisor, an admin,
    a superuser): the answer never tells whether someone else's check-in exists."""
    checkin = (queryset if queryset is not None else CheckIn.objects.all()).filter(pk=pk, user=user).first()
    if checkin is None:
        raise Http404
    return checkin
