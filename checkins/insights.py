"""Personal scores, bands, trends and early-warning signals: pure functions, no database.

What the numbers are, and are not
---------------------------------
Every score here is OUR OWN reflection scale, not a validated measure and not a diagnosis.
The nine signs a person rates each day ("0 = not at all" … "4 = a lot", since yesterday) are
our own wording; their mean is the check-in's "average of the nine signs" (in code and in the
database still `sts_index`), on the same 0–4 scale as the ratings. The four groups of signs
(in code: intrusion, avoidance, arousal, exhaustion) are shown to people only under the plain
names of the signs they hold (checkins/wording.py), never under the clinical names.

Bands, in plain words (a check-in's average of the nine signs):

    lighter     average < 1.00      (on average less than "a little" on each sign)
    noticeable  1.00 ≤ average < 2.50
    heavy       average ≥ 2.50      (on average between "somewhat" and "quite a bit" or more)

In code and in the database the bands keep their old keys: low, moderate, high.

Why the lower cut-off is 1.00 and not 1.50 (reviewed for issue 14)
------------------------------------------------------------------
* The essay the product grew from lists the signs of secondary traumatic stress as things
  that creep in: stories coming back, pulling away, sleep, a short fuse, exhaustion. A mean
  of 1.4 means "a little" to "somewhat" on EVERY sign EVERY day: all of them present at once.
  Calling that "low" (the old wording, with the old 1.50 cut-off) told people nothing was
  there when all of it was.
* Published facts about the Secondary Traumatic Stress Scale (Bride et al., 2004) — used
  only as a point of comparison, our scale is not it: 17 items, each rated 1 ("never") to 5
  ("very often") for the past seven days, so totals run 17–85. The commonly cited
  interpretation of the total (Bride, 2007) is: below 28 little or none, 28–37 mild, 38–43
  moderate, 44–48 high, 49 and over severe. As a mean per item moved onto a 0–4 range
  (total / 17 − 1) those lines sit near 0.65 (mild), 1.24 (moderate), 1.59 (high) and
  1.88 (severe). A mean of 1.4 would be past its "moderate" line; our old "low" band
  reached up to 1.49, well past it.
* Our scale differs (nine signs, one day, "how much" rather than "how often"), so the
  figures above cannot be transferred; they only show that a mean in the 1s is not
  "nothing". We therefore start "noticeable" at 1.00 — "a little" on every sign, on average
  — which sits between that scale's "mild" and "moderate" lines once moved onto our range.
* "heavy" stays at 2.50: one day's average between "somewhat" and "quite a bit" on most
  signs. It drives the "several heavy days" early warning, and a single day is noisier
  than a week-long recall; steady strain below it is caught by the persistent-strain rule
  instead of by a lower heavy line.

Trends compare the mean index of the last N days (7 or 28, ending today) with the N
days before them. A trend is "rising" when that mean grew by RISING_DELTA (0.50) or
more, and each window holds at least MIN_CHECKINS_FOR_TREND check-ins.

Early warning (shown only to the person, kindly, with support contacts). Every rule that
applies is named, most pressing first:
  * "recent_high": at least RECENT_HIGH_COUNT (3) of the check-ins of the last
    RECENT_WINDOW_DAYS (7) days sit in the heavy band;
  * "severe_pattern": one check-in of the last RECENT_WINDOW_DAYS days shows the most
    severe pattern: an index of SEVERE_INDEX (3.00) or more *and* every one of the four
    groups at HIGH_FROM (2.50) or more — strain showing everywhere at once;
  * "intrusion_after_exposure": a day marked as especially distressing (exposure) in the last
    RECENT_WINDOW_DAYS days, and on one of the INTRUSION_AFTER_DAYS (3) days after it
    "stories coming back" was rated at least INTRUSION_AT_LEAST (2, "somewhat") and at least
    INTRUSION_RISE (1.00) above its mean over the BASELINE_DAYS (7) days before the exposure
    (needs at least MIN_BASELINE_CHECKINS (2) check-ins there to compare with);
  * "persistent_strain": at least PERSISTENT_DAYS (8, "most") of the last
    PERSISTENT_WINDOW_DAYS (14) days have a check-in in the noticeable band or heavier —
    weeks of steady strain that never reach "heavy" no longer pass silently.

"What seems to help you" compares, for each practice, the mean index on the day after
it was used with the mean index on days after it was not. It is a gentle observation
about this person's own days, never a claim of cause.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
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

MODERATE_FROM = Decimal("1.00")
HIGH_FROM = Decimal("2.50")

RISING_DELTA = Decimal("0.50")
MIN_CHECKINS_FOR_TREND = 3

RECENT_WINDOW_DAYS = 7
RECENT_HIGH_COUNT = 3
SEVERE_INDEX = Decimal("3.00")

PERSISTENT_WINDOW_DAYS = 14
PERSISTENT_DAYS = 8

INTRUSION_AFTER_DAYS = 3
INTRUSION_AT_LEAST = Decimal(2)
INTRUSION_RISE = Decimal("1.00")
BASELINE_DAYS = 7
MIN_BASELINE_CHECKINS = 2

# "What seems to help": a practice is compared only with enough days on both sides,
# and mentioned as helpful only when the next day was lighter by at least this much.
MIN_DAYS_FOR_COMPARISON = 3
HELPFUL_DIFFERENCE = Decimal("0.25")

# The time-off clock suggests rest after this many days without a day off.
LONG_STRETCH_DAYS = 12

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Scores:
    index: Decimal
    clusters: dict[str, Decimal]
    band: str


@dataclass(frozen=True)
class Day:
    """What the insights need from one check-in (built by CheckIn.as_day())."""

    local_date: date
    index: Decimal
    clusters: dict[str, Decimal] = field(default_factory=dict)
    band: str = "low"
    day_off: bool = False
    exposure: bool = False
    practices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Trend:
    days: int
    current: Decimal | None  # mean index of the last `days` days, None without check-ins
    previous: Decimal | None  # mean index of the `days` days before those
    current_count: int
    previous_count: int

    @property
    def change(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> str:
        """'rising', 'falling', 'steady', or 'unknown' when either window has too few check-ins."""
        change = self.change
        if (
            change is None
            or self.current_count < MIN_CHECKINS_FOR_TREND
            or self.previous_count < MIN_CHECKINS_FOR_TREND
        ):
            return "unknown"
        if change >= RISING_DELTA:
            return "rising"
        if change <= -RISING_DELTA:
            return "falling"
        return "steady"


@dataclass(frozen=True)
class EarlyWarning:
    reason: str  # the most pressing of `reasons`
    high_count: int
    window_days: int = RECENT_WINDOW_DAYS
    # Every rule that applies, most pressing first: "recent_high", "severe_pattern",
    # "intrusion_after_exposure", "persistent_strain".
    reasons: tuple[str, ...] = ()
    strained_days: int = 0  # days of the last PERSISTENT_WINDOW_DAYS noticeable or heavier


@dataclass(frozen=True)
class PracticeObservation:
    key: str
    times_used: int
    next_day_after: Decimal | None  # mean index the day after using it
    next_day_otherwise: Decimal | None  # mean index the day after not using it
    days_after: int
    days_otherwise: int

    @property
    def comparable(self) -> bool:
        return self.days_after >= MIN_DAYS_FOR_COMPARISON and self.days_otherwise >= MIN_DAYS_FOR_COMPARISON

    @property
    def lighter_by(self) -> Decimal | None:
        """How much lighter the day after using it was, on average; None when either side has no days."""
        if self.next_day_after is None or self.next_day_otherwise is None:
            return None
        return self.next_day_otherwise - self.next_day_after

    @property
    def seems_to_help(self) -> bool:
        lighter_by = self.lighter_by
        return self.comparable and lighter_by is not None and lighter_by >= HELPFUL_DIFFERENCE


@dataclass(frozen=True)
class Suggestion:
    """One suggestion for the acknowledgement page; the view turns `kind` into words."""

    kind: str  # "practice_helps", "time_off", "favourite_practice", "first_steps"
    practice: str = ""
    days: int = 0


def _mean(values: Sequence[int | Decimal]) -> Decimal:
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


def _in_window(days: Iterable[Day], first: date, last: date) -> list[Day]:
    return [day for day in days if first <= day.local_date <= last]


def mean_index(days: Iterable[Day]) -> Decimal | None:
    values = [day.index for day in days]
    return _mean(values) if values else None


def trend(days: Sequence[Day], today: date, window_days: int) -> Trend:
    """Mean index of the last `window_days` days (today included) against the window before."""
    current = _in_window(days, today - timedelta(days=window_days - 1), today)
    previous = _in_window(days, today - timedelta(days=2 * window_days - 1), today - timedelta(days=window_days))
    return Trend(
        days=window_days,
        current=mean_index(current),
        previous=mean_index(previous),
        current_count=len(current),
        previous_count=len(previous),
    )


def is_rising(days: Sequence[Day], today: date) -> bool:
    """The rising-trend signal: the 7-day or the 28-day trend is rising."""
    return any(trend(days, today, window).direction == "rising" for window in (7, 28))


def days_since_day_off(days: Iterable[Day], today: date, other_days_off: Iterable[date] = ()) -> int | None:
    """The time-off clock: days since the last day off (0 = today), None if never.

    A day off is a check-in marked as one, or one of `other_days_off` (days off and leave noted
    without ratings); days off still to come do not count.
    """
    days_off = [day.local_date for day in days if day.day_off and day.local_date <= today]
    days_off += [day for day in other_days_off if day <= today]
    if not days_off:
        return None
    return (today - max(days_off)).days


def is_severe_pattern(day: Day) -> bool:
    return (
        day.index >= SEVERE_INDEX and bool(day.clusters) and all(value >= HIGH_FROM for value in day.clusters.values())
    )


def strained_days(days: Iterable[Day], today: date) -> int:
    """How many of the last PERSISTENT_WINDOW_DAYS days have a check-in noticeable or heavier."""
    window = _in_window(days, today - timedelta(days=PERSISTENT_WINDOW_DAYS - 1), today)
    return len({day.local_date for day in window if day.band != "low"})


def intrusion_rose_after_exposure(days: Sequence[Day], today: date) -> bool:
    """Stories coming back rose in the days after a recent day marked as especially distressing."""
    by_date = {day.local_date: day for day in days if "intrusion" in day.clusters}
    first = today - timedelta(days=RECENT_WINDOW_DAYS - 1)
    for exposed in (day for day in days if day.exposure and first <= day.local_date <= today):
        before = [
            by_date[d].clusters["intrusion"]
            for offset in range(1, BASELINE_DAYS + 1)
            if (d := exposed.local_date - timedelta(days=offset)) in by_date
        ]
        if len(before) < MIN_BASELINE_CHECKINS:
            continue
        baseline = _mean(before)
        after = [
            by_date[d].clusters["intrusion"]
            for offset in range(1, INTRUSION_AFTER_DAYS + 1)
            if (d := exposed.local_date + timedelta(days=offset)) in by_date and d <= today
        ]
        if any(value >= INTRUSION_AT_LEAST and value - baseline >= INTRUSION_RISE for value in after):
            return True
    return False


def early_warning(days: Sequence[Day], today: date) -> EarlyWarning | None:
    """The early-warning rules (see the module docstring), or None when none applies."""
    recent = _in_window(days, today - timedelta(days=RECENT_WINDOW_DAYS - 1), today)
    high_count = sum(1 for day in recent if day.band == "high")
    strained = strained_days(days, today)
    reasons = [
        reason
        for reason, applies in (
            ("recent_high", high_count >= RECENT_HIGH_COUNT),
            ("severe_pattern", any(is_severe_pattern(day) for day in recent)),
            ("intrusion_after_exposure", intrusion_rose_after_exposure(days, today)),
            ("persistent_strain", strained >= PERSISTENT_DAYS),
        )
        if applies
    ]
    if not reasons:
        return None
    return EarlyWarning(reason=reasons[0], high_count=high_count, reasons=tuple(reasons), strained_days=strained)


def most_used_practices(days: Iterable[Day], limit: int = 5) -> list[tuple[str, int]]:
    counts = Counter(key for day in days for key in day.practices)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def what_seems_to_help(days: Sequence[Day]) -> list[PracticeObservation]:
    """For each practice used, the mean index on the following day after using it vs not.

    Only pairs of check-ins on consecutive dates count. Sorted with the clearest
    lighter-next-day difference first.
    """
    by_date = {day.local_date: day for day in days}
    pairs = [
        (day, by_date[day.local_date + timedelta(days=1)])
        for day in days
        if day.local_date + timedelta(days=1) in by_date
    ]
    counts = Counter(key for day in days for key in day.practices)
    observations = []
    for key, times_used in counts.items():
        after = [following.index for day, following in pairs if key in day.practices]
        otherwise = [following.index for day, following in pairs if key not in day.practices]
        observations.append(
            PracticeObservation(
                key=key,
                times_used=times_used,
                next_day_after=_mean(after) if after else None,
                next_day_otherwise=_mean(otherwise) if otherwise else None,
                days_after=len(after),
                days_otherwise=len(otherwise),
            )
        )

    def clearest_first(observation: PracticeObservation) -> tuple[int, Decimal, str]:
        lighter_by = observation.lighter_by
        if observation.comparable and lighter_by is not None:
            return (0, -lighter_by, observation.key)
        return (1, Decimal(-observation.times_used), observation.key)

    return sorted(observations, key=clearest_first)


def suggestion(days: Sequence[Day], today: date, other_days_off: Iterable[date] = ()) -> Suggestion:
    """One suggestion drawn from the person's own history, most specific first."""
    helpful = [observation for observation in what_seems_to_help(days) if observation.seems_to_help]
    if helpful:
        return Suggestion(kind="practice_helps", practice=helpful[0].key)
    since_off = days_since_day_off(days, today, other_days_off)
    if since_off is not None and since_off >= LONG_STRETCH_DAYS:
        return Suggestion(kind="time_off", days=since_off)
    favourites = most_used_practices(days, limit=1)
    if favourites:
        return Suggestion(kind="favourite_practice", practice=favourites[0][0])
    return Suggestion(kind="first_steps")
