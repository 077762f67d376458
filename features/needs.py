"""What villages need: pupils for a school, a trade or a service they lack, premises for a
professional (api.md, "What a village needs"). Committees record them; the ``village_needs``
criterion asks how well a prospect answers them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from features.exceptions import FeaturesError
from features.vocab import PREMISES_USES, PROFESSIONS_BY_CODE, SERVICES_BY_CODE

NeedKind = Literal["school_pupils", "trade", "premises"]
NEED_KINDS: tuple[NeedKind, ...] = ("school_pupils", "trade", "premises")
#: The school ages a need may ask for (api.md: 3 to 17).
SCHOOL_AGES = (3, 17)


@dataclass(frozen=True)
class Need:
    """One current need of a village; the fields of its kind are set, the others left."""

    id: str
    insee: str
    kind: NeedKind
    note: str = ""
    # school_pupils: the school, the ages it asks for, how many pupils miss, and by when
    school: str = ""
    age_min: int = 0
    age_max: int = 0
    pupils: int = 0
    by: date | None = None
    # trade: professions (codes) and/or a service the village lacks
    professions: tuple[str, ...] = ()
    service: str | None = None
    # premises: what for, how large, at what monthly rent
    use: str | None = None
    surface_m2: float | None = None
    rent_eur: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in NEED_KINDS:
            raise FeaturesError(
                f"need {self.id}: kind expected one of {NEED_KINDS}, found {self.kind!r}"
            )
        if self.kind == "school_pupils":
            low, high = SCHOOL_AGES
            if not (low <= self.age_min <= self.age_max <= high and self.pupils >= 1):
                raise FeaturesError(
                    f"need {self.id}: expected ages from {low} to {high} (age_min <= age_max) "
                    f"and at least 1 pupil, found {self.age_min}-{self.age_max}, {self.pupils}"
                )
        unknown = [p for p in self.professions if p not in PROFESSIONS_BY_CODE]
        if unknown or (self.service is not None and self.service not in SERVICES_BY_CODE):
            raise FeaturesError(
                f"need {self.id}: unknown profession or service {unknown or self.service!r}"
            )
        if self.use is not None and self.use not in PREMISES_USES:
            raise FeaturesError(
                f"need {self.id}: use expected one of {list(PREMISES_USES)}, found {self.use!r}"
            )

    def providers(self) -> frozenset[str]:
        """The professions that answer a trade or premises need (none for a school)."""
        if self.kind == "trade":
            served = SERVICES_BY_CODE[self.service].providers if self.service else ()
            return frozenset(self.professions) | frozenset(served)
        if self.kind == "premises" and self.use is not None:
            return frozenset(PREMISES_USES[self.use][2])
        return frozenset()

    def years_until(self, today: date) -> int:
        """The years children will have aged when the school counts its pupils: French schools
        take children by the year they were born, so calendar years count (0 if past)."""
        if self.by is None or self.by <= today:
            return 0
        return self.by.year - today.year


@dataclass(frozen=True)
class VillageNeeds:
    """The current needs of a list of villages, by position in that list."""

    of_village: tuple[tuple[Need, ...], ...]
    today: date = field(default_factory=date.today)

    @classmethod
    def empty(cls, n_villages: int) -> "VillageNeeds":
        return cls(((),) * n_villages)

    @classmethod
    def from_needs(
        cls, needs: Sequence[Need], codes: Sequence[str], today: date | None = None
    ) -> "VillageNeeds":
        """The needs of the villages in ``codes`` (needs of other villages are left out)."""
        position = {code: i for i, code in enumerate(codes)}
        grouped: list[list[Need]] = [[] for _ in codes]
        for need in needs:
            if need.insee in position:
                grouped[position[need.insee]].append(need)
        return cls(tuple(tuple(g) for g in grouped), today or date.today())

    @property
    def any(self) -> bool:
        return any(self.of_village)
