from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import User, time_zone_choices


class SignInForm(AuthenticationForm):
    """Same message whether the email is unknown or the password is wrong."""

    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account we know. Check both and try again, or reset your password."
        ),
        "inactive": _(
            "That email and password do not match an account we know. Check both and try again, or reset your password."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        # AuthenticationForm sets max_length after the field is built, so nothing enforced it: an
        # over-long name reached django-axes' 255-character column and failed with a 500.
        self.fields["username"].validators.append(MaxLengthValidator(self.username_field.max_length or 254))


def grouped_time_zones(suggested: list[str]) -> list:
    """Time zones grouped by region ("Europe": London, Madrid…), with the suggested ones first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, _label in time_zone_choices():
        region, _slash, place = name.partition("/")
        if not place:
            region, place = str(_("Other")), name
        groups.setdefault(region.replace("_", " "), []).append((name, place.replace("_", " ").replace("/", " / ")))
    first = [(name, name.replace("_", " ")) for name in dict.fromkeys(suggested)]
    return [(str(_("Suggested")), first), *sorted(groups.items())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Your check-in day starts and ends at midnight in this time zone. Type a city to jump to it."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The same as my browser")), *User.Language.choices],
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "language"]
        help_texts = {
            "display_name": _("Shown only on check-ins you choose to share with your supervisor."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation_zone = getattr(self.instance.organisation, "time_zone", "UTC")
        self.fields["time_zone"].choices = grouped_time_zones([organisation_zone, self.instance.time_zone, "UTC"])
        if not self.is_bound and self.instance.time_zone == "UTC" and organisation_zone != "UTC":
            # Never chosen (the account default): offer the organisation's zone instead.
            self.initial["time_zone"] = organisation_zone


class OneTimeCodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
