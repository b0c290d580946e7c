from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrganisationScopedAdmin

from .forms import ScheduleAdminForm
from .models import ReminderSchedule, describe_weekdays

# Preferences and deliveries are deliberately not in the admin: who was reminded on which
# day says who had not checked in. Admins see counts only, on the deliveries page.


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(OrganisationScopedAdmin):
    form = ScheduleAdminForm
    list_display = ["scope", "days", "local_time", "zone", "channel", "is_active"]
    list_filter = ["is_active"]
    fields = ["organisation", "team", "weekdays", "local_time", "time_zone", "channel", "message", "is_active"]

    def get_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.fields
        return [f for f in self.fields if f != "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team", "organisation")

    @admin.display(description=_("for"), ordering="team__name")
    def scope(self, schedule: ReminderSchedule) -> str:
        return schedule.team.name if schedule.team is not None else str(_("Whole organisation"))

    @admin.display(description=_("days"))
    def days(self, schedule: ReminderSchedule) -> str:
        return describe_weekdays(schedule.weekdays)

    @admin.display(description=_("time zone"))
    def zone(self, schedule: ReminderSchedule) -> str:
        return schedule.time_zone or f"{schedule.organisation.time_zone} ({_('organisation')})"

    def get_list_filter(self, request):
        return ["organisation", *self.list_filter] if request.user.is_superuser else self.list_filter
