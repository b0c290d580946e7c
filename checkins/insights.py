"""Personal scores, bands, trends and early-warning signals: pure functions, no database.

The STS index of a check-in is the mean of its nine sign ratings (each 0–4), so it
is on the same 0–4 scale as the ratings themselves. Each cluster is the mean of its
signs. The bands are reflection aids chosen for this product, not clinical cut-offs:

    low       index < 1.50      (most signs "a little" or less)
    moderate  1.50 ≤ index < 2.50
    high      index ≥ 2.50      (most signs "quite a bit" or more)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SIGN_FIELDS: tuple[str, ...] = (
    "intrusive_thoughts",
    "avoidance",
    "sleep_trouble",
    "irritability",
    "emotional_exhaustion",
    "numbness",
    "physical_strain",
    "low_motivation",
    "rest_guilt",
)

CLUSTERS: dict[str, tuple[str, ...]] = {
    "intrusion": ("intrusive_thoughts",),
    "avoidance": ("avoidance", "numbness", "low_motivation"),
    "arousal": ("sleep_trouble", "irritability"),
    "exhaustion": ("emotional_exhaustion", "physical_strain", "rest_guilt"),
}

MODERATE_FROM = Decimal("1.50")
HIGH_FROM = Decimal("2.50")

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Scores:
    index: Decimal
    clusters: dict[str, Decimal]
    band: str


def _mean(values: list[int]) -> Decimal:
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def band_for(index: Decimal) -> str:
    if index >= HIGH_FROM:
        return "high"
    if index >= MODERATE_FROM:
        return "moderate"
    return "low"


def score(ratings: dict[str, int]) -> Scores:
    """Index, cluster scores and band for one check-in's nine ratings."""
    index = _mean([int(ratings[field]) for field in SIGN_FIELDS])
    clusters = {name: _mean([int(ratings[field]) for field in fields]) for name, fields in CLUSTERS.items()}
    return Scores(index=index, clusters=clusters, band=band_for(index))
