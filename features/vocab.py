"""The controlled vocabularies: professions, connectivity needs, settlements, criteria, school
levels. Codes are English snake_case (the API's); labels come in French and English.
"""

import math
from dataclasses import dataclass
from typing import Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")


@dataclass(frozen=True)
class Profession:
    """A profession and what matters about it for choosing a village.

    ``local_clients``: how much the activity lives on clients nearby (0 to 1).
    ``travel``: how often the person travels to clients, Toulouse or further (0 to 1).
    ``large_uploads``: whether the work moves large files (video, 3D, big data sets).
    """

    code: str
    label_fr: str
    label_en: str
    local_clients: float
    travel: float
    large_uploads: bool

    def label(self, lang: Lang = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en


PROFESSIONS: tuple[Profession, ...] = (
    Profession(
        "software_developer", "Développeur·se logiciel", "Software developer", 0.0, 0.2, True
    ),
    Profession("web_designer", "Graphiste, webdesigner", "Web or graphic designer", 0.2, 0.2, True),
    Profession("translator", "Traducteur·rice", "Translator", 0.0, 0.1, False),
    Profession("consultant", "Consultant·e", "Consultant", 0.2, 0.8, False),
    Profession(
        "journalist_writer", "Journaliste, auteur·rice", "Journalist or writer", 0.1, 0.4, False
    ),
    Profession(
        "photographer_video", "Photographe, vidéaste", "Photographer or video maker", 0.3, 0.5, True
    ),
    Profession("architect", "Architecte", "Architect", 0.6, 0.5, True),
    Profession("accountant", "Expert·e-comptable", "Accountant", 0.6, 0.3, False),
    Profession("trainer_coach", "Formateur·rice, coach", "Trainer or coach", 0.4, 0.8, False),
    Profession(
        "therapist",
        "Thérapeute, praticien·ne de santé",
        "Therapist or health practitioner",
        0.9,
        0.1,
        False,
    ),
    Profession(
        "building_artisan", "Artisan du bâtiment", "Building-trades artisan", 1.0, 0.2, False
    ),
    Profession("craft_maker", "Artisan d'art, créateur·rice", "Craft maker", 0.6, 0.3, False),
    Profession("ecommerce_seller", "E-commerçant·e", "E-commerce seller", 0.1, 0.1, True),
    Profession("agricultural_project", "Projet agricole", "Agricultural project", 0.7, 0.2, False),
    Profession(
        "salaried_teleworker", "Salarié·e en télétravail", "Salaried teleworker", 0.0, 0.5, False
    ),
    Profession("other", "Autre", "Other", 0.3, 0.3, False),
)
PROFESSIONS_BY_CODE: dict[str, Profession] = {p.code: p for p in PROFESSIONS}
PROFESSION_CODES: tuple[str, ...] = tuple(PROFESSIONS_BY_CODE)

#: Connectivity needs, from the least to the most demanding.
CONNECTIVITY: dict[str, tuple[str, str]] = {
    "basic": ("Courriel et web", "Mail and web"),
    "video_calls": ("Visioconférences quotidiennes", "Daily video calls"),
    "large_uploads": ("Envoi de gros fichiers (vidéo, 3D)", "Large uploads (video, 3D)"),
}
CONNECTIVITY_LEVELS: tuple[str, ...] = tuple(CONNECTIVITY)

SETTLEMENTS: dict[str, tuple[str, str]] = {
    "village": ("Village", "Village"),
    "small_town": ("Petite ville", "Small town"),
    "any": ("Indifférent", "Any"),
}

# The parameters of the criteria, defined once: features/pairs.py computes with them and the
# ``must`` texts below state them to prospects and staff.

#: A commune of at least this population counts as a small town (a bourg-centre with a
#: collège, shops and a market), below as a village.
SMALL_TOWN = 2000
#: School levels: (service, minutes at which it is fully close, minutes beyond which it counts
#: for nothing, the most a ``must`` allows).
SCHOOL_MINUTES: dict[str, tuple[str, float, float, float]] = {
    "ecole": ("primary_school", 5.0, 20.0, 15.0),
    "college": ("middle_school", 10.0, 30.0, 20.0),
    "lycee": ("high_school", 15.0, 45.0, 30.0),
}
CHILDCARE_MINUTES = (5.0, 25.0, 15.0)
MUST_DOCTOR_MINUTES = 15.0
MUST_GROCERY_MINUTES = 15.0
MUST_STATION_MINUTES = 20.0
MUST_TOULOUSE_MINUTES = 90.0
#: Connectivity: 4G operators within 5 km for full value, and the most 4G alone can give, by
#: need (basic, video_calls, large_uploads). Large uploads want fibre: 4G alone reaches 0.5.
OPERATORS_NEEDED = (1, 2, 3)
MOBILE_CEILING = (1.0, 0.8, 0.5)
#: Professional ecosystem: minutes to a tiers-lieu (fully close, too far), and the population
#: at which a commune is a full local market for trades and practices (none at 100).
TIERS_LIEU_MINUTES = (5.0, 30.0)
FULL_LOCAL_MARKET = 3000
#: Connectivity and the ecosystem meet a ``must`` from this value.
MUST_VALUE = 0.5
_TIERS_LIEU_MUST = TIERS_LIEU_MINUTES[0] + (1 - MUST_VALUE) * (
    TIERS_LIEU_MINUTES[1] - TIERS_LIEU_MINUTES[0]
)
# The population at which a trade living wholly on local clients meets the ecosystem must.
_LOCAL_MARKET_MUST = round(10 ** (2 + MUST_VALUE * (math.log10(FULL_LOCAL_MARKET) - 2)), -1)


NNBSP = "\u202f"  # narrow no-break space: French thousands separator, and before %


def _fr(value: float) -> str:
    """A number as French text: decimal comma, narrow no-break space between thousands."""
    whole, _, decimals = f"{value:,.10g}".partition(".")
    whole = whole.replace(",", NNBSP)
    return f"{whole},{decimals}" if decimals else whole


@dataclass(frozen=True)
class Criterion:
    code: str
    label_fr: str
    label_en: str
    must_fr: str  # what a ``must`` on it requires, stated for prospects and staff
    must_en: str

    def label(self, lang: Lang = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en


_ops = OPERATORS_NEEDED
_school = {level: limits[3] for level, limits in SCHOOL_MINUTES.items()}
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "connectivity",
        "Connexion",
        "Connectivity",
        f"au moins {_fr(100 * MUST_VALUE)}{NNBSP}% des locaux raccordables à la fibre, ou assez "
        f"d'opérateurs 4G à moins de 5 km : {_ops[0]} pour courriel et web, {_ops[1]} pour la "
        f"visio, {_ops[2]} pour les gros fichiers",
        f"at least {MUST_VALUE:.0%} of premises connectable to fibre, or enough 4G operators "
        f"within 5 km: {_ops[0]} for mail and web, {_ops[1]} for video calls, {_ops[2]} for "
        "large uploads",
    ),
    Criterion(
        "housing",
        "Logement",
        "Housing",
        "un logement disponible dans le budget, ou un budget qui couvre le prix estimé",
        "a home on offer within budget, or a budget that covers the estimated price",
    ),
    Criterion(
        "schools",
        "Écoles",
        "Schools",
        f"pour chaque enfant, son école à {_fr(_school['ecole'])} min, collège à "
        f"{_fr(_school['college'])} min, lycée à {_fr(_school['lycee'])} min au plus",
        f"for each child, their school within {_school['ecole']:g} min, collège "
        f"{_school['college']:g} min, lycée {_school['lycee']:g} min",
    ),
    Criterion(
        "childcare",
        "Garde d'enfants",
        "Childcare",
        f"une crèche à {_fr(CHILDCARE_MINUTES[2])} min au plus (enfant de moins de 3 ans)",
        f"a crèche within {CHILDCARE_MINUTES[2]:g} min (child under 3)",
    ),
    Criterion(
        "health",
        "Santé",
        "Health",
        f"un médecin généraliste à {_fr(MUST_DOCTOR_MINUTES)} min au plus",
        f"a general practitioner within {MUST_DOCTOR_MINUTES:g} min",
    ),
    Criterion(
        "shops",
        "Commerces",
        "Daily shops",
        f"un commerce alimentaire à {_fr(MUST_GROCERY_MINUTES)} min au plus",
        f"a grocery within {MUST_GROCERY_MINUTES:g} min",
    ),
    Criterion(
        "access_auch",
        "Accès à Auch",
        "Access to Auch",
        "Auch dans le temps maximal choisi (45 min par défaut)",
        "Auch within the chosen maximum time (45 min by default)",
    ),
    Criterion(
        "access_toulouse",
        "Accès à Toulouse, train, avion",
        "Access to Toulouse, train, airport",
        f"une gare à {_fr(MUST_STATION_MINUTES)} min si elle est demandée, sinon Toulouse à "
        f"{_fr(MUST_TOULOUSE_MINUTES)} min au plus",
        f"a station within {MUST_STATION_MINUTES:g} min if asked for, else Toulouse within "
        f"{MUST_TOULOUSE_MINUTES:g} min",
    ),
    Criterion(
        "settlement",
        "Taille de la commune",
        "Settlement size",
        f"village (moins de {_fr(SMALL_TOWN)} habitants) ou petite ville, selon le choix",
        f"village (under {SMALL_TOWN:,} inhabitants) or small town, as chosen",
    ),
    Criterion(
        "ecosystem",
        "Écosystème professionnel",
        "Professional ecosystem",
        f"un tiers-lieu à {_fr(_TIERS_LIEU_MUST)} min au plus, ou, pour un métier à clientèle "
        f"locale, un marché local suffisant (environ {_fr(_LOCAL_MARKET_MUST)} habitants pour un "
        "artisan du bâtiment)",
        f"a tiers-lieu within {_TIERS_LIEU_MUST:g} min or, for a trade living on local clients, a "
        f"large enough local market (about {_LOCAL_MARKET_MUST:.0f} inhabitants for a building "
        "artisan)",
    ),
    Criterion(
        "community",
        "Accueil",
        "Community",
        "un comité d'accueil Soho Solo (village partenaire)",
        "a Soho Solo welcome committee (partner village)",
    ),
)
CRITERIA_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}
CRITERION_CODES: tuple[str, ...] = tuple(CRITERIA_BY_CODE)

#: School levels by age, with the village service that provides them.
SCHOOL_LEVELS: tuple[tuple[str, int, int, str], ...] = (
    # (level, first age, last age, service)
    ("creche", 0, 2, "childcare"),
    ("ecole", 3, 10, "primary_school"),
    ("college", 11, 14, "middle_school"),
    ("lycee", 15, 17, "high_school"),
)


def school_level(age: int) -> str | None:
    """The school level of a child of ``age`` (``None`` from 18)."""
    for level, first, last, _ in SCHOOL_LEVELS:
        if first <= age <= last:
            return level
    return None
