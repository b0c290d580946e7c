from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .actions import CHECKIN_FIELDS, LEAVE_EARLIEST_DAYS_BACK, LEAVE_LATEST_DAYS_AHEAD, LEAVE_MAX_DAYS
from .models import FREE_TEXT_MAX_LENGTH, STRESS_LOCATIONS, CheckIn
from .offered import OfferedPractice

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# (field, short name, one line on why we ask) — our own wording.
SIGNS: list[tuple[str, StrOrPromise, StrOrPromise]] = [
    (
        "intrusive_thoughts",
        _("Clients' stories coming back uninvited"),
        _("Thoughts or pictures from someone's story that pop up when you did not call them."),
    ),
    (
        "avoidance",
        _("Steering away from some people, places or tasks"),
        _("Putting off a visit, a file or a call because it feels heavy."),
    ),
    ("sleep_trouble", _("Sleep not resting you"), _("Falling asleep, staying asleep or waking up tired.")),
    ("irritability", _("Short fuse, on edge"), _("Snapping more easily, or feeling jumpy or tense.")),
    (
        "emotional_exhaustion",
        _("Emotionally drained"),
        _("Feeling you have little left to give, at work or at home."),
    ),
    ("numbness", _("Numb or far away"), _("Feeling flat, detached, or watching yourself from a distance.")),
    (
        "physical_strain",
        _("Body carrying it"),
        _("Headaches, a knotted stomach, aches or tiredness you notice in your body."),
    ),
    ("low_motivation", _("Hard to get going"), _("The work you care about feels harder to start.")),
    (
        "rest_guilt",
        _("Guilty about taking a break"),
        _("Feeling bad about resting, leaving on time or saying no."),
    ),
]

RATING_CHOICES = [
    (0, _("0, not at all")),
    (1, _("1, a little")),
    (2, _("2, somewhat")),
    (3, _("3, quite a bit")),
    (4, _("4, a lot")),
]
FIVE_POINT_CHOICES = [
    (1, _("1, very low")),
    (2, _("2, low")),
    (3, _("3, in between")),
    (4, _("4, good")),
    (5, _("5, very good")),
]
WORKLOAD_CHOICES = [
    (0, _("0, not at all manageable")),
    (1, _("1, barely")),
    (2, _("2, partly")),
    (3, _("3, mostly")),
    (4, _("4, fully manageable")),
]
YES_NO = [("no", _("No")), ("yes", _("Yes"))]

RATING_ERRORS = {
    "required": _("Please choose a number from 0 to 4 (0 is fine)."),
    "invalid_choice": _("Please choose a number from 0 to 4."),
}
FREE_TEXT_ERRORS = {
    "max_length": _(
        "Please keep this to %(limit_value)d characters or fewer (you have %(show_value)d). "
        "Your text is still here to shorten."
    ),
}


def _rating_field(label, help_text) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages=RATING_ERRORS,
    )


def _optional_scale(label, help_text, choices, low, high) -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    field.error_messages["invalid_choice"] = format_lazy(
        _("Please choose one of the options shown, from {low} to {high}."), low=low, high=high
    )
    return field


class _SharedFields(dict):
    """The form's field definitions, lent to a form that only validates: its copy is shallow, not deep."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class CheckInForm(forms.Form):
    mood = _optional_scale(
        _("Mood"),
        _("A quick read of how you feel overall, so you can see it change over time."),
        FIVE_POINT_CHOICES,
        1,
        5,
    )
    energy = _optional_scale(
        _("Energy"),
        _("Energy often drops before other signs show; noticing it early helps."),
        FIVE_POINT_CHOICES,
        1,
        5,
    )
    stress_locations = forms.MultipleChoiceField(
        label=_("Where do you notice stress in your body?"),
        help_text=_("Naming where it sits is part of the pause. Choose any, or none."),
        choices=STRESS_LOCATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": _("Please choose from the places listed.")},
    )
    exposure = forms.TypedChoiceField(
        label=_("Did you hear or see something especially distressing today?"),
        help_text=_("Hard exposure days often explain the days after them."),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Please answer yes or no."), "invalid_choice": _("Please answer yes or no.")},
    )
    workload = _optional_scale(
        _("Did your workload feel manageable?"),
        _("From 0 (not at all) to 4 (fully). Load is about the job, not about you."),
        WORKLOAD_CHOICES,
        0,
        4,
    )
    moral_distress = _optional_scale(
        _("How much did the gap between what people needed and what you could give weigh on you today?"),
        _("When need is bigger than what anyone could give, it can weigh on you. It is not a sign that you failed."),
        RATING_CHOICES,
        0,
        4,
    )
    made_difference = _optional_scale(
        _("Today my work made a difference"),
        _("From 0 (not at all) to 4 (a lot). Noticing the good the work does is part of Nourish."),
        RATING_CHOICES,
        0,
        4,
    )
    day_off = forms.BooleanField(
        label=_("This was a day off"),
        help_text=_("Keeps your time-off clock: how long since you last had a break."),
        required=False,
    )
    practices = forms.TypedMultipleChoiceField(
        label=_("What helped you reset today?"),
        help_text=_("Small things count. Over time you will see what seems to help you."),
        choices=(),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        error_messages={
            "invalid_choice": _("One of the practices chosen is not on the list. Please choose again."),
            "invalid_list": _("Please choose practices from the list."),
        },
    )
    nourish = forms.CharField(
        label=_("One moment that meant something today"),
        help_text=_(
            "Dwelling on it for a breath is the Nourish step. Only you will ever see this. Up to 2,000 characters."
        ),
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=FREE_TEXT_ERRORS,
    )
    private_note = forms.CharField(
        label=_("Private note"),
        help_text=_("Anything you want to set down. Only you will ever see this. Up to 2,000 characters."),
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=FREE_TEXT_ERRORS,
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offered: Sequence[OfferedPractice] = (), validate_only: bool = False, **kwargs):
        """`offered`: the practices to choose from (checkins.offered). `validate_only`: a form that is
        validated and never rendered borrows the class's field objects instead of deep-copying them
        all (Django's default, so that rendering may change them); it must not be rendered."""
        if validate_only:
            self.base_fields = _SharedFields(type(self).base_fields)  # type: ignore[misc]  # this instance only
        super().__init__(*args, **kwargs)
        if offered or not validate_only:
            # Its choices differ by organisation: a copy of its own. (Validating with no practices
            # offered, the shared field has no choices either, so any practice sent is refused.)
            practices = self.fields["practices"] = copy.deepcopy(type(self).base_fields["practices"])
            assert isinstance(practices, forms.TypedMultipleChoiceField)
            practices.choices = [(practice.pk, practice.display_name) for practice in offered]

    @classmethod
    def initial_for(cls, checkin: CheckIn | None) -> dict:
        if checkin is None:
            return {"version": 0, "exposure": "no"}
        initial = {name: getattr(checkin, name) for name in CHECKIN_FIELDS}
        initial["exposure"] = "yes" if checkin.exposure else "no"
        initial["practices"] = list(checkin.practices.values_list("pk", flat=True))
        initial["version"] = checkin.version
        return initial

    def clean_version(self):
        # A tampered version is treated as "loaded from an unknown version": the save still
        # happens (whole form), and the person is told it replaced another edit.
        try:
            return max(int(self.cleaned_data.get("version") or 0), 0)
        except ValueError:
            return 0

    def pause_sign_fields(self):
        return [self[name] for name, _l, _h in SIGNS]

    def checkin_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name, _l, _h in SIGNS}
        values.update(
            mood=data["mood"],
            energy=data["energy"],
            stress_locations=list(data["stress_locations"]),
            exposure=bool(data["exposure"]),
            workload=data["workload"],
            moral_distress=data["moral_distress"],
            made_difference=data["made_difference"],
            day_off=bool(data["day_off"]),
            nourish=data["nourish"],
            private_note=data["private_note"],
        )
        return values


# The nine ratings, defined once for the class (not on every form), in the order the page shows them.
CheckInForm.base_fields.update({name: _rating_field(label, help_text) for name, label, help_text in SIGNS})
CheckInForm.base_fields = {
    name: CheckInForm.base_fields[name]
    for name in ["mood", "energy", "stress_locations", *[name for name, _l, _h in SIGNS], *CheckInForm.base_fields]
}
CheckInForm.declared_fields = CheckInForm.base_fields


class LeaveForm(forms.Form):
    """A leave period, from one date to another (both included), recorded as days off."""

    first_day = forms.DateField(
        label=_("First day off"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Please give the first day."),
            "invalid": _("Please give a date, such as 2025-07-14."),
        },
    )
    last_day = forms.DateField(
        label=_("Last day off"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Please give the last day."),
            "invalid": _("Please give a date, such as 2025-07-18."),
        },
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first is None or last is None:
            return data
        if last < first:
            self.add_error("last_day", _("The last day comes before the first day. Please swap them round."))
        elif (last - first).days + 1 > LEAVE_MAX_DAYS:
            self.add_error(
                "last_day",
                _("Please record at most %(days)d days at a time.") % {"days": LEAVE_MAX_DAYS},
            )
        elif (self.today - first).days > LEAVE_EARLIEST_DAYS_BACK:
            self.add_error(
                "first_day",
                _("Days off can be recorded up to %(days)d days back.") % {"days": LEAVE_EARLIEST_DAYS_BACK},
            )
        elif (last - self.today).days > LEAVE_LATEST_DAYS_AHEAD:
            self.add_error("last_day", _("Please choose a last day within the coming year."))
        return data
