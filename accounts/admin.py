"""The admin: superusers see everything; organisation admins see only their own organisation.

`OrganisationScopedAdmin` is the one place where that scoping is done; the other apps
use it for their own admin screens (practice catalogue, reminder schedules, …).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from . import audit, leavers, memberships, people_import, thresholds
from .checklist import needs_two_step
from .invitations import queue_invitations, send_invitation
from .models import AuditEvent, Membership, Organisation, Team, TeamGroup, User, time_zone_choices
from .people_import import PersonResource

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations


class _MemberCount(TypedDict):
    _member_count: int


class _CurrentMemberships(TypedDict):
    current_memberships: list[Membership]


admin.site.site_header = _("STS Check-in administration")
admin.site.site_title = _("STS Check-in admin")
admin.site.index_title = _("Set up your organisation")


def admin_organisation_id(request: HttpRequest) -> int | None:
    """The organisation an active organisation admin looks after; None for anyone else (superusers too)."""
    user = request.user
    if isinstance(user, User) and user.is_active and user.is_org_admin:
        return user.organisation_id
    return None


def is_org_admin(request: HttpRequest) -> bool:
    return admin_organisation_id(request) is not None


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Scope every list, form and object lookup to the signed-in admin's organisation.

    `organisation_lookup` is the ORM path from the model to its Organisation.
    Objects outside the organisation answer 404, as if they did not exist.
    """

    organisation_lookup = "organisation"

    def _in_scope(self, request: HttpRequest, obj) -> bool:
        if request.user.is_superuser:
            return True
        organisation_id = admin_organisation_id(request)
        if organisation_id is None:
            return False
        if obj is None:
            return True
        in_organisation = self.model._default_manager.filter(**{self.organisation_lookup: organisation_id})
        return in_organisation.filter(pk=obj.pk).exists()

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organisation_id = admin_organisation_id(request)
        if organisation_id is None:
            return queryset.none()
        return queryset.filter(**{self.organisation_lookup: organisation_id})

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request, None)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and field.queryset is not None and not request.user.is_superuser:
            field.queryset = _scope_choices(field.queryset, request)
            if db_field.remote_field.model is Organisation:
                field.empty_label = None
        return field

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and field.queryset is not None and not request.user.is_superuser:
            field.queryset = _scope_choices(field.queryset, request)
        return field

    def get_exclude(self, request: HttpRequest, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and "organisation" in {f.name for f in self.model._meta.fields}:
            exclude.append("organisation")
        return exclude

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not request.user.is_superuser and hasattr(obj, "organisation_id") and not obj.organisation_id:
            obj.organisation_id = admin_organisation_id(request)
        super().save_model(request, obj, form, change)

    def confirmation_page(
        self, request: HttpRequest, template: str, *, action: str, title: str, form: forms.Form, chosen: list, **extra
    ) -> TemplateResponse:
        """The page an action shows before it changes anything (templates/admin/accounts/action_confirmation.html):
        `chosen` are the rows it will change, posted again with the confirmation."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "chosen": chosen,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": action,
            "media": self.media,
            **extra,
        }
        return TemplateResponse(request, template, context)


def _scope_choices(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """Limit a foreign-key dropdown to rows of the admin's own organisation."""
    org_id = admin_organisation_id(request)
    model = queryset.model
    if model is Organisation:
        return queryset.filter(pk=org_id)
    if model is User or model is Team:
        return queryset.filter(organisation_id=org_id)
    field_names = {f.name for f in model._meta.get_fields()}
    if "organisation" in field_names:
        return queryset.filter(organisation_id=org_id)
    if "team" in field_names:
        return queryset.filter(team__organisation_id=org_id)
    return queryset


class UniqueNameInOrganisationForm(forms.ModelForm):
    """Names are unique within an organisation; say so in the form, also when the admin's
    organisation is not a field of the form (organisation admins)."""

    scope_organisation_id: int | None = None

    def organisation_id(self) -> int | None:
        organisation = self.cleaned_data.get("organisation")
        if organisation is not None:
            return organisation.pk
        return self.instance.organisation_id or self.scope_organisation_id

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        organisation_id = self.organisation_id()
        if name and organisation_id:
            clash = self._meta.model._default_manager.filter(organisation_id=organisation_id, name__iexact=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("This organisation already has one with this name."))
        return cleaned


def scoped_form(form_class, request: HttpRequest, **attrs):
    """A subclass of `form_class` that knows who is using it (forms have no request)."""
    attrs.setdefault("for_superuser", request.user.is_superuser)
    if not request.user.is_superuser:
        attrs.setdefault("scope_organisation_id", admin_organisation_id(request))
    return type(form_class.__name__, (form_class,), attrs)


class ScopedFormAdmin(OrganisationScopedAdmin):
    """An admin whose form knows who is using it (`scoped_form`)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = scoped_form(self.form, request)
        return super().get_form(request, obj, change, **kwargs)


class RecordedDeletionAdmin(OrganisationScopedAdmin):
    """An admin whose deletions, one or many at once, are each written to the audit log first."""

    def _record_deletion(self, request: HttpRequest, obj) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter whose `options` map each value to its label and what it keeps of the list."""

    options: dict[str, tuple[StrOrPromise, Callable[[models.QuerySet], models.QuerySet]]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _keep) in self.options.items()]

    def queryset(self, request, queryset):
        chosen = self.options.get(self.value() or "")
        return chosen[1](queryset) if chosen else queryset


# --- Organisation: k is changed by accounts.thresholds ------------------------------------------

K_HELP_TEXT = _(
    "Team figures are shown only when at least this many different people checked in. It can never be "
    "lower than 3. Raising it applies from the next published week. Lowering it never applies at once: it "
    "applies from the first week whose Sunday is at least 14 days from today, weeks before it keep the "
    "current value, and everyone in the organisation is emailed what changes and from which week. "
    "Entering the current value again cancels a scheduled lowering."
)
# Changes to these are recorded with their before and after (k has its own events).
AUDITED_ORGANISATION_FIELDS = (
    "name",
    "time_zone",
    "language",
    "retention_days",
    "leaver_access_days",
    "support_contact",
    "crisis_contact",
    "support_contact_es",
    "crisis_contact_es",
    "support_person_id",
)
CONTACT_FIELDS = ["support_contact", "crisis_contact", "support_contact_es", "crisis_contact_es"]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "time_zone",
            "language",
            "anonymity_k",
            *CONTACT_FIELDS,
            "support_person",
            "retention_days",
            "leaver_access_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Staff see "Support now" from their first day: a new organisation starts with both contacts.
            for name in ("support_contact", "crisis_contact"):
                if name in self.fields:
                    self.fields[name].required = True
        if "anonymity_k" in self.fields:
            self.fields["anonymity_k"].help_text = K_HELP_TEXT
            if self.instance.pk:
                # The field asks what k should be: a scheduled lower value is what was asked for last.
                self.initial["anonymity_k"] = thresholds.target_k(self.instance)
        if "support_person" in self.fields:
            self.fields["support_person"].queryset = (
                User.objects.filter(organisation=self.instance, is_active=True)
                if self.instance.pk
                else User.objects.none()
            )


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    form = OrganisationForm
    organisation_lookup = "pk"
    list_display = ["name", "time_zone", "anonymity_k", "scheduled_k"]
    search_fields = ["name"]
    readonly_fields = ["scheduled_k_change"]

    def get_fields(self, request, obj=None):
        fields = list(OrganisationForm.Meta.fields)
        if obj is not None:
            fields.insert(4, "scheduled_k_change")
        return fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.TypedChoiceField(
                choices=time_zone_choices(), label=db_field.verbose_name, help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        organisation = self.get_object(request, object_id)
        if request.method == "GET" and organisation is not None and organisation.contacts_missing:
            messages.warning(
                request,
                gettext(
                    "Staff see a fallback on “Support now” (call your local emergency number) until both a support "
                    "contact and a crisis contact are filled in below."
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("scheduled change of the smallest group"))
    def scheduled_k_change(self, organisation: Organisation) -> str:
        return thresholds.describe_schedule(organisation)

    @admin.display(description=_("scheduled lower k"))
    def scheduled_k(self, organisation: Organisation) -> str:
        if organisation.lowered_k is None or organisation.lowered_k_from is None:
            return "—"
        return gettext("%(k)d from the week of %(monday)s") % {
            "k": organisation.lowered_k,
            "monday": organisation.lowered_k_from.isoformat(),
        }

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = Organisation.objects.get(pk=obj.pk)
        requested_k = obj.anonymity_k
        # k is never written by the form: do_change_k decides what applies when.
        obj.anonymity_k, obj.lowered_k, obj.lowered_k_from = stored.anonymity_k, stored.lowered_k, stored.lowered_k_from
        changes = {
            field: {"before": getattr(stored, field), "after": getattr(obj, field)}
            for field in AUDITED_ORGANISATION_FIELDS
            if getattr(stored, field) != getattr(obj, field)
        }
        super().save_model(request, obj, form, change)
        if changes:
            audit.record(
                AuditEvent.Action.ORGANISATION_CHANGED,
                actor=request.user,
                organisation_id=obj.pk,
                detail={"changes": changes},
            )
        result = thresholds.do_change_k(obj, requested_k, actor=request.user)
        if result.action == AuditEvent.Action.K_LOWERING_SCHEDULED:
            messages.warning(request, thresholds.describe_schedule(obj))
        elif result.action == AuditEvent.Action.K_RAISED:
            messages.info(
                request,
                gettext(
                    "The smallest group shown is now %(k)d. It applies from the next published week; weeks already "
                    "published do not change."
                )
                % {"k": obj.anonymity_k},
            )
        elif result.action == AuditEvent.Action.K_LOWERING_CANCELLED:
            messages.info(
                request,
                gettext("The scheduled lowering is cancelled; the smallest group shown stays %(k)d. Everyone was told.")
                % {"k": obj.anonymity_k},
            )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


# --- Memberships: dated, history kept, changed through accounts.memberships --------------------


class MembershipForm(forms.ModelForm):
    """One membership. Who and which team never change once saved; an ended one is history.

    To take someone out of a team, set "until" (or use the "End membership" action); to move
    them, use "Move to another team". Only superusers may correct the dates of an ended one.
    """

    for_superuser = False

    class Meta:
        model = Membership
        fields = ["user", "team", "role", "started_on", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            locked = ["user", "team"]
            if self.instance.ended_on is not None:
                locked += ["role"] if self.for_superuser else ["role", "started_on", "ended_on"]
            for name in locked:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = ""

    def _team(self) -> Team | None:
        """The membership's team, if it is saved (on a new team's page it is not yet)."""
        team = self.cleaned_data.get("team") or (self.instance.team if self.instance.team_id else None)
        return team if team is not None and team.pk and team.organisation_id else None

    def _organisation(self) -> Organisation | None:
        team = self._team()
        if team is not None:
            return team.organisation
        user = self.cleaned_data.get("user") or (self.instance.user if self.instance.user_id else None)
        return getattr(user, "organisation", None)

    def clean(self):
        cleaned = super().clean()
        organisation = self._organisation()
        today = organisation.today() if organisation else timezone.now().date()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and started > today:
            self.add_error("started_on", _("A membership cannot start in the future. Add the person on the day."))
        if ended and ended > today:
            self.add_error("ended_on", _("A membership cannot end in the future. End it on the day, or earlier."))
        if self.instance.pk and self.instance.ended_on is None and ended and "role" in self.changed_data:
            self.add_error("role", _("End the membership or change the role, not both at once."))
        user = cleaned.get("user") or (self.instance.user if self.instance.user_id else None)
        team = self._team()
        if (
            user
            and team
            and ended is None
            and Membership.objects.current().filter(user=user, team=team).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error("user", _("%(person)s is already in this team.") % {"person": user})
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[int] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            user = data.get("user") or (form.instance.user if form.instance.user_id else None)
            if user is None or data.get("ended_on") is not None:
                continue
            if user.pk in seen:
                raise ValidationError(
                    _("%(person)s is in the list twice. A person is in a team once at a time.") % {"person": user}
                )
            seen.add(user.pk)


def save_membership_edit(request: HttpRequest, stored: Membership, edited: Membership) -> None:
    """Apply what the admin changed on a saved membership through the named verbs."""
    memberships.do_change_membership_dates(
        stored, started_on=edited.started_on or stored.started_on, ended_on=edited.ended_on, actor=request.user
    )
    if edited.role != stored.role and stored.is_current:
        memberships.do_change_role(stored, edited.role, actor=request.user)
        messages.info(
            request,
            gettext(
                "%(person)s's role in %(team)s changed: the membership with the old role ended today and one "
                "with the new role started today."
            )
            % {"person": stored.user, "team": stored.team},
        )


def _memberships_go_along(result):
    """`get_deleted_objects` for a team or a person: their memberships are deleted with them,
    although an organisation admin may not delete a membership on its own."""
    deleted, model_count, perms_needed, protected = result
    perms_needed = {name for name in perms_needed if name != Membership._meta.verbose_name}
    return deleted, model_count, perms_needed, protected


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["user", "role", "started_on", "ended_on"]
    extra = 1
    autocomplete_fields = ["user"]
    show_change_link = True
    verbose_name_plural = _("memberships (current first, then history)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .order_by(models.F("ended_on").desc(nulls_first=True), "user__email", "-started_on")
        )

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = scoped_form(MembershipForm, request)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if not request.user.is_superuser:
            field.queryset = _scope_choices(field.queryset, request)
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A tabular inline shows labels only as column headings: name each control for screen readers.
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return field

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None) -> bool:
        # Ending a membership keeps the history; deleting one erases it.
        return request.user.is_superuser


@admin.register(Team)
class TeamAdmin(ScopedFormAdmin, RecordedDeletionAdmin):
    form = UniqueNameInOrganisationForm
    list_display = ["name", "organisation", "member_count"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=models.Count("memberships", filter=models.Q(memberships__ended_on__isnull=True)))
        )

    @admin.display(description=_("people now"), ordering="_member_count")
    def member_count(self, team: WithAnnotations[Team, _MemberCount]) -> int:
        return team._member_count

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else []

    def save_model(self, request, obj, form, change):
        old_name = Team.objects.filter(pk=obj.pk).values_list("name", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(
                AuditEvent.Action.TEAM_CREATED,
                actor=request.user,
                team=obj,
                detail={"team": {"id": obj.pk, "name": obj.name}},
            )
        elif old_name != obj.name:
            audit.record(
                AuditEvent.Action.TEAM_RENAMED,
                actor=request.user,
                team=obj,
                detail={
                    "team": {"id": obj.pk, "name": obj.name},
                    "before": {"name": old_name},
                    "after": {"name": obj.name},
                },
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            memberships.do_delete_membership(membership, actor=request.user)
        for edited, _fields in formset.changed_objects:
            stored = Membership.objects.select_related("user", "team__organisation").get(pk=edited.pk)
            save_membership_edit(request, stored, edited)
        for membership in formset.new_objects:
            memberships.do_add_membership(membership, actor=request.user)

    def get_deleted_objects(self, objs, request):
        # A team's memberships go with it (organisation admins cannot delete memberships one by
        # one, which would rewrite a team's history quietly); the audit entry keeps them all.
        return _memberships_go_along(super().get_deleted_objects(objs, request))

    def _record_deletion(self, request, team: Team) -> None:
        rows = team.memberships.select_related("user").order_by("started_on", "pk")
        audit.record(
            AuditEvent.Action.TEAM_DELETED,
            actor=request.user,
            organisation_id=team.organisation_id,
            detail={
                "team": {"id": team.pk, "name": team.name},
                "members": sum(1 for m in rows if m.is_current),
                "groups": list(team.groups.values_list("name", flat=True)),
                "memberships": [memberships.membership_detail(m) for m in rows],
            },
        )


class MembershipStatusFilter(ChoiceFilter):
    title = _("status")
    parameter_name = "status"
    options = {
        "current": (_("Current"), lambda rows: rows.filter(ended_on__isnull=True)),
        "ended": (_("Ended"), lambda rows: rows.filter(ended_on__isnull=False)),
    }


class MoveForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label=_("Move to the team"),
        help_text=_("Each person leaves their team today and joins this one today, with the same role."),
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


@admin.register(Membership)
class MembershipAdmin(ScopedFormAdmin):
    form = MembershipForm
    organisation_lookup = "team__organisation"
    list_display = ["user", "team", "role", "started_on", "ended_on"]
    list_filter = [MembershipStatusFilter, "role"]
    search_fields = ["user__email", "user__display_name", "team__name"]
    autocomplete_fields = ["user", "team"]
    actions = ["move_to_another_team", "end_memberships"]
    list_select_related = ["user", "team"]

    def has_change_permission(self, request, obj=None) -> bool:
        # An ended membership is history: organisation admins can read it, not rewrite it.
        if obj is not None and obj.ended_on is not None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Organisation admins end memberships; only superusers may erase one.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            memberships.do_add_membership(obj, actor=request.user)
            return
        stored = Membership.objects.select_related("user", "team__organisation").get(pk=obj.pk)
        save_membership_edit(request, stored, obj)
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        memberships.do_delete_membership(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "team"):
            memberships.do_delete_membership(membership, actor=request.user)

    @admin.action(description=_("Move to another team"), permissions=["change"])
    def move_to_another_team(self, request, queryset):
        selected = list(queryset.select_related("user", "team__organisation"))
        current = [m for m in selected if m.is_current]
        organisations = {m.team.organisation_id for m in current}
        if not current:
            messages.warning(request, gettext("Only current memberships can be moved; the ones chosen have ended."))
            return None
        if len(organisations) > 1:
            messages.error(request, gettext("Choose memberships of one organisation at a time."))
            return None
        (organisation_id,) = organisations
        teams = Team.objects.filter(organisation_id=organisation_id).order_by("name")
        form = MoveForm(request.POST if "apply" in request.POST else None, teams=teams)
        if "apply" in request.POST and form.is_valid():
            team = form.cleaned_data["team"]
            moved, refused = [], []
            for membership in current:
                try:
                    memberships.do_move_membership(membership, team, actor=request.user)
                except memberships.MembershipError:
                    refused.append(str(membership.user))
                else:
                    moved.append(str(membership.user))
            if moved:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person moved to %(team)s today and emailed about it.",
                        "%(count)d people moved to %(team)s today and emailed about it.",
                        len(moved),
                    )
                    % {"count": len(moved), "team": team.name},
                )
            if refused:
                messages.warning(
                    request,
                    gettext("Not moved (already in %(team)s): %(names)s.")
                    % {"team": team.name, "names": ", ".join(refused)},
                )
            return None
        return self.confirmation_page(
            request,
            "admin/accounts/membership/move_to_team.html",
            action="move_to_another_team",
            title=gettext("Move to another team"),
            form=form,
            chosen=current,
            ended=[m for m in selected if not m.is_current],
        )

    @admin.action(description=_("End membership (today)"), permissions=["change"])
    def end_memberships(self, request, queryset):
        ended = 0
        for membership in queryset.select_related("user", "team__organisation"):
            if memberships.do_end_membership(membership, actor=request.user):
                ended += 1
        messages.success(
            request,
            ngettext(
                "%(count)d membership ended today; its history is kept.",
                "%(count)d memberships ended today; their history is kept.",
                ended,
            )
            % {"count": ended},
        )


# --- Groups of teams ---------------------------------------------------------------------------

GROUP_HELP_TEXT = _(
    "A group publishes the figures of several teams together. It exists for small teams: a team with "
    "fewer people than the smallest group shown can never show its own figures, but a group that joins "
    "several small teams can (three teams of 3 make a group of 9). Mind the arithmetic: the group's figures "
    "minus its teams' shown figures would reveal its hidden teams, so a group whose only hidden team is one "
    "small team is itself hidden. Groups help when they join several small teams."
)


class TeamGroupForm(UniqueNameInOrganisationForm):
    class Meta:
        model = TeamGroup
        fields = ["organisation", "name", "teams"]
        widgets = {"teams": forms.CheckboxSelectMultiple}
        help_texts = {"teams": GROUP_HELP_TEXT}

    def clean(self):
        cleaned = super().clean()
        organisation_id = self.organisation_id()
        teams = cleaned.get("teams")
        if teams is not None and organisation_id and any(t.organisation_id != organisation_id for t in teams):
            self.add_error("teams", _("A group can only join teams of its own organisation."))
        return cleaned


@admin.register(TeamGroup)
class TeamGroupAdmin(ScopedFormAdmin, RecordedDeletionAdmin):
    form = TeamGroupForm
    list_display = ["name", "team_names", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "teams__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("teams")

    def get_list_display(self, request):
        return self.list_display if request.user.is_superuser else [f for f in self.list_display if f != "organisation"]

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else []

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": GROUP_HELP_TEXT}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("teams"))
    def team_names(self, group: TeamGroup) -> str:
        return ", ".join(sorted(t.name for t in group.teams.all())) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            stored = TeamGroup.objects.get(pk=obj.pk)
            request._group_before = {"name": stored.name, "teams": _team_refs(stored.teams.all())}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        teams_now = _team_refs(group.teams.all())
        ref = {"id": group.pk, "name": group.name}
        if not change:
            audit.record(
                AuditEvent.Action.GROUP_CREATED,
                actor=request.user,
                organisation_id=group.organisation_id,
                detail={"group": ref, "teams": teams_now},
            )
            return
        before = getattr(request, "_group_before", {"name": group.name, "teams": teams_now})
        if before["name"] != group.name:
            audit.record(
                AuditEvent.Action.GROUP_RENAMED,
                actor=request.user,
                organisation_id=group.organisation_id,
                detail={"group": ref, "before": {"name": before["name"]}, "after": {"name": group.name}},
            )
        before_ids = {t["id"] for t in before["teams"]}
        now_ids = {t["id"] for t in teams_now}
        if before_ids != now_ids:
            audit.record(
                AuditEvent.Action.GROUP_TEAMS_CHANGED,
                actor=request.user,
                organisation_id=group.organisation_id,
                detail={
                    "group": ref,
                    "added": [t for t in teams_now if t["id"] not in before_ids],
                    "removed": [t for t in before["teams"] if t["id"] not in now_ids],
                    "before": {"teams": before["teams"]},
                    "after": {"teams": teams_now},
                },
            )

    def _record_deletion(self, request, group: TeamGroup) -> None:
        audit.record(
            AuditEvent.Action.GROUP_DELETED,
            actor=request.user,
            organisation_id=group.organisation_id,
            detail={"group": {"id": group.pk, "name": group.name}, "teams": _team_refs(group.teams.all())},
        )


def _team_refs(teams) -> list[dict]:
    return sorted(({"id": t.pk, "name": t.name} for t in teams), key=lambda t: t["name"].lower())


# --- People --------------------------------------------------------------------------------------

CREATE_TEAMS_LABEL = _("Create teams that are not there yet")


class PeopleImportForm(ImportForm):
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.all())
    create_teams = forms.BooleanField(
        label=CREATE_TEAMS_LABEL,
        required=False,
        help_text=_(
            "Without this, a row naming a team that does not exist is rejected, so that a typing "
            "mistake does not create a team."
        ),
    )


class PeopleConfirmImportForm(ConfirmImportForm):
    organisation = forms.IntegerField(widget=forms.HiddenInput, required=False)
    create_teams = forms.BooleanField(widget=forms.HiddenInput, required=False)


class MembershipHistoryInline(admin.TabularInline):
    """A person's teams, current and past, read-only: memberships are changed from the team or membership pages."""

    model = Membership
    fields = readonly_fields = ("team", "role", "started_on", "ended_on")
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("teams (current and past)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("team")
            .order_by(models.F("ended_on").desc(nulls_first=True), "-started_on")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    has_change_permission = has_delete_permission = has_add_permission


class PersonAddForm(forms.ModelForm):
    """Adding a person gives them a place (teams and role) and invites them: they choose their own
    password from the email. Time zone and language start as the organisation's."""

    teams = forms.ModelMultipleChoiceField(
        label=_("teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The person can check in from their first day. Leave empty only for someone who will not "
            "check in, such as an organisation admin."
        ),
    )
    role = forms.ChoiceField(
        label=_("role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER, required=False
    )

    class Meta:
        model = User
        fields = ["email", "display_name", "time_zone", "language", "organisation", "is_org_admin"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this email address already has an account."))
        return email

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        teams = cleaned.get("teams") or []
        if organisation is not None and any(team.organisation_id != organisation.pk for team in teams):
            self.add_error("teams", _("A person can only join teams of their own organisation."))
        return cleaned


def _in_a_team() -> models.QuerySet:
    return Membership.objects.current().values("user_id")


class InvitationFilter(ChoiceFilter):
    title = _("invitation")
    parameter_name = "invitation"
    # An invited person has an unusable password ("!…") until they choose one.
    options = {
        "pending": (_("not accepted yet"), lambda people: people.filter(password__startswith="!")),
        "accepted": (_("accepted"), lambda people: people.exclude(password__startswith="!")),
    }


class TeamPlaceFilter(ChoiceFilter):
    title = _("team")
    parameter_name = "place"
    options = {
        "none": (_("no team"), lambda people: people.exclude(pk__in=_in_a_team())),
        "some": (_("in a team"), lambda people: people.filter(pk__in=_in_a_team())),
    }


class LeftFilter(ChoiceFilter):
    title = _("left")
    parameter_name = "left"
    options = {
        "no": (_("still here"), lambda people: people.filter(left_on__isnull=True)),
        "yes": (_("left"), lambda people: people.filter(left_on__isnull=False)),
    }


class TwoStepFilter(ChoiceFilter):
    title = _("two-step sign-in")
    parameter_name = "two_step"
    options = {
        "missing": (_("needed but not on"), lambda people: needs_two_step(people).filter(two_factor_enabled=False)),
        "on": (_("on"), lambda people: people.filter(two_factor_enabled=True)),
    }


class LeaverConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, these people have left the organisation."),
        required=True,
    )


@admin.register(User)
class PersonAdmin(ImportMixin, OrganisationScopedAdmin, DjangoUserAdmin):
    add_form = PersonAddForm
    list_display = ["email", "display_name", "team_names", "invitation", "organisation", "is_org_admin", "left_on"]
    list_filter = [InvitationFilter, TeamPlaceFilter, LeftFilter, TwoStepFilter, "is_org_admin"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined", "left_on"]
    actions = ["resend_invitation", "mark_as_left"]
    inlines = [MembershipHistoryInline]
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "email",
                    "display_name",
                    "organisation",
                    "teams",
                    "role",
                    "time_zone",
                    "language",
                    "is_org_admin",
                )
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("email", "display_name", "time_zone", "language")}),
        (_("Organisation"), {"fields": ("organisation", "is_org_admin", "is_active", "left_on")}),
        (_("History"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (_("Site-wide permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    # Bulk import (accounts/people_import.py): a preview first, nothing written until confirmed.
    resource_classes = [PersonResource]
    import_formats = [base_formats.CSV, base_formats.TSV]
    import_form_class = PeopleImportForm
    confirm_form_class = PeopleConfirmImportForm
    import_template_name = "admin/accounts/user/import.html"

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                models.Prefetch(
                    "memberships",
                    queryset=Membership.objects.current().select_related("team"),
                    to_attr="current_memberships",
                )
            )
        )

    @admin.display(description=_("teams"))
    def team_names(self, person: WithAnnotations[User, _CurrentMemberships]) -> str:
        return ", ".join(sorted(m.team.name for m in person.current_memberships)) or gettext("no team")

    @admin.display(description=_("invitation"))
    def invitation(self, person: User) -> str:
        return gettext("accepted") if person.has_accepted_invitation else gettext("not accepted yet")

    def get_deleted_objects(self, objs, request):
        return _memberships_go_along(super().get_deleted_objects(objs, request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.add_fieldsets if obj is None else self.fieldsets
        if request.user.is_superuser:
            return fieldsets + (self.superuser_fieldsets if obj is not None else ())
        return tuple(
            (title, {**options, "fields": tuple(f for f in options["fields"] if f != "organisation")})
            for title, options in fieldsets
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "teams" in form.base_fields:
            teams = Team.objects.order_by("organisation__name", "name")
            if not request.user.is_superuser:
                teams = teams.filter(organisation_id=request.user.organisation_id)
            form.base_fields["teams"].queryset = teams
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisation = request.user.organisation if is_org_admin(request) else None
        if organisation is not None:
            initial.setdefault("time_zone", organisation.time_zone)
            initial.setdefault("language", organisation.language)
        return initial

    def get_list_filter(self, request):
        return (["organisation", *self.list_filter]) if request.user.is_superuser else self.list_filter

    def get_list_display(self, request):
        return self.list_display if request.user.is_superuser else [f for f in self.list_display if f != "organisation"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.TypedChoiceField(choices=time_zone_choices(), label=db_field.verbose_name, initial="UTC")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        is_new = obj.pk is None
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
            obj.is_superuser = False
        if is_new:
            obj.set_unusable_password()
            if not obj.language and obj.organisation_id:
                obj.language = obj.organisation.language
        super().save_model(request, obj, form, change)
        if is_new:
            role = form.cleaned_data.get("role") or Membership.Role.MEMBER
            for team in form.cleaned_data.get("teams") or []:
                if team.organisation_id == obj.organisation_id:
                    memberships.do_start_membership(obj, team, role, actor=request.user, notify=False)
            send_invitation(obj, invited_by=request.user)
            messages.success(request, _("An invitation was emailed to %(email)s.") % {"email": obj.email})

    # --- Bulk import ------------------------------------------------------------------------------

    def has_import_permission(self, request) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    def create_import_form(self, request):
        form = super().create_import_form(request)
        if not request.user.is_superuser:
            form.fields.pop("organisation", None)
        return form

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            organisation = import_form.cleaned_data.get("organisation")
            initial["organisation"] = organisation.pk if organisation else None
            initial["create_teams"] = import_form.cleaned_data.get("create_teams", False)
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        data = getattr(form, "cleaned_data", None) or {}
        if request.user.is_superuser:
            chosen = data.get("organisation")
            organisation = Organisation.objects.filter(pk=getattr(chosen, "pk", chosen)).first() if chosen else None
        else:
            # An organisation admin imports into their own organisation, whatever the form says.
            organisation = request.user.organisation if is_org_admin(request) else None
        return {"organisation": organisation, "create_teams": bool(data.get("create_teams")), "actor": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "sample_file": "accounts/people-import-sample.csv",
            "columns": people_import.COLUMNS,
        }

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            gettext(
                "Import done: %(new)d invited, %(changed)d changed, %(unchanged)d unchanged. Invitations are on "
                "their way, a few a second."
            )
            % {"new": totals.get("new", 0), "changed": totals.get("update", 0), "unchanged": totals.get("skip", 0)},
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "Nothing was imported: the file changed or someone else changed these people since the preview. "
                    "Upload it again to see a fresh preview."
                ),
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_import"))
        return super().process_result(result, request)

    # --- Actions --------------------------------------------------------------------------------

    @admin.action(description=_("Resend invitation (not accepted yet)"), permissions=["change"])
    def resend_invitation(self, request, queryset):
        pending = [p.pk for p in queryset if not p.has_accepted_invitation and p.is_active and p.left_on is None]
        queue_invitations(pending, invited_by=request.user)
        skipped = queryset.count() - len(pending)
        messages.success(
            request,
            ngettext(
                "%(count)d invitation is on its way.",
                "%(count)d invitations are on their way.",
                len(pending),
            )
            % {"count": len(pending)},
        )
        if skipped:
            messages.info(
                request,
                ngettext(
                    "%(count)d person was left out: they have accepted already or have left.",
                    "%(count)d people were left out: they have accepted already or have left.",
                    skipped,
                )
                % {"count": skipped},
            )

    @admin.action(description=_("Mark as left the organisation"), permissions=["change"])
    def mark_as_left(self, request, queryset):
        people = list(queryset.filter(left_on__isnull=True).select_related("organisation"))
        if not people:
            messages.warning(request, gettext("The people chosen have already left."))
            return None
        form = LeaverConfirmForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for person in people:
                leavers.do_mark_left(person, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "%(count)d person marked as left: their teams ended today and they were signed out.",
                    "%(count)d people marked as left: their teams ended today and they were signed out.",
                    len(people),
                )
                % {"count": len(people)},
            )
            return None
        organisation = people[0].organisation
        return self.confirmation_page(
            request,
            "admin/accounts/user/mark_as_left.html",
            action="mark_as_left",
            title=gettext("Mark as left the organisation"),
            form=form,
            chosen=people,
            access_days=organisation.leaver_access_days if organisation else 0,
            retention_days=organisation.retention_days if organisation else None,
        )


admin.site.unregister(Group)


class ReadOnlyScopedAdmin(OrganisationScopedAdmin):
    """Rows the application writes and nobody edits (the audit log, published weeks).

    Superusers read every organisation's rows, and see which organisation each belongs to;
    an organisation admin reads only their own.
    """

    def get_list_display(self, request):
        return self.list_display if request.user.is_superuser else [f for f in self.list_display if f != "organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    has_delete_permission = has_change_permission


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    """The audit log: written by the application, never edited."""

    list_display = ["created_at", "action", "actor", "summary", "team", "organisation"]
    list_filter = ["action"]
    list_select_related = ["actor", "team", "organisation"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "action", "actor", "organisation", "team", "period", "summary", "detail"]

    def get_list_filter(self, request):
        return ["organisation", *self.list_filter] if request.user.is_superuser else self.list_filter

    @admin.display(description=_("what changed"))
    def summary(self, event: AuditEvent) -> str:
        return audit.summarise(event)
