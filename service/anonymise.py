"""Prospects as a village's committee may see them: no name, email, phone or free text, an
opaque id, and no combination of profession and children's ages rare enough to pick someone out.

The list is made k-anonymous (k = ``ALIKE``) over its quasi-identifiers, the profession, the
number of adults and the children's ages: each prospect is described at the most precise level
at which at least ``ALIKE`` prospects of the list read the same, generalising step by step
(exact ages, then school levels, then the number of children; the profession, then "another
profession"). The housing project is told as a tenure and a budget band, never the exact amount.
"""

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from features.i18n import Lang, counted, euros, joined, text
from features.profile import Profile
from features.vocab import PROFESSIONS_BY_CODE, school_level

#: The fewest prospects a description may fit: rarer ones are described less precisely.
ALIKE = 3
#: Budget bands, in euros: a price to buy, a monthly rent.
BUY_BANDS = (100_000, 150_000, 200_000, 250_000, 300_000, 400_000)
RENT_BANDS = (500, 700, 900, 1_200)


@dataclass(frozen=True)
class AnonymousProspect:
    """A prospect as a committee sees them."""

    id: str  # opaque, different for each village: lists of two villages cannot be joined
    profession: str
    household: str
    housing: str


def opaque_id(prospect_id: str, insee: str, secret: bytes) -> str:
    """An id the committee of ``insee`` can name the prospect by to staff, and nothing else."""
    digest = hmac.new(secret, f"{insee}:{prospect_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:12]


def anonymised(
    prospects: Sequence[tuple[str, Profile]], insee: str, secret: bytes, lang: Lang
) -> list[AnonymousProspect]:
    """The prospects (id, profile) of a village's list, in order, for its committee."""
    profiles = [profile for _, profile in prospects]
    levels = [_level(profiles, i) for i in range(len(profiles))]
    return [
        AnonymousProspect(
            opaque_id(prospect_id, insee, secret),
            _profession(profile, level, lang),
            _household(profile, level, lang),
            _housing(profile, lang),
        )
        for (prospect_id, profile), level in zip(prospects, levels, strict=True)
    ]


def _children_exact(p: Profile) -> tuple[object, ...]:
    return tuple(sorted(p.household.children_ages))


def _children_levels(p: Profile) -> tuple[object, ...]:
    return tuple(sorted(str(school_level(age)) for age in p.household.children_ages))


def _children_count(p: Profile) -> tuple[object, ...]:
    return (len(p.household.children_ages),)


#: From the most precise description to the least: (how children are told, whether the
#: profession is).
LEVELS: tuple[tuple[Callable[[Profile], tuple[object, ...]], bool], ...] = (
    (_children_exact, True),
    (_children_levels, True),
    (_children_count, True),
    (_children_count, False),
)


def _key(p: Profile, level: int) -> tuple[object, ...]:
    children, with_profession = LEVELS[level]
    # The adults are told at every level: they belong to what makes a description alike.
    return (p.profession.value if with_profession else None, p.household.adults, *children(p))


def _level(profiles: Sequence[Profile], i: int) -> int:
    """The most precise level at which at least ``ALIKE`` profiles read as profile ``i``;
    the least precise one if none (then the list is too short to say more)."""
    for level in range(len(LEVELS)):
        alike = Counter(_key(p, level) for p in profiles)
        if alike[_key(profiles[i], level)] >= ALIKE:
            return level
    return len(LEVELS) - 1


def _profession(p: Profile, level: int, lang: Lang) -> str:
    if not LEVELS[level][1]:
        return text(lang, "page.another_profession")
    return PROFESSIONS_BY_CODE[p.profession.value].label(lang)


def _household(p: Profile, level: int, lang: Lang) -> str:
    adults = counted(lang, "page.adults_n", p.household.adults)
    ages = sorted(p.household.children_ages)
    if not ages:
        return f"{adults}, {text(lang, 'page.no_children')}"
    if LEVELS[level][0] is _children_exact:
        children = counted(
            lang, "page.children_n", len(ages), ages=joined([str(a) for a in ages], lang)
        )
    elif LEVELS[level][0] is _children_levels:
        levels = [_level_name(school_level(age), lang) for age in ages]
        children = counted(lang, "page.children_levels", len(ages), levels=joined(levels, lang))
    else:
        children = counted(lang, "page.children_count", len(ages))
    return f"{adults}, {children}"


def _level_name(level: str | None, lang: Lang) -> str:
    return text(lang, f"page.level_{level or 'adult'}")


def _housing(p: Profile, lang: Lang) -> str:
    if p.housing is None:
        return text(lang, "page.no_housing")
    buy = p.housing.tenure == "buy"
    bands = BUY_BANDS if buy else RENT_BANDS
    low = max((b for b in bands if b <= p.housing.budget_eur), default=0)
    high = min((b for b in bands if b > p.housing.budget_eur), default=None)
    band = (
        text(lang, "page.band", low=euros(low, lang), high=euros(high, lang))
        if high is not None
        else text(lang, "page.band_over", low=euros(low, lang))
    )
    return text(lang, "page.project_buy" if buy else "page.project_rent", band=band)
