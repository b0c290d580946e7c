from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import time_zone_choices

from .models import WEEKDAY_CHOICES, ReminderPreference, ReminderSchedule


class WeekdaysField(forms.MultipleChoiceField):
    """Tick boxes for Monday … Sunday, stored as a string of digits such as "01234"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", WEEKDAY_CHOICES)
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return list(value) if isinstance(value, str) else value

    def clean(self, value) -> str:
        return "".join(sorted(super().clean(value)))

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PreferenceForm(forms.ModelForm):
    weekdays = WeekdaysField(
        label=_("My days"),
        required=False,
        help_text=_(
            "Tick the days you want a reminder. If you leave every day unticked, you get them on your "
            "team's days, shown at the top of this page."
        ),
    )

    class Meta:
        model = ReminderPreference
        fields = ["local_time", "weekdays", "quiet_start", "quiet_end", "snoozed_until", "paused", "opted_out"]
        widgets = {
            "local_time": TimeInput(),
            "quiet_start": TimeInput(),
            "quiet_end": TimeInput(),
            "snoozed_until": DateInput(),
        }
        labels = {
            "paused": _("Pause for now (a break; your settings stay as they are)"),
            "opted_out": _("Turn reminders off for good"),
        }
        help_texts = {
            "quiet_start": _("No reminder arrives between these two times, e.g. 21:00 to 07:00."),
            "paused": _("For a busy or hard stretch: nothing arrives until you untick this, then it all carries on."),
            "opted_out": _(
                "You stop being sent reminders altogether, even if your team's days change. "
                "You can come back here any time and untick it."
            ),
        }

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_snoozed_until(self):
        value = self.cleaned_data.get("snoozed_until")
        if value is not None and value < self.today:
            raise forms.ValidationError(_("Pick today or a later day, or leave it empty."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if (start is None) != (end is None) and not self.errors.get("quiet_start") and not self.errors.get("quiet_end"):
            field = "quiet_end" if start is not None else "quiet_start"
            self.add_error(field, _("Give both a start and an end for quiet hours, or leave both empty."))
        elif start is not None and start == end:
            self.add_error("quiet_end", _("The end needs to differ from the start."))
        return cleaned


class ScheduleAdminForm(forms.ModelForm):
    weekdays = WeekdaysField(label=_("Days"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=lambda: [("", _("The organisation's time zone")), *time_zone_choices()],
    )

    class Meta:
        model = ReminderSchedule
        fields = ["organisation", "team", "weekdays", "local_time", "time_zone", "channel", "message", "is_active"]
        widgets = {"local_time": TimeInput()}
