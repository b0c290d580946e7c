"""Bulk import of people from a CSV or TSV file, with django-import-export in the admin.

One row per person: email, name, team (several separated by ";"), role (member or
supervisor), and optionally time zone and language (the organisation's by default). The
admin first sees a preview of what each row would do, or why it is rejected, with nothing
written (django-import-export runs it in a transaction that is rolled back); confirming
runs it again for real. New people join their teams through accounts.memberships and are
invited through Celery once the import commits (accounts.tasks, throttled). A row that
matches what is already there is skipped, so importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader

from . import audit, memberships
from .invitations import queue_invitations
from .models import AuditEvent, Language, Membership, Organisation, Team, User, validate_time_zone

COLUMNS = ("email", "name", "team", "role", "time_zone", "language")
REQUIRED_COLUMNS = ("email", "team")
# Other spellings of the column names that spreadsheets tend to produce.
COLUMN_ALIASES = {
    "e-mail": "email",
    "email_address": "email",
    "correo": "email",
    "display_name": "name",
    "full_name": "name",
    "nombre": "name",
    "teams": "team",
    "equipo": "team",
    "rol": "role",
    "timezone": "time_zone",
    "tz": "time_zone",
    "zona_horaria": "time_zone",
    "idioma": "language",
    "lang": "language",
}
ROLE_WORDS = {
    "": Membership.Role.MEMBER,
    "member": Membership.Role.MEMBER,
    "miembro": Membership.Role.MEMBER,
    "supervisor": Membership.Role.SUPERVISOR,
    "supervisora": Membership.Role.SUPERVISOR,
}
LANGUAGE_WORDS = {
    "en": Language.ENGLISH,
    "english": Language.ENGLISH,
    "inglés": Language.ENGLISH,
    "ingles": Language.ENGLISH,
    "es": Language.SPANISH,
    "spanish": Language.SPANISH,
    "español": Language.SPANISH,
    "espanol": Language.SPANISH,
}
TEAM_SEPARATORS = re.compile(r"[;|]")


def _column(header) -> str:
    name = re.sub(r"[\s-]+", "_", str(header or "").strip().lower())
    return COLUMN_ALIASES.get(name, name)


def _cell(row, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


@dataclass
class RowPlan:
    """What one valid row will do, decided before anything is written."""

    role: str
    teams: list[str]
    new_teams: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    role_changes: list[str] = field(default_factory=list)
    is_new_person: bool = False

    @property
    def changes_memberships(self) -> bool:
        return bool(self.joins or self.role_changes)


class PreviewDiff(resources.Diff):
    """The preview's columns, read as an export would (so team and role show the person's places)."""

    @classmethod
    def _read_field_values(cls, resource, instance):
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


class PersonResource(resources.ModelResource):
    email = Field(attribute="email", column_name="email")
    name = Field(attribute="display_name", column_name="name")
    team = Field(column_name="team")
    role = Field(column_name="role")
    time_zone = Field(attribute="time_zone", column_name="time_zone")
    language = Field(attribute="language", column_name="language")

    class Meta:
        model = User
        fields = COLUMNS
        import_id_fields = ("email",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, organisation: Organisation | None = None, create_teams: bool = False, actor=None):
        super().__init__()
        self.organisation = organisation
        self.create_teams = create_teams
        self.actor = actor

    @property
    def _organisation(self) -> Organisation:
        assert self.organisation is not None, "before_import refuses an import without an organisation"
        return self.organisation

    def get_diff_class(self):
        return PreviewDiff

    # --- Before any row: columns, the organisation's teams, the people already there -------------

    def before_import(self, dataset, **kwargs):
        if self.organisation is None:
            raise ValueError(_("Choose the organisation to import into."))
        dataset.headers = [_column(header) for header in dataset.headers or []]
        missing = [column for column in REQUIRED_COLUMNS if column not in dataset.headers]
        if missing:
            raise ValueError(
                _("The file needs these columns in its first line: %(columns)s. Missing: %(missing)s.")
                % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
            )
        # Emails are compared in lower case, also by the instance loader built after this step.
        email_column = dataset.headers.index("email")
        for number, values in enumerate(list(dataset)):
            values = list(values)
            values[email_column] = str(values[email_column] or "").strip().lower()
            dataset[number] = tuple(values)
        self.teams = {team.name.casefold(): team for team in self._organisation.teams.all()}
        self.planned_teams: dict[str, str] = {}
        self.seen: dict[str, int] = {}
        emails = set(dataset["email"])
        self.existing = {person.email: person for person in User.objects.filter(email__in=emails - {""})}
        self.current_roles = {
            (m.user_id, m.team_id): m.role
            for m in Membership.objects.current().filter(user__in=list(self.existing.values()))
        }
        self.invited: list[int] = []
        # A first pass checks every row without writing: when any is rejected, nothing is written
        # for the others either (the preview lists only the rejected ones), which keeps a large
        # file with a few mistakes quick to preview.
        self.any_rejected = False
        for number, values in enumerate(dataset, 1):
            try:
                self._check(dict(zip(dataset.headers, values, strict=False)), number)
            except ValidationError:
                self.any_rejected = True
        self.seen, self.planned_teams = {}, {}
        self.teams_created: list[str] = []
        self.plan: RowPlan | None = None

    # --- Each row: check it and decide what it will do ------------------------------------------

    def before_import_row(self, row, row_number=None, **kwargs):
        self._check(row, row_number)

    def _check(self, row, row_number) -> None:
        """Normalise one row in place and decide its plan, or raise ValidationError saying why not."""
        self.plan = None
        errors: dict[str, str] = {}
        line = (row_number or 0) + 1  # the file's first line holds the column names
        email = _cell(row, "email").lower()
        row["email"] = email
        existing = None
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = (
                _("“%(value)s” is not an email address.") % {"value": email}
                if email
                else _("The email address is missing.")
            )
        else:
            existing = self.existing.get(email)
            if email in self.seen:
                errors["email"] = _("This email address is also on line %(line)d.") % {"line": self.seen[email]}
            elif existing is not None and (existing.organisation_id != self._organisation.pk or existing.is_superuser):
                errors["email"] = _("Someone with this email address already has an account elsewhere.")
            elif existing is not None and existing.left_on is not None:
                errors["email"] = _("This person left on %(day)s. Add them again by hand if they are back.") % {
                    "day": existing.left_on.isoformat()
                }
            self.seen.setdefault(email, line)

        role = ROLE_WORDS.get(_cell(row, "role").casefold())
        if role is None:
            errors["role"] = _("“%(value)s” is not a role: write member or supervisor.") % {"value": _cell(row, "role")}
        row["role"] = role or ""

        team_names = [name.strip() for name in TEAM_SEPARATORS.split(_cell(row, "team")) if name.strip()]
        teams, new_teams = [], []
        if not team_names:
            errors["team"] = _("Every person needs a team, so that they can check in from their first day.")
        for name in team_names:
            key = name.casefold()
            if key in self.planned_teams:
                teams.append(self.planned_teams[key])
                new_teams.append(self.planned_teams[key])
            elif key in self.teams:
                teams.append(self.teams[key].name)
            elif self.create_teams:
                stored = self.planned_teams.setdefault(key, name)
                teams.append(stored)
                new_teams.append(stored)
            else:
                errors["team"] = _(
                    "There is no team called “%(name)s”. Check the spelling, or tick “Create teams that "
                    "are not there yet”."
                ) % {"name": name}

        time_zone = _cell(row, "time_zone")
        if time_zone:
            try:
                validate_time_zone(time_zone)
            except ValidationError as error:
                errors["time_zone"] = error.messages[0]
        else:
            time_zone = existing.time_zone if existing else self._organisation.time_zone
        row["time_zone"] = time_zone

        language_word = _cell(row, "language").casefold()
        language: str | None = LANGUAGE_WORDS.get(language_word) if language_word else None
        if language_word and language is None:
            errors["language"] = _("“%(value)s” is not a language we offer: write en or es.") % {
                "value": _cell(row, "language")
            }
        if not language_word:
            language = existing.language if existing else self._organisation.language
        row["language"] = language or ""

        if not _cell(row, "name") and existing is not None:
            row["name"] = existing.display_name
        else:
            row["name"] = _cell(row, "name")

        if errors:
            raise ValidationError(errors)
        plan = RowPlan(role=str(role), teams=teams, new_teams=new_teams, is_new_person=existing is None)
        for name in teams:
            team = self.teams.get(name.casefold())
            current_role = self.current_roles.get((existing.pk, team.pk)) if existing and team else None
            if current_role is None:
                plan.joins.append(name)
            elif current_role != role:
                plan.role_changes.append(name)
        self.plan = plan

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.any_rejected:
            return True
        if self.plan is not None and self.plan.changes_memberships:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    # --- Writing (for the preview too, inside a transaction that is rolled back) ----------------

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.organisation = self.organisation
            instance.set_unusable_password()

    def _team(self, name: str) -> Team:
        team = self.teams.get(name.casefold())
        if team is None:
            team = Team.objects.create(organisation=self._organisation, name=name)
            self.teams[name.casefold()] = team
            self.teams_created.append(name)
            audit.record(
                AuditEvent.Action.TEAM_CREATED,
                actor=self.actor,
                team=team,
                detail={"team": {"id": team.pk, "name": team.name}, "import": True},
            )
        return team

    def after_save_instance(self, instance, row, **kwargs):
        plan = self.plan
        for name in plan.joins:
            # A new person hears about their team in the invitation, not in a second email.
            memberships.do_start_membership(
                instance, self._team(name), plan.role, actor=self.actor, notify=not plan.is_new_person
            )
        for name in plan.role_changes:
            current = (
                Membership.objects.current()
                .select_related("user", "team__organisation")
                .get(user=instance, team=self._team(name))
            )
            memberships.do_change_role(current, plan.role, actor=self.actor)
        if plan.is_new_person:
            self.invited.append(instance.pk)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.line = (kwargs.get("row_number") or 0) + 1
        row_result.what_happens = self.describe(self.plan, row_result.import_type)

    def describe(self, plan: RowPlan | None, import_type: str) -> str:
        if plan is None or import_type == "skip":
            return _("Already here as in the file: nothing changes.")
        parts = []
        if plan.is_new_person:
            parts.append(_("New person, invited by email"))
        role = str(Membership.Role(plan.role).label).lower()
        for name in plan.joins:
            if name in plan.new_teams:
                parts.append(_("joins %(team)s (a new team) as %(role)s") % {"team": name, "role": role})
            else:
                parts.append(_("joins %(team)s as %(role)s") % {"team": name, "role": role})
        for name in plan.role_changes:
            parts.append(_("becomes %(role)s in %(team)s") % {"team": name, "role": role})
        if not plan.is_new_person and not plan.changes_memberships:
            parts.append(_("name, time zone or language updated"))
        text = "; ".join(str(part) for part in parts)
        return text[:1].upper() + text[1:] + "."

    # --- After the last row ---------------------------------------------------------------------

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        queue_invitations(self.invited, invited_by=self.actor)
        totals = result.totals
        audit.record(
            AuditEvent.Action.PEOPLE_IMPORTED,
            actor=self.actor,
            organisation_id=self.organisation.pk,
            detail={
                "file": str(kwargs.get("file_name") or ""),
                "new": totals.get("new", 0),
                "changed": totals.get("update", 0),
                "unchanged": totals.get("skip", 0),
                "teams_created": self.teams_created,
            },
        )

    # --- The preview's team and role columns ----------------------------------------------------

    def _current(self, person: User):
        if person.pk is None:
            return []
        return list(person.memberships.current().select_related("team").order_by("team__name"))

    def dehydrate_team(self, person: User) -> str:
        return "; ".join(m.team.name for m in self._current(person))

    def dehydrate_role(self, person: User) -> str:
        return "; ".join(sorted({str(m.get_role_display()) for m in self._current(person)}))
