from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_ANONYMITY_K = 3
DEFAULT_ANONYMITY_K = 5


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Pick one such as Europe/London or America/Bogota."),
            params={"value": value},
            code="invalid_time_zone",
        )


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


# How long someone who left can still sign in to download or erase their own check-ins.
DEFAULT_LEAVER_ACCESS_DAYS = 30


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(_known_time_zones())]


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Weeks and months on team dashboards are counted in this time zone."),
    )
    anonymity_k = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=DEFAULT_ANONYMITY_K,
        validators=[MinValueValidator(MIN_ANONYMITY_K)],
        help_text=_(
            "Team figures are shown only when at least this many different people checked in. "
            "It can never be lower than 3."
        ),
    )
    support_contact = models.TextField(
        _("support contact"),
        blank=True,
        help_text=_("Shown to staff: where to find support, e.g. an employee assistance line."),
    )
    crisis_contact = models.TextField(
        _("crisis contact"),
        blank=True,
        help_text=_("Shown to staff when their check-ins suggest a hard time, e.g. a 24-hour crisis line."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("New people are invited in this language; each person can change their own."),
    )
    leaver_access_days = models.PositiveSmallIntegerField(
        _("days a leaver can still sign in"),
        default=DEFAULT_LEAVER_ACCESS_DAYS,
        help_text=_(
            "After someone leaves, they can sign in for this many days, only to download or erase their "
            "own check-ins. Then their account is closed and their check-ins are erased. 0 closes it at once."
        ),
    )
    # "I'd like to talk" may go to this person as well as to the person's supervisors.
    support_person = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("support person for talk requests"),
        help_text=_(
            "Someone in this organisation, e.g. a wellbeing lead, whom staff may ask for a conversation "
            "instead of a supervisor. They see the request in the app."
        ),
    )
    # The same contacts for people who read the app in Spanish; empty means the ones above serve everyone.
    support_contact_es = models.TextField(
        _("support contact in Spanish"),
        blank=True,
        help_text=_("Shown instead of the support contact to people who use the app in Spanish."),
    )
    crisis_contact_es = models.TextField(
        _("crisis contact in Spanish"),
        blank=True,
        help_text=_("Shown instead of the crisis contact to people who use the app in Spanish."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep check-ins for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(30)],
        help_text=_(
            "Check-ins older than this are deleted every night, with everything derived from them. "
            "Leave empty to keep them until each person erases them."
        ),
    )
    # A lower k never applies at once: it waits for the first week that closes at least
    # K_LOWERING_NOTICE_DAYS after the change, and everyone is told (accounts.thresholds).
    lowered_k = models.PositiveSmallIntegerField(
        _("lower smallest group, scheduled"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(MIN_ANONYMITY_K)],
    )
    lowered_k_from = models.DateField(
        _("lower smallest group applies from the week of"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_k__gte=MIN_ANONYMITY_K),
                name="organisation_anonymity_k_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def k_for_week(self, monday: dt.date) -> int:
        """The smallest group shown that applies to the week starting `monday` (never below 3)."""
        k = self.anonymity_k
        if self.lowered_k is not None and self.lowered_k_from is not None and monday >= self.lowered_k_from:
            k = self.lowered_k
        return max(int(k or 0), MIN_ANONYMITY_K)

    def contacts_for(self, language: str) -> tuple[str, str]:
        """(support, crisis) contacts for a reader of `language`: that language's own, else the main ones."""
        if language.startswith("es"):
            return (self.support_contact_es or self.support_contact, self.crisis_contact_es or self.crisis_contact)
        return self.support_contact, self.crisis_contact

    @property
    def contacts_missing(self) -> bool:
        return not (self.support_contact.strip() and self.crisis_contact.strip())

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today's date in the organisation's time zone: memberships and weeks are counted in it."""
        return (now or timezone.now()).astimezone(self.tz).date()


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    Language = Language

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Your check-in day starts and ends at midnight in this time zone."),
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    is_org_admin = models.BooleanField(
        _("organisation admin"),
        default=False,
        help_text=_("Can set up this organisation's teams, people and reminders in the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Set automatically for organisation admins and superusers."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set by accounts.leavers.do_mark_left: memberships ended, sign-in limited to the person's own
    # data until the organisation's leaver_access_days have passed.
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    # Whether the person has a confirmed second-step device (authenticator or backup codes),
    # kept by accounts/signals.py whenever a device is saved or deleted. It travels with the
    # user row every request loads anyway, so the two-step check costs no extra query. The
    # database default serves rows written with COPY (bench/seed.py).
    two_factor_enabled = models.BooleanField(_("two-step sign-in on"), default=False, db_default=False, editable=False)
    # Moved by every change to this person's memberships (accounts/roles.py), so a session may keep
    # the roles it read and trust them while this number, loaded with the user row on every
    # request, is unchanged: a role granted or removed counts from the next request, on every device.
    roles_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["email"]

    if TYPE_CHECKING:
        # Set on each request's user by django_otp's OTPMiddleware: whether the second step was passed.
        def is_verified(self) -> bool: ...

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.is_org_admin and not self.organisation_id:
            raise ValidationError({"organisation": _("An organisation admin needs an organisation.")})

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        if self.is_org_admin:
            self.is_staff = True
        if not (args or self._state.adding or kwargs.get("force_insert")) and kwargs.get("update_fields") is None:
            # An instance loaded before a membership changed must not write its old roles_version
            # back (accounts/roles.py): only accounts.roles.moved writes that column.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "roles_version" and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def has_accepted_invitation(self) -> bool:
        """Whether the person has chosen a password (an invited person has an unusable one)."""
        return self.has_usable_password()

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now=None):
        """Today's date where this person is: it decides which day a check-in belongs to."""
        return (now or timezone.now()).astimezone(self.tz).date()

    def supervised_teams(self) -> models.QuerySet[Team]:
        return Team.objects.filter(
            memberships__user=self, memberships__role=Membership.Role.SUPERVISOR, memberships__ended_on__isnull=True
        ).select_related("organisation")

    @property
    def roles(self) -> frozenset[str]:
        """The roles this person holds in any team, looked up once per loaded instance.

        Middleware, menus and views all ask during one request; `request.user` is loaded
        afresh for each request, and `refresh_from_db` forgets the answer. For the signed-in
        person, accounts.roles.RolesFromSessionMiddleware hands over the roles the session
        keeps (`known_roles`) while `roles_version` is unchanged, so no query is made at all.
        """
        roles: frozenset[str] | None = self.__dict__.get("_roles")
        if roles is None:
            current = self.memberships.filter(ended_on__isnull=True).order_by()
            roles = frozenset(current.values_list("role", flat=True).distinct())
            self.__dict__["_roles"] = roles
        return roles

    def known_roles(self, roles: Iterable[str]) -> None:
        """Use these roles for this instance instead of asking the database (see `roles`)."""
        self.__dict__["_roles"] = frozenset(roles)

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("_roles", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_supervisor(self) -> bool:
        return Membership.Role.SUPERVISOR in self.roles

    @property
    def is_member(self) -> bool:
        return Membership.Role.MEMBER in self.roles


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        """Memberships that have not ended: who is in which team today."""
        return self.filter(ended_on__isnull=True)

    def whole_week(self, monday: dt.date) -> MembershipQuerySet:
        """Memberships held for the whole ISO week starting `monday` (see `Membership.covers_week`)."""
        sunday = monday + dt.timedelta(days=6)
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=sunday), started_on__lte=monday)


class Membership(models.Model):
    """A person's place in a team, from `started_on` until `ended_on` (both organisation-local dates).

    Memberships are never rewritten: moving someone or taking them out of a team ends the row
    and, for a move, starts a new one. Published team figures count a person in a week only
    when they were a member for all of it, so the past cannot be re-cut by today's changes.
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(
        _("from"),
        blank=True,
        help_text=_("The first day in the team. Empty means today, in the organisation's time zone."),
    )
    ended_on = models.DateField(_("until"), null=True, blank=True, help_text=_("The day the person left the team."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["team__name", "role", "user__email", "-started_on"]
        constraints = [
            # One open membership per person and team; ended ones are kept as history.
            models.UniqueConstraint(
                fields=["user", "team"], condition=models.Q(ended_on__isnull=True), name="membership_one_open_per_team"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            ),
        ]
        indexes = [
            # Team dashboards count members per team and role.
            models.Index(fields=["team", "role"], name="membership_team_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} ({self.get_role_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.started_on is None:
            self.started_on = self.team.organisation.today()
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def covers_week(self, monday: dt.date) -> bool:
        """Whether the person was in the team for the whole week: from its Monday, not gone before its Sunday."""
        sunday = monday + dt.timedelta(days=6)
        return self.started_on <= monday and (self.ended_on is None or self.ended_on >= sunday)

    def clean(self) -> None:
        super().clean()
        user_org = getattr(self.user, "organisation_id", None) if self.user_id else None
        team_org = self.team.organisation_id if self.team_id else None
        if user_org and team_org and user_org != team_org:
            raise ValidationError(_("A person can only join teams of their own organisation."))
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A membership cannot end before it starts.")})


class TeamGroup(models.Model):
    """Teams whose figures are also published together, so that small teams still count somewhere.

    A group is a published unit like a team: decided with every other unit of its week. Its
    people are the members of its teams that week, each counted once.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="team_groups", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    teams = models.ManyToManyField(Team, related_name="groups", verbose_name=_("teams"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group of teams")
        verbose_name_plural = _("groups of teams")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_group_name_unique_in_organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """One recorded action. `detail` holds ids and names of things, never check-in values or free text."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        DASHBOARD_VIEW = "dashboard_view", _("Viewed a team dashboard")
        ORGANISATION_VIEW = "organisation_view", _("Viewed the organisation overview")
        EXPORT = "export", _("Downloaded an export")
        DIGEST_SENT = "digest_sent", _("Weekly digest sent")
        SHARED_CHECKIN_VIEW = "shared_checkin_view", _("Opened a shared check-in")
        ERASURE = "erasure", _("Erased data")
        PERSON_LEFT = "person_left", _("Marked a person as left")
        LEAVER_CLOSED = "leaver_closed", _("Closed a leaver's account")
        PEOPLE_IMPORTED = "people_imported", _("Imported people from a file")
        ADMIN_CHANGE = "admin_change", _("Other change in the admin")
        RETENTION = "retention", _("Deleted old check-ins (retention)")
        # Admin changes that can affect what is published: each with its before and after.
        K_LOWERING_SCHEDULED = "k_lowering_scheduled", _("Scheduled a lower smallest group (k)")
        K_LOWERING_CANCELLED = "k_lowering_cancelled", _("Cancelled a scheduled lower smallest group (k)")
        K_RAISED = "k_raised", _("Raised the smallest group (k)")
        ORGANISATION_CHANGED = "organisation_changed", _("Changed the organisation's settings")
        MEMBERSHIP_STARTED = "membership_started", _("Added a person to a team")
        MEMBERSHIP_CHANGED = "membership_changed", _("Changed the dates of a membership")
        MEMBERSHIP_ENDED = "membership_ended", _("Ended a membership")
        MEMBERSHIP_MOVED = "membership_moved", _("Moved a person to another team")
        MEMBERSHIP_ROLE_CHANGED = "membership_role_changed", _("Changed a person's role in a team")
        MEMBERSHIP_DELETED = "membership_deleted", _("Deleted a membership")
        TEAM_CREATED = "team_created", _("Created a team")
        TEAM_RENAMED = "team_renamed", _("Renamed a team")
        TEAM_DELETED = "team_deleted", _("Deleted a team")
        GROUP_CREATED = "group_created", _("Created a group of teams")
        GROUP_RENAMED = "group_renamed", _("Renamed a group of teams")
        GROUP_TEAMS_CHANGED = "group_teams_changed", _("Changed the teams in a group")
        GROUP_DELETED = "group_deleted", _("Deleted a group of teams")
        TEAM_ACTION_RECORDED = "team_action_recorded", _("Recorded a team action")
        TEAM_ACTION_DELETED = "team_action_deleted", _("Deleted a team action")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("who")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    period = models.CharField(_("period"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at"]
        indexes = [
            # The admin's audit list filters by organisation, newest first.
            models.Index(fields=["organisation", "-created_at"], name="audit_org_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"
