"""The audit log: who did what to which team, for which period. Never any check-in value."""

from __future__ import annotations

from .models import AuditEvent


def record(
    action: str,
    *,
    actor=None,
    organisation_id: int | None = None,
    team=None,
    period: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    if organisation_id is None:
        organisation_id = getattr(team, "organisation_id", None) or getattr(actor, "organisation_id", None)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation_id=organisation_id,
        team=team,
        period=period,
        detail=detail or {},
    )
