from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.models import AuditEvent, Membership, Organisation, Team, TeamGroup
from accounts.requests import SignedInRequest
from checkins import insights
from checkins.access import own_checkin_or_404
from checkins.downloads import csv_attachment
from checkins.models import CheckIn

from . import dashboard, prompts, talk, team_actions
from .anonymity import Unit, group_unit, organisation_unit, period_range_label, team_unit
from .models import SharedCheckIn, TalkRequest, TeamAction
from .publishing import PublishedGrid, published_grid, shown_weeks
from .sharing import do_share, do_withdraw

WEEK_CHOICES = (12, 52)
TEAMS_PER_PAGE = 25
SHARE_WINDOW_DAYS = 14


def _get_team_for_supervisor(request: SignedInRequest, team_id: int) -> Team:
    """The team, if the signed-in person supervises it; 404 to anyone else."""
    team = (
        Team.objects.filter(
            pk=team_id,
            memberships__user=request.user,
            memberships__role=Membership.Role.SUPERVISOR,
            memberships__ended_on__isnull=True,
        )
        .select_related("organisation")
        .first()
    )
    if team is None:
        raise Http404
    return team


def _get_organisation_for_admin(request: SignedInRequest) -> Organisation:
    user = request.user
    if not user.is_org_admin or user.organisation is None:
        raise Http404
    return user.organisation


def _get_team_for_action_editor(request: SignedInRequest, team_id: int) -> Team:
    """The team, if the signed-in person supervises it or administers its organisation; 404 to anyone else."""
    team = Team.objects.filter(pk=team_id).select_related("organisation").first()
    if team is None or not team_actions.can_record(request.user, team):
        raise Http404
    return team


def _get_talk_request_for_recipient(request: SignedInRequest, request_id: int) -> TalkRequest:
    """An open talk request addressed to the signed-in person; 404 to anyone else, and once it has closed."""
    found = TalkRequest.objects.open().filter(pk=request_id, recipient=request.user).select_related("requester").first()
    if found is None:
        raise Http404
    return found


def _get_share_for_supervisor(request: SignedInRequest, share_id: int) -> SharedCheckIn:
    share = (
        SharedCheckIn.objects.visible_to_supervisor(request.user)
        .select_related("checkin__user")
        .filter(pk=share_id)
        .first()
    )
    if share is None:
        raise Http404
    return share


def _weeks(request: HttpRequest) -> int:
    return 52 if request.GET.get("weeks") == "52" else 12


def _unit_context(grid: PublishedGrid, unit: Unit, actions=()) -> dict:
    return {
        "unit": unit,
        "prefix": f"{unit.kind}-{unit.id}",
        "label": grid.labels[unit],
        "members": grid.members[unit],
        "has_figures": grid.has_any_published(unit),
        "charts": dashboard.charts(grid, unit, actions),
        "tables_only": dashboard.tables_only(grid, unit),
        "prompts": prompts.prompts(grid, unit),
        "last_week": dashboard.week_label(grid.periods[-1]),
    }


def _team_actions_shown(team: Team, periods) -> list[TeamAction]:
    """The team's actions from the first week shown on, including those since the newest published week."""
    return list(team.actions.filter(done_on__gte=periods[0].start).order_by("done_on", "pk"))


@login_required
def teams(request: SignedInRequest) -> HttpResponse:
    supervised = list(request.user.supervised_teams().order_by("name"))
    if not supervised:
        raise Http404
    if len(supervised) == 1:
        return redirect("supervision:team_dashboard", team_id=supervised[0].pk)
    return render(request, "supervision/teams.html", {"teams": supervised})


def _team_units(team: Team) -> list[Unit]:
    """The team and the groups of teams it belongs to: the units its supervisor may see."""
    return [team_unit(team.pk), *(group_unit(group_id) for group_id in team.groups.values_list("id", flat=True))]


def _audited_team_grid(request: SignedInRequest, team_id: int, action: str, **detail):
    """The team a supervisor asked for, its published weeks and their stored cells; the look is audited."""
    team = _get_team_for_supervisor(request, team_id)
    weeks = _weeks(request)
    periods = shown_weeks(team.organisation, weeks)
    grid = published_grid(team.organisation, periods, _team_units(team))
    audit.record(
        action, actor=request.user, team=team, period=period_range_label(periods), detail={"weeks": weeks, **detail}
    )
    return team, weeks, periods, grid


@login_required
def team_dashboard(request: SignedInRequest, team_id: int) -> HttpResponse:
    team, weeks, _periods, grid = _audited_team_grid(request, team_id, AuditEvent.Action.DASHBOARD_VIEW)
    own, *groups = grid.units
    current_members = team.memberships.current().filter(role=Membership.Role.MEMBER).count()
    actions = _team_actions_shown(team, _periods)
    return render(
        request,
        "supervision/team_dashboard.html",
        {
            "team": team,
            "weeks": weeks,
            "week_choices": WEEK_CHOICES,
            "grid": grid,
            "trend": _unit_context(grid, own, actions),
            "actions": actions,
            "group_trends": [_unit_context(grid, unit) for unit in groups],
            "current_members": current_members,
            "too_small": current_members < grid.k,
            "k": grid.k,
        },
    )


@login_required
def team_export(request: SignedInRequest, team_id: int) -> HttpResponse:
    team, _weeks_shown, periods, grid = _audited_team_grid(
        request, team_id, AuditEvent.Action.EXPORT, what="team trends"
    )
    rows = dashboard.export_rows(grid, grid.units, _team_actions_shown(team, periods))
    return csv_attachment(rows, f"team-trends-{team.pk}-{periods[-1].label}.csv")


def _organisation_units(org: Organisation) -> tuple[Unit, list[Unit], list[Unit]]:
    """The organisation, its groups of teams and its teams, each list in alphabetical order."""
    teams = Team.objects.filter(organisation=org).order_by("name").values_list("id", flat=True)
    groups = TeamGroup.objects.filter(organisation=org).order_by("name").values_list("id", flat=True)
    return organisation_unit(org.pk), [group_unit(pk) for pk in groups], [team_unit(pk) for pk in teams]


def _audited_organisation_weeks(request: SignedInRequest, org: Organisation, action: str, **detail):
    """The published weeks an organisation admin asked for; the look is audited."""
    weeks = _weeks(request)
    periods = shown_weeks(org, weeks)
    audit.record(
        action,
        actor=request.user,
        organisation_id=org.pk,
        period=period_range_label(periods),
        detail={"weeks": weeks, **detail},
    )
    return weeks, periods


@login_required
def organisation(request: SignedInRequest) -> HttpResponse:
    org = _get_organisation_for_admin(request)
    org_unit, groups, teams = _organisation_units(org)
    # A page of teams at a time; every cell was decided together when its week was published.
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    weeks, periods = _audited_organisation_weeks(request, org, AuditEvent.Action.ORGANISATION_VIEW)
    grid = published_grid(org, periods, [org_unit, *groups, *page])
    return render(
        request,
        "supervision/organisation.html",
        {
            "organisation": org,
            "weeks": weeks,
            "week_choices": WEEK_CHOICES,
            "grid": grid,
            "total": _unit_context(grid, org_unit),
            "group_blocks": [_unit_context(grid, unit) for unit in groups] if page.number == 1 else [],
            "team_blocks": [_unit_context(grid, unit) for unit in page],
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "k": grid.k,
        },
    )


@login_required
def organisation_export(request: SignedInRequest) -> HttpResponse:
    org = _get_organisation_for_admin(request)
    org_unit, groups, teams = _organisation_units(org)
    _weeks_shown, periods = _audited_organisation_weeks(
        request, org, AuditEvent.Action.EXPORT, what="organisation trends"
    )
    units = [org_unit, *groups, *teams]
    grid = published_grid(org, periods, units)
    return csv_attachment(dashboard.export_rows(grid, units), f"organisation-trends-{periods[-1].label}.csv")


@login_required
def share(request: SignedInRequest) -> HttpResponse:
    """The staff page: choose which recent check-ins, if any, a supervisor may see."""
    since = request.user.local_today() - dt.timedelta(days=SHARE_WINDOW_DAYS - 1)
    checkins = list(
        CheckIn.objects.filter(user=request.user, local_date__gte=since).select_related("share").order_by("-local_date")
    )
    has_supervisor = (
        Membership.objects.current()
        .filter(
            team__memberships__user=request.user,
            team__memberships__role=Membership.Role.MEMBER,
            team__memberships__ended_on__isnull=True,
            role=Membership.Role.SUPERVISOR,
        )
        .exclude(user=request.user)
        .exists()
    )
    rows = []
    for checkin in checkins:
        current = getattr(checkin, "share", None)
        active = current if current is not None and current.is_active else None
        rows.append({"checkin": checkin, "share": active})
    return render(
        request,
        "supervision/share.html",
        {"rows": rows, "has_supervisor": has_supervisor, "window": SHARE_WINDOW_DAYS},
    )


@login_required
@require_POST
def share_checkin(request: SignedInRequest, checkin_id: int) -> HttpResponse:
    checkin = own_checkin_or_404(request.user, checkin_id, CheckIn.objects.select_related("user"))
    if request.POST.get("action") == "withdraw":
        do_withdraw(checkin)
        messages.success(request, _("Withdrawn. Your supervisor can no longer see this check-in."))
        return redirect("supervision:share")
    shared = do_share(
        checkin,
        ratings=request.POST.get("share_ratings") == "on",
        practices=request.POST.get("share_practices") == "on",
    )
    if shared is None:
        messages.info(request, _("Nothing from this check-in is shared."))
    else:
        messages.success(request, _("Saved. Your supervisor can now see what you chose, and nothing else."))
    return redirect("supervision:share")


@login_required
def shared(request: SignedInRequest) -> HttpResponse:
    if not request.user.is_supervisor:
        raise Http404
    shares = SharedCheckIn.objects.visible_to_supervisor(request.user).select_related("checkin__user")
    return render(request, "supervision/shared.html", {"shares": shares})


@login_required
def shared_detail(request: SignedInRequest, share_id: int) -> HttpResponse:
    share = _get_share_for_supervisor(request, share_id)
    checkin = share.checkin
    audit.record(
        AuditEvent.Action.SHARED_CHECKIN_VIEW,
        actor=request.user,
        detail={"shared_checkin": share.pk},
    )
    ratings = []
    if share.share_ratings:
        labels = {field.name: field.verbose_name for field in CheckIn._meta.concrete_fields}
        ratings = [{"label": labels[name], "value": getattr(checkin, name)} for name in insights.SIGN_FIELDS]
    practices = list(checkin.practices.values_list("name", flat=True)) if share.share_practices else []
    return render(
        request,
        "supervision/shared_detail.html",
        {"share": share, "checkin": checkin, "person": checkin.user, "ratings": ratings, "practices": practices},
    )


# --- Team actions ("you said, we did") -------------------------------------------------------


@login_required
def team_actions_page(request: SignedInRequest, team_id: int) -> HttpResponse:
    """A team's actions, and the form to record one: for its supervisors and its organisation's admins."""
    team = _get_team_for_action_editor(request, team_id)
    form = team_actions.TeamActionForm(request.POST or None, today=team.organisation.today())
    if request.method == "POST" and form.is_valid():
        team_actions.do_record(team, request.user, form.cleaned_data["done_on"], form.cleaned_data["description"])
        messages.success(request, _("Saved. The team can see it on “What our team is doing”."))
        return redirect("supervision:team_actions", team_id=team.pk)
    actions = list(team.actions.all()[:50])
    return render(
        request,
        "supervision/team_actions.html",
        {
            "team": team,
            "form": form,
            "actions": actions,
            "supervises": request.user.supervised_teams().filter(pk=team.pk).exists(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def team_action_delete(request: SignedInRequest, team_id: int, action_id: int) -> HttpResponse:
    team = _get_team_for_action_editor(request, team_id)
    action = TeamAction.objects.filter(pk=action_id, team=team).select_related("team").first()
    if action is None:
        raise Http404
    team_actions.do_delete(action, request.user)
    messages.success(request, _("Deleted."))
    return redirect("supervision:team_actions", team_id=team.pk)


@login_required
def our_team(request: SignedInRequest) -> HttpResponse:
    """“What our team is doing”: the actions of every team the person is a current member of."""
    teams = list(
        Team.objects.filter(memberships__user=request.user, memberships__ended_on__isnull=True)
        .distinct()
        .order_by("name")
    )
    if not teams:
        raise Http404
    since = request.user.local_today() - dt.timedelta(days=365)
    by_team: dict[int, list[TeamAction]] = {team.pk: [] for team in teams}
    for action in TeamAction.objects.filter(team__in=teams, done_on__gte=since).order_by("-done_on", "-pk"):
        by_team[action.team_id].append(action)
    return render(request, "supervision/our_team.html", {"sections": [(team, by_team[team.pk]) for team in teams]})


# --- Talk requests --------------------------------------------------------------------------


@login_required
def talk_page(request: SignedInRequest) -> HttpResponse:
    """“I'd like to talk”: choose whom, add a line if you like; and what became of earlier requests."""
    if not request.user.is_member:
        raise Http404
    recipients = talk.recipients_for(request.user)
    form = talk.TalkRequestForm(request.POST or None, recipients=recipients)
    if request.method == "POST" and recipients and form.is_valid():
        recipient = form.chosen()
        _talk_request, created = talk.do_ask(request.user, recipient, form.cleaned_data["note"])
        if created:
            messages.success(request, _("Sent. %(name)s has been asked to get in touch.") % {"name": recipient})
        else:
            messages.info(request, _("You already asked %(name)s; that request is still open.") % {"name": recipient})
        return redirect("supervision:talk")
    now = timezone.now()
    mine = [
        {"request": item, "open": item.is_open(now)}
        for item in TalkRequest.objects.filter(requester=request.user).select_related("recipient")[:10]
    ]
    return render(
        request,
        "supervision/talk.html",
        {"form": form, "recipients": recipients, "mine": mine, "open_days": TalkRequest.OPEN_FOR.days},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def talk_withdraw(request: SignedInRequest, request_id: int) -> HttpResponse:
    found = TalkRequest.objects.open().filter(pk=request_id, requester=request.user).first()
    if found is None:
        raise Http404
    talk.do_withdraw(found)
    messages.success(request, _("Withdrawn."))
    return redirect("supervision:talk")


@login_required
def talk_requests(request: SignedInRequest) -> HttpResponse:
    """The open requests addressed to the signed-in person (a supervisor or the support person)."""
    organisation = request.user.organisation
    is_support_person = organisation is not None and organisation.support_person_id == request.user.pk
    if not (request.user.is_supervisor or is_support_person):
        raise Http404
    waiting = TalkRequest.objects.open().filter(recipient=request.user).select_related("requester")
    return render(
        request, "supervision/talk_requests.html", {"waiting": waiting, "open_days": TalkRequest.OPEN_FOR.days}
    )


@login_required
def talk_request(request: SignedInRequest, request_id: int) -> HttpResponse:
    found = _get_talk_request_for_recipient(request, request_id)
    if request.method == "POST":
        talk.do_acknowledge(found)
        messages.success(request, _("Thank you. They can now see that you will be in touch."))
        return redirect("supervision:talk_request", request_id=found.pk)
    return render(request, "supervision/talk_request.html", {"talk": found})
