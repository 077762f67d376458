"""The HTML pages: the form embedded in the prospection site, and the printable shortlist.

Both are rendered from Jinja2 templates (``service/templates``) with autoescape on, and are
self-contained: inline CSS, inline JS and an inline SVG map, nothing fetched from elsewhere, so
that they work offline and under a strict Content-Security-Policy. Every visible text comes
from the catalogue ``TEXT`` below, in French and English.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from features.profile import DEFAULT_MAX_MINUTES_TO_AUCH, Profile
from features.vocab import (
    CONNECTIVITY,
    CRITERIA,
    CRITERIA_BY_CODE,
    PROFESSIONS,
    PROFESSIONS_BY_CODE,
    SETTLEMENTS,
    Lang,
)
from geodata.schema import SOURCES
from matcher import Ranking, explain
from matcher.explain import NNBSP, euros, minutes, number, per_m2, percent, plural
from matcher.recommend import Result, Suggestion

if TYPE_CHECKING:
    # Types only: the command line renders rankings with this module's text, and must not
    # load the database stack to do it.
    from service.state import ServiceState
    from service.store import Home, Prospect

TEMPLATES = Path(__file__).with_name("templates")
#: Width of the map's SVG user space: markers and labels are sized in these units.
#: Staff print shortlists in France: the date on the page is the local one.
TIMEZONE = "Europe/Paris"
NBSP = "\u00a0"  # no-break space: before a French colon, inside « »

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

# -- text ------------------------------------------------------------------------------------

_C = f"{NBSP}:"  # French colon, kept on the line of the word before it

TEXT: dict[Lang, dict[str, Any]] = {
    "fr": {
        "title": "Trouvez votre village dans le Gers",
        "intro": "Décrivez votre projet : nous classons les villages partenaires Soho Solo "
        "qui lui correspondent le mieux, avec nos raisons.",
        "other_lang": "English",
        "noscript": "Cette page a besoin de JavaScript pour lancer la recherche.",
        "form_title": "Votre projet",
        "work": "Travail",
        "profession": "Métier",
        "choose": "Choisissez…",
        "connectivity": "Usage d'internet",
        "remote_days_per_week": "Jours de télétravail par semaine",
        "household": "Foyer",
        "adults": "Adultes",
        "children_ages": "Âges des enfants",
        "children_hint": "Séparés par des virgules, par exemple 4, 12. Laissez vide sans enfant.",
        "housing": "Logement",
        "tenure": "Projet",
        "tenure_none": "Pas encore de projet",
        "tenure_buy": "Acheter",
        "tenure_rent": "Louer",
        "budget_eur": "Budget (€)",
        "budget_buy": "Budget d'achat (€)",
        "budget_rent": "Loyer mensuel maximal (€)",
        "min_bedrooms": "Chambres au minimum",
        "preferences": "Préférences",
        "max_minutes_to_auch": "Temps maximal jusqu'à Auch (min)",
        "max_minutes_hint": f"{DEFAULT_MAX_MINUTES_TO_AUCH:g}{NBSP}min si vide.",
        "needs_train_station": "J'ai besoin d'une gare proche",
        "settlement": "Type de commune",
        "must": "Critères impératifs",
        "must_hint": "Un village qui ne remplit pas un critère coché est exclu, avec la raison.",
        "k": "Nombre de villages à afficher",
        "submit": "Trouver mes villages",
        "searching": "Recherche…",
        "results": "Villages proposés",
        "status_idle": "Remplissez le formulaire : les villages classés s'afficheront ici et "
        "sur la carte.",
        "loading": "Recherche en cours…",
        "found": ["{n} village classé", "{n} villages classés"],
        "out_of": " sur {total} villages partenaires",
        "excluded_status": [
            "{n} exclu par vos critères impératifs",
            "{n} exclus par vos critères impératifs",
        ],
        "none_found": "Aucun village ne remplit tous vos critères impératifs.",
        "score": "adéquation",
        "score_scale": "adéquation de 0 à 1, modèle {model}",
        "rank": "Rang {rank}",
        "excluded_title": "Villages exclus ({n})",
        "suggestions_title": "Pour élargir la recherche",
        "suggest_budget_buy": "Avec un budget de {to}",
        "suggest_budget_rent": "Avec un loyer jusqu'à {to} par mois",
        "suggest_minutes": "En acceptant Auch à {to}",
        "suggest_must": f"Sans l'exigence «{NNBSP}{{criterion}}{NNBSP}»",
        "suggest_opens": [
            ", {n} village de plus deviendrait possible{c} {names}.",
            ", {n} villages de plus deviendraient possibles{c} {names}.",
        ],
        "error_title": "Vérifiez le formulaire" + _C,
        "error_failed": "La recherche n'a pas abouti (erreur {status}). Réessayez dans un instant.",
        "error_network": "Le service ne répond pas. Vérifiez votre connexion et réessayez.",
        "error_busy": "Trop de recherches en peu de temps depuis votre connexion : réessayez "
        "dans {seconds} secondes.",
        "errors": {
            "missing": "à renseigner",
            "greater_than_equal": "au moins {ge}",
            "less_than_equal": "au plus {le}",
            "greater_than": "doit dépasser {gt}",
            "less_than": "doit rester sous {lt}",
            "int_parsing": "un nombre entier est attendu",
            "int_from_float": "un nombre entier est attendu",
            "int_type": "un nombre entier est attendu",
            "float_parsing": "un nombre est attendu",
            "float_type": "un nombre est attendu",
            "enum": "choisissez une valeur de la liste",
            "literal_error": "choisissez une valeur de la liste",
            "too_long": "{max_length} au plus",
        },
        "map_title": "Carte des villages partenaires du Gers",
        "legend_partner": "village partenaire",
        "legend_ranked": "village proposé (numéro = rang)",
        "legend_auch": "Auch, préfecture",
        "colon": _C,
        # -- shortlist
        "shortlist_title": "Sélection de villages",
        "shortlist_for": "Préparée le {date}",
        "reference": "Réf.",
        "summary": "Le projet",
        "remote": "{n} jour{s} de télétravail par semaine",
        "adults_n": ["{n} adulte", "{n} adultes"],
        "no_children": "sans enfant",
        "children_n": ["1 enfant ({ages} ans)", "{n} enfants ({ages} ans)"],
        "and": "et",
        "buy": "Achat",
        "rent": "Location",
        "housing_buy": "Achat, budget {budget}",
        "housing_rent": "Location, loyer jusqu'à {budget} par mois",
        "bedrooms_min": ["{n} chambre au moins", "{n} chambres au moins"],
        "no_housing": "Pas de projet de logement précisé",
        "auch_within": "Auch à {minutes} au plus",
        "auch_default": " (valeur par défaut)",
        "station_needed": "gare proche demandée",
        "settlement_is": "type de commune{c} {settlement}",
        "no_must": "aucun",
        "top": "Les villages proposés",
        "facts": "Repères",
        "fact_auch": "Auch",
        "fact_toulouse": "Toulouse Matabiau",
        "fact_fibre": "Fibre",
        "fact_4g": "4G",
        "fact_4g_value": ["{n} opérateur", "{n} opérateurs"],
        "fact_4g_note": "à moins de 5 km",
        "fact_price": "Prix des maisons",
        "fact_price_epci": ", intercommunalité",
        "fact_cost": "Coût estimé",
        "fact_population": "Habitants",
        "fact_population_note": "INSEE 2022",
        "estimate": "estimation",
        "homes": "Logements disponibles",
        "homes_fit": "{matching} sur {n} dans le projet",
        "no_homes": "aucun listé pour l'instant.",
        "home_tenure": "Type",
        "home_price": "Prix",
        "home_bedrooms": "Chambres",
        "home_surface": "Surface",
        "home_description": "Description",
        "per_month": "{price} par mois",
        "excluded_summary": [
            "{n} village partenaire exclu par les critères impératifs",
            "{n} villages partenaires exclus par les critères impératifs",
        ],
        "no_excluded": "Aucun village partenaire n'est exclu par les critères impératifs.",
        "map_caption": "Les villages proposés, numérotés par rang, parmi les {n} villages "
        "partenaires.",
        "sources": "Sources" + _C,
        "travel_note": "Temps de trajet estimés : distance à vol d'oiseau × 1,3 à 70 km/h.",
        "model": "Modèle {name}, version {version}.",
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    },
    "en": {
        "title": "Find your village in the Gers",
        "intro": "Describe your project: we rank the Soho Solo partner villages that suit it "
        "best, with our reasons.",
        "other_lang": "Français",
        "noscript": "This page needs JavaScript to run the search.",
        "form_title": "Your project",
        "work": "Work",
        "profession": "Profession",
        "choose": "Choose…",
        "connectivity": "Internet use",
        "remote_days_per_week": "Remote working days per week",
        "household": "Household",
        "adults": "Adults",
        "children_ages": "Children's ages",
        "children_hint": "Separated by commas, for example 4, 12. Leave empty if none.",
        "housing": "Housing",
        "tenure": "Plan",
        "tenure_none": "No plan yet",
        "tenure_buy": "Buy",
        "tenure_rent": "Rent",
        "budget_eur": "Budget (€)",
        "budget_buy": "Purchase budget (€)",
        "budget_rent": "Highest monthly rent (€)",
        "min_bedrooms": "Bedrooms at least",
        "preferences": "Preferences",
        "max_minutes_to_auch": "Longest time to Auch (min)",
        "max_minutes_hint": f"{DEFAULT_MAX_MINUTES_TO_AUCH:g} min if empty.",
        "needs_train_station": "I need a train station nearby",
        "settlement": "Kind of place",
        "must": "Must-haves",
        "must_hint": "A village that fails a ticked criterion is excluded, with the reason.",
        "k": "Villages to show",
        "submit": "Find my villages",
        "searching": "Searching…",
        "results": "Suggested villages",
        "status_idle": "Fill in the form: the ranked villages will show here and on the map.",
        "loading": "Searching…",
        "found": ["{n} village ranked", "{n} villages ranked"],
        "out_of": " out of {total} partner villages",
        "excluded_status": ["{n} excluded by your must-haves", "{n} excluded by your must-haves"],
        "none_found": "No village meets all your must-haves.",
        "score": "match",
        "score_scale": "match from 0 to 1, model {model}",
        "rank": "Rank {rank}",
        "excluded_title": "Excluded villages ({n})",
        "suggestions_title": "To widen the search",
        "suggest_budget_buy": "With a budget of {to}",
        "suggest_budget_rent": "With a rent up to {to} a month",
        "suggest_minutes": "Accepting Auch {to} away",
        "suggest_must": "Without the must-have “{criterion}”",
        "suggest_opens": [
            ", {n} more village would be possible{c} {names}.",
            ", {n} more villages would be possible{c} {names}.",
        ],
        "error_title": "Please check the form:",
        "error_failed": "The search failed (error {status}). Please try again in a moment.",
        "error_network": "The service does not answer. Check your connection and try again.",
        "error_busy": "Too many searches from your connection in a short time: try again in "
        "{seconds} seconds.",
        "errors": {
            "missing": "required",
            "greater_than_equal": "at least {ge}",
            "less_than_equal": "at most {le}",
            "greater_than": "must be over {gt}",
            "less_than": "must be under {lt}",
            "int_parsing": "a whole number is expected",
            "int_from_float": "a whole number is expected",
            "int_type": "a whole number is expected",
            "float_parsing": "a number is expected",
            "float_type": "a number is expected",
            "enum": "choose a value from the list",
            "literal_error": "choose a value from the list",
            "too_long": "at most {max_length}",
        },
        "map_title": "Map of the partner villages of the Gers",
        "legend_partner": "partner village",
        "legend_ranked": "suggested village (number = rank)",
        "legend_auch": "Auch, the prefecture",
        "colon": ":",
        # -- shortlist
        "shortlist_title": "Village shortlist",
        "shortlist_for": "Prepared on {date}",
        "reference": "Ref.",
        "summary": "The project",
        "remote": "{n} remote working day{s} a week",
        "adults_n": ["{n} adult", "{n} adults"],
        "no_children": "no children",
        "children_n": ["1 child (aged {ages})", "{n} children (aged {ages})"],
        "and": "and",
        "buy": "Buy",
        "rent": "Rent",
        "housing_buy": "Buy, budget {budget}",
        "housing_rent": "Rent, up to {budget} a month",
        "bedrooms_min": ["at least {n} bedroom", "at least {n} bedrooms"],
        "no_housing": "No housing plan stated",
        "auch_within": "Auch within {minutes}",
        "auch_default": " (default)",
        "station_needed": "train station nearby wanted",
        "settlement_is": "kind of place{c} {settlement}",
        "no_must": "none",
        "top": "Suggested villages",
        "facts": "Key facts",
        "fact_auch": "Auch",
        "fact_toulouse": "Toulouse Matabiau",
        "fact_fibre": "Fibre",
        "fact_4g": "4G",
        "fact_4g_value": ["{n} operator", "{n} operators"],
        "fact_4g_note": "within 5 km",
        "fact_price": "House prices",
        "fact_price_epci": ", intercommunality",
        "fact_cost": "Estimated cost",
        "fact_population": "Inhabitants",
        "fact_population_note": "INSEE 2022",
        "estimate": "estimate",
        "homes": "Homes on offer",
        "homes_fit": "{matching} of {n} fit the project",
        "no_homes": "none listed yet.",
        "home_tenure": "Kind",
        "home_price": "Price",
        "home_bedrooms": "Bedrooms",
        "home_surface": "Surface",
        "home_description": "Description",
        "per_month": "{price} a month",
        "excluded_summary": [
            "{n} partner village excluded by the must-haves",
            "{n} partner villages excluded by the must-haves",
        ],
        "no_excluded": "No partner village is excluded by the must-haves.",
        "map_caption": "The suggested villages, numbered by rank, among the {n} partner villages.",
        "sources": "Sources:",
        "travel_note": "Travel times are estimates: straight-line distance × 1.3 at 70 km/h.",
        "model": "Model {name}, version {version}.",
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    },
}


def _pick(forms: Sequence[str], n: float, lang: Lang) -> str:
    return forms[1] if plural(n, lang) else forms[0]


def _listing(items: Sequence[str], lang: Lang) -> str:
    """ "4, 8 et 12": items joined the way a sentence lists them."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {TEXT[lang]['and']} {items[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- the map ---------------------------------------------------------------------------------

# -- the embedded page -----------------------------------------------------------------------


def embed(state: "ServiceState", lang: Lang, nonce: str) -> str:
    """The page the prospection site frames: the profile form, the ranking and the map.

    ``nonce`` marks the inline script and style the Content-Security-Policy allows.
    """
    t = TEXT[lang]
    partners = len(state.partner_codes)
    ix = 0 if lang == "fr" else 1
    criteria = [
        {
            "code": c.code,
            "label": c.label(lang),
            "hint": _sentence(c.must_fr if lang == "fr" else c.must_en) + ".",
        }
        for c in CRITERIA
    ]
    labels = {
        "profession": t["profession"],
        "connectivity": t["connectivity"],
        "remote_days_per_week": t["remote_days_per_week"],
        "household.adults": t["adults"],
        "household.children_ages": t["children_ages"],
        "housing.tenure": t["tenure"],
        "housing.budget_eur": t["budget_eur"],
        "housing.min_bedrooms": t["min_bedrooms"],
        "preferences.max_minutes_to_auch": t["max_minutes_to_auch"],
        "preferences.needs_train_station": t["needs_train_station"],
        "preferences.settlement": t["settlement"],
        "must": t["must"],
        "k": t["k"],
        # Errors on a whole group (a housing object without its tenure) name the group.
        "household": t["household"],
        "housing": t["housing"],
        "preferences": t["preferences"],
    }
    script_text = {
        key: t[key]
        for key in (
            "submit",
            "searching",
            "status_idle",
            "loading",
            "found",
            "out_of",
            "excluded_status",
            "none_found",
            "score",
            "rank",
            "excluded_title",
            "suggest_budget_buy",
            "suggest_budget_rent",
            "suggest_minutes",
            "suggest_must",
            "suggest_opens",
            "error_title",
            "error_failed",
            "error_network",
            "error_busy",
            "errors",
            "budget_buy",
            "budget_rent",
            "budget_eur",
            "colon",
        )
    }
    data = {
        "lang": lang,
        "partners": partners,
        "text": script_text,
        "fields": labels,
        "check_prefix": explain.TEXT[lang]["check"].split("{")[0].strip(),
        "criteria": {c["code"]: c["label"] for c in criteria},
    }
    return _env.get_template("embed.html").render(
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        t=t,
        nonce=nonce,
        professions=[(p.code, p.label(lang)) for p in PROFESSIONS],
        connectivity=[(code, labels_[ix]) for code, labels_ in CONNECTIVITY.items()],
        settlements=[(code, labels_[ix]) for code, labels_ in SETTLEMENTS.items()],
        criteria=criteria,
        default_k=min(state.settings.default_k, partners),
        max_k=partners,
        map=state.svg_map,
        data=data,
    )


# -- the printable shortlist -----------------------------------------------------------------


def shortlist(
    state: "ServiceState",
    prospect: "Prospect",
    profile: Profile,
    ranking: Ranking,
    homes: Mapping[str, Sequence["Home"]],
    lang: Lang,
    *,
    today: date | None = None,
) -> str:
    """A printable A4 page of a prospect's ranking: their project, the villages, their homes.

    The prospect's contact fields are left out on purpose: a printed page left on a desk or
    handed over then names no one.
    """
    t = TEXT[lang]
    today = today or _today()
    the_map = state.svg_map
    names = {r.insee: r.name for r in ranking.results} | {e.insee: e.name for e in ranking.excluded}
    villages = [_village(state, r, homes.get(r.insee, ()), lang) for r in ranking.results]
    markers = [
        {"rank": r.rank, "name": r.name, "xy": the_map.points[r.insee]}
        for r in reversed(ranking.results)  # rank 1 drawn last, on top
        if r.insee in the_map.points
    ]
    return _env.get_template("shortlist.html").render(
        lang=lang,
        t=t,
        title=f"{t['shortlist_title']}, {_long_date(today, lang)}",
        prepared=t["shortlist_for"].format(date=_long_date(today, lang)),
        reference=prospect.id[:8],
        summary=project_summary(profile, lang),
        villages=villages,
        excluded=[{"name": e.name, "reasons": "; ".join(e.reasons)} for e in ranking.excluded],
        excluded_summary=_pick(t["excluded_summary"], len(ranking.excluded), lang).format(
            n=len(ranking.excluded)
        ),
        suggestions=[suggestion_text(s, profile, names, lang) for s in ranking.suggestions],
        map=the_map,
        markers=markers,
        map_caption=t["map_caption"].format(n=len(state.partner_codes)),
        sources=_sources(),
        check_prefix=explain.TEXT[lang]["check"].split("{")[0].strip(),
        model=t["model"].format(name=ranking.model["name"], version=ranking.model["version"]),
    )


def _today() -> date:
    try:
        return datetime.now(ZoneInfo(TIMEZONE)).date()
    except ZoneInfoNotFoundError:  # a system without time zone data: its own clock will do
        return datetime.now().astimezone().date()


def _long_date(day: date, lang: Lang) -> str:
    month = TEXT[lang]["months"][day.month - 1]
    return f"{day.day}{NBSP}{month} {day.year}"


def _money(value: float, tenure: str, lang: Lang) -> str:
    price = euros(value, lang)
    return TEXT[lang]["per_month"].format(price=price) if tenure == "rent" else price


def project_summary(profile: Profile, lang: Lang) -> list[tuple[str, str]]:
    """The prospect's project as (label, text) rows."""
    t = TEXT[lang]
    ix = 0 if lang == "fr" else 1
    days = profile.remote_days_per_week
    work = [
        PROFESSIONS_BY_CODE[str(profile.profession)].label(lang),
        t["remote"].format(n=days, s=plural(days, lang)),
        _lower_first(CONNECTIVITY[str(profile.connectivity)][ix]),
    ]
    household = profile.household
    adults = _pick(t["adults_n"], household.adults, lang).format(n=household.adults)
    ages = household.children_ages
    children = (
        _pick(t["children_n"], len(ages), lang).format(
            n=len(ages), ages=_listing([str(a) for a in ages], lang)
        )
        if ages
        else t["no_children"]
    )
    housing = profile.housing
    if housing is None:
        home = t["no_housing"]
    else:
        key = "housing_buy" if housing.tenure == "buy" else "housing_rent"
        home = t[key].format(budget=euros(housing.budget_eur, lang))
        if housing.min_bedrooms:
            bedrooms = _pick(t["bedrooms_min"], housing.min_bedrooms, lang)
            home += ", " + bedrooms.format(n=housing.min_bedrooms)
    stated = profile.preferences.max_minutes_to_auch
    preferences = [
        t["auch_within"].format(minutes=minutes(profile.max_minutes_to_auch, lang))
        + ("" if stated is not None else t["auch_default"])
    ]
    if profile.preferences.needs_train_station:
        preferences.append(t["station_needed"])
    settlement = SETTLEMENTS[profile.preferences.settlement][ix].lower()
    preferences.append(t["settlement_is"].format(c=t["colon"], settlement=settlement))
    must = [CRITERIA_BY_CODE[str(code)].label(lang) for code in profile.must]
    return [
        (t["work"], ", ".join(work)),
        (t["household"], f"{adults}, {children}"),
        (t["housing"], home),
        (t["preferences"], _sentence(", ".join(preferences))),
        (t["must"], ", ".join(must) if must else t["no_must"]),
    ]


def _village(
    state: "ServiceState", result: Result, listed: Sequence["Home"], lang: Lang
) -> dict[str, Any]:
    """One shortlisted village: its reasons, key facts as (label, value, note), its homes."""
    t = TEXT[lang]
    # Typed loosely by the ranking (any fact may be text); these ones are numbers.
    facts: Mapping[str, Any] = result.facts
    record = state.rows[result.insee]
    operators = int(facts["operators_4g"])
    rows = [
        (t["fact_auch"], minutes(float(facts["minutes_to_auch"]), lang), t["estimate"]),
        (t["fact_toulouse"], minutes(float(facts["minutes_to_toulouse"]), lang), t["estimate"]),
        (t["fact_fibre"], percent(float(facts["ftth_share"]), lang), str(facts["ftth_vintage"])),
        (
            t["fact_4g"],
            _pick(t["fact_4g_value"], operators, lang).format(n=operators),
            t["fact_4g_note"],
        ),
    ]
    price = facts.get("house_price_m2")
    if price is not None:
        note = str(record["price_vintage"])
        if record["house_price_level"] == "epci":
            note += t["fact_price_epci"]
        rows.append((t["fact_price"], per_m2(float(price), lang), note))
    cost = facts.get("estimated_housing_cost_eur")
    if cost is not None:
        rows.append((t["fact_cost"], euros(float(cost), lang), t["estimate"]))
    rows.append(
        (t["fact_population"], number(float(facts["population"]), lang), t["fact_population_note"])
    )
    matching = int(facts.get("homes_matching") or 0)
    return {
        "rank": result.rank,
        "insee": result.insee,
        "name": result.name,
        "score": percent(result.score, lang),
        "reasons": result.reasons,
        "facts": [{"label": label, "value": value, "note": note} for label, value, note in rows],
        "homes_fit": t["homes_fit"].format(matching=matching, n=len(listed)),
        "homes": [
            {
                "tenure": t["buy"] if home.tenure == "buy" else t["rent"],
                "price": _money(home.price_eur, home.tenure, lang),
                "bedrooms": home.bedrooms,
                "surface": f"{number(home.surface_m2, lang)}{NBSP}m²"
                if home.surface_m2 is not None
                else "–",
                "description": home.description or "",
            }
            for home in sorted(listed, key=lambda h: (h.tenure, h.price_eur))
        ],
    }


def suggestion_text(
    suggestion: Suggestion, profile: Profile, names: Mapping[str, str], lang: Lang
) -> str:
    """A suggestion as a sentence: the change, and the villages it would open."""
    t = TEXT[lang]
    if suggestion.change == "housing.budget_eur" and not isinstance(suggestion.to, list):
        rent = profile.housing is not None and profile.housing.tenure == "rent"
        key = "suggest_budget_rent" if rent else "suggest_budget_buy"
        head = t[key].format(to=euros(suggestion.to, lang))
    elif suggestion.change == "preferences.max_minutes_to_auch" and not isinstance(
        suggestion.to, list
    ):
        head = t["suggest_minutes"].format(to=minutes(suggestion.to, lang))
    else:
        kept = set(suggestion.to) if isinstance(suggestion.to, list) else set()
        dropped = [str(c) for c in profile.must if str(c) not in kept]
        labels = [CRITERIA_BY_CODE[c].label(lang) for c in dropped]
        head = t["suggest_must"].format(criterion=_listing(labels, lang))
    opened = [names.get(code, code) for code in suggestion.opens]
    tail = _pick(t["suggest_opens"], len(opened), lang).format(
        n=len(opened), c=t["colon"], names=", ".join(opened)
    )
    return head + tail


def _sources() -> str:
    """Who published the data the page shows, with vintages and licences: the credit due."""
    by_publisher: dict[str, list[str]] = {}
    licences: list[str] = []
    for key, source in SOURCES.items():
        if key == "soho_solo":
            continue  # press quotations: not shown on this page
        vintages = by_publisher.setdefault(source.publisher, [])
        if source.vintage not in vintages:
            vintages.append(source.vintage)
        if source.licence.startswith(("Licence Ouverte", "ODbL")):
            licence = source.licence.split(" (")[0]
            if licence not in licences:
                licences.append(licence)
    credits = "; ".join(f"{who} ({', '.join(when)})" for who, when in by_publisher.items())
    return f"{credits}. {', '.join(licences)}."
