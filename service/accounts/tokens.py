"""Random tokens (invitation links, session cookies, CSRF tokens) and the digests the database
keeps of them: a leaked database yields no usable link or session."""

import hashlib
import hmac
import secrets

#: 32 random bytes: 43 URL-safe characters.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token, as stored (a token is random: no slow hash needed)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "replace"), given.encode("utf-8", "replace")
    )
