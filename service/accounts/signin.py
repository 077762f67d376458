"""What people do with their accounts, the same for the API and the intranet pages: be
invited, choose a password, sign in (throttled), be recognised by their cookie, change their
password, sign out."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool

from service.accounts.passwords import (
    WeakPassword,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from service.accounts.throttle import SignInThrottle, ThrottlePolicy
from service.accounts.tokens import new_token, token_hash
from service.config import Settings
from service.counters import Counters
from service.exceptions import InvalidField, Unauthenticated
from service.store import Store
from service.store.accounts import Account, SessionPolicy, SignedIn
from service.store.base import utcnow

#: How long an invitation link works.
INVITATION_DAYS = 7
INVITATION_PATH = "/intranet/invitation/"
WRONG = "wrong email or password"


@dataclass(frozen=True)
class NewSession:
    token: str  # the cookie's value: given to the browser, never stored
    signed_in: SignedIn


@dataclass(frozen=True)
class NewInvitation:
    account: Account
    url: str
    expires_at: datetime


class Accounts:
    """People's accounts over the store, with the sign-in throttle and the session policy."""

    def __init__(self, store: Store, settings: Settings, counters: Counters | None = None) -> None:
        self.store = store
        self.settings = settings
        self.throttle = SignInThrottle(
            ThrottlePolicy(
                settings.signin_account_limit,
                settings.signin_address_limit,
                settings.signin_slow_after,
                settings.signin_max_delay_seconds,
            ),
            counters,
        )
        self.policy = SessionPolicy(
            idle=timedelta(hours=settings.session_idle_hours),
            longest=timedelta(days=settings.session_max_days),
        )

    # -- invitations ------------------------------------------------------------------------

    def invite(
        self, email: str, name: str, role: str, villages: list[str], by: str, base_url: str
    ) -> NewInvitation:
        token = new_token()
        expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
        account = self.store.invite(
            email, name, role, sorted(set(villages)), token_hash(token), expires_at, by
        )
        base = (self.settings.public_url or base_url).rstrip("/")
        return NewInvitation(account, f"{base}{INVITATION_PATH}{token}", expires_at)

    def invited(self, token: str) -> Account:
        """The account a link is for (``NotFound``, ``Gone``)."""
        return self.store.invitation(token_hash(token))

    def accept(self, token: str, password: str) -> Account:
        account = self.invited(token)  # a dead link is told before a weak password
        strong(password, "password", account.email)
        return self.store.accept_invitation(token_hash(token), hash_password(password))

    # -- sessions ---------------------------------------------------------------------------

    async def sign_in(self, email: str, password: str, address: str) -> NewSession:
        """A new session for a right email and password; ``Unauthenticated`` otherwise (the
        same whether the email exists or not), ``RateLimited`` after too many failures."""
        delay = self.throttle.check(email, address)
        if delay:
            await asyncio.sleep(delay)
        return await run_in_threadpool(self._verify, email, password, address)

    def _verify(self, email: str, password: str, address: str) -> NewSession:
        record = self.store.password_record(email)
        account, stored = record if record is not None else (None, None)
        right = verify_password(stored, password)
        if not right or account is None or not account.active:
            self.throttle.failed(email, address)
            self.store.record_failed_sign_in(account.id if account else None, address)
            raise Unauthenticated(WRONG)
        self.throttle.succeeded(email)
        assert stored is not None
        rehashed = hash_password(password) if needs_rehash(stored) else None
        return self._start(account, address, rehashed)

    def _start(self, account: Account, address: str, rehashed: str | None = None) -> NewSession:
        token = new_token()
        signed = self.store.start_session(
            account, token_hash(token), new_token(), self.policy, address, rehashed
        )
        return NewSession(token, signed)

    def signed_in(self, token: str | None) -> SignedIn | None:
        """The live session a cookie names, or None."""
        if not token:
            return None
        return self.store.signed_in(token_hash(token), self.policy)

    def sign_out(self, token: str, by: str) -> None:
        self.store.end_session(token_hash(token), by)

    def change_password(
        self, signed: SignedIn, current: str, new: str, address: str, by: str
    ) -> NewSession:
        """Check the current password, set the new one, end every session of the account
        (other browsers' cookies stop working) and start a fresh one for this browser."""
        account = signed.account
        record = self.store.password_record(account.email)
        if record is None or not verify_password(record[1], current):
            raise InvalidField("current_password", "the current password is wrong", code="wrong")
        strong(new, "new_password", account.email)
        self.store.change_password(account.id, hash_password(new), by)
        return self._start(account, address)


def strong(password: str, field: str, email: str) -> None:
    """``InvalidField`` naming ``field`` when the password breaks the rule."""
    try:
        check_password(password, email)
    except WeakPassword as weak:
        raise InvalidField(field, str(weak), code=weak.code) from None
