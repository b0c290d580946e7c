from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from . import signals  # noqa: F401

    def navigation(self, user):
        from django.urls import reverse

        from accounts.navigation import NavItem

        items = []
        if user.is_member:
            items.append(NavItem(_("Reminders"), reverse("reminders:preferences"), order=50))
        if user.is_superuser or (user.is_org_admin and user.organisation_id):
            items.append(NavItem(_("Reminder log"), reverse("reminders:deliveries"), order=85))
        return items

    def organisation_checklist(self, organisation):
        from django.urls import reverse

        from accounts.checklist import ChecklistItem

        from .models import ReminderSchedule

        active = ReminderSchedule.objects.filter(organisation=organisation, is_active=True).exists()
        return [
            ChecklistItem(
                _("A reminder schedule invites staff to check in."),
                active,
                reverse(f"admin:reminders_reminderschedule_{'changelist' if active else 'add'}"),
                order=30,
            )
        ]
