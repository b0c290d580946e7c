"""The audit log: who did what to which team, for which period. Never any check-in value.

Admin changes that can affect what is published (k, memberships, teams, groups of teams)
are recorded with their before and after by accounts/thresholds.py, accounts/memberships.py
and accounts/admin.py; `summarise` turns an event's detail into one readable line.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import AuditEvent, Membership


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


# --- One readable line per event -------------------------------------------------------------


def _name(value) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or value.get("id") or "?")
    return "?" if value in (None, "") else str(value)


def _until(value) -> str:
    return str(value) if value else _("now")


def _role(value) -> str:
    try:
        return str(Membership.Role(value).label)
    except ValueError:
        return str(value or "?")


def _names(values) -> str:
    return ", ".join(_name(v) for v in values or []) or "—"


def _k_scheduled(d: dict) -> str:
    return _("k %(old)s → %(new)s, applies from the week of %(monday)s") % {
        "old": d.get("old", "?"), "new": d.get("new", "?"), "monday": d.get("applies_from", "?"),
    }


def _k_raised(d: dict) -> str:
    return _("k %(old)s → %(new)s, applies from the next published week") % {
        "old": d.get("old", "?"), "new": d.get("new", "?"),
    }


def _k_cancelled(d: dict) -> str:
    return _("scheduled k %(old)s cancelled; k stays %(new)s") % {"old": d.get("old", "?"), "new": d.get("new", "?")}


def _membership(d: dict) -> str:
    return _("%(person)s in %(team)s as %(role)s, from %(start)s until %(end)s") % {
        "person": _name(d.get("person")), "team": _name(d.get("team")), "role": _role(d.get("role")),
        "start": d.get("from") or "?", "end": _until(d.get("until")),
    }


def _membership_changed(d: dict) -> str:
    before, after = d.get("before") or {}, d.get("after") or {}
    return _("%(person)s in %(team)s: from %(b_start)s until %(b_end)s → from %(a_start)s until %(a_end)s") % {
        "person": _name(d.get("person")), "team": _name(d.get("team")),
        "b_start": before.get("from") or "?", "b_end": _until(before.get("until")),
        "a_start": after.get("from") or "?", "a_end": _until(after.get("until")),
    }


def _membership_ended(d: dict) -> str:
    return _("%(person)s left %(team)s (%(role)s) on %(end)s; member since %(start)s") % {
        "person": _name(d.get("person")), "team": _name(d.get("team")), "role": _role(d.get("role")),
        "end": d.get("until") or "?", "start": d.get("from") or "?",
    }


def _membership_moved(d: dict) -> str:
    return _("%(person)s (%(role)s) moved %(old)s → %(new)s on %(day)s") % {
        "person": _name(d.get("person")), "role": _role(d.get("role")), "old": _name(d.get("from_team")),
        "new": _name(d.get("to_team")), "day": d.get("on") or "?",
    }


def _role_changed(d: dict) -> str:
    before = d.get("before") or {}
    return _("%(person)s in %(team)s: %(old)s → %(new)s from %(day)s") % {
        "person": _name(d.get("person")), "team": _name(d.get("team")), "old": _role(before.get("role")),
        "new": _role(d.get("role")), "day": d.get("from") or "?",
    }


def _team_or_group(d: dict) -> str:
    text = _name(d.get("team") or d.get("group"))
    if d.get("teams") is not None:
        text += " (" + _("teams: %(names)s") % {"names": _names(d.get("teams"))} + ")"
    if d.get("members") is not None:
        text += " (" + _("%(count)s current memberships") % {"count": d["members"]} + ")"
    return text


def _renamed(d: dict) -> str:
    return _("“%(old)s” → “%(new)s”") % {
        "old": (d.get("before") or {}).get("name", "?"), "new": (d.get("after") or {}).get("name", "?"),
    }


def _group_teams(d: dict) -> str:
    return _("%(group)s: added %(added)s; removed %(removed)s") % {
        "group": _name(d.get("group")), "added": _names(d.get("added")), "removed": _names(d.get("removed")),
    }


def _fields_changed(d: dict) -> str:
    changes = d.get("changes") or {}
    return "; ".join(
        f"{field}: {values.get('before', '')} → {values.get('after', '')}" for field, values in changes.items()
    ) or "—"


def _team_action(d: dict) -> str:
    return _("%(team)s, %(day)s: %(description)s") % {
        "team": _name(d.get("team")), "day": d.get("done_on") or "?", "description": d.get("description") or "?",
    }


def _admin_change(d: dict) -> str:
    return " ".join(str(d.get(key, "")) for key in ("model", "object_id", "change")).strip() or "—"


_SUMMARIES = {
    AuditEvent.Action.K_LOWERING_SCHEDULED: _k_scheduled,
    AuditEvent.Action.K_RAISED: _k_raised,
    AuditEvent.Action.K_LOWERING_CANCELLED: _k_cancelled,
    AuditEvent.Action.ORGANISATION_CHANGED: _fields_changed,
    AuditEvent.Action.MEMBERSHIP_STARTED: _membership,
    AuditEvent.Action.MEMBERSHIP_DELETED: _membership,
    AuditEvent.Action.MEMBERSHIP_CHANGED: _membership_changed,
    AuditEvent.Action.MEMBERSHIP_ENDED: _membership_ended,
    AuditEvent.Action.MEMBERSHIP_MOVED: _membership_moved,
    AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED: _role_changed,
    AuditEvent.Action.TEAM_CREATED: _team_or_group,
    AuditEvent.Action.TEAM_DELETED: _team_or_group,
    AuditEvent.Action.TEAM_RENAMED: _renamed,
    AuditEvent.Action.GROUP_CREATED: _team_or_group,
    AuditEvent.Action.GROUP_DELETED: _team_or_group,
    AuditEvent.Action.GROUP_RENAMED: _renamed,
    AuditEvent.Action.GROUP_TEAMS_CHANGED: _group_teams,
    AuditEvent.Action.ADMIN_CHANGE: _admin_change,
    AuditEvent.Action.TEAM_ACTION_RECORDED: _team_action,
    AuditEvent.Action.TEAM_ACTION_DELETED: _team_action,
}


def summarise(event: AuditEvent) -> str:
    """One line saying what changed, from the event's detail (names and ids only)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    describe = _SUMMARIES.get(event.action)
    if describe is not None:
        try:
            return describe(detail)
        except (AttributeError, TypeError, KeyError):
            pass
    parts = [f"{key}: {value}" for key, value in detail.items() if not isinstance(value, dict | list)]
    return "; ".join(parts) or "—"
