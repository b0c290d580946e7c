"""The reflective-supervision prompts: one test per rule, and what every prompt must never say."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supervision.prompts import RULE_BY_SLUG, RULES, Figures, matching

CALM = {
    "intrusion": Decimal("1.0"),
    "exposure_days": Decimal("0.5"),
    "days_since_time_off": 6,
    "high_share": 5,
    "workload": Decimal("3.0"),
    "exhaustion": Decimal("1.2"),
    "participation": 80,
    "top_practices": ("Humour",),
}


def figures(now=None, then=None) -> Figures:
    return Figures({**CALM, **(now or {})}, {**CALM, **(then or {})})


def applies(slug: str, found: Figures) -> bool:
    return RULE_BY_SLUG[slug].applies(found)


def test_a_calm_team_gets_no_rule_prompt():
    assert matching(figures()) == []


def test_intrusion_rising_after_much_distressing_material_suggests_a_voluntary_huddle_and_sharing_cases():
    found = figures(now={"intrusion": Decimal("1.4"), "exposure_days": Decimal("2.5")})
    assert applies("intrusion_rose_with_exposure", found)
    assert not applies("intrusion_rose", found)
    text = str(RULE_BY_SLUG["intrusion_rose_with_exposure"].prompt)
    assert "voluntary decompression huddle" in text and "rotated" in text


def test_a_small_rise_in_intrusion_is_not_a_rise():
    assert not applies("intrusion_rose", figures(now={"intrusion": Decimal("1.2")}))


def test_intrusion_rising_without_much_exposure_makes_room_in_supervision():
    found = figures(now={"intrusion": Decimal("1.3")})
    assert applies("intrusion_rose", found) and not applies("intrusion_rose_with_exposure", found)


def test_a_hidden_week_before_means_no_rise_is_claimed():
    found = Figures({**CALM, "intrusion": Decimal("3.0")}, {**CALM, "intrusion": None})
    assert not applies("intrusion_rose", found) and not applies("intrusion_rose_with_exposure", found)


def test_four_weeks_without_time_off_points_at_cover_for_leave():
    assert applies("long_without_time_off", figures(now={"days_since_time_off": 28}))
    assert not applies("long_without_time_off", figures(now={"days_since_time_off": 27}))
    assert not applies("long_without_time_off", figures(now={"days_since_time_off": None}))
    assert "cover" in str(RULE_BY_SLUG["long_without_time_off"].prompt)


def test_many_check_ins_in_the_high_band_points_at_caseloads():
    assert applies("many_in_high_band", figures(now={"high_share": 30}))
    assert not applies("many_in_high_band", figures(now={"high_share": 29}))
    assert "caseloads" in str(RULE_BY_SLUG["many_in_high_band"].prompt)


def test_a_hard_workload_points_at_who_sets_caseloads():
    assert applies("workload_hard", figures(now={"workload": Decimal("1.5")}))
    assert not applies("workload_hard", figures(now={"workload": Decimal("1.6")}))


def test_high_exhaustion_points_at_protected_time():
    assert applies("exhaustion_high", figures(now={"exhaustion": Decimal("2.5")}))
    assert not applies("exhaustion_high", figures(now={"exhaustion": Decimal("2.4")}))


def test_low_participation_asks_never_to_find_out_who():
    assert applies("participation_low", figures(now={"participation": 49}))
    assert not applies("participation_low", figures(now={"participation": 50}))
    assert "Never ask who" in str(RULE_BY_SLUG["participation_low"].prompt)


# The rules the tests above exercise: a new rule fails here until it has its own test.
TESTED = {
    "intrusion_rose_with_exposure",
    "intrusion_rose",
    "long_without_time_off",
    "many_in_high_band",
    "workload_hard",
    "exhaustion_high",
    "participation_low",
}


def test_every_rule_has_its_own_test():
    assert set(RULE_BY_SLUG) == TESTED


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.slug)
def test_no_prompt_mentions_debriefing_or_singles_anyone_out(rule):
    text = str(rule.prompt).lower()
    assert "debrief" not in text
    for word in ("someone who", "one person", "individual", "who is", "which member"):
        assert word not in text
