"""Request and response bodies of the v1 API (../shared/design/api.md), as pydantic models.

Request models validate (unknown fields refused, NaN refused, text free of control
characters); response models document the answers in the OpenAPI schema.
"""

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)

from features import criteria
from features.profile import JsonBool, JsonFloat, Profile
from matcher.weights import MAX_WEIGHT

#: Profiles one batch request may carry (the 64 KiB body limit comes first in practice).
MAX_BATCH = 200
#: Dates outside these years are typos (and some would overflow a database timestamp).
MIN_YEAR, MAX_YEAR = 2000, 2100

#: C0 and C1 control characters but tab and line feed, and the bidirectional overrides and
#: isolates, which can make a printed name or email read other than it is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _no_control_characters(text: str) -> str:
    found = _CONTROL.search(text)
    if found:
        raise ValueError(
            f"control character U+{ord(found.group()):04X} at position {found.start()} is not "
            "allowed"
        )
    return text


def _text(max_length: int, pattern: str | None = None) -> tuple[Any, ...]:
    return (
        Field(min_length=1, max_length=max_length, pattern=pattern),
        AfterValidator(_no_control_characters),
    )


PersonName = Annotated[str, *_text(200)]
Email = Annotated[str, *_text(320, r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, *_text(40, r"^\+?[0-9 ().-]{4,40}$")]
ProspectId = Annotated[str, *_text(36)]
InseeCode = Annotated[str, *_text(5, r"^[0-9]{5}$")]
Description = Annotated[str, *_text(500)]
ProfileName = Annotated[str, *_text(100, r"^[A-Za-z0-9_.-]+$")]


def _plausible(moment: datetime) -> datetime:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"expected a year from {MIN_YEAR} to {MAX_YEAR}, found {moment.year}")
    return moment


#: A moment with its timezone (``2026-11-22T10:00:00Z``), in years the programme can mean.
Timestamp = Annotated[AwareDatetime, AfterValidator(_plausible)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# -- public ---------------------------------------------------------------------------------


class Problem(BaseModel):
    """The body of a 401, 403, 404, 413 or 429 answer."""

    detail: str = Field(description="What was wrong, in words.")


class ModelName(BaseModel):
    name: str
    version: str


class Health(BaseModel):
    status: Literal["ok"]
    villages: int = Field(description="Partner villages.")
    model: ModelName


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


class Result(BaseModel):
    rank: int
    insee: str
    name: str
    score: float = Field(ge=0, le=1)
    contributions: dict[str, float]
    reasons: list[str]
    facts: dict[str, float | int | str | None]


class Excluded(BaseModel):
    insee: str
    name: str
    reasons: list[str]


class Suggestion(BaseModel):
    change: str
    to: float | list[str]
    opens: list[str]


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
    profile: Profile
    contact: Contact = Contact()
    consent: JsonBool = Field(description="Whether the prospect agreed to be kept on file.")
    consent_at: Timestamp | None = Field(
        None, description="When consent was given (default: now, if consent is true)."
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


class OutcomeIn(Request):
    prospect_id: ProspectId
    insee: InseeCode
    event: Literal["shortlisted", "visited", "settled", "left"]
    at: Timestamp | None = Field(None, description="When it happened (default: now).")


class OutcomeCreated(BaseModel):
    id: int
    prospect_id: str
    insee: str
    event: str
    at: datetime


_FiniteWeight = Annotated[JsonFloat, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
if TYPE_CHECKING:
    CriterionWeights = BaseModel
else:
    #: One required, finite, non-negative weight per criterion; any other key is refused.
    CriterionWeights = create_model(
        "CriterionWeights",
        __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
        **{code: (_FiniteWeight, ...) for code in criteria.codes()},
    )


class WeightsIn(Request):
    name: ProfileName
    description: Annotated[str, Field(max_length=2000), AfterValidator(_no_control_characters)] = ""
    weights: CriterionWeights

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
