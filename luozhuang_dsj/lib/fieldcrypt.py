"""Field-level encryption of personal data (ID numbers, phone numbers) at rest.

Values are sealed with AES-256-GCM under the key named by FIELD_ENCRYPTION_CURRENT_KEY and
stored as `enc:<key id>:<base64 nonce+ciphertext+tag>`. The key id lets an old key be kept
for reading while `manage.py field_keys_rotate` re-seals every row under the new one. The
associated data binds a value to its column, so a ciphertext copied into another column
does not decrypt. Keys come from the environment (FIELD_ENCRYPTION_KEY), never the database.

Encrypted columns cannot be searched or sorted by value: use `blind_index()` beside the
field where an exact lookup is needed (e.g. an ID number), and mask values in lists
(luozhuang_dsj.lib.masking).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import lookups

PREFIX = "enc:"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be opened: unknown key id, wrong key, or tampering."""


def _keys() -> tuple[str, dict[str, bytes]]:
    return settings.FIELD_ENCRYPTION_CURRENT_KEY, settings.FIELD_ENCRYPTION_KEYS


def encrypt(plaintext: str, *, context: str) -> str:
    key_id, keys = _keys()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(keys[key_id]).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def key_id_of(stored: str) -> str | None:
    return stored[len(PREFIX) :].partition(":")[0] if is_encrypted(stored) else None


def decrypt(stored: str, *, context: str) -> str:
    key_id, _, payload = stored[len(PREFIX) :].partition(":")
    key = _keys()[1].get(key_id)
    if key is None:
        raise DecryptionError(f"no key with id {key_id!r} in FIELD_ENCRYPTION_KEY")
    try:
        raw = base64.b64decode(payload.encode("ascii"), validate=True)
        opened = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8"))
    except (InvalidTag, ValueError) as error:
        raise DecryptionError(f"cannot decrypt a value sealed with key {key_id!r}") from error
    return opened.decode("utf-8")


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact lookups on an encrypted value, derived from the current key."""
    key_id, keys = _keys()
    derived = hmac.new(keys[key_id], f"blind-index:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(derived, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text column holding one encrypted short string (a phone or ID number).

    `max_length` limits the plaintext (validated by forms and `full_clean`), not the
    column. An empty value is stored empty, so `blank=True` fields filter on `""` as usual;
    any other lookup on the value is refused, since it could never match a ciphertext.
    Rows written before the field was encrypted are read as they are and sealed when saved.
    """

    description = "加密文本"

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.plaintext_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length is not None:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.plaintext_max_length is not None:
            kwargs["max_length"] = self.plaintext_max_length
        return name, path, args, kwargs

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value or not is_encrypted(value):
            return value
        return decrypt(value, context=self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value, context=self._context())

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise ImproperlyConfigured(
            f"encrypted field {self._context()} cannot be searched with __{lookup_name}"
        )

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(max_length=self.plaintext_max_length, required=not self.blank, **kwargs)


class _EmptyOnlyExact(lookups.Exact):
    """`field=""` works; `field="13812341234"` would compare with a fresh random ciphertext."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise ImproperlyConfigured("an encrypted field can only be compared with an empty value")
        return super().get_prep_lookup()


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedCharField]]:
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]


def reencrypt_all() -> dict[str, int]:
    """Re-seal every value not sealed under the current key (after adding a new key first in
    FIELD_ENCRYPTION_KEY); afterwards the old key can be removed. Returns counts per column."""
    from django.db.models.functions import Cast

    current, _ = _keys()
    counts: dict[str, int] = {}
    for model, field in encrypted_fields():
        manager = model._base_manager
        stored = manager.annotate(_stored=Cast(field.attname, models.TextField())).values_list(
            "pk", "_stored"
        )
        count = 0
        for pk, raw in stored.iterator(chunk_size=1000):
            if raw and key_id_of(raw) != current:
                plaintext = decrypt(raw, context=field._context()) if is_encrypted(raw) else raw
                manager.filter(pk=pk).update(**{field.attname: plaintext})
                count += 1
        counts[f"{model._meta.label}.{field.name}"] = count
    return counts
