"""Request and response bodies of people's accounts and sessions (api.md, "Who may do what")."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from features.profile import JsonBool
from service.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from service.schemas import Email, PartnerCode, PersonName, Request

RoleName = Literal["committee", "staff", "analyst"]
#: Villages one committee account may keep (every partner at most).
MAX_VILLAGES = 60
#: What a password field takes: the rule's length; the rest of the rule is checked after.
Password = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]


class InvitationIn(Request):
    # JSON Schema states the rule the validator below applies, for clients and fuzzers.
    model_config = Request.model_config | {
        "json_schema_extra": {
            "if": {"properties": {"role": {"const": "committee"}}},
            "then": {"required": ["villages"], "properties": {"villages": {"minItems": 1}}},
            "else": {"properties": {"villages": {"maxItems": 0}}},
        }
    }

    role: RoleName
    villages: list[PartnerCode] = Field(
        default_factory=list,
        max_length=MAX_VILLAGES,
        description="Partner villages a committee keeps (one at least); none for staff "
        "and analysts, who keep every village.",
    )
    name: PersonName
    email: Email

    @model_validator(mode="after")
    def _villages_for_committees(self) -> "InvitationIn":
        if self.role == "committee" and not self.villages:
            raise ValueError("a committee account keeps at least one village: list it")
        if self.role != "committee" and self.villages:
            raise ValueError(f"a {self.role} account keeps every village: list none")
        return self


class InvitationOut(BaseModel):
    id: int = Field(description="The account's id.")
    url: str = Field(description="The one-time link to choose a password, to hand over.")
    expires_at: datetime
    emailed: bool = Field(description="Whether the link was sent by email (SMTP configured).")


class PasswordIn(Request):
    password: Password = Field(
        description=f"At least {MIN_LENGTH} characters, not a common password."
    )


class AccountCreated(BaseModel):
    id: int
    role: RoleName
    villages: list[str]


class SessionIn(Request):
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]


class SessionOut(BaseModel):
    account_id: int | None = Field(description="The signed-in account (none for a key).")
    name: str | None
    role: RoleName
    villages: list[str] | None = Field(description="A committee's villages; none: all.")
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token with every change made with the session cookie."
    )
    expires_at: datetime | None


class PasswordChangeIn(Request):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]
    new_password: Password


class AccountOut(BaseModel):
    id: int
    email: str
    name: str
    role: RoleName
    villages: list[str]
    status: Literal["invited", "active", "disabled"]
    active: bool
    created_at: datetime
    created_by: str
    password_changed_at: datetime | None


class AccountPatch(Request):
    active: JsonBool = Field(description="false disables the account and ends its sessions.")
