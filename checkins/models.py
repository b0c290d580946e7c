from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from . import insights
from .crypto import EncryptedTextField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FREE_TEXT_MAX_LENGTH = 2000

STRESS_LOCATIONS: list[tuple[str, StrOrPromise]] = [
    ("head", _("Head")),
    ("jaw", _("Jaw or face")),
    ("neck_shoulders", _("Neck or shoulders")),
    ("chest", _("Chest or breathing")),
    ("stomach", _("Stomach")),
    ("back", _("Back")),
    ("limbs", _("Arms, hands or legs")),
    ("nowhere", _("Nowhere in particular")),
]


# Translated names for the built-in practices (seeded by migration 0003); an
# organisation's own practices show the name its admin typed.
BUILTIN_PRACTICE_NAMES = {
    "breathing": _("Slow breathing"),
    "grounding": _("Grounding"),
    "movement": _("Movement"),
    "humour": _("Humour"),
    "time_outside": _("Time outside"),
    "talked_with_colleague": _("Talked with a colleague"),
    "meaningful_moment": _("Recalled a meaningful moment"),
    "other": _("Something else"),
}

# ...and their descriptions, translated in the same way.
BUILTIN_PRACTICE_DESCRIPTIONS = {
    "breathing": _("A few slow breaths, longer out than in."),
    "grounding": _("Noticing five things you can see, hear or touch."),
    "movement": _("A stretch, a walk, shaking it off."),
    "humour": _("A laugh, with someone or on your own."),
    "time_outside": _("Fresh air, a bit of sky or green."),
    "talked_with_colleague": _("Sharing the load with someone who gets it."),
    "meaningful_moment": _("Remembering why the work matters to you."),
    "other": _("Anything else that helped you settle."),
}


class Practice(models.Model):
    """A Reset practice. Built-in ones have no organisation; an organisation may add its own."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="practices",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
        help_text=_("Empty for the practices everyone sees."),
    )
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("Reset practice")
        verbose_name_plural = _("Reset practices")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="practice_key_unique_per_organisation"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True),
                name="practice_key_unique_builtin",
            ),
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> StrOrPromise:
        if self.organisation_id is None and self.key in BUILTIN_PRACTICE_NAMES:
            return BUILTIN_PRACTICE_NAMES[self.key]
        return self.name

    @property
    def display_description(self) -> StrOrPromise:
        if self.organisation_id is None and self.key in BUILTIN_PRACTICE_DESCRIPTIONS:
            return BUILTIN_PRACTICE_DESCRIPTIONS[self.key]
        return self.description

    @classmethod
    def offered_to(cls, organisation_id: int | None) -> models.QuerySet[Practice]:
        return cls.objects.filter(
            models.Q(organisation__isnull=True) | models.Q(organisation_id=organisation_id), is_active=True
        )


# The scores a check-in stores, worked out from its ratings on every save (never typed in).
SCORE_FIELDS: tuple[str, ...] = ("sts_index", *(f"{cluster}_score" for cluster in insights.CLUSTERS), "band")


def _rating(verbose_name):
    return models.PositiveSmallIntegerField(verbose_name, validators=[MinValueValidator(0), MaxValueValidator(4)])


class CheckIn(models.Model):
    """One person's check-in for one local date.

    Write them through `checkins.actions` (which keeps the weekly rollups in step); code that
    loads or deletes check-ins any other way calls `checkins.rollup.rebuild` for those people.
    """

    class Band(models.TextChoices):
        LOW = "low", _("Lighter")
        MODERATE = "moderate", _("Noticeable")
        HIGH = "high", _("Heavy")

    # No index of its own: the unique (user, local_date) index below serves every lookup by person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("person"),
        db_index=False,
    )
    local_date = models.DateField(_("date"), help_text=_("The day in the person's own time zone."))

    # Pause
    mood = models.PositiveSmallIntegerField(
        _("mood"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    energy = models.PositiveSmallIntegerField(
        _("energy"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    stress_locations = models.JSONField(_("where stress sits"), default=list, blank=True)

    # STS signs, 0 (not at all) … 4 (a lot), since yesterday.
    intrusive_thoughts = _rating(_("intrusive thoughts"))
    avoidance = _rating(_("avoidance"))
    sleep_trouble = _rating(_("trouble sleeping"))
    irritability = _rating(_("irritability"))
    emotional_exhaustion = _rating(_("emotional exhaustion"))
    numbness = _rating(_("numbness"))
    physical_strain = _rating(_("physical strain"))
    low_motivation = _rating(_("low motivation"))
    rest_guilt = _rating(_("guilt about resting"))

    exposure = models.BooleanField(_("especially distressing material today"), default=False)
    workload = models.PositiveSmallIntegerField(
        _("workload felt manageable"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    day_off = models.BooleanField(_("day off"), default=False)
    # Two optional questions that are not STS signs and never enter the index or the band.
    moral_distress = models.PositiveSmallIntegerField(
        _("the gap between need and what I could give weighed on me"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    made_difference = models.PositiveSmallIntegerField(
        _("my work made a difference"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )

    # Reset and Nourish
    practices = models.ManyToManyField(Practice, blank=True, related_name="checkins", verbose_name=_("practices"))
    nourish = EncryptedTextField(_("a meaningful moment"), blank=True)
    private_note = EncryptedTextField(_("private note"), blank=True)

    # Derived on save from the ratings (see insights.py), so aggregates run in SQL.
    sts_index = models.DecimalField(_("average of the nine signs"), max_digits=4, decimal_places=2, editable=False)
    intrusion_score = models.DecimalField(max_digits=4, decimal_places=2, editable=False)
    avoidance_score = models.DecimalField(max_digits=4, decimal_places=2, editable=False)
    arousal_score = models.DecimalField(max_digits=4, decimal_places=2, editable=False)
    exhaustion_score = models.DecimalField(max_digits=4, decimal_places=2, editable=False)
    band = models.CharField(_("band"), max_length=10, choices=Band.choices, editable=False)

    # Bumped on every save; an edit made from an older version is told it was superseded.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="checkin_one_per_person_per_local_date"),
            *[
                models.CheckConstraint(condition=models.Q(**{f"{field}__lte": 4}), name=f"checkin_{field}_at_most_4")
                for field in insights.SIGN_FIELDS
            ],
            models.CheckConstraint(
                condition=models.Q(workload__isnull=True) | models.Q(workload__lte=4), name="checkin_workload_0_4"
            ),
            models.CheckConstraint(
                condition=models.Q(moral_distress__isnull=True) | models.Q(moral_distress__lte=4),
                name="checkin_moral_distress_0_4",
            ),
            models.CheckConstraint(
                condition=models.Q(made_difference__isnull=True) | models.Q(made_difference__lte=4),
                name="checkin_made_difference_0_4",
            ),
            models.CheckConstraint(
                condition=models.Q(mood__isnull=True) | models.Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(energy__isnull=True) | models.Q(energy__gte=1, energy__lte=5),
                name="checkin_energy_1_5",
            ),
        ]
        indexes = [
            # Team aggregates and reminders look up check-ins by date range first.
            models.Index(fields=["local_date", "user"], name="checkin_date_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.local_date.isoformat()}"

    def save(self, *args, **kwargs) -> None:
        self.refresh_scores()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *SCORE_FIELDS}
        super().save(*args, **kwargs)

    def as_day(self, practice_keys: frozenset[str] | None = None) -> insights.Day:
        """The insights view of this check-in; pass practice keys to avoid a query per check-in."""
        if practice_keys is None:
            practice_keys = frozenset(self.practices.values_list("key", flat=True))
        return insights.Day(
            local_date=self.local_date,
            index=self.sts_index,
            clusters=self.cluster_scores(),
            band=self.band,
            day_off=self.day_off,
            exposure=self.exposure,
            practices=practice_keys,
        )

    def cluster_scores(self) -> dict[str, Decimal]:
        return {name: getattr(self, f"{name}_score") for name in insights.CLUSTERS}

    def ratings(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in insights.SIGN_FIELDS}

    def refresh_scores(self) -> None:
        scores = insights.score(self.ratings())
        self.sts_index = scores.index
        for cluster in insights.CLUSTERS:
            setattr(self, f"{cluster}_score", scores.clusters[cluster])
        self.band = scores.band


class IntroSeen(models.Model):
    """That a person has read the short "what is kept, who sees what" screen before their first check-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_intro", verbose_name=_("person")
    )
    seen_at = models.DateTimeField(_("seen at"), auto_now_add=True)

    class Meta:
        verbose_name = _("introduction seen")
        verbose_name_plural = _("introductions seen")

    def __str__(self) -> str:
        return f"intro seen {self.seen_at:%Y-%m-%d}"


class CheckInRollup(models.Model):
    """One person's check-ins summed over the part of an ISO week that lies in one calendar month.

    A week that spans two months has two rows, so both weekly and monthly team figures are
    sums of whole rows. Kept in step with the check-ins by `checkins.rollup` (every save,
    erasure and retention run goes through it), deleted with the person, and read only by
    `supervision.trends`, behind `supervision.anonymity`. Nothing here is shown to anyone.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="Monday of the ISO week")
    month = models.DateField(help_text="first day of the calendar month")
    checkins = models.PositiveSmallIntegerField()
    sts_index_sum = models.DecimalField(max_digits=6, decimal_places=2)
    intrusion_sum = models.DecimalField(max_digits=6, decimal_places=2)
    avoidance_sum = models.DecimalField(max_digits=6, decimal_places=2)
    arousal_sum = models.DecimalField(max_digits=6, decimal_places=2)
    exhaustion_sum = models.DecimalField(max_digits=6, decimal_places=2)
    high = models.PositiveSmallIntegerField()
    exposure = models.PositiveSmallIntegerField()
    workload_sum = models.PositiveSmallIntegerField()
    workload_answers = models.PositiveSmallIntegerField()
    moral_distress_sum = models.PositiveSmallIntegerField(default=0)
    moral_distress_answers = models.PositiveSmallIntegerField(default=0)
    made_difference_sum = models.PositiveSmallIntegerField(default=0)
    made_difference_answers = models.PositiveSmallIntegerField(default=0)
    last_day_off = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week", "month"], name="checkin_rollup_one_per_person_part"),
        ]
        indexes = [
            # Publishing a week reads that week's rows for every member of an organisation.
            models.Index(fields=["week", "user"], name="checkin_rollup_week_user_idx"),
            # ...and each person's latest day off up to that week: one probe of this index.
            models.Index(
                fields=["user", "-week", "-month"],
                condition=models.Q(last_day_off__isnull=False),
                name="checkin_rollup_day_off_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week.isoformat()} ({self.month:%Y-%m})"


class PracticeRollup(models.Model):
    """That a person used a Reset practice at least once in the same part of a week (see CheckInRollup)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    month = models.DateField()
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week", "month", "practice"], name="practice_rollup_one_per_person_part"
            ),
        ]
        indexes = [
            models.Index(fields=["week", "user"], name="practice_rollup_week_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.week.isoformat()} ({self.month:%Y-%m})"


class DayMark(models.Model):
    """A day a person noted without ratings: a rough day, or a day off (one tap, or a leave period).

    Never part of any team figure: rollups and publishing read only `CheckIn`. A rough day
    counts as "noted" for the person's own calendar and for reminders; a day off also feeds
    their own time-off clock and the team's days-since-time-off (see supervision.trends).
    """

    class Kind(models.TextChoices):
        HARD_DAY = "hard_day", _("Rough day")
        DAY_OFF = "day_off", _("Day off")

    # The unique (user, local_date) index serves every lookup by person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="day_marks",
        verbose_name=_("person"),
        db_index=False,
    )
    local_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("day noted without ratings")
        verbose_name_plural = _("days noted without ratings")
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="daymark_one_per_person_per_local_date"),
            models.CheckConstraint(condition=models.Q(kind__in=["hard_day", "day_off"]), name="daymark_kind_known"),
        ]
        indexes = [
            # Reminders look up today's marks for a batch of people by date first.
            models.Index(fields=["local_date", "user"], name="daymark_date_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.local_date.isoformat()} {self.kind}"


class MeaningfulMoment(models.Model):
    """A Nourish moment written in "Take a minute", outside any check-in.

    Encrypted like the check-in's own Nourish text and shown to its author only. Nothing about
    "Take a minute" is summed into the rollups, so none of it reaches a team figure.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meaningful_moments",
        verbose_name=_("person"),
        db_index=False,
    )
    local_date = models.DateField(_("date"))
    text = EncryptedTextField(_("a meaningful moment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meaningful moment")
        verbose_name_plural = _("meaningful moments")
        indexes = [
            # The Nourish page picks one of a person's own moments; retention deletes by date.
            models.Index(fields=["user", "local_date"], name="moment_user_date_idx"),
        ]

    def __str__(self) -> str:
        return self.local_date.isoformat()


class PracticeUse(models.Model):
    """That a person noted a Reset practice as used on a day, from "Take a minute" (private, never counted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_uses",
        verbose_name=_("person"),
        db_index=False,
    )
    local_date = models.DateField(_("date"))
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+", verbose_name=_("practice"))

    class Meta:
        verbose_name = _("practice noted")
        verbose_name_plural = _("practices noted")
        constraints = [
            # Noting the same practice twice in a day is one note; its index serves lookups by person.
            models.UniqueConstraint(fields=["user", "local_date", "practice"], name="practice_use_once_a_day"),
        ]

    def __str__(self) -> str:
        return self.local_date.isoformat()
