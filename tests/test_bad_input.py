"""Generated bad (and good) input against the forms: never a 5xx, nothing saved from an
invalid submission, nothing lost from a valid one, free text always escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.insights import SIGN_FIELDS
from checkins.models import STRESS_LOCATIONS, CheckIn, IntroSeen, Practice

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
CHECKIN_FIELDS = [
    *SIGN_FIELDS,
    "mood",
    "energy",
    "stress_locations",
    "exposure",
    "workload",
    "day_off",
    "practices",
    "nourish",
    "private_note",
    "version",
]

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(min_size=2001, max_size=2100),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "-1",
            "5",
            "99999999999999999999",
            "1e3",
            "NaN",
            "null",
            "[]",
            "{}",
            "<script>alert(1)</script>",
            "'; drop table checkins_checkin; --",
            "٣",
            "²",
            "🙂",
        ]
    ),
    st.integers(min_value=-10, max_value=10).map(str),
)
junk_value = st.one_of(junk_text, st.lists(junk_text, min_size=2, max_size=4))
junk_form = st.dictionaries(
    st.one_of(st.sampled_from(CHECKIN_FIELDS), st.text(min_size=1, max_size=12)),
    junk_value,
    max_size=len(CHECKIN_FIELDS),
)
junk_date = st.one_of(
    st.just(None), st.sampled_from(["", "2026-02-30", "yesterday", "9999-12-31", "0001-01-01"]), st.dates().map(str)
)


def _snapshot(user) -> list[dict]:
    return [
        {
            **{f: getattr(c, f) for f in CHECKIN_FIELDS if f not in ("practices", "version")},
            "practices": sorted(c.practices.values_list("pk", flat=True)),
            "version": c.version,
        }
        for c in CheckIn.objects.filter(user=user).order_by("local_date")
    ]


@pytest.fixture
def member_client(client, alice):
    IntroSeen.objects.create(user=alice)
    client.force_login(alice)
    return client


@FUZZ
@given(data=junk_form, day=junk_date)
def test_junk_posted_to_the_check_in_never_breaks_it_and_saves_nothing(member_client, alice, data, day):
    before = _snapshot(alice)
    url = reverse("checkins:today") + (f"?date={day}" if day is not None else "")
    response = member_client.post(url, data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert _snapshot(alice) == before
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body


valid_form = st.fixed_dictionaries(
    {
        **{field: st.integers(0, 4) for field in SIGN_FIELDS},
        "exposure": st.sampled_from(["yes", "no"]),
        "mood": st.one_of(st.just(""), st.integers(1, 5)),
        "energy": st.one_of(st.just(""), st.integers(1, 5)),
        "workload": st.one_of(st.just(""), st.integers(0, 4)),
        "stress_locations": st.lists(st.sampled_from([key for key, _label in STRESS_LOCATIONS]), unique=True),
        "nourish": st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=300).map(str.strip),
        "private_note": st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=300).map(str.strip),
    },
    optional={"day_off": st.just("on")},
)


@settings(FUZZ, max_examples=150)
@given(form=valid_form, practice_count=st.integers(0, 3))
def test_a_valid_check_in_is_saved_exactly_as_typed(member_client, alice, form, practice_count):
    practices = list(Practice.offered_to(alice.organisation_id).values_list("pk", flat=True)[:practice_count])
    response = member_client.post(reverse("checkins:today"), {**form, "practices": practices})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = CheckIn.objects.get(user=alice, local_date=alice.local_today())
    for field in SIGN_FIELDS:
        assert getattr(saved, field) == form[field]
    assert saved.exposure == (form["exposure"] == "yes")
    assert saved.mood == (form["mood"] or None)
    assert saved.energy == (form["energy"] or None)
    assert saved.workload == (form["workload"] if form["workload"] != "" else None)
    assert saved.day_off == ("day_off" in form)
    assert sorted(saved.stress_locations) == sorted(form["stress_locations"])
    assert saved.nourish == form["nourish"]
    assert saved.private_note == form["private_note"]
    assert sorted(saved.practices.values_list("pk", flat=True)) == sorted(practices)


@pytest.mark.parametrize("field", ["nourish", "private_note"])
def test_html_in_free_text_comes_back_escaped_everywhere_it_is_shown(member_client, alice, field):
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    form = {name: 2 for name in SIGN_FIELDS} | {"exposure": "no", field: payload}
    assert member_client.post(reverse("checkins:today"), form).status_code == 302
    checkin = CheckIn.objects.get(user=alice)
    pages = [
        reverse("checkins:today"),
        reverse("checkins:history"),
        reverse("checkins:detail", args=[checkin.pk]),
        reverse("checkins:saved") + f"?date={checkin.local_date}",
    ]
    for url in pages:
        body = member_client.get(url).content.decode()
        assert payload not in body, url
        assert "<script>alert(2)</script>" not in body, url
