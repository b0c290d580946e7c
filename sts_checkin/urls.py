from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("checkins.urls")),
    path("", include("reminders.urls")),
    path("supervision/", include("supervision.urls")),
]
