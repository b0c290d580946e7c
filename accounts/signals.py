"""Sign-ins, failed sign-ins and admin changes go to the audit log (no values, no passwords);
saving or deleting a second-step device keeps `User.two_factor_enabled` true to the devices."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp import device_classes

from . import audit
from .models import AuditEvent, User
from .two_factor import refresh_two_factor_enabled


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    audit.record(AuditEvent.Action.SIGN_IN, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # Only the organisation of a known account is noted; the typed email is never stored.
    email = str(credentials.get("username") or credentials.get("email") or "")
    person = User.objects.filter(email__iexact=email).only("organisation_id").first() if email else None
    audit.record(
        AuditEvent.Action.SIGN_IN_FAILED,
        organisation_id=person.organisation_id if person else None,
        detail={"known_account": person is not None},
    )


# Changes to these are recorded field by field, with before and after, by accounts.memberships
# and accounts.thresholds (they can change what is published); a second, vaguer entry would only blur that.
_AUDITED_IN_DETAIL = {
    ("accounts", "organisation"),
    ("accounts", "team"),
    ("accounts", "teamgroup"),
    ("accounts", "membership"),
}


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_change")
def record_admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    content_type = instance.content_type if instance.content_type_id else None
    model = content_type.model_class() if content_type is not None else None
    if content_type is not None and (content_type.app_label, content_type.model) in _AUDITED_IN_DETAIL:
        return
    audit.record(
        AuditEvent.Action.ADMIN_CHANGE,
        actor=instance.user,
        detail={
            "model": content_type.model if content_type is not None else "",
            "object_id": instance.object_id or "",
            "change": {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, ""),
            "model_name": str(model._meta.verbose_name) if model is not None else "",
            "name": instance.object_repr,
        },
    )


def _device_changed(sender, instance, **kwargs) -> None:
    refresh_two_factor_enabled(instance.user_id)


# One sender at a time: a receiver for every model would stop Django's fast bulk deletes.
for _device_class in device_classes():
    for _signal in (post_save, post_delete):
        _signal.connect(_device_changed, sender=_device_class, dispatch_uid=f"two_factor_{_device_class.__name__}")
