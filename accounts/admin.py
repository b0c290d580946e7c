"""The admin: superusers see everything; organisation admins see only their own organisation.

`OrganisationScopedAdmin` is the one place where that scoping is done; the other apps
use it for their own admin screens (practice catalogue, reminder schedules, …).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from .invitations import send_invitation
from .models import AuditEvent, Membership, Organisation, Team, User, time_zone_choices

admin.site.site_header = _("STS Check-in administration")
admin.site.site_title = _("STS Check-in admin")
admin.site.index_title = _("Set up your organisation")


def is_org_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_org_admin and user.organisation_id)


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Scope every list, form and object lookup to the signed-in admin's organisation.

    `organisation_lookup` is the ORM path from the model to its Organisation.
    Objects outside the organisation answer 404, as if they did not exist.
    """

    organisation_lookup = "organisation"

    def _in_scope(self, request: HttpRequest, obj) -> bool:
        if request.user.is_superuser:
            return True
        if not is_org_admin(request):
            return False
        if obj is None:
            return True
        in_organisation = self.model._default_manager.filter(
            **{self.organisation_lookup: request.user.organisation_id}
        )
        return in_organisation.filter(pk=obj.pk).exists()

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not is_org_admin(request):
            return queryset.none()
        return queryset.filter(**{self.organisation_lookup: request.user.organisation_id})

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
        if field is not None and not request.user.is_superuser:
            field.queryset = _scope_choices(field.queryset, request)
            if db_field.remote_field.model is Organisation:
                field.empty_label = None
        return field

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            field.queryset = _scope_choices(field.queryset, request)
        return field

    def get_exclude(self, request: HttpRequest, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and "organisation" in {f.name for f in self.model._meta.fields}:
            exclude.append("organisation")
        return exclude

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not request.user.is_superuser and hasattr(obj, "organisation_id") and not obj.organisation_id:
            obj.organisation_id = request.user.organisation_id
        super().save_model(request, obj, form, change)


def _scope_choices(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """Limit a foreign-key dropdown to rows of the admin's own organisation."""
    org_id = request.user.organisation_id if is_org_admin(request) else None
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


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_lookup = "pk"
    list_display = ["name", "time_zone", "anonymity_k"]
    search_fields = ["name"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.TypedChoiceField(
                choices=time_zone_choices(), label=db_field.verbose_name, help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]

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

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "member_count"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=models.Count("memberships"))

    @admin.display(description=_("people"), ordering="_member_count")
    def member_count(self, team: Team) -> int:
        return team._member_count

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else []


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedAdmin):
    organisation_lookup = "team__organisation"
    list_display = ["user", "team", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__display_name", "team__name"]
    autocomplete_fields = ["user", "team"]

    def save_model(self, request, obj, form, change):
        obj.full_clean()
        super().save_model(request, obj, form, change)


class PersonAddForm(forms.ModelForm):
    """Adding a person invites them: they choose their own password from the email."""

    class Meta:
        model = User
        fields = ["email", "display_name", "time_zone", "language", "organisation", "is_org_admin"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this email address already has an account."))
        return email


@admin.register(User)
class PersonAdmin(OrganisationScopedAdmin, DjangoUserAdmin):
    add_form = PersonAddForm
    list_display = ["email", "display_name", "organisation", "is_org_admin", "is_active"]
    list_filter = ["is_org_admin", "is_active"]
    search_fields = ["email", "display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["resend_invitation"]
    add_fieldsets = (
        (None, {"fields": ("email", "display_name", "time_zone", "language", "organisation", "is_org_admin")}),
    )
    fieldsets = (
        (None, {"fields": ("email", "display_name", "time_zone", "language")}),
        (_("Organisation"), {"fields": ("organisation", "is_org_admin", "is_active")}),
        (_("History"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (_("Site-wide permissions"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.add_fieldsets if obj is None else self.fieldsets
        if request.user.is_superuser:
            return fieldsets + (self.superuser_fieldsets if obj is not None else ())
        return tuple(
            (title, {**options, "fields": tuple(f for f in options["fields"] if f != "organisation")})
            for title, options in fieldsets
        )

    def get_list_filter(self, request):
        return (["organisation", *self.list_filter]) if request.user.is_superuser else self.list_filter

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.TypedChoiceField(
                choices=time_zone_choices(), label=db_field.verbose_name, initial="UTC"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        is_new = obj.pk is None
        if not request.user.is_superuser:
            obj.organisation_id = request.user.organisation_id
            obj.is_superuser = False
        if is_new:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if is_new:
            send_invitation(obj, invited_by=request.user)
            messages.success(request, _("An invitation was emailed to %(email)s.") % {"email": obj.email})

    @admin.action(description=_("Email a new invitation link"))
    def resend_invitation(self, request, queryset):
        for person in queryset:
            send_invitation(person, invited_by=request.user)
        messages.success(request, _("Invitations sent: %(count)d.") % {"count": queryset.count()})


admin.site.unregister(Group)


@admin.register(AuditEvent)
class AuditEventAdmin(OrganisationScopedAdmin):
    """Read-only: the log is written by the application, never edited."""

    list_display = ["created_at", "action", "actor", "team", "period"]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "action", "actor", "organisation", "team", "period", "detail"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
