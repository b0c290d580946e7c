"""Published weeks, read-only: when each week was decided, with which k, and when its digest went out."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyScopedAdmin):
    list_display = ["week", "organisation", "k", "published_at", "digest_sent_at"]
    list_display_links = None
    date_hierarchy = "week"
    readonly_fields = ["organisation", "week", "k", "published_at", "digest_sent_at"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("Each week is published once, when it can no longer change, and never recomputed."),
        }
        return super().changelist_view(request, extra_context)
