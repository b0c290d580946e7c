"""Admin for the Reset practice catalogue only.

There is deliberately no admin for CheckIn (privacy rule 1: no admin screen shows
anyone's check-in values or free text, not even to superusers).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedFormAdmin, admin_organisation_id, is_org_admin

from .models import Practice


class PracticeForm(forms.ModelForm):
    # An organisation admin's organisation, set by accounts.admin.ScopedFormAdmin; their form has no organisation field.
    scope_organisation_id: int | None = None

    class Meta:
        model = Practice
        fields = ["organisation", "key", "name", "description", "order", "is_active"]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        organisation_id = self.scope_organisation_id
        if "organisation" in self.cleaned_data:
            organisation = self.cleaned_data.get("organisation")
            organisation_id = organisation.pk if organisation else None
        clash = Practice.objects.filter(key=key)
        clash = (
            clash.filter(organisation__isnull=True)
            if organisation_id is None
            else clash.filter(organisation_id=organisation_id)
        )
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A practice with this key already exists. Please choose another key."))
        return key


@admin.register(Practice)
class PracticeAdmin(ScopedFormAdmin):
    """Organisation admins add their own practices; the built-in ones are shown to them read-only."""

    form = PracticeForm
    list_display = ["name", "key", "scope", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "key"]
    ordering = ["order", "name"]

    @admin.display(description=_("offered to"))
    def scope(self, practice: Practice) -> str:
        return str(practice.organisation) if practice.organisation_id else str(_("Everyone (built in)"))

    def get_queryset(self, request: HttpRequest):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        organisation_id = admin_organisation_id(request)
        if organisation_id is None:
            return queryset.none()
        return queryset.filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))

    def _is_builtin(self, obj) -> bool:
        return obj is not None and obj.organisation_id is None

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._is_builtin(obj):
            return request.user.is_superuser or is_org_admin(request)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._is_builtin(obj):
            return request.user.is_superuser
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._is_builtin(obj):
            return request.user.is_superuser
        return super().has_delete_permission(request, obj)
