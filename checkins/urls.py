from django.urls import path

from . import guide_views, minute_views, views

app_name = "checkins"

urlpatterns = [
    path("checkin/", views.today, name="today"),
    path("checkin/welcome/", views.intro, name="intro"),
    path("checkin/note-day/", views.mark_day, name="mark_day"),
    path("checkin/days-off/", views.days_off, name="days_off"),
    path("checkin/saved/", views.saved, name="saved"),
    path("checkin/history/", views.history, name="history"),
    path("checkin/history/<int:pk>/", views.detail, name="detail"),
    path("checkin/who-sees-what/", views.privacy, name="privacy"),
    path("checkin/my-data/", views.my_data, name="my_data"),
    path("checkin/my-data/export.<str:fmt>", views.export, name="export"),
    path("checkin/my-data/erase-checkins/", views.erase_checkins, name="erase_checkins"),
    path("checkin/my-data/erase-account/", views.erase_account, name="erase_account"),
    path("guide/", guide_views.guide, name="guide"),
    path("guide/<slug:slug>/", guide_views.guide_topic, name="guide_topic"),
    path("minute/", minute_views.minute, name="minute"),
    path("minute/pause/", minute_views.pause, name="minute_pause"),
    path("minute/reset/", minute_views.reset, name="minute_reset"),
    path("minute/nourish/", minute_views.nourish, name="minute_nourish"),
]
