"""Business actions on check-ins (`do_*`), kept out of the views.

Saving is safe against double submits: one row per person per local date (a unique
constraint), the row is locked while it is written, and a concurrent insert that
loses the race turns into an update of the winner's row. Every save writes the whole
form (last write wins, never a mix of two submissions).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction

from accounts import audit
from accounts.models import Organisation, User
from accounts.weeks import LATE_WINDOW_DAYS

from . import insights, rollup, store
from .models import CheckIn, DayMark, MeaningfulMoment, Practice, PracticeUse

CHECKIN_FIELDS: tuple[str, ...] = (
    "mood",
    "energy",
    "stress_locations",
    *insights.SIGN_FIELDS,
    "exposure",
    "workload",
    "moral_distress",
    "made_difference",
    "day_off",
    "nourish",
    "private_note",
)


def editable_dates(today: date) -> list[date]:
    """The dates a check-in can be written for, newest first."""
    return [today - timedelta(days=offset) for offset in range(LATE_WINDOW_DAYS + 1)]


def is_editable(local_date: date, today: date) -> bool:
    return today - timedelta(days=LATE_WINDOW_DAYS) <= local_date <= today


@dataclass(frozen=True)
class SaveResult:
    checkin: CheckIn
    created: bool
    replaced_other_edit: bool  # the row had changed since the form was loaded


def _snapshot(checkin: CheckIn, practice_ids: set[int]) -> dict:
    return {**{name: getattr(checkin, name) for name in CHECKIN_FIELDS}, "practices": practice_ids}


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _insert(user, local_date: date, values: dict, practice_ids: set[int]) -> SaveResult | None:
    """A new check-in for that day, or None when one is already there (the unique constraint says so)."""
    checkin = CheckIn(user=user, local_date=local_date, **values)
    checkin.refresh_scores()
    try:
        if _on_postgresql():
            # One statement (check-in, links, rollups): in autocommit it is its own transaction;
            # inside one, a savepoint keeps a clash from spoiling the rest.
            if connection.in_atomic_block:
                with transaction.atomic():
                    store.insert(checkin, practice_ids)
            else:
                store.insert(checkin, practice_ids)
        else:
            with transaction.atomic():
                checkin.save(force_insert=True)
                if practice_ids:  # a new row has no links yet: nothing to read or remove
                    checkin.practices.add(*practice_ids)
                rollup.add_checkin(checkin, practice_ids)
    except IntegrityError:
        return None
    return SaveResult(checkin=checkin, created=True, replaced_other_edit=False)


def _apply(
    checkin: CheckIn, old_practices: set[int], values: dict, practice_ids: set[int], loaded_version: int | None
) -> bool:
    """Put the new answers on `checkin`, move its version on; whether they replaced another edit's."""
    before = _snapshot(checkin, old_practices)
    replaced = (loaded_version or 0) != checkin.version
    for name, value in values.items():
        setattr(checkin, name, value)
    if replaced and _snapshot(checkin, practice_ids) == before:
        # A double tap or a retry of the very same answers: nothing was lost.
        replaced = False
    checkin.version += 1
    checkin.refresh_scores()
    return replaced


# Each retry means another save of the same day landed in between: a handful at the very most.
_MAX_EDIT_ATTEMPTS = 50


def do_save_checkin(
    user, local_date: date, values: dict, practice_ids: Iterable, loaded_version: int | None
) -> SaveResult:
    """Create or replace `user`'s check-in for `local_date` with exactly `values` and practices `practice_ids`.

    `loaded_version` is the version the form was loaded from (0 or None: a blank form).
    """
    practice_ids = {getattr(practice, "pk", practice) for practice in practice_ids}  # ids, or Practice rows
    if not loaded_version:
        # A blank form: most likely nothing is saved for that day yet, so insert at once (one
        # statement); a row saved from elsewhere meanwhile is updated below.
        inserted = _insert(user, local_date, values, practice_ids)
        if inserted is not None:
            return inserted
    if _on_postgresql():
        # Read, then write only if nobody saved that day in between (compare and set); else again.
        for _attempt in range(_MAX_EDIT_ATTEMPTS):
            found = store.read(user.pk, local_date)
            if found is None:  # erased meanwhile
                inserted = _insert(user, local_date, values, practice_ids)
                if inserted is not None:
                    return inserted
                continue
            checkin, old_practices = found
            old = copy.copy(checkin)
            replaced = _apply(checkin, old_practices, values, practice_ids, loaded_version)
            if store.update(old, checkin, old_practices, practice_ids):
                return SaveResult(checkin=checkin, created=False, replaced_other_edit=replaced)
        raise RuntimeError("The check-in kept changing while it was being saved.")
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().filter(user=user, local_date=local_date).first()
        if locked is None:
            inserted = _insert(user, local_date, values, practice_ids)
            if inserted is not None:
                return inserted
            # Another request inserted the same day first: update its row instead.
            locked = CheckIn.objects.select_for_update().get(user=user, local_date=local_date)
        replaced = _apply(
            locked, set(locked.practices.values_list("pk", flat=True)), values, practice_ids, loaded_version
        )
        locked.save()
        locked.practices.set(practice_ids)
        rollup.refresh_week(user.pk, local_date)
        return SaveResult(checkin=locked, created=False, replaced_other_edit=replaced)


LEAVE_MAX_DAYS = 92
LEAVE_EARLIEST_DAYS_BACK = 60
LEAVE_LATEST_DAYS_AHEAD = 366


def do_mark_day(user, local_date: date, kind: str) -> DayMark:
    """Note a day without ratings (a rough day or a day off); a second tap changes the kind."""
    mark, _created = DayMark.objects.update_or_create(user=user, local_date=local_date, defaults={"kind": kind})
    return mark


def do_unmark_day(user, local_date: date) -> bool:
    deleted, _per_model = DayMark.objects.filter(user=user, local_date=local_date).delete()
    return bool(deleted)


def do_record_leave(user, first: date, last: date) -> int:
    """Mark every day from `first` to `last` as a day off, keeping a rough day already noted."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    taken = set(DayMark.objects.filter(user=user, local_date__range=(first, last)).values_list("local_date", flat=True))
    created = DayMark.objects.bulk_create(
        [DayMark(user=user, local_date=day, kind=DayMark.Kind.DAY_OFF) for day in days if day not in taken],
        ignore_conflicts=True,
    )
    return len(created)


def do_cancel_days_off(user, first: date, last: date) -> int:
    deleted, _per_model = DayMark.objects.filter(
        user=user, local_date__range=(first, last), kind=DayMark.Kind.DAY_OFF
    ).delete()
    return deleted


def _forget_minutes(*querysets) -> None:
    """What "Take a minute" kept (moments written, practices noted) goes with the check-ins."""
    for queryset in querysets:
        queryset.delete()


def do_record_moment(user, text: str) -> MeaningfulMoment:
    """Keep a Nourish moment written outside a check-in, dated today where the person is."""
    return MeaningfulMoment.objects.create(user=user, local_date=user.local_today(), text=text)


def do_note_practice(user, practice: Practice) -> bool:
    """Note a Reset practice as used today; noting it again the same day changes nothing. True if new."""
    _, created = PracticeUse.objects.get_or_create(user=user, local_date=user.local_today(), practice=practice)
    return created


def do_erase_checkins(user) -> int:
    """Delete every check-in of `user` at once (their practice links and day marks go with them)."""
    with transaction.atomic():
        audit.record("erasure", actor=user, detail={"what": "checkins"})
        rollup.forget(user.pk)
        DayMark.objects.filter(user=user).delete()
        CheckIn.practices.through.objects.filter(checkin__user=user).delete()
        _forget_minutes(MeaningfulMoment.objects.filter(user=user), PracticeUse.objects.filter(user=user))
        _, per_model = CheckIn.objects.filter(user=user).delete()
    return per_model.get(CheckIn._meta.label, 0)


def do_erase_account(user) -> None:
    """Record the erasure (no values), then delete the person and everything that hangs off them."""
    with transaction.atomic():
        audit.record("erasure", actor=user, detail={"what": "account"})
        rollup.forget(user.pk)
        CheckIn.practices.through.objects.filter(checkin__user=user).delete()
        CheckIn.objects.filter(user=user).delete()
        user.delete()


def do_apply_retention(today_utc: date) -> dict[int, int]:
    """Delete check-ins older than each organisation's retention period.

    Returns {organisation id: check-ins deleted}. The cut-off is counted from the date in
    UTC, one day of slack either way is harmless for a retention period of 30 days or more.
    """
    deleted: dict[int, int] = {}
    for organisation in Organisation.objects.filter(retention_days__isnull=False):
        if organisation.retention_days is None:  # left out by the query; narrowed for the type checker
            continue
        cutoff = today_utc - timedelta(days=organisation.retention_days)
        old = CheckIn.objects.filter(user__organisation=organisation, local_date__lt=cutoff)
        with transaction.atomic():
            DayMark.objects.filter(user__organisation=organisation, local_date__lt=cutoff).delete()
            CheckIn.practices.through.objects.filter(checkin__in=old).delete()
            _forget_minutes(
                MeaningfulMoment.objects.filter(user__organisation=organisation, local_date__lt=cutoff),
                PracticeUse.objects.filter(user__organisation=organisation, local_date__lt=cutoff),
            )
            _, per_model = old.delete()
            count = per_model.get(CheckIn._meta.label, 0)
            if count:
                # Whole weeks up to the cut-off, so the week it falls in keeps what is left of it.
                rollup.rebuild(User.objects.filter(organisation=organisation), end=cutoff)
                audit.record(
                    "retention",
                    organisation_id=organisation.pk,
                    detail={"deleted": count, "before": cutoff.isoformat()},
                )
        deleted[organisation.pk] = count
    return deleted
