from celery import shared_task
from django.utils import timezone

from .actions import do_apply_retention
from .leavers import do_close_leavers


@shared_task(name="checkins.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly: delete check-ins older than each organisation's retention setting, and close the
    accounts of leavers whose access window has passed."""
    deleted = do_apply_retention(timezone.now().date())
    do_close_leavers(timezone.now().date())
    return {str(org_id): count for org_id, count in deleted.items()}
