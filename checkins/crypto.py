"""Encryption at rest for free text (Nourish and the private note).

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first).
Every key in the list can decrypt; only the first encrypts, so rotating is:
put a new key first, run `manage.py rotate_encryption_key`, then drop the old one.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "fernet:"


@cache
def _cipher() -> MultiFernet:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def reset_cipher() -> None:
    """Forget the cached keys (after the settings changed, e.g. in tests)."""
    _cipher.cache_clear()


def encrypt(plaintext: str) -> str:
    return _PREFIX + _cipher().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        raise ValueError("Stored text is not encrypted.")
    try:
        return _cipher().decrypt(stored[len(_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("A stored text cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS.") from exc


class EncryptedTextField(models.TextField):
    """A text column that only ever holds ciphertext; empty text is stored as ''."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)
