from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def navigation(self, user):
        from django.urls import reverse

        from accounts.navigation import NavItem

        items = []
        if user.is_supervisor:
            items.append(NavItem(_("Team trends"), reverse("supervision:teams"), order=15))
            items.append(NavItem(_("Shared with me"), reverse("supervision:shared"), order=30))
            items.append(NavItem(_("Talk requests"), reverse("supervision:talk_requests"), order=31))
        elif user.organisation_id and user.organisation.support_person_id == user.pk:
            items.append(NavItem(_("Talk requests"), reverse("supervision:talk_requests"), order=31))
        if user.is_org_admin and user.organisation_id:
            items.append(NavItem(_("Organisation trends"), reverse("supervision:organisation"), order=16))
        if user.is_member:
            items.append(NavItem(_("I'd like to talk"), reverse("supervision:talk"), order=35))
            items.append(NavItem(_("Share with my supervisor"), reverse("supervision:share"), order=40))
            items.append(NavItem(_("What our team is doing"), reverse("supervision:our_team"), order=45))
        return items
