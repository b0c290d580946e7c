from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from accounts import demo


class Command(BaseCommand):
    help = "Create (or leave as is) the demo organisation, its people and, via each app's demo.py, their data."

    def handle(self, *args, **options) -> None:
        organisation = demo.seed()
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name == "accounts" or find_spec(module_name) is None:
                continue
            extend = getattr(import_module(module_name), "extend", None)
            if extend is not None:
                extend(organisation)
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {organisation.name}"))
        self.stdout.write(f"Every demo login uses the password: {demo.DEMO_PASSWORD}")
        for login in demo.demo_logins():
            self.stdout.write(f"  {login.role:<40} {login.email}")
        self.stdout.write(
            "Supervisors and admins need a two-step code; print the current one with\n"
            "  .venv/bin/python manage.py demo_code sam@" + demo.DEMO_DOMAIN
        )
