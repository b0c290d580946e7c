from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self) -> None:
        from . import (
            leavers,  # noqa: F401
            offered,  # noqa: F401  (connects the receivers that keep the cached practices fresh)
        )

    def navigation(self, user):
        from django.urls import reverse

        from accounts.navigation import NavItem

        if user.left_on is not None:
            # Someone who left keeps only their own data, for the organisation's access window.
            return [NavItem(_("My data"), reverse("checkins:my_data"), order=60)]
        if not user.is_member:
            return []
        return [
            NavItem(_("Today"), reverse("checkins:today"), order=10),
            NavItem(_("Take a minute"), reverse("checkins:minute"), order=12),
            NavItem(_("History"), reverse("checkins:history"), order=20),
            NavItem(_("Understanding STS"), reverse("checkins:guide"), order=25),
            NavItem(_("My data"), reverse("checkins:my_data"), order=60),
            NavItem(_("Who sees what"), reverse("checkins:privacy"), order=70),
        ]
