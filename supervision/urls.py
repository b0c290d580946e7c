from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_dashboard, name="team_dashboard"),
    path("teams/<int:team_id>/export.csv", views.team_export, name="team_export"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/export.csv", views.organisation_export, name="organisation_export"),
    path("share/", views.share, name="share"),
    path("share/<int:checkin_id>/", views.share_checkin, name="share_checkin"),
    path("shared/", views.shared, name="shared"),
    path("shared/<int:share_id>/", views.shared_detail, name="shared_detail"),
]
