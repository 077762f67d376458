"""The prospect profile: the one definition used by the API, the CLI and the notebooks.

It follows ../shared/design/api.md exactly: unknown fields are rejected, bounds enforced, and
pydantic's messages name the field (``loc``) and what was expected.
"""

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from features import criteria
from features.vocab import (
    CONNECTIVITY_LEVELS,
    DEFAULT_MAX_MINUTES_TO_AUCH,
    DEFAULT_REMOTE_DAYS,
    PROFESSION_CODES,
)

ProfessionCode = StrEnum("ProfessionCode", {code: code for code in PROFESSION_CODES})  # type: ignore[misc]
Connectivity = StrEnum("Connectivity", {code: code for code in CONNECTIVITY_LEVELS})  # type: ignore[misc]


class CriterionCode(str):
    """A criterion's code, checked against the criteria registered when it is validated (and
    listed in the JSON schema when that is made), so that a new criterion needs no edit here."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _known_criterion, core_schema.str_schema(strict=True), ref="CriterionCode"
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": list(criteria.codes()), "title": "CriterionCode", "type": "string"}


def _known_criterion(value: str) -> str:
    codes = criteria.codes()
    if value not in codes:
        quoted = [repr(code) for code in codes]
        expected = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": expected})
    return value


#: Budgets beyond this are refused as typos (a village house in the Gers costs far less).
MAX_BUDGET_EUR = 100_000_000


def _a_number(value: Any) -> Any:
    # pydantic's lax mode would read "5" as 5 and true as 1; JSON Schema, which the OpenAPI
    # document states, counts only numbers (5.0 is an integer there, as it stays here).
    if isinstance(value, str | bool):
        kind = "a string" if isinstance(value, str) else "a boolean"
        raise PydanticCustomError(
            "number_type", "Input should be a JSON number, not {kind}", {"kind": kind}
        )
    return value


#: JSON's own types: a count or an amount sent as text or as true/false, or a yes/no sent as
#: 0 or "yes", is refused with 422 rather than guessed at.
#:
#: A bounded number states its bounds before the check: ``Annotated[int, Field(ge=1),
#: JSON_NUMBER]``. Bounds written after it (``Annotated[JsonInt, Field(ge=1)]``) wrap the check,
#: and pydantic then publishes them under its own names (``ge``), which JSON Schema, clients
#: and fuzzers ignore; before it they stay on the number, published as ``minimum``.
JSON_NUMBER = BeforeValidator(_a_number)
JsonInt = Annotated[int, JSON_NUMBER]
JsonFloat = Annotated[float, JSON_NUMBER]
JsonBool = Annotated[bool, Strict()]


def _must_schema(schema: dict[str, Any]) -> None:
    schema.update(maxItems=len(criteria.codes()), uniqueItems=True)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Household(_Strict):
    adults: Annotated[
        int, Field(ge=1, le=6, description="Adults in the household."), JSON_NUMBER
    ] = 1
    children_ages: Annotated[
        list[Annotated[int, Field(ge=0, le=25), JSON_NUMBER]],
        Field(max_length=12, description="Age of each child; school level follows age."),
    ] = []


class Housing(_Strict):
    tenure: Literal["buy", "rent"]
    budget_eur: Annotated[
        float,
        Field(
            gt=0,
            le=MAX_BUDGET_EUR,
            description="Total price to buy, or monthly rent to rent, in euros.",
        ),
        JSON_NUMBER,
    ]
    min_bedrooms: Annotated[int, Field(ge=0, le=10), JSON_NUMBER] = 0


class Preferences(_Strict):
    max_minutes_to_auch: Annotated[float, Field(gt=0, le=240), JSON_NUMBER] | None = None
    needs_train_station: JsonBool = False
    settlement: Literal["village", "small_town", "any"] = "any"


class Profile(_Strict):
    """A prospect's project, as staff qualify it or the prospection site collects it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "profession": "software_developer",
                    "remote_days_per_week": 5,
                    "connectivity": "video_calls",
                    "household": {"adults": 2, "children_ages": [4, 12]},
                    "housing": {"tenure": "buy", "budget_eur": 220000, "min_bedrooms": 3},
                    "preferences": {
                        "max_minutes_to_auch": 45,
                        "needs_train_station": False,
                        "settlement": "any",
                    },
                    "must": ["connectivity", "housing"],
                }
            ]
        }
    )

    profession: ProfessionCode
    remote_days_per_week: Annotated[int, Field(ge=0, le=7), JSON_NUMBER] = DEFAULT_REMOTE_DAYS
    connectivity: Connectivity
    household: Household = Household()
    housing: Housing | None = None
    preferences: Preferences = Preferences()
    must: Annotated[
        list[CriterionCode],
        # Listed once each (checked below), so never more than the criteria.
        Field(json_schema_extra=_must_schema),
    ] = []

    @field_validator("must")
    @classmethod
    def _must_is_a_set(cls, value: list[Any]) -> list[Any]:
        seen = set()
        for item in value:
            if item in seen:
                raise ValueError(f"criterion {str(item)!r} is listed twice")
            seen.add(item)
        return value

    @property
    def max_minutes_to_auch(self) -> float:
        return self.preferences.max_minutes_to_auch or DEFAULT_MAX_MINUTES_TO_AUCH


def parse_profiles(items: "list[Profile | dict[str, Any]]") -> list[Profile]:
    """Profiles from profiles or plain dicts; a bad dict raises pydantic's ValidationError."""
    return [p if isinstance(p, Profile) else Profile.model_validate(p) for p in items]
