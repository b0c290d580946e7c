"""Published weeks and their digest deliveries, read-only: when each week was decided, with which k,
and whether each supervisor's digest went out."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyScopedAdmin

from .models import DigestDelivery, Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyScopedAdmin):
    list_display = ["week", "organisation", "k", "published_at", "digests_created_at"]
    list_display_links = None
    date_hierarchy = "week"
    readonly_fields = ["organisation", "week", "k", "published_at", "digests_created_at"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("Each week is published once, when it can no longer change, and never recomputed."),
        }
        return super().changelist_view(request, extra_context)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyScopedAdmin):
    """Each supervisor's weekly digest: written by the publish task, never edited."""

    organisation_lookup = "publication__organisation"
    list_display = ["week", "supervisor", "status", "created_at", "sent_at", "error", "organisation"]
    list_display_links = None
    list_filter = ["status"]
    list_select_related = ["publication__organisation", "supervisor"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "publication",
        "supervisor",
        "status",
        "attempts",
        "created_at",
        "attempted_at",
        "sent_at",
        "error",
    ]

    @admin.display(description=_("week starting"), ordering="publication__week")
    def week(self, delivery: DigestDelivery):
        return delivery.publication.week

    @admin.display(description=_("organisation"))
    def organisation(self, delivery: DigestDelivery):
        return delivery.publication.organisation
