"""Keep `next_reminder_at` current when what it depends on changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Membership, Organisation, User

from . import dispatch
from .models import ReminderSchedule

USER_FIELDS_THAT_MOVE_REMINDERS = {"time_zone", "is_active", "organisation"}


@receiver([post_save, post_delete], sender=ReminderSchedule)
def schedule_changed(sender, instance: ReminderSchedule, **kwargs) -> None:
    dispatch.reschedule_organisation(instance.organisation_id)


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    dispatch.reschedule([instance.user_id])


@receiver(post_save, sender=User)
def person_changed(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not USER_FIELDS_THAT_MOVE_REMINDERS & set(update_fields)):
        return
    dispatch.reschedule([instance.pk])


@receiver(post_save, sender=Organisation)
def organisation_changed(sender, instance: Organisation, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and "time_zone" not in update_fields):
        return
    dispatch.reschedule_organisation(instance.pk)
