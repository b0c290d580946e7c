from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_dashboard, name="team_dashboard"),
    path("teams/<int:team_id>/export.csv", views.team_export, name="team_export"),
    path("teams/<int:team_id>/actions/", views.team_actions_page, name="team_actions"),
    path("teams/<int:team_id>/actions/<int:action_id>/delete/", views.team_action_delete, name="team_action_delete"),
    path("our-team/", views.our_team, name="our_team"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/export.csv", views.organisation_export, name="organisation_export"),
    path("share/", views.share, name="share"),
    path("share/<int:checkin_id>/", views.share_checkin, name="share_checkin"),
    path("shared/", views.shared, name="shared"),
    path("shared/<int:share_id>/", views.shared_detail, name="shared_detail"),
    path("talk/", views.talk_page, name="talk"),
    path("talk/<int:request_id>/withdraw/", views.talk_withdraw, name="talk_withdraw"),
    path("talk-requests/", views.talk_requests, name="talk_requests"),
    path("talk-requests/<int:request_id>/", views.talk_request, name="talk_request"),
]
