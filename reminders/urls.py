from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("reminders/", views.preferences, name="preferences"),
    path("reminders/log/", views.deliveries, name="deliveries"),
    path("reminders/snooze/<str:length>/<str:token>/", views.snooze, name="snooze"),
    path("reminders/stop/<str:token>/", views.stop, name="stop"),
]
