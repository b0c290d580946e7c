from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and people")

    def ready(self) -> None:
        from . import roles, signals  # noqa: F401

    def navigation(self, user):
        from django.urls import reverse

        from .navigation import NavItem

        items = [NavItem(_("My profile"), reverse("profile"), order=80)]
        if user.is_superuser or user.is_org_admin:
            items.append(NavItem(_("Administration"), reverse("admin:index"), order=90))
        return items
