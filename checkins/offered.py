"""The Reset practices offered to an organisation, cached: the check-in form reads them on every request.

The list is the same for everyone in an organisation until an admin adds, changes or removes a
practice, so it is kept in the cache (Redis in production, shared by every web worker; without
REDIS_URL each process has its own cache, so run one web process then, as `make run` does).
Every organisation's entry carries a stamp; saving or deleting any practice (the signal
receivers below) moves the one shared stamp, so every entry is rebuilt on its next read.
Practices change rarely and only by an admin's hand, so rebuilding them all is cheap; it also
covers a practice moved from one organisation to another. The entry and the stamp are read in
one round trip.

Code that changes practices without saving model instances (`QuerySet.update`, `bulk_create`,
raw SQL) must call `forget()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import BUILTIN_PRACTICE_NAMES, Practice

# Long enough to matter, short enough that a change made behind the signals' back (see above) heals itself.
TIMEOUT_S = 60 * 60
_STAMP = "checkins:practices:stamp"


def _key(organisation_id: int | None) -> str:
    return f"checkins:practices:offered:{organisation_id or 0}"


@dataclass(frozen=True)
class OfferedPractice:
    pk: int
    key: str
    name: str
    builtin: bool

    @property
    def display_name(self) -> str:
        """The name in the active language for a built-in practice; the admin's own words otherwise."""
        if self.builtin and self.key in BUILTIN_PRACTICE_NAMES:
            return str(BUILTIN_PRACTICE_NAMES[self.key])
        return self.name


def offered_practices(organisation_id: int | None) -> tuple[OfferedPractice, ...]:
    """The practices offered to this organisation's people, in the order the form shows them."""
    key = _key(organisation_id)
    found = cache.get_many([key, _STAMP])
    stamp = found.get(_STAMP)
    entry = found.get(key)
    if stamp is not None and entry is not None and entry[0] == stamp:
        return entry[1]
    practices = tuple(
        OfferedPractice(pk=p.pk, key=p.key, name=p.name, builtin=p.organisation_id is None)
        for p in Practice.offered_to(organisation_id).order_by("order", "name")
    )
    if stamp is None:
        stamp = uuid4().hex
        if not cache.add(_STAMP, stamp, None):  # another worker set it first: use theirs
            stamp = cache.get(_STAMP)
    if stamp is not None:
        cache.set(key, (stamp, practices), TIMEOUT_S)
    return practices


def forget() -> None:
    """Make every organisation's cached list stale (after any change to any practice)."""
    cache.set(_STAMP, uuid4().hex, None)


@receiver(post_save, sender=Practice, dispatch_uid="checkins_offered_practice_saved")
@receiver(post_delete, sender=Practice, dispatch_uid="checkins_offered_practice_deleted")
def _practice_changed(sender, **kwargs) -> None:
    forget()
    # Again once the change is committed: a request that read the old rows in between cannot keep them.
    transaction.on_commit(forget)
