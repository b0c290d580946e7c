from django.core.management.base import BaseCommand, CommandError

from accounts.demo import current_demo_code


class Command(BaseCommand):
    help = "Print the current two-step sign-in code of a demo account (supervisors and admins of the demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        code = current_demo_code(email)
        if code is None:
            raise CommandError("Only demo accounts that need two-step sign-in have a demo code.")
        self.stdout.write(code)
