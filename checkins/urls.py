from django.urls import path

from . import views

app_name = "checkins"

urlpatterns = [
    path("checkin/", views.today, name="today"),
]
