"""People's accounts: invitations, passwords (their argon2 hashes), sessions, and the audit
lines of each (never a password, a token or an email)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.db.models import AccountRow, AccountVillageRow, InvitationRow, SessionRow
from service.exceptions import Conflict, Gone, NotFound
from service.store import audit_log
from service.store.base import StoreBase, utcnow

#: A session's last use is written at most this often (every request reads it).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: str
    villages: tuple[str, ...]
    active: bool
    status: str  # "invited" (no password yet), "active" or "disabled"
    created_at: datetime
    created_by: str
    password_changed_at: datetime | None


@dataclass(frozen=True)
class SignedIn:
    """A live session: whose, its CSRF token, when it ends."""

    account: Account
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    longest: timedelta


def normal_email(email: str) -> str:
    return email.strip().lower()


class AccountStore(StoreBase):
    """Accounts, invitations and sessions."""

    def invite(
        self,
        email: str,
        name: str,
        role: str,
        villages: list[str],
        token_hash: str,
        expires_at: datetime,
        by: str,
    ) -> Account:
        """An account waiting for its password, and its one-time link (only the token's hash
        is stored). Inviting an email again before the password is chosen replaces the
        earlier link, role and villages; ``Conflict`` once the account has a password."""
        now = utcnow()
        with self.transaction() as session:
            row = session.scalar(select(AccountRow).where(AccountRow.email == normal_email(email)))
            if row is not None and row.password_hash is not None:
                raise Conflict("account", f"#{row.id}")
            if row is None:
                row = AccountRow(
                    email=normal_email(email), active=True, created_at=now, created_by=by
                )
                session.add(row)
            row.name, row.role = name, role
            session.flush()
            session.execute(delete(InvitationRow).where(InvitationRow.account_id == row.id))
            session.execute(delete(AccountVillageRow).where(AccountVillageRow.account_id == row.id))
            session.add_all(AccountVillageRow(account_id=row.id, insee=code) for code in villages)
            session.add(
                InvitationRow(
                    token_hash=token_hash, account_id=row.id, created_at=now, expires_at=expires_at
                )
            )
            detail = f"{role} {'+'.join(villages)}".strip()
            audit_log.write(session, by, "account.invite", f"account-{row.id}", detail)
            session.flush()
            return _account(session, row)

    def invitation(self, token_hash: str) -> Account:
        """The account an unused, unexpired link is for; ``NotFound`` or ``Gone`` otherwise."""
        with self.sessions() as session:
            return _account(session, _open_invitation(session, token_hash)[1])

    def accept_invitation(self, token_hash: str, password_hash: str) -> Account:
        """Set the account's password from its link, once."""
        now = utcnow()
        with self.transaction() as session:
            invitation, row = _open_invitation(session, token_hash)
            invitation.used_at = now
            row.password_hash, row.password_changed_at = password_hash, now
            session.execute(delete(SessionRow).where(SessionRow.account_id == row.id))
            actor = f"{row.role}:account-{row.id}"
            audit_log.write(session, actor, "account.accept", f"account-{row.id}")
            return _account(session, row)

    def password_record(self, email: str) -> tuple[Account, str | None] | None:
        """The account of an email and its password hash, or None."""
        with self.sessions() as session:
            row = session.scalar(select(AccountRow).where(AccountRow.email == normal_email(email)))
            return None if row is None else (_account(session, row), row.password_hash)

    def record_failed_sign_in(self, account_id: int | None, address: str) -> None:
        target = "unknown" if account_id is None else f"account-{account_id}"
        with self.transaction() as session:
            audit_log.write(session, "anonymous", "session.sign_in_failed", target, address[:100])

    def start_session(
        self,
        account: Account,
        token_hash: str,
        csrf_token: str,
        policy: SessionPolicy,
        address: str,
        new_password_hash: str | None = None,
    ) -> SignedIn:
        now = utcnow()
        expires = now + min(policy.idle, policy.longest)
        with self.transaction() as session:
            # The account's ended sessions go: the table holds live ones only, and a few.
            session.execute(
                delete(SessionRow).where(
                    SessionRow.account_id == account.id, SessionRow.expires_at <= now
                )
            )
            session.add(
                SessionRow(
                    token_hash=token_hash,
                    account_id=account.id,
                    csrf_token=csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
            )
            if new_password_hash is not None:  # the same password, hashed with newer settings
                session.execute(
                    update(AccountRow)
                    .where(AccountRow.id == account.id)
                    .values(password_hash=new_password_hash)
                )
            actor = f"{account.role}:account-{account.id}"
            audit_log.write(
                session, actor, "session.sign_in", f"account-{account.id}", address[:100]
            )
        return SignedIn(account, csrf_token, expires)

    def signed_in(self, token_hash: str, policy: SessionPolicy) -> SignedIn | None:
        """The live session of a cookie's token, its end moved on by this use; None when
        there is none, it ended or its account is disabled."""
        now = utcnow()
        with self.sessions() as session:
            row = session.get(SessionRow, token_hash)
            if row is None or row.expires_at <= now:
                return None
            account = session.get(AccountRow, row.account_id)
            if account is None or not account.active:
                return None
            if now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
                row.expires_at = min(row.created_at + policy.longest, now + policy.idle)
                session.commit()
            return SignedIn(_account(session, account), row.csrf_token, row.expires_at)

    def end_session(self, token_hash: str, by: str) -> None:
        with self.transaction() as session:
            row = session.get(SessionRow, token_hash)
            if row is None:
                return
            session.delete(row)
            audit_log.write(session, by, "session.sign_out", f"account-{row.account_id}")

    def change_password(self, account_id: int, password_hash: str, by: str) -> None:
        """A new password; every session of the account ends (the caller starts a new one)."""
        with self.transaction() as session:
            row = _row(session, account_id)
            row.password_hash, row.password_changed_at = password_hash, utcnow()
            session.execute(delete(SessionRow).where(SessionRow.account_id == account_id))
            audit_log.write(session, by, "account.password", f"account-{account_id}")

    def set_active(self, account_id: int, active: bool, by: str) -> Account:
        """Enable or disable an account; disabling ends its sessions at once."""
        with self.transaction() as session:
            row = _row(session, account_id)
            row.active = active
            if not active:
                session.execute(delete(SessionRow).where(SessionRow.account_id == account_id))
            action = "account.enable" if active else "account.disable"
            audit_log.write(session, by, action, f"account-{account_id}")
            return _account(session, row)

    def account(self, account_id: int) -> Account:
        with self.sessions() as session:
            return _account(session, _row(session, account_id))

    def accounts(self) -> list[Account]:
        with self.sessions() as session:
            rows = session.scalars(select(AccountRow).order_by(AccountRow.id)).all()
            return [_account(session, row) for row in rows]

    def purge_sessions(self) -> int:
        """Delete the sessions that have ended; how many."""
        with self.transaction() as session:
            done = session.execute(delete(SessionRow).where(SessionRow.expires_at <= utcnow()))
            return int(getattr(done, "rowcount", 0) or 0)


def _row(session: Session, account_id: int) -> AccountRow:
    row = session.get(AccountRow, account_id)
    if row is None:
        raise NotFound("account", str(account_id))
    return row


def _open_invitation(session: Session, token_hash: str) -> tuple[InvitationRow, AccountRow]:
    invitation = session.scalar(select(InvitationRow).where(InvitationRow.token_hash == token_hash))
    if invitation is None:
        raise NotFound("invitation", "link", "no such invitation: check the link or ask again")
    if invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise Gone("this invitation link was used already or has expired: ask for another")
    row = session.get(AccountRow, invitation.account_id)
    if row is None or not row.active:
        raise Gone("this invitation's account is disabled")
    return invitation, row


def _account(session: Session, row: AccountRow) -> Account:
    villages = session.scalars(
        select(AccountVillageRow.insee)
        .where(AccountVillageRow.account_id == row.id)
        .order_by(AccountVillageRow.insee)
    ).all()
    if not row.active:
        status = "disabled"
    else:
        status = "active" if row.password_hash is not None else "invited"
    return Account(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        villages=tuple(villages),
        active=row.active,
        status=status,
        created_at=row.created_at,
        created_by=row.created_by,
        password_changed_at=row.password_changed_at,
    )
