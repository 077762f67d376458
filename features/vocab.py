"""The controlled vocabularies: professions, connectivity needs, settlements, school levels.

Codes are English snake_case (the API's); labels come in French and English. The criteria,
their labels and thresholds, are in ``features.criteria``.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from features.i18n import Lang


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

    def label(self, lang: "Lang" = "fr") -> str:
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
    # Trades villages ask for (needs): a shop or a practice that serves the village itself.
    Profession(
        "food_trade",
        "Commerce de bouche (boulangerie, épicerie, café)",
        "Food trade (bakery, grocery, café)",
        1.0,
        0.1,
        False,
    ),
    Profession(
        "general_practitioner", "Médecin généraliste", "General practitioner", 1.0, 0.1, False
    ),
    Profession("pharmacist", "Pharmacien·ne", "Pharmacist", 1.0, 0.1, False),
    Profession(
        "childcare_worker",
        "Assistant·e maternel·le, petite enfance",
        "Childminder, early childhood",
        1.0,
        0.0,
        False,
    ),
    Profession("other", "Autre", "Other", 0.3, 0.3, False),
)
PROFESSIONS_BY_CODE: dict[str, Profession] = {p.code: p for p in PROFESSIONS}
PROFESSION_CODES: tuple[str, ...] = tuple(PROFESSIONS_BY_CODE)


@dataclass(frozen=True)
class Service:
    """A service a village may lack and ask for (a need of kind ``trade``), with the
    professions that provide it."""

    code: str
    label_fr: str
    label_en: str
    providers: tuple[str, ...]

    def label(self, lang: "Lang" = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en


SERVICES: tuple[Service, ...] = (
    Service("bakery", "boulangerie", "bakery", ("food_trade",)),
    Service("grocery", "commerce alimentaire", "grocery", ("food_trade", "agricultural_project")),
    Service("butcher", "boucherie", "butcher", ("food_trade",)),
    Service("cafe_restaurant", "café, restaurant", "café or restaurant", ("food_trade",)),
    Service("doctor", "médecin généraliste", "general practitioner", ("general_practitioner",)),
    Service("nurse", "infirmier·ère", "nurse", ("therapist",)),
    Service("dentist", "dentiste", "dentist", ("therapist",)),
    Service("physiotherapist", "kinésithérapeute", "physiotherapist", ("therapist",)),
    Service("pharmacy", "pharmacie", "pharmacy", ("pharmacist",)),
    Service(
        "childcare",
        "accueil du jeune enfant (crèche, assistante maternelle)",
        "childcare",
        ("childcare_worker",),
    ),
    # Nobody in the professions keeps a post office or a garage, or cuts hair: a village may
    # still say it lacks one, and no prospect is told they answer it.
    Service("post_office", "agence postale", "post office", ()),
    Service("hairdresser", "coiffure", "hairdresser", ()),
    Service("garage", "garage automobile", "car repair", ()),
    Service(
        "plumber_electrician",
        "plombier, électricien",
        "plumber or electrician",
        ("building_artisan",),
    ),
)
SERVICES_BY_CODE: dict[str, Service] = {s.code: s for s in SERVICES}

#: Premises a village offers (a need of kind ``premises``), with the professions that work in
#: such a place.
PREMISES_USES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "shop": ("boutique", "shop", ("food_trade", "craft_maker", "pharmacist")),
    "office": (
        "bureau, cabinet",
        "office, practice",
        (
            "consultant",
            "accountant",
            "architect",
            "translator",
            "trainer_coach",
            "therapist",
            "general_practitioner",
            "journalist_writer",
            "web_designer",
            "software_developer",
        ),
    ),
    "workshop": (
        "atelier",
        "workshop",
        ("building_artisan", "craft_maker", "photographer_video", "ecommerce_seller"),
    ),
    "farm": ("terres, bâtiment agricole", "farmland, farm building", ("agricultural_project",)),
}


def premises_label(use: str, lang: "Lang" = "fr") -> str:
    """What premises of ``use`` are called, lowercase as sentences hold it."""
    fr, en, _ = PREMISES_USES[use]
    return fr if lang == "fr" else en


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

#: Defaults the model uses where a prospect states nothing.
DEFAULT_REMOTE_DAYS = 5
DEFAULT_MAX_MINUTES_TO_AUCH = 45.0


#: Children are counted by age up to this one: school ends at 17, older children need none.
MAX_CHILD_AGE = 17

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


#: The kinds of need a village may state, in the order pages list them.
NEED_KINDS: dict[str, tuple[str, str]] = {
    "school_pupils": ("Élèves pour l'école", "Pupils for the school"),
    "trade": ("Un métier ou un service qui manque", "A missing trade or service"),
    "premises": ("Un local pour un professionnel", "Premises for a professional"),
}
