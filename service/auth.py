"""Who calls: API keys (kept only as SHA-256 digests, compared in constant time, each with a
role, a committee's with its villages) and the ``Caller`` a key or a session names.

Keys are long random tokens (``sohosolo key`` makes them), so a plain digest is enough to keep
a leaked configuration or memory dump from yielding a usable key; a slow password hash would
only slow every request. People's passwords are another matter (``service.accounts``).

A committee key travels with its villages in the configuration:
``SOHOSOLO_COMMITTEE_API_KEYS=sha256:<hex>@32249+32416`` (the villages after ``@``, joined by
``+``), so that it is configured, listed and revoked as the other keys are.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr

if TYPE_CHECKING:
    from service.config import Settings

Role = Literal["committee", "staff", "analyst"]
ROLES: tuple[Role, ...] = ("committee", "staff", "analyst")
#: What each role may do beyond the public endpoints: staff do everything committees do, for
#: every village; analysts everything staff do, and change the weights.
GRANTS: dict[Role, frozenset[Role]] = {
    "committee": frozenset({"committee"}),
    "staff": frozenset({"committee", "staff"}),
    "analyst": frozenset({"committee", "staff", "analyst"}),
}
#: Separates a committee key from its villages in the configuration, and the villages.
VILLAGES_AT, VILLAGES_JOIN = "@", "+"
_INSEE = re.compile(r"^[0-9]{5}$")
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
    """A key's holder or a signed-in person: a role and, for a committee, its villages."""

    role: Role
    digest: str = field(default="", repr=False)  # hex SHA-256 of the key, as revocations name it
    villages: frozenset[str] | None = None  # None: every village (staff, analysts)
    account_id: int | None = None  # a person's account, when signed in with a session
    csrf_token: str | None = field(default=None, repr=False)  # the session's

    @property
    def key_id(self) -> str:
        """The first hex digits of the key's digest: names a key without revealing it."""
        return self.digest[:KEY_ID_DIGITS]

    def may(self, role: Role) -> bool:
        return role in GRANTS[self.role]

    def may_village(self, insee: str) -> bool:
        """Whether the caller may read and change this village's homes, needs and committee."""
        return self.may("committee") and (self.villages is None or insee in self.villages)

    def __str__(self) -> str:
        """How logs and the audit log name the caller: ``staff:1a2b3c4d`` for a key,
        ``committee:account-7`` for a person (never their email)."""
        if self.account_id is not None:
            return f"{self.role}:account-{self.account_id}"
        return f"{self.role}:{self.key_id}"


class Keyring:
    """The digests of the configured keys, their roles and (committees) their villages."""

    def __init__(self, keys: dict[Role, list[SecretStr]]) -> None:
        self._entries: list[tuple[bytes, Role, frozenset[str] | None]] = []
        for role, secrets_ in keys.items():
            for n, secret in enumerate(secrets_):
                value, villages = _key_and_villages(secret.get_secret_value(), role, n)
                self._entries.append((_configured_digest(value, role, n), role, villages))

    @classmethod
    def from_settings(cls, settings: "Settings") -> "Keyring":
        """The committee, staff and analyst keys the settings configure."""
        return cls(
            {
                "committee": settings.committee_api_keys,
                "staff": settings.staff_api_keys,
                "analyst": settings.analyst_api_keys,
            }
        )

    def villages(self) -> set[str]:
        """Every village a committee key names (the service checks they are partners)."""
        return {code for _, _, villages in self._entries for code in villages or ()}

    def __len__(self) -> int:
        return len(self._entries)

    def digests(self) -> list[tuple[str, Role]]:
        """(hex digest, role) of every configured key."""
        return [(stored.hex(), role) for stored, role, _ in self._entries]

    def caller(self, key: str | None) -> Caller | None:
        """The caller a presented key belongs to, or None; every entry is compared, always."""
        if not key:
            return None
        presented = digest(key)
        found: Caller | None = None
        for stored, role, villages in self._entries:
            if hmac.compare_digest(stored, presented) and found is None:
                found = Caller(role, presented.hex(), villages)
        return found


class KeyConfigError(ValueError):
    """A configured API key is unusable (too short, or a malformed digest)."""


def committee_entry(configured: str, villages: Sequence[str]) -> str:
    """A committee key's configuration entry: the key (or its digest) and its villages."""
    return configured + VILLAGES_AT + VILLAGES_JOIN.join(villages)


def _key_and_villages(value: str, role: Role, n: int) -> tuple[str, frozenset[str] | None]:
    """A configured key and, for a committee, the villages written after it."""
    if role != "committee":
        return value, None
    key, at, codes = value.rpartition(VILLAGES_AT)
    villages = codes.split(VILLAGES_JOIN) if at else []
    if not villages or not all(_INSEE.match(code) for code in villages):
        raise KeyConfigError(
            f"SOHOSOLO_COMMITTEE_API_KEYS item {n + 1}: expected the key, then @ and its "
            f"villages' INSEE codes joined by + (sha256:<hex>@32249+32416), found "
            f"{(VILLAGES_AT + codes) if at else 'no villages'}"
        )
    return key, frozenset(villages)


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
        # A committee key's entry may be given whole, villages and all.
        return _configured_digest(given.partition(VILLAGES_AT)[0], "revoked", 0).hex()
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
