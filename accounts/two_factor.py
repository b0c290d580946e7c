"""Two-step sign-in with an authenticator app (TOTP) and single-use backup codes.

Required for supervisors, organisation admins and superusers (they see team-level
data or set up the organisation); optional for staff, and enforced for anyone who
turned it on.
"""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10


def requires_two_factor(user) -> bool:
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_org_admin or user.is_supervisor)


def must_verify(user) -> bool:
    """Whether this signed-in person must pass the second step before going on."""
    if not user.is_authenticated or user.is_verified():
        return False
    return requires_two_factor(user) or user.two_factor_enabled


def refresh_two_factor_enabled(user_id: int) -> None:
    """Store whether this person has a confirmed device (after a device was saved or deleted)."""
    from .models import User

    user = User(pk=user_id)
    User.objects.filter(pk=user_id).update(two_factor_enabled=user_has_device(user, confirmed=True))


def pending_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def secret_for_manual_entry(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replace any earlier backup codes; each new one works once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def verify(user, code: str):
    """The device that accepts this code, or None. Backup codes are used up on success.

    Atomic because django-otp locks the devices (select_for_update) while it checks a code;
    outside a transaction that query fails, which only shows on a real server, not in
    TestCase-wrapped tests."""
    code = "".join(code.split())
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(code):
            return device
    return None


def turn_off(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
