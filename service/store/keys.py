"""API keys revoked: refused from the next request of every worker."""

from datetime import datetime

from sqlalchemy import select

from service.auth import KEY_ID_DIGITS
from service.db.models import RevokedKeyRow
from service.store import audit_log
from service.store.base import StoreBase, utcnow


class KeyStore(StoreBase):
    """Revocations of API keys, by their SHA-256 digest."""

    def revoke_key(self, digest_hex: str, by: str) -> bool:
        """Refuse the key with this SHA-256 digest from the next request; False if it was
        revoked already."""
        with self.transaction() as session:
            if session.get(RevokedKeyRow, digest_hex) is not None:
                return False
            # Every worker reads the revoked keys with its snapshot: the revision tells them.
            self._bump(session)
            session.add(RevokedKeyRow(digest=digest_hex, revoked_at=utcnow(), revoked_by=by))
            audit_log.write(session, by, "key.revoke", digest_hex[:KEY_ID_DIGITS])
        return True

    def revoked_digests(self) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(RevokedKeyRow.digest)))

    def revoked_keys(self) -> list[tuple[str, datetime, str]]:
        """(digest, when, by) of every revoked key, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(select(RevokedKeyRow).order_by(RevokedKeyRow.revoked_at))
            return [(row.digest, row.revoked_at, row.revoked_by) for row in rows]
