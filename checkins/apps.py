from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self):
        from . import offered  # noqa: F401  (connects the receivers that keep the cached practices fresh)

    def navigation(self, user):
        from django.urls import reverse

        from accounts.navigation import NavItem

        if not user.is_member:
            return []
        return [
            NavItem(_("Today"), reverse("checkins:today"), order=10),
            NavItem(_("History"), reverse("checkins:history"), order=20),
            NavItem(_("My data"), reverse("checkins:my_data"), order=60),
            NavItem(_("Who sees what"), reverse("checkins:privacy"), order=70),
        ]
