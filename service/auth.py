"""API keys: kept only as SHA-256 digests, compared in constant time, each with a role.

Keys are long random tokens (``sohosolo key`` makes them), so a plain digest is enough to keep
a leaked configuration or memory dump from yielding a usable key; a slow password hash would
only slow every request.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr

if TYPE_CHECKING:
    from service.config import Settings

Role = Literal["staff", "analyst"]
#: What each role may do beyond the public endpoints: analysts also change the weights.
GRANTS: dict[Role, frozenset[Role]] = {
    "staff": frozenset({"staff"}),
    "analyst": frozenset({"staff", "analyst"}),
}
DIGEST_PREFIX = "sha256:"
#: Hex digits of a key's digest that name it in logs and the audit log (``staff:1a2b3c4d``).
KEY_ID_DIGITS = 8
#: Shorter keys could be guessed; ``sohosolo key`` makes 43-character ones.
MIN_KEY_LENGTH = 16


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_key() -> tuple[str, str]:
    """A fresh key and the ``sha256:<hex>`` form to put in the configuration."""
    key = secrets.token_urlsafe(32)
    return key, DIGEST_PREFIX + digest(key).hex()


@dataclass(frozen=True)
class Caller:
    role: Role
    digest: str = field(repr=False)  # hex SHA-256 of the key, as revocations name it

    @property
    def key_id(self) -> str:
        """The first hex digits of the key's digest: names a key without revealing it."""
        return self.digest[:KEY_ID_DIGITS]

    def may(self, role: Role) -> bool:
        return role in GRANTS[self.role]

    def __str__(self) -> str:
        return f"{self.role}:{self.key_id}"


class Keyring:
    """The digests of the configured keys and their roles."""

    def __init__(self, keys: dict[Role, list[SecretStr]]) -> None:
        self._entries: list[tuple[bytes, Role]] = []
        for role, secrets_ in keys.items():
            for n, secret in enumerate(secrets_):
                self._entries.append((_configured_digest(secret.get_secret_value(), role, n), role))

    @classmethod
    def from_settings(cls, settings: "Settings") -> "Keyring":
        """The staff and analyst keys the settings configure."""
        return cls({"staff": settings.staff_api_keys, "analyst": settings.analyst_api_keys})

    def __len__(self) -> int:
        return len(self._entries)

    def digests(self) -> list[tuple[str, Role]]:
        """(hex digest, role) of every configured key."""
        return [(stored.hex(), role) for stored, role in self._entries]

    def caller(self, key: str | None) -> Caller | None:
        """The caller a presented key belongs to, or None; every entry is compared, always."""
        if not key:
            return None
        presented = digest(key)
        found: Role | None = None
        for stored, role in self._entries:
            if hmac.compare_digest(stored, presented) and found is None:
                found = role
        return None if found is None else Caller(found, presented.hex())


class KeyConfigError(ValueError):
    """A configured API key is unusable (too short, or a malformed digest)."""


def _configured_digest(value: str, role: str, n: int) -> bytes:
    if value.startswith(DIGEST_PREFIX):
        hex_digest = value.removeprefix(DIGEST_PREFIX)
        try:
            raw = bytes.fromhex(hex_digest)
        except ValueError:
            raw = b""
        if len(raw) != hashlib.sha256().digest_size:
            raise KeyConfigError(
                f"SOHOSOLO_{role.upper()}_API_KEYS item {n + 1}: expected sha256: and 64 hex "
                f"digits, found {len(hex_digest)} characters after the prefix"
            )
        return raw
    if len(value) < MIN_KEY_LENGTH:
        raise KeyConfigError(
            f"SOHOSOLO_{role.upper()}_API_KEYS item {n + 1}: expected a key of at least "
            f"{MIN_KEY_LENGTH} characters, found {len(value)}"
        )
    return digest(value)


def revocation_digest(given: str, keyring: Keyring) -> str:
    """The hex digest a revocation names: ``given`` is the key itself, its ``sha256:<hex>``
    form, or its id (the first digits of its digest, as logs and the audit log show it),
    which must then name exactly one configured key."""
    if given.startswith(DIGEST_PREFIX):
        return _configured_digest(given, "revoked", 0).hex()
    lowered = given.lower()
    if len(given) < MIN_KEY_LENGTH and all(c in "0123456789abcdef" for c in lowered):
        matches = [digest for digest, _ in keyring.digests() if digest.startswith(lowered)]
        if len(matches) != 1:
            found = "no configured key" if not matches else f"{len(matches)} configured keys"
            raise KeyConfigError(
                f"key id {given!r}: expected the first digits of one configured key's digest, "
                f"found {found}; give the key itself or its sha256: form"
            )
        return matches[0]
    return digest(given).hex()
