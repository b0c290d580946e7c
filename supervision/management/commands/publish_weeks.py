from django.core.management.base import BaseCommand

from accounts.models import Organisation
from supervision.publishing import publish_due


class Command(BaseCommand):
    help = (
        "Publish every closed week that is due and not yet published, oldest first, for every organisation "
        "(or one). Safe to run at any time: a published week is never decided again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisation", type=int, help="only this organisation's id")

    def handle(self, *args, organisation=None, **options) -> None:
        organisations = Organisation.objects.all()
        if organisation is not None:
            organisations = organisations.filter(pk=organisation)
        published = publish_due(organisations=organisations)
        weeks = sorted({publication.week for publication in published})
        span = f" ({weeks[0]} to {weeks[-1]})" if weeks else ""
        self.stdout.write(self.style.SUCCESS(f"Weeks published: {len(published)}{span}"))
