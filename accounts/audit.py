"""The audit log: who did what to which team, for which period. Never any check-in value.

Admin changes that can affect what is published (k, memberships, teams, groups of teams)
are recorded with their before and after by accounts/thresholds.py, accounts/memberships.py
and accounts/admin.py; `summarise` turns an event's detail into one readable line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AuditEvent, Membership, Organisation


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


# --- One plain sentence per event -------------------------------------------------------------


def _name(value) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or value.get("id") or "?")
    return "?" if value in (None, "") else str(value)


def _day(value, year: int | None = None) -> str:
    """'30 Nov' (in the event's own year) or '30 Nov 2025'; the month in the reader's language."""
    if not value:
        return "?"
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return date_format(day, "j M" if day.year == year else "j M Y")


def _role(value) -> str:
    try:
        return str(Membership.Role(value).label).lower()
    except ValueError:
        return str(value or "?")


def _names(values) -> str:
    return ", ".join(_name(v) for v in values or []) or "—"


def _k_scheduled(d: dict, year: int | None) -> str:
    return _("Lowered the smallest group shown from %(old)s to %(new)s, effective week of %(monday)s") % {
        "old": d.get("old", "?"),
        "new": d.get("new", "?"),
        "monday": _day(d.get("applies_from"), year),
    }


def _k_raised(d: dict, year: int | None) -> str:
    return _("Raised the smallest group shown from %(old)s to %(new)s, effective from the next published week") % {
        "old": d.get("old", "?"),
        "new": d.get("new", "?"),
    }


def _k_cancelled(d: dict, year: int | None) -> str:
    return _("Cancelled the scheduled lowering to %(old)s; the smallest group shown stays %(new)s") % {
        "old": d.get("old", "?"),
        "new": d.get("new", "?"),
    }


def _short(value) -> str:
    text = " ".join(str(value).split()) if value not in (None, "") else _("(empty)")
    return text if len(text) <= 60 else text[:59] + "…"


def _fields_changed(d: dict, year: int | None) -> str:
    parts = []
    for field, values in (d.get("changes") or {}).items():
        try:
            label = str(getattr(Organisation._meta.get_field(field), "verbose_name", field))
        except Exception:  # a field since removed: its stored name will do
            label = field
        parts.append(
            _("%(field)s from “%(old)s” to “%(new)s”")
            % {
                "field": label,
                "old": _short(values.get("before")),
                "new": _short(values.get("after")),
            }
        )
    return _("Changed the organisation's %(changes)s") % {"changes": "; ".join(parts) or "—"}


def _membership_started(d: dict, year: int | None) -> str:
    text = _("Added %(person)s to %(team)s as %(role)s, from %(start)s") % {
        "person": _name(d.get("person")),
        "team": _name(d.get("team")),
        "role": _role(d.get("role")),
        "start": _day(d.get("from"), year),
    }
    if d.get("until"):
        text += _(" until %(end)s") % {"end": _day(d.get("until"), year)}
    return text


def _membership_deleted(d: dict, year: int | None) -> str:
    return _("Deleted the membership of %(person)s in %(team)s (%(role)s, from %(start)s)") % {
        "person": _name(d.get("person")),
        "team": _name(d.get("team")),
        "role": _role(d.get("role")),
        "start": _day(d.get("from"), year),
    }


def _period(values: dict, year: int | None) -> str:
    if values.get("until"):
        return _("%(start)s to %(end)s") % {
            "start": _day(values.get("from"), year),
            "end": _day(values.get("until"), year),
        }
    return _("%(start)s onwards") % {"start": _day(values.get("from"), year)}


def _membership_changed(d: dict, year: int | None) -> str:
    return _("Changed the dates of %(person)s in %(team)s from %(before)s to %(after)s") % {
        "person": _name(d.get("person")),
        "team": _name(d.get("team")),
        "before": _period(d.get("before") or {}, year),
        "after": _period(d.get("after") or {}, year),
    }


def _membership_ended(d: dict, year: int | None) -> str:
    return _("Took %(person)s out of %(team)s on %(end)s (%(role)s since %(start)s)") % {
        "person": _name(d.get("person")),
        "team": _name(d.get("team")),
        "role": _role(d.get("role")),
        "end": _day(d.get("until"), year),
        "start": _day(d.get("from"), year),
    }


def _membership_moved(d: dict, year: int | None) -> str:
    return _("Moved %(person)s from %(old)s to %(new)s, from %(day)s") % {
        "person": _name(d.get("person")),
        "old": _name(d.get("from_team")),
        "new": _name(d.get("to_team")),
        "day": _day(d.get("on"), year),
    }


def _role_changed(d: dict, year: int | None) -> str:
    before = d.get("before") or {}
    return _("Made %(person)s %(new)s in %(team)s (was %(old)s), from %(day)s") % {
        "person": _name(d.get("person")),
        "team": _name(d.get("team")),
        "old": _role(before.get("role")),
        "new": _role(d.get("role")),
        "day": _day(d.get("from"), year),
    }


def _team_created(d: dict, year: int | None) -> str:
    if d.get("import"):
        return _("Created the team %(team)s (from an import)") % {"team": _name(d.get("team"))}
    return _("Created the team %(team)s") % {"team": _name(d.get("team"))}


def _team_deleted(d: dict, year: int | None) -> str:
    members = d.get("members") or 0
    return ngettext(
        "Deleted the team %(team)s, with its %(count)d current membership",
        "Deleted the team %(team)s, with its %(count)d current memberships",
        members,
    ) % {"team": _name(d.get("team")), "count": members}


def _team_renamed(d: dict, year: int | None) -> str:
    return _("Renamed the team “%(old)s” to “%(new)s”") % {
        "old": (d.get("before") or {}).get("name", "?"),
        "new": (d.get("after") or {}).get("name", "?"),
    }


def _group_created(d: dict, year: int | None) -> str:
    return _("Created the group %(group)s, joining %(teams)s") % {
        "group": _name(d.get("group")),
        "teams": _names(d.get("teams")),
    }


def _group_deleted(d: dict, year: int | None) -> str:
    return _("Deleted the group %(group)s (it joined %(teams)s)") % {
        "group": _name(d.get("group")),
        "teams": _names(d.get("teams")),
    }


def _group_renamed(d: dict, year: int | None) -> str:
    return _("Renamed the group “%(old)s” to “%(new)s”") % {
        "old": (d.get("before") or {}).get("name", "?"),
        "new": (d.get("after") or {}).get("name", "?"),
    }


def _group_teams(d: dict, year: int | None) -> str:
    parts = []
    if d.get("added"):
        parts.append(
            _("added %(teams)s to the group %(group)s")
            % {"teams": _names(d.get("added")), "group": _name(d.get("group"))}
        )
    if d.get("removed"):
        parts.append(
            _("took %(teams)s out of the group %(group)s")
            % {"teams": _names(d.get("removed")), "group": _name(d.get("group"))}
        )
    text = "; ".join(str(p) for p in parts) or _name(d.get("group"))
    return text[:1].upper() + text[1:]


def _admin_change(d: dict, year: int | None) -> str:
    what = str(d.get("model_name") or d.get("model") or "?")
    name = d.get("name") or d.get("object_id") or ""
    sentence = {
        "added": _("Added the %(what)s “%(name)s”"),
        "changed": _("Changed the %(what)s “%(name)s”"),
        "deleted": _("Deleted the %(what)s “%(name)s”"),
    }.get(str(d.get("change")), _("Changed the %(what)s “%(name)s”"))
    return sentence % {"what": what, "name": name}


def _person_left(d: dict, year: int | None) -> str:
    return _("Marked %(person)s as left on %(day)s; they can sign in to their own data until %(until)s") % {
        "person": _name(d.get("person")),
        "day": _day(d.get("on"), year),
        "until": _day(d.get("access_until"), year),
    }


def _leaver_closed(d: dict, year: int | None) -> str:
    return _("Closed the account of %(person)s, who left on %(day)s, and erased their check-ins") % {
        "person": _name(d.get("person")),
        "day": _day(d.get("left_on"), year),
    }


def _people_imported(d: dict, year: int | None) -> str:
    text = _("Imported %(file)s: %(new)s invited, %(changed)s changed, %(unchanged)s unchanged") % {
        "file": d.get("file") or _("a file"),
        "new": d.get("new", 0),
        "changed": d.get("changed", 0),
        "unchanged": d.get("unchanged", 0),
    }
    if d.get("teams_created"):
        text += "; " + _("new teams: %(teams)s") % {"teams": ", ".join(d["teams_created"])}
    return text


def _team_action_recorded(d: dict, year: int | None) -> str:
    return _("Recorded a team action for %(team)s on %(day)s: “%(description)s”") % {
        "team": _name(d.get("team")),
        "day": _day(d.get("done_on"), year),
        "description": d.get("description") or "?",
    }


def _team_action_deleted(d: dict, year: int | None) -> str:
    return _("Deleted the team action for %(team)s on %(day)s: “%(description)s”") % {
        "team": _name(d.get("team")),
        "day": _day(d.get("done_on"), year),
        "description": d.get("description") or "?",
    }


# Keyed by AuditEvent.Action; an event's `action` is read back from the database as a plain str.
_SUMMARIES: dict[str, Callable[[dict, int | None], str]] = {
    AuditEvent.Action.K_LOWERING_SCHEDULED: _k_scheduled,
    AuditEvent.Action.K_RAISED: _k_raised,
    AuditEvent.Action.K_LOWERING_CANCELLED: _k_cancelled,
    AuditEvent.Action.ORGANISATION_CHANGED: _fields_changed,
    AuditEvent.Action.MEMBERSHIP_STARTED: _membership_started,
    AuditEvent.Action.MEMBERSHIP_DELETED: _membership_deleted,
    AuditEvent.Action.MEMBERSHIP_CHANGED: _membership_changed,
    AuditEvent.Action.MEMBERSHIP_ENDED: _membership_ended,
    AuditEvent.Action.MEMBERSHIP_MOVED: _membership_moved,
    AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED: _role_changed,
    AuditEvent.Action.TEAM_CREATED: _team_created,
    AuditEvent.Action.TEAM_DELETED: _team_deleted,
    AuditEvent.Action.TEAM_RENAMED: _team_renamed,
    AuditEvent.Action.GROUP_CREATED: _group_created,
    AuditEvent.Action.GROUP_DELETED: _group_deleted,
    AuditEvent.Action.GROUP_RENAMED: _group_renamed,
    AuditEvent.Action.GROUP_TEAMS_CHANGED: _group_teams,
    AuditEvent.Action.ADMIN_CHANGE: _admin_change,
    AuditEvent.Action.PERSON_LEFT: _person_left,
    AuditEvent.Action.LEAVER_CLOSED: _leaver_closed,
    AuditEvent.Action.PEOPLE_IMPORTED: _people_imported,
    AuditEvent.Action.TEAM_ACTION_RECORDED: _team_action_recorded,
    AuditEvent.Action.TEAM_ACTION_DELETED: _team_action_deleted,
}


def summarise(event: AuditEvent) -> str:
    """One plain sentence saying what happened, from the event's detail (names and ids only)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    describe = _SUMMARIES.get(event.action)
    year = event.created_at.year if event.created_at else None
    if describe is not None:
        try:
            return describe(detail, year)
        except (AttributeError, TypeError, KeyError, ValueError):
            pass
    parts = [f"{key}: {value}" for key, value in detail.items() if not isinstance(value, dict | list)]
    return "; ".join(parts) or "—"
