"""Support now: the organisation's support and crisis contacts, one tap from every page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from .requests import SignedInRequest


@login_required
def support(request: SignedInRequest) -> HttpResponse:
    """The contacts in the reader's language, or a plain fallback when the organisation gave none."""
    organisation = request.user.organisation
    support_contact, crisis_contact = ("", "")
    if organisation is not None:
        support_contact, crisis_contact = organisation.contacts_for(get_language() or "en")
    return render(
        request,
        "accounts/support.html",
        {"support_contact": support_contact.strip(), "crisis_contact": crisis_contact.strip()},
    )
