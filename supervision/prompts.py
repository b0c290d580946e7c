"""Reflective-supervision prompts as data: each rule is a condition on a unit's published figures
and a prompt in our own words.

The prompts are about the team and what the organisation can change (caseloads, cover for
time off, rotation of the hardest cases), never about one person. Where the work has been
heavy they suggest a voluntary decompression huddle, never a debriefing: single-session
psychological debriefing is advised against.

A condition reads `Figures`: last week's and the week before's published values, None when
hidden. Adding a rule is one entry in RULES, with a unit test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .anonymity import Unit
from .dashboard import practice_names
from .publishing import PublishedGrid

INTRUSION_RISE = Decimal("0.3")
MANY_EXPOSURE_DAYS = Decimal("2.0")
LONG_WITHOUT_TIME_OFF = 28
LOW_PARTICIPATION = 50
HIGH_SHARE = 30
HARD_WORKLOAD = Decimal("1.5")
HIGH_EXHAUSTION = Decimal("2.5")


@dataclass(frozen=True)
class Figures:
    """A unit's published values for last week (`now`) and the week before (`then`)."""

    now: dict[str, Any]
    then: dict[str, Any]

    def rise(self, key: str) -> Decimal | None:
        a, b = self.now.get(key), self.then.get(key)
        return None if a is None or b is None else a - b

    def either(self, key: str) -> Any:
        """The larger of the two weeks' values, when at least one is published."""
        values = [v for v in (self.now.get(key), self.then.get(key)) if v is not None]
        return max(values) if values else None


@dataclass(frozen=True)
class Rule:
    slug: str
    applies: Callable[[Figures], bool]
    prompt: Any


def _at_least(value, threshold) -> bool:
    return value is not None and value >= threshold


def _at_most(value, threshold) -> bool:
    return value is not None and value <= threshold


RULES: tuple[Rule, ...] = (
    Rule(
        "intrusion_rose_with_exposure",
        lambda f: (
            _at_least(f.rise("intrusion"), INTRUSION_RISE) and _at_least(f.either("exposure_days"), MANY_EXPOSURE_DAYS)
        ),
        _(
            "Stories coming back uninvited rose after weeks with many days of distressing material. A voluntary "
            "decompression huddle can give people room to set things down, if they want it. Could the hardest "
            "cases be shared or rotated for a while?"
        ),
    ),
    Rule(
        "intrusion_rose",
        lambda f: (
            _at_least(f.rise("intrusion"), INTRUSION_RISE)
            and not _at_least(f.either("exposure_days"), MANY_EXPOSURE_DAYS)
        ),
        _("Stories coming back uninvited rose last week. Supervision could make room for what stayed with the team."),
    ),
    Rule(
        "long_without_time_off",
        lambda f: _at_least(f.now.get("days_since_time_off"), LONG_WITHOUT_TIME_OFF),
        _(
            "For most of the team it has been four weeks or more since a day off. Arranging cover so that "
            "leave can be booked, and protected, is something the organisation can do now."
        ),
    ),
    Rule(
        "many_in_high_band",
        lambda f: _at_least(f.now.get("high_share"), HIGH_SHARE),
        _(
            "Many check-ins were heavy. It may be time to look at caseloads and at how the most "
            "distressing work is shared across the team."
        ),
    ),
    Rule(
        "workload_hard",
        lambda f: _at_most(f.now.get("workload"), HARD_WORKLOAD),
        _(
            "The workload felt hard to manage. A team conversation about priorities, and a word with those "
            "who set caseloads, may help more than working harder."
        ),
    ),
    Rule(
        "exhaustion_high",
        lambda f: _at_least(f.now.get("exhaustion"), HIGH_EXHAUSTION),
        _(
            "Feeling drained and worn down is running high across the team. Protected time for admin, or a "
            "lighter week after a hard "
            "stretch, are levers the organisation holds."
        ),
    ),
    Rule(
        "participation_low",
        lambda f: _at_most(f.now.get("participation"), LOW_PARTICIPATION - 1),
        _(
            "Fewer people checked in lately. Keep it voluntary: a friendly word to the whole team is enough. "
            "Never ask who did or did not check in."
        ),
    ),
)
RULE_BY_SLUG = {rule.slug: rule for rule in RULES}


def figures(grid: PublishedGrid, unit: Unit) -> Figures:
    periods = grid.periods

    def values(index: int) -> dict[str, Any]:
        if len(periods) < -index:
            return {}
        period = periods[index]
        found = {}
        for key in (
            "intrusion",
            "exposure_days",
            "days_since_time_off",
            "high_share",
            "workload",
            "exhaustion",
            "participation",
            "top_practices",
        ):
            cell = grid.cell(unit, period, key)
            found[key] = cell.value if cell.published else None
        return found

    return Figures(values(-1), values(-2))


def matching(figures: Figures) -> list[str]:
    """The prompts whose conditions hold, in the order of RULES."""
    return [str(rule.prompt) for rule in RULES if rule.applies(figures)]


def prompts(grid: PublishedGrid, unit: Unit) -> list[str]:
    """Prompts drawn from the unit's published last two weeks; a gentle default when none applies."""
    if not grid.periods:
        return []
    found = figures(grid, unit)
    chosen = matching(found)
    practices = found.now.get("top_practices")
    if not chosen and practices:
        chosen.append(
            str(
                _(
                    "The team leaned on %(practices)s. You might ask what helps most, and how the "
                    "organisation could make more room for it."
                )
            )
            % {"practices": ", ".join(practice_names(practices))}
        )
    return chosen
