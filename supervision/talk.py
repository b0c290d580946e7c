"""“I'd like to talk”: a conversation asked of one person, tied to no check-in.

The person chooses whom: any current supervisor of their teams, or the organisation's support
person when one is set. The email names no one; the recipient opens the request in the app and
marks “I'll be in touch”, which the person sees with the time. A request closes on its own after
`TalkRequest.OPEN_FOR`. Nobody else sees it: not other supervisors, not admins, not the audit log.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.emails import send_templated
from accounts.models import Membership, User

from .models import TalkRequest


def recipients_for(person: User) -> list[tuple[User, str]]:
    """Whom the person may ask, each with a few words saying who they are to them."""
    memberships = (
        Membership.objects.current()
        .filter(
            role=Membership.Role.SUPERVISOR,
            user__is_active=True,
            team__memberships__user=person,
            team__memberships__role=Membership.Role.MEMBER,
            team__memberships__ended_on__isnull=True,
        )
        .exclude(user=person)
        .select_related("user", "team")
        .order_by("user__display_name", "user_id", "team__name")
    )
    teams: dict[User, list[str]] = {}
    for membership in memberships:
        names = teams.setdefault(membership.user, [])
        if membership.team.name not in names:
            names.append(membership.team.name)
    found = [(user, str(_("supervisor, %(teams)s")) % {"teams": ", ".join(names)}) for user, names in teams.items()]
    organisation = person.organisation
    if organisation is None:
        return found
    support = organisation.support_person
    if support is not None and support.is_active and support != person and support not in teams:
        found.append((support, str(_("support person for %(organisation)s")) % {"organisation": organisation.name}))
    return found


class TalkRequestForm(forms.Form):
    recipient = forms.TypedChoiceField(
        label=_("Whom would you like to talk with?"), coerce=int, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("One line, if you like (optional)"),
        required=False,
        max_length=TalkRequest.NOTE_LENGTH,
        widget=forms.TextInput(attrs={"maxlength": TalkRequest.NOTE_LENGTH, "autocomplete": "off"}),
        help_text=_("For example, when suits you. Only the person you choose will read it."),
    )

    def __init__(self, *args, recipients: list[tuple[User, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user, _words in recipients}
        recipient = self.fields["recipient"]
        assert isinstance(recipient, forms.TypedChoiceField)
        recipient.choices = [(user.pk, f"{user} ({words})") for user, words in recipients]
        if len(recipients) == 1:
            self.fields["recipient"].initial = recipients[0][0].pk

    def clean_note(self) -> str:
        return " ".join(self.cleaned_data["note"].split())

    def chosen(self) -> User:
        return self.people[self.cleaned_data["recipient"]]


@transaction.atomic
def do_ask(person: User, recipient: User, note: str) -> tuple[TalkRequest, bool]:
    """The open request from `person` to `recipient`, made now unless one is already open; created or not."""
    existing = TalkRequest.objects.select_for_update().open().filter(requester=person, recipient=recipient).first()
    if existing is not None:
        return existing, False
    request = TalkRequest.objects.create(requester=person, recipient=recipient, note=note)
    transaction.on_commit(lambda: send_talk_request(request))
    return request, True


def send_talk_request(request: TalkRequest) -> None:
    """The email names no one and carries nothing the person wrote: only a link into the app."""
    recipient = request.recipient
    send_templated(
        "talk-request",
        recipient.email,
        {"recipient": recipient, "path": reverse("supervision:talk_request", args=[request.pk])},
        language=recipient.language or None,
    )


def do_acknowledge(request: TalkRequest) -> bool:
    """Mark “I'll be in touch” once; True when this call marked it."""
    return bool(
        TalkRequest.objects.filter(pk=request.pk, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
    )


def do_withdraw(request: TalkRequest) -> None:
    TalkRequest.objects.filter(pk=request.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
