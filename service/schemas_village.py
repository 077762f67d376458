"""Request and response bodies of the village side (api.md, "Additions to v1"): homes one
listing at a time, and (below) needs, committees and corrections of facts."""

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from features.profile import JSON_NUMBER, MAX_BUDGET_EUR, JsonFloat
from features.vocab import PREMISES_USES, PROFESSION_CODES, SERVICES_BY_CODE
from service import clock
from service.corrections import CORRECTABLE
from service.schemas import (
    MAX_YEAR,
    MIN_YEAR,
    YEARS_PATTERN,
    Attribute,
    Description,
    Email,
    PersonName,
    Published,
    Request,
    VillageSummary,
)
from service.store.needs import Need

#: Listings one village may publish at once (PUT).
MAX_HOMES = 200
#: How far ahead an expiry date may be set: a listing is confirmed at least once a year.
MAX_AHEAD_DAYS = 366


def _plausible_day(day: date) -> date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PydanticCustomError(
            "year_range",
            "expected a year from {first} to {last}, found {found}",
            {"first": MIN_YEAR, "last": MAX_YEAR, "found": day.year},
        )
    return day


def _ahead(day: date) -> date:
    today = clock.today()
    last = today + timedelta(days=MAX_AHEAD_DAYS)
    if not today <= day <= last:
        raise PydanticCustomError(
            "date_range",
            "expected a date from {first} to {last}, found {found}",
            {"first": str(today), "last": str(last), "found": str(day)},
        )
    return day


def _as_text(value: object) -> object:
    # JSON has no date type: a date is text; a number (a timestamp?) is refused, not guessed.
    if not isinstance(value, str | date):
        raise PydanticCustomError(
            "date_text",
            "expected a date as text (2027-01-31), found {kind}",
            {"kind": type(value).__name__},
        )
    return value


#: A day as ISO 8601 text (2027-01-31), in years the programme can mean.
Day = Annotated[
    date,
    BeforeValidator(_as_text),
    AfterValidator(_plausible_day),
    Published(pattern=YEARS_PATTERN),
]
#: A day from today to a year ahead: when something stops counting.
Expiry = Annotated[
    date,
    BeforeValidator(_as_text),
    AfterValidator(_ahead),
    Published(
        pattern=YEARS_PATTERN,
        description=f"A day from today to {MAX_AHEAD_DAYS} days ahead (ISO 8601, 2027-01-31).",
    ),
]
Tenure = Literal["buy", "rent"]
Price = Annotated[
    float, Field(gt=0, le=MAX_BUDGET_EUR, description="Price to buy, or monthly rent."), JSON_NUMBER
]
Bedrooms = Annotated[int, Field(ge=0, le=20), JSON_NUMBER]
Surface = Annotated[float, Field(gt=0, le=5000, description="Living area, m²."), JSON_NUMBER]
_NOTE = "Free text shown to prospects (500 characters); `description` is its former name."


class HomeIn(Request):
    """A listing as a committee or staff writes it."""

    tenure: Tenure
    price_eur: Price
    bedrooms: Bedrooms
    surface_m2: Surface | None = None
    note: Description | None = Field(
        None, validation_alias=AliasChoices("note", "description"), description=_NOTE
    )
    available_from: Day | None = Field(None, description="Default: today.")
    expires_at: Expiry | None = Field(
        None, description="Default: 90 days from today; a confirmation moves it on."
    )


class HomePatch(Request):
    """The fields of a listing to change (any of them); send If-Match with its version."""

    tenure: Tenure | None = None
    price_eur: Price | None = None
    bedrooms: Bedrooms | None = None
    surface_m2: Surface | None = None
    note: Description | None = Field(
        None, validation_alias=AliasChoices("note", "description"), description=_NOTE
    )
    available_from: Day | None = None
    expires_at: Expiry | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent (a null surface or note clears it; a null elsewhere is ignored)."""
        sent = self.model_dump(exclude_unset=True)
        clearable = {"surface_m2", "note"}
        return {k: v for k, v in sent.items() if v is not None or k in clearable}


class HomesIn(Request):
    homes: Annotated[list[HomeIn], Field(max_length=MAX_HOMES)]


class HomeOut(BaseModel):
    id: int
    version: int = Field(description="Raised by every change; send it as If-Match.")
    tenure: str
    price_eur: float
    bedrooms: int
    surface_m2: float | None
    note: str | None
    description: str | None = Field(description="The same as note (its former name).")
    available_from: date
    expires_at: date
    expired: bool = Field(description="Past expires_at: no longer counted in rankings.")
    updated_at: datetime
    updated_by: str


class HomesOut(BaseModel):
    insee: str
    name: str
    homes: list[HomeOut]


# -- needs --------------------------------------------------------------------------------------

if TYPE_CHECKING:
    ServiceCode: TypeAlias = str
    PremisesUse: TypeAlias = str
    ProfessionCode: TypeAlias = str
else:  # the vocabularies' codes, listed in the OpenAPI schema
    ServiceCode = Literal[tuple(SERVICES_BY_CODE)]
    PremisesUse = Literal[tuple(PREMISES_USES)]
    ProfessionCode = Literal[PROFESSION_CODES]
SchoolName = PersonName
#: A source or a reason: a short text, 300 characters.
SourceText = Annotated[Description, Field(max_length=300)]
Age = Annotated[int, Field(ge=3, le=17), JSON_NUMBER]
_NEED_NOTE = "Plain-language explanation shown with the need (500 characters)."
_NEED_EXPIRY = "When the need stops counting; default: a year from today."


class SchoolPupilsNeed(Request):
    kind: Literal["school_pupils"]
    school: Annotated[SchoolName, Field(description="The school's name.")]
    age_min: Age
    age_max: Age
    pupils: Annotated[int, Field(ge=1, le=200, description="Pupils missing."), JSON_NUMBER]
    by: Day = Field(description="When they are needed: the next school year's count.")
    note: Description | None = Field(None, description=_NEED_NOTE)
    expires_at: Expiry | None = Field(None, description=_NEED_EXPIRY)

    @model_validator(mode="after")
    def _ages_in_order(self) -> "SchoolPupilsNeed":
        if self.age_min > self.age_max:
            raise PydanticCustomError(
                "age_order",
                "age_min {age_min} is above age_max {age_max}",
                {"age_min": self.age_min, "age_max": self.age_max},
            )
        return self


class TradeNeed(Request):
    # JSON Schema states the rule ``_something`` applies, for clients and fuzzers.
    model_config = Request.model_config | {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["service"], "properties": {"service": {"type": "string"}}},
                {"required": ["professions"], "properties": {"professions": {"minItems": 1}}},
            ]
        }
    }

    kind: Literal["trade"]
    professions: list[ProfessionCode] = Field(
        default_factory=list,
        max_length=len(PROFESSION_CODES),
        description="Codes of GET /v1/professions.",
    )
    service: ServiceCode | None = Field(None, description="A service the village lacks.")
    note: Description | None = Field(None, description=_NEED_NOTE)
    expires_at: Expiry | None = Field(None, description=_NEED_EXPIRY)

    @model_validator(mode="after")
    def _something(self) -> "TradeNeed":
        if not self.professions and self.service is None:
            raise PydanticCustomError(
                "trade_empty", "expected professions, a service or both; found neither"
            )
        return self


class PremisesNeed(Request):
    kind: Literal["premises"]
    use: PremisesUse
    surface_m2: Annotated[float, Field(gt=0, le=10000), JSON_NUMBER]
    rent_eur: Annotated[float, Field(ge=0, le=100000, description="Monthly rent."), JSON_NUMBER]
    note: Description | None = Field(None, description=_NEED_NOTE)
    expires_at: Expiry | None = Field(None, description=_NEED_EXPIRY)


NeedIn = Annotated[SchoolPupilsNeed | TradeNeed | PremisesNeed, Field(discriminator="kind")]


class NeedOut(BaseModel):
    """A need: ``kind`` says which of the fields are set."""

    id: int
    kind: Literal["school_pupils", "trade", "premises"]
    note: str | None
    expires_at: date
    school: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    pupils: int | None = None
    by: date | None = None
    professions: list[str] | None = None
    service: str | None = None
    use: str | None = None
    surface_m2: float | None = None
    rent_eur: float | None = None

    @classmethod
    def of(cls, need: Need) -> dict[str, Any]:
        """A stored need as JSON, with only its kind's fields."""
        fields = {
            "id": need.id,
            "kind": need.kind,
            "note": need.note,
            "expires_at": need.expires_at,
        }
        fields |= {name: getattr(need, name) for name in KIND_FIELDS[need.kind]}
        if need.kind == "trade":
            fields["professions"] = list(need.professions)
        return cls.model_validate(fields).model_dump(mode="json", exclude_none=True) | {
            "note": need.note
        }


#: The fields of each kind of need.
KIND_FIELDS = {
    "school_pupils": ("school", "age_min", "age_max", "pupils", "by"),
    "trade": ("professions", "service"),
    "premises": ("use", "surface_m2", "rent_eur"),
}


class NeedsOut(BaseModel):
    insee: str
    name: str
    needs: list[NeedOut]


# -- committees ---------------------------------------------------------------------------------


class CommitteeIn(Request):
    capacity_per_quarter: Annotated[
        int,
        Field(ge=0, le=50, description="Families it can accompany at once, a quarter."),
        JSON_NUMBER,
    ]
    contact_name: PersonName | None = None
    contact_email: Email | None = None


class CommitteeOut(BaseModel):
    insee: str
    name: str
    capacity_per_quarter: int | None = Field(description="None until the committee states it.")
    contact_name: str | None = Field(description="Never shown publicly.")
    contact_email: str | None
    updated_at: datetime | None
    updated_by: str | None


# -- a village's detail -------------------------------------------------------------------------


class VillageDetail(VillageSummary):
    attributes: dict[str, Attribute] = Field(
        description="Every attribute of the village table, with its unit and sources; a value "
        "corrected by the village's committee (and approved by staff) says so in `corrected`."
    )
    needs: list[NeedOut] = Field(description="The village's current needs (public).")


# -- corrections of facts -----------------------------------------------------------------------

if TYPE_CHECKING:
    FactField: TypeAlias = str
else:  # the facts a committee may correct, listed in the OpenAPI schema
    FactField = Literal[CORRECTABLE]


class ProposalIn(Request):
    field: FactField = Field(description="A fact of GET /v1/villages/{insee} the model uses.")
    value: JsonFloat = Field(
        description="The fact's true value, in the attribute's unit and documented range."
    )
    source: Annotated[SourceText, Field(description="Where it can be checked (a URL, a name).")]
    observed_at: Day = Field(description="When it was observed.")


class ReviewIn(Request):
    reason: Annotated[SourceText, Field(description="Why it is rejected (kept).")]


class ProposalOut(BaseModel):
    id: int
    insee: str
    field: str
    value: float
    source: str
    observed_at: date
    status: Literal["pending", "approved", "rejected"]
    proposed_at: datetime
    proposed_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    reason: str | None
