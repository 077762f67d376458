"""Request and response bodies of the v1 API (../shared/design/api.md), as pydantic models.

Request models validate (unknown fields refused, NaN refused, text free of control
characters); response models document the answers in the OpenAPI schema.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from features import criteria
from features.profile import JSON_NUMBER, JsonBool, Profile
from matcher.weights import MAX_WEIGHT
from service.openapi import PARTNER_MARK

#: Profiles one batch request may carry (the 64 KiB body limit comes first in practice).
MAX_BATCH = 200
#: Dates outside these years are typos (and some would overflow a database timestamp).
MIN_YEAR, MAX_YEAR = 2000, 2100

#: C0 and C1 control characters but tab and line feed, and the bidirectional overrides and
#: isolates, which can make a printed name or email read other than it is stored. Written as
#: a character class both Python and JSON Schema (ECMA 262) read the same way.
_CONTROL_CHARACTERS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROL_CHARACTERS}]")
#: Text without them: the pattern the OpenAPI document states for free text.
FREE_TEXT = f"^[^{_CONTROL_CHARACTERS}]*$"


def _no_control_characters(value: Any) -> Any:
    # Before the pattern: the message says which character, and where.
    found = _CONTROL.search(value) if isinstance(value, str) else None
    if found:
        raise ValueError(
            f"control character U+{ord(found.group()):04X} at position {found.start()} is not "
            "allowed"
        )
    return value


def _text(max_length: int, pattern: str = FREE_TEXT, min_length: int = 1) -> tuple[Any, ...]:
    """Text of at most ``max_length`` characters, matching ``pattern`` (which must refuse the
    control characters too, so that the published pattern is the whole rule)."""
    return (
        Field(min_length=min_length, max_length=max_length, pattern=pattern),
        BeforeValidator(_no_control_characters),
    )


_EMAIL_PART = f"[^@\\s{_CONTROL_CHARACTERS}]+"
PersonName = Annotated[str, *_text(200)]
Email = Annotated[str, *_text(320, f"^{_EMAIL_PART}@{_EMAIL_PART}\\.{_EMAIL_PART}$")]
Phone = Annotated[str, *_text(40, r"^\+?[0-9 ().-]{4,40}$")]
ProspectId = Annotated[str, *_text(36)]
InseeCode = Annotated[str, *_text(5, r"^[0-9]{5}$")]
Description = Annotated[str, *_text(500)]
ProfileName = Annotated[str, *_text(100, r"^[A-Za-z0-9_.-]+$")]


def _plausible(moment: datetime) -> datetime:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"expected a year from {MIN_YEAR} to {MAX_YEAR}, found {moment.year}")
    return moment


class Published:
    """Adds JSON Schema keywords to a type's published schema, for a rule a validator of the
    type enforces with a clearer message than the keyword's own."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(schema) | self.keywords


#: A partner village's code: the document lists the deployment's partners
#: (``service.openapi.publish``).
PartnerCode = Annotated[InseeCode, Published(**{PARTNER_MARK: True})]
#: The years from MIN_YEAR to MAX_YEAR, as the text of a moment starts with them (a test
#: checks that they agree).
YEARS_PATTERN = "^(20[0-9]{2}|2100)-"
#: A moment with its timezone (``2026-11-22T10:00:00Z``), in years the programme can mean.
Timestamp = Annotated[
    AwareDatetime,
    AfterValidator(_plausible),
    Published(
        pattern=YEARS_PATTERN,
        description="A date and time with its time zone (ISO 8601, e.g. 2026-11-22T10:00:00Z), "
        f"in the years {MIN_YEAR} to {MAX_YEAR}.",
    ),
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# -- public ---------------------------------------------------------------------------------


class Problem(BaseModel):
    """The body of a 401, 403, 404, 409, 413, 429 or 503 answer."""

    detail: str = Field(description="What was wrong, in words.")


class ModelName(BaseModel):
    name: str
    version: str


class DatabaseHealth(BaseModel):
    writable: bool = Field(
        description="Whether a write would go through now (tried at most once a second, and "
        "rolled back); false while writes answer 503."
    )
    detail: str | None = Field(
        None, description="Why the database cannot be written now, in words (else absent)."
    )


class Health(BaseModel):
    """Answered 200 whenever the service answers, with ``status`` ok as in version 1 of the
    API: rankings and reads work while the database cannot be written, and a 503 (or another
    status) would take every worker out of a load balancer for a fault they all share.
    Monitoring reads ``database.writable``."""

    status: Literal["ok"]
    villages: int = Field(description="Partner villages.")
    model: ModelName
    database: DatabaseHealth = Field(description="Whether the database can be written now.")


class ProfessionItem(BaseModel):
    code: str
    label: str


class VillageSummary(BaseModel):
    insee: str
    name: str
    population: int
    partner: bool
    canton: str
    lon: float
    lat: float
    km_to_auch: float
    minutes_to_auch: float
    minutes_to_toulouse: float
    ftth_share: float
    ftth_vintage: str
    operators_4g: int
    house_price_m2: float | None
    homes_available: int
    solos_settled: int
    needs_count: int = Field(description="The village's current needs (GET .../needs).")


class Correction(BaseModel):
    """A value corrected by the village's committee and approved by staff."""

    value: float | int = Field(description="The corrected value (the attribute's value).")
    packaged_value: float | int | str | bool | None = Field(description="The packaged data's.")
    source: str = Field(description="Where the committee saw it.")
    observed_at: str = Field(description="When it was observed (a date).")
    approved_by: str | None
    approved_at: datetime | None


class Attribute(BaseModel):
    value: float | int | str | bool | None
    unit: str
    description: str
    estimate: bool
    sources: list[str] = Field(description="Keys of the sources (geodata/DATA.md).")
    vintage: str = Field(description='Publisher and year of the value: "ARCEP 2025".')
    publishers: list[str] = Field(description="Who published the data it comes from.")
    corrected: Correction | None = Field(
        None, description="Present when the value is a correction approved by staff."
    )


class CommitteeLoad(BaseModel):
    capacity_left: int = Field(
        description="Families the village's committee can still take this quarter: its "
        "capacity less the prospects allocated to it (POST /v1/allocations)."
    )


class Result(BaseModel):
    rank: int
    insee: str
    name: str
    score: float = Field(ge=0, le=1)
    contributions: dict[str, float]
    reasons: list[str]
    facts: dict[str, float | int | str | None]
    committee: CommitteeLoad | None = Field(
        None,
        description="Staff and analyst callers only (a key, or a session for the shortlist), "
        "where the village's committee stated its capacity; public answers never carry it.",
    )


class Excluded(BaseModel):
    insee: str
    name: str
    reasons: list[str]


class Suggestion(BaseModel):
    change: str
    to: float | list[str]
    opens: list[str]
    highlights: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For opened villages where the prospect answers one of their needs: what, "
        "by INSEE code (so that a suggestion says which village needs them).",
    )


class Ranking(BaseModel):
    model: ModelName
    k: int
    results: list[Result]
    excluded: list[Excluded]
    suggestions: list[Suggestion]


class BatchIn(Request):
    profiles: Annotated[list[Profile], Field(min_length=1, max_length=MAX_BATCH)]


class BatchOut(BaseModel):
    rankings: list[Ranking]


# -- staff ----------------------------------------------------------------------------------


class Contact(Request):
    name: PersonName | None = None
    email: Email | None = None
    phone: Phone | None = None


class ProspectIn(Request):
    model_config = ConfigDict(
        # The rule of ``_consent_date_needs_consent`` in JSON Schema: consent, or no date.
        json_schema_extra={
            "anyOf": [
                {"properties": {"consent": {"const": True}}},
                {"properties": {"consent_at": {"type": "null"}}},
            ]
        }
    )

    profile: Profile
    contact: Contact = Contact()
    consent: JsonBool = Field(description="Whether the prospect agreed to be kept on file.")
    consent_at: Timestamp | None = Field(
        None,
        description="When consent was given (default: now, if consent is true). A consent date "
        "needs consent: with consent false it is refused (422).",
    )

    @field_validator("consent_at")
    @classmethod
    def _consent_date_needs_consent(
        cls, value: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        if value is not None and info.data.get("consent") is False:
            raise ValueError("a consent date is given but consent is false")
        return value


class ProspectCreated(BaseModel):
    id: str


class ContactOut(BaseModel):
    name: str | None
    email: str | None
    phone: str | None


class ProspectOut(BaseModel):
    id: str
    profile: Profile
    contact: ContactOut
    consent: bool
    consent_at: datetime | None
    created_at: datetime


#: How far ahead of the server's clock an outcome may be dated: the clocks of staff machines
#: drift a little, and an event entered as it happens must not be refused for it.
CLOCK_SKEW = timedelta(minutes=5)


class OutcomeIn(Request):
    prospect_id: ProspectId
    insee: PartnerCode = Field(description="A partner village (INSEE code).")
    event: Literal["shortlisted", "visit_planned", "visited", "met_committee", "settled", "left"]
    at: Timestamp | None = Field(
        None,
        description="When it happened (default: now); not in the future (up to "
        f"{CLOCK_SKEW.seconds // 60} minutes ahead of the server's clock is accepted).",
    )

    @field_validator("at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError(
                f"{value.isoformat()} is in the future: expected a time up to now (the "
                f"server's clock, {CLOCK_SKEW.seconds // 60} minutes of drift allowed)"
            )
        return value


class OutcomeCreated(BaseModel):
    id: int
    prospect_id: str
    insee: str
    event: str
    at: datetime


_FiniteWeight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False), JSON_NUMBER]
if TYPE_CHECKING:
    CriterionWeights = BaseModel
else:
    #: One required, finite, non-negative weight per criterion; any other key is refused.
    CriterionWeights = create_model(
        "CriterionWeights",
        __config__=ConfigDict(
            extra="forbid",
            allow_inf_nan=False,
            # The rule of ``WeightsIn._not_all_zero`` in JSON Schema: some weight above 0.
            json_schema_extra={
                "anyOf": [
                    {"properties": {code: {"exclusiveMinimum": 0}}} for code in criteria.codes()
                ]
            },
        ),
        **{code: (_FiniteWeight, ...) for code in criteria.codes()},
    )


class WeightsIn(Request):
    name: ProfileName
    description: Annotated[str, *_text(2000, min_length=0)] = ""
    weights: CriterionWeights = Field(
        description=f"One weight per criterion, from 0 to {MAX_WEIGHT:g}; not all 0 (422)."
    )

    @field_validator("weights")
    @classmethod
    def _not_all_zero(cls, value: BaseModel) -> BaseModel:
        if not any(value.model_dump().values()):
            raise ValueError("expected at least one weight above 0, found all 0")
        return value


class WeightsOut(BaseModel):
    name: str
    version: str
    description: str
    weights: dict[str, float]
    created_at: datetime
    created_by: str


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str = Field(description="role:key id of the key used, or the command that acted.")
    action: str = Field(description="weights.replace, homes.replace, prospect.create, ...")
    target: str = Field(description="The weight profile version, INSEE code or prospect id.")
    detail: str


class VillageExposure(BaseModel):
    insee: str
    name: str
    appearances: int
    share: float = Field(description="Share of the rankings in which the village appeared.")


class Exposure(BaseModel):
    since: datetime | None
    rankings: int
    villages: list[VillageExposure]
    gini: float = Field(description="Gini index of appearances over the partner villages.")
