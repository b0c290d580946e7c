"""A signed-in person's roles (member, supervisor) kept in their session, never stale.

The two-step rule, the navigation and several views ask every request whether the person
supervises a team. The answer comes from their current memberships, a query. Instead, the
session keeps the roles together with the person's `User.roles_version`, and every change to
a membership (saved or deleted, whoever makes it: accounts.memberships, the admin, imports,
leavers, a cascade) moves that number in the same transaction. Each request loads the user row
anyway, so comparing the two numbers costs nothing; when they differ the roles are read again.
A role granted or removed therefore counts from the very next request, on every device the
person is signed in on.

Why this ordering is safe: the number is moved after the membership row is written, in the
same transaction, and a request reads the user row before the roles. A request can therefore
pair an old number with newer roles (read again next time) but never the new number with old
roles. Writes that skip model signals (`QuerySet.update`, `bulk_create`) must call `moved`
themselves; only the benchmarks' seeding does, before anyone is signed in.

`is_superuser` and `is_org_admin` are columns of the user row itself and need no such care.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from .models import Membership, User

SESSION_KEY = "_roles"


def moved(user_id: int) -> None:
    """Tell every session of this person that their roles changed."""
    User.objects.filter(pk=user_id).update(roles_version=F("roles_version") + 1)


def remember(session: Any, user: User) -> None:
    session[SESSION_KEY] = [user.roles_version, sorted(user.roles)]


def recall(session: Any, user: User) -> bool:
    """Give `user` the roles its session keeps, if they are still current; False if not."""
    kept = session.get(SESSION_KEY)
    if not (isinstance(kept, list) and len(kept) == 2 and kept[0] == user.roles_version):
        return False
    user.known_roles(kept[1])
    return True


@receiver(post_save, sender=Membership, dispatch_uid="roles_moved_on_save")
@receiver(post_delete, sender=Membership, dispatch_uid="roles_moved_on_delete")
def membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    moved(instance.user_id)
    # A user instance loaded with this membership forgets the roles it may have read.
    cached = instance._state.fields_cache.get("user")
    if cached is not None:
        cached.__dict__.pop("_roles", None)


@receiver(user_logged_in, dispatch_uid="roles_on_sign_in")
def remember_on_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # The sign-in saves the session anyway; the first page after it then needs no query.
    if request is not None and hasattr(request, "session"):
        remember(request.session, user)


class RolesFromSessionMiddleware:
    """Hands the signed-in person's roles from the session to `request.user` (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not recall(request.session, user):
            remember(request.session, user)
        return self.get_response(request)
