"""Understanding STS: one page per topic, in order, in English and Spanish, linked from where it helps."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from checkins.guide_views import TOPICS

from ..conftest import TwoStepClient
from .conftest import make_checkin

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(alice) -> TwoStepClient:
    client = TwoStepClient()
    client.force_login(alice)
    return client


def headings(body: str) -> list[tuple[int, str]]:
    main = body.split('<main id="main"', 1)[1]
    return [
        (int(level), re.sub(r"<[^>]+>", "", text).strip())
        for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", main, re.S)
    ]


def test_the_contents_lists_every_topic_in_order(alice_client):
    body = alice_client.get(reverse("checkins:guide")).content.decode()
    positions = [body.index(reverse("checkins:guide_topic", args=[topic.slug])) for topic in TOPICS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("number", range(len(TOPICS)))
def test_each_topic_is_one_page_with_one_title_sections_and_its_neighbours(alice_client, number):
    topic = TOPICS[number]
    body = alice_client.get(reverse("checkins:guide_topic", args=[topic.slug])).content.decode()
    outline = headings(body)
    assert outline[0] == (1, str(topic.title))
    assert [level for level, _ in outline[1:]] == [2] * (len(outline) - 1)
    if number > 0:
        assert f'rel="prev" href="{reverse("checkins:guide_topic", args=[TOPICS[number - 1].slug])}"' in body
    if number + 1 < len(TOPICS):
        assert f'rel="next" href="{reverse("checkins:guide_topic", args=[TOPICS[number + 1].slug])}"' in body
    assert f"Page {number + 1} of {len(TOPICS)}" in body


def test_the_guide_reads_in_spanish(alice_client):
    body = alice_client.get(
        reverse("checkins:guide_topic", args=["sts-burnout-moral-distress"]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Desgaste profesional" in body and "Angustia moral" in body
    assert "Burnout</h2>" not in body


def test_an_unknown_topic_is_not_found(alice_client):
    assert alice_client.get(reverse("checkins:guide_topic", args=["no-such-topic"])).status_code == 404


def test_the_guide_is_linked_from_the_menu_welcome_history_and_early_warning(alice_client, alice):
    guide = f'href="{reverse("checkins:guide")}"'
    assert guide in alice_client.get(reverse("checkins:intro")).content.decode()
    assert guide in alice_client.get(reverse("checkins:privacy")).content.decode()  # the menu
    today = alice.local_today()
    for back in range(3):
        make_checkin(alice, today - dt.timedelta(days=back), level=4)
    assert guide in alice_client.get(reverse("checkins:history")).content.decode()
    saved = alice_client.get(reverse("checkins:saved"), {"date": today.isoformat()}).content.decode()
    warning = saved.split('id="early-warning-heading"', 1)[1].split("</section>", 1)[0]
    assert guide in warning
    assert f'href="{reverse("support")}"' in warning
