"""Every download of figures, personal or anonymised, is an attachment no browser or proxy keeps."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("alice", reverse("checkins:export", args=["csv"])),
        ("alice", reverse("checkins:export", args=["json"])),
        ("bob", "team"),
        ("olivia", reverse("supervision:organisation_export")),
    ],
)
def test_each_export_is_an_attachment_that_is_never_stored(client, persona, url, request, team_a):
    client.force_login(request.getfixturevalue(persona))
    if url == "team":
        url = reverse("supervision:team_export", args=[team_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="')
