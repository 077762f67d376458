"""Passwords: hashed with argon2id (argon2-cffi's ``PasswordHasher``, memory-hard, with its
RFC 9106 defaults), and chosen by a rule a person can follow: 12 characters or more, and not a
common password.

"Common" is decided by a list shipped with the package (``common_passwords.txt``, from
zxcvbn's ranking of the Xato corpus of leaked passwords; its header says how it was made): a
password is refused when, lower-cased, it is on the list, or is an entry of the list with
digits, spaces or symbols before or after it ("password1234", "Azertyuiop123!"), or is only
digits (dates and phone numbers are guessed first), or uses fewer than 5 different characters,
or contains the account's email name.
"""

import functools
import re
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
#: Longer inputs are refused before hashing: argon2 would take them, but nobody types them.
MAX_LENGTH = 256
MIN_DISTINCT = 5
#: What is stripped around a password before it is looked up (digits, spaces, symbols).
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")

_hasher = PasswordHasher()
#: Verified against when no account matches, so that an unknown email takes as long as a
#: wrong password.
_DUMMY_HASH = _hasher.hash("no account has this password")


class WeakPassword(ValueError):
    """A password the rule refuses; the message says which part of the rule, in ``code``."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


def check_password(password: str, email: str = "") -> None:
    """Raise ``WeakPassword`` when ``password`` breaks the rule."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            "too_short", f"expected at least {MIN_LENGTH} characters, found {len(password)}"
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            "too_long", f"expected at most {MAX_LENGTH} characters, found {len(password)}"
        )
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT:
        raise WeakPassword("common", f"expected at least {MIN_DISTINCT} different characters")
    if lowered.isdigit():
        raise WeakPassword("common", "only digits: a date or a number is guessed first")
    common = common_passwords()
    if lowered in common or _AROUND.sub("", lowered) in common:
        raise WeakPassword("common", "this is a common password: choose another")
    local = email.lower().partition("@")[0]
    if len(local) >= 4 and local in lowered:
        raise WeakPassword("common", "the password contains the email address: choose another")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (an argon2 hash); with no hash, the same work
    is done against a dummy one and the answer is False."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password[:MAX_LENGTH]) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with older parameters than the hasher's (rehashed at sign-in)."""
    return _hasher.check_needs_rehash(stored)
