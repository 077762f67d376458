"""The HTML pages: the form embedded in the prospection site, and the printable shortlist.

Both are rendered from Jinja2 templates (``service/templates``) with autoescape on, and are
self-contained: inline CSS, inline JS and an inline SVG map, nothing fetched from elsewhere, so
that they work offline and under a strict Content-Security-Policy. Every visible text comes
from the catalogue (``features.i18n``), in French and English.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from features import criteria
from features.i18n import (
    CATALOGUE,
    NBSP,
    Lang,
    counted,
    decimal,
    euros,
    joined,
    lowercase_first,
    minutes,
    number,
    per_m2,
    percent,
    plural_s,
    text,
    uppercase_first,
)
from features.profile import Profile
from features.vocab import CONNECTIVITY, PROFESSIONS, PROFESSIONS_BY_CODE, SETTLEMENTS
from geodata.schema import SOURCES
from matcher import Ranking
from matcher.ranking import Result, Suggestion

if TYPE_CHECKING:
    # Types only: the command line renders rankings with this module's text, and must not
    # load the database stack to do it.
    from service.state import ServiceState
    from service.store import Listing, Prospect

TEMPLATES = Path(__file__).with_name("templates")
#: Width of the map's SVG user space: markers and labels are sized in these units.
#: Staff print shortlists in France: the date on the page is the local one.
TIMEZONE = "Europe/Paris"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

# -- the map ---------------------------------------------------------------------------------

# -- the landing page ------------------------------------------------------------------------

#: What the landing page links to: (its catalogue key, the path relative to the page, whether
#: the path takes the page's language).
LANDING_LINKS = (
    ("landing_embed", "embed", True),
    ("landing_intranet", "intranet/", True),
    ("landing_docs", "docs", False),
    ("landing_health", "v1/health", False),
)


def landing(state: "ServiceState", lang: Lang, nonce: str) -> str:
    """The page at the service's root: what it is, and where to go from there.

    Links are relative, so that the service may live under any path prefix.
    """
    t = CATALOGUE.section(lang, "page")
    links = [
        {
            "label": t[key],
            "hint": t[f"{key}_hint"],
            "path": path,
            "href": f"{path}?lang={lang}" if with_lang and lang != "fr" else path,
        }
        for key, path, with_lang in LANDING_LINKS
    ]
    return _env.get_template("landing.html").render(
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        t=t,
        nonce=nonce,
        intro=t["landing_intro"].format(n=len(state.partner_codes)),
        links=links,
    )


# -- the embedded page -----------------------------------------------------------------------


def embed(state: "ServiceState", lang: Lang, nonce: str, offered: Sequence[str]) -> str:
    """The page the prospection site frames: the profile form, the ranking and the map.

    ``nonce`` marks the inline script and style the Content-Security-Policy allows;
    ``offered`` are the criteria offered as must-haves (``Recommender.offered_musts``): those
    every partner village meets are said to be met instead.
    """
    t = CATALOGUE.section(lang, "page")
    partners = len(state.partner_codes)
    ix = 0 if lang == "fr" else 1
    choices = [
        {"code": c.code, "label": c.label(lang), "hint": uppercase_first(c.must_text(lang)) + "."}
        for c in criteria.all_criteria()
        if c.code in offered
    ]
    always = [c.must_text(lang) for c in criteria.all_criteria() if c.code not in offered]
    labels = _field_labels(t)
    script_text = {key: t[key] for key in SCRIPT_TEXT}
    bounds = field_bounds(partners)
    data = {
        "lang": lang,
        "partners": partners,
        "text": script_text,
        "fields": labels,
        "help": {
            path: help_text.format(**bounds.get(path, {})) for path, help_text in t["help"].items()
        },
        "check_prefix": check_prefix(lang),
        # Every criterion's label: a suggestion may name one the form does not offer.
        "criteria": {c.code: c.label(lang) for c in criteria.all_criteria()},
        "widenings": widenings(lang),
    }
    return _env.get_template("embed.html").render(
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        t=t,
        nonce=nonce,
        professions=[(p.code, p.label(lang)) for p in PROFESSIONS],
        connectivity=[(code, labels_[ix]) for code, labels_ in CONNECTIVITY.items()],
        settlements=[(code, labels_[ix]) for code, labels_ in SETTLEMENTS.items()],
        criteria=choices,
        must_always=t["must_always"].format(c=t["colon"], items=joined(always, lang))
        if always
        else "",
        default_k=min(state.settings.default_k, partners),
        bounds=bounds,
        map=state.svg_map,
        data=data,
    )


#: The page's texts its script shows (the rest are in the HTML).
SCRIPT_TEXT = (
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
    "suggest_must",
    "suggest_opens",
    "error_title",
    "error_failed",
    "error_network",
    "error_busy",
    "problem_missing",
    "problem_value",
    "problem_unread",
    "problem_unread_number",
    "problem_too_long",
    "problem_other",
    "budget_buy",
    "budget_rent",
    "budget_eur",
    "colon",
)


def field_bounds(partners: int) -> dict[str, dict[str, Any]]:
    """Each bounded field of the form, by its dotted name in the API, with its bounds as the
    profile's JSON schema states them (``minimum``, ``maximum``, ``max_items`` of a list):
    the page's inputs and help texts show the rules the API applies, from the one place they
    are written. ``k``'s maximum is the partner villages."""
    found: dict[str, dict[str, Any]] = {}
    _collect_bounds(_PROFILE_SCHEMA, "", found)
    return found | {"k": {"minimum": 1, "maximum": partners}}


_PROFILE_SCHEMA = Profile.model_json_schema()
_BOUNDS = {"minimum": "minimum", "maximum": "maximum", "maxItems": "max_items"}


def _collect_bounds(node: Mapping[str, Any], path: str, found: dict[str, dict[str, Any]]) -> None:
    for name, field in node.get("properties", {}).items():
        for branch in (_resolved(b) for b in field.get("anyOf", [field])):
            if "properties" in branch:
                _collect_bounds(branch, f"{path}{name}.", found)
            stated = {_BOUNDS[k]: v for k, v in branch.items() if k in _BOUNDS}
            stated |= {_BOUNDS[k]: v for k, v in branch.get("items", {}).items() if k in _BOUNDS}
            if stated:
                found[f"{path}{name}"] = stated


def _resolved(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema node, or the definition its ``$ref`` names."""
    ref = node.get("$ref")
    if ref is None:
        return node
    resolved: Mapping[str, Any] = _PROFILE_SCHEMA["$defs"][ref.rsplit("/", 1)[-1]]
    return resolved


def _field_labels(t: Mapping[str, Any]) -> dict[str, str]:
    """Each profile field's label, by its dotted name in the API (the page names errors so)."""
    return {
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


# -- the printable shortlist -----------------------------------------------------------------


def shortlist(
    state: "ServiceState",
    prospect: "Prospect",
    profile: Profile,
    ranking: Ranking,
    homes: Mapping[str, Sequence["Listing"]],
    lang: Lang,
    *,
    today: date | None = None,
) -> str:
    """A printable A4 page of a prospect's ranking: their project, the villages, their homes.

    The prospect's contact fields are left out on purpose: a printed page left on a desk or
    handed over then names no one.
    """
    t = CATALOGUE.section(lang, "page")
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
        excluded_summary=counted(lang, "page.excluded_summary", len(ranking.excluded)),
        suggestions=[suggestion_text(s, profile, names, lang) for s in ranking.suggestions],
        map=the_map,
        markers=markers,
        map_caption=t["map_caption"].format(n=len(state.partner_codes)),
        sources=_sources(lang),
        check_prefix=check_prefix(lang),
        model=t["model"].format(name=ranking.model["name"], version=ranking.model["version"]),
    )


def _today() -> date:
    try:
        return datetime.now(ZoneInfo(TIMEZONE)).date()
    except ZoneInfoNotFoundError:  # a system without time zone data: its own clock will do
        return datetime.now().astimezone().date()


def _long_date(day: date, lang: Lang) -> str:
    month = text(lang, "page.months")[day.month - 1]
    return f"{day.day}{NBSP}{month} {day.year}"


def _money(value: float, tenure: str, lang: Lang) -> str:
    price = euros(value, lang)
    return text(lang, "page.per_month", price=price) if tenure == "rent" else price


def project_summary(profile: Profile, lang: Lang) -> list[tuple[str, str]]:
    """The prospect's project as (label, text) rows."""
    t = CATALOGUE.section(lang, "page")
    ix = 0 if lang == "fr" else 1
    days = profile.remote_days_per_week
    work = [
        PROFESSIONS_BY_CODE[str(profile.profession)].label(lang),
        t["remote"].format(n=days, s=plural_s(days, lang)),
        lowercase_first(CONNECTIVITY[str(profile.connectivity)][ix]),
    ]
    household = profile.household
    adults = counted(lang, "page.adults_n", household.adults)
    ages = household.children_ages
    children = (
        counted(lang, "page.children_n", len(ages), ages=joined([str(a) for a in ages], lang))
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
            home += ", " + counted(lang, "page.bedrooms_min", housing.min_bedrooms)
    stated = profile.preferences.max_minutes_to_auch
    preferences = [
        t["auch_within"].format(minutes=minutes(profile.max_minutes_to_auch, lang))
        + ("" if stated is not None else t["auch_default"])
    ]
    if profile.preferences.needs_train_station:
        preferences.append(t["station_needed"])
    settlement = SETTLEMENTS[profile.preferences.settlement][ix].lower()
    preferences.append(t["settlement_is"].format(c=t["colon"], settlement=settlement))
    must = [criteria.get(str(code)).label(lang) for code in profile.must]
    return [
        (t["work"], ", ".join(work)),
        (t["household"], f"{adults}, {children}"),
        (t["housing"], home),
        (t["preferences"], uppercase_first(", ".join(preferences))),
        (t["must"], ", ".join(must) if must else t["no_must"]),
    ]


def _village(
    state: "ServiceState", result: Result, listed: Sequence["Listing"], lang: Lang
) -> dict[str, Any]:
    """One shortlisted village: its reasons, key facts as (label, value, note), its homes."""
    t = CATALOGUE.section(lang, "page")
    # Typed loosely by the ranking (any fact may be text); these ones are numbers.
    facts: Mapping[str, Any] = result.facts
    record = state.rows[result.insee]
    rows = _fact_rows(facts, record, lang)
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
                "description": home.note or "",
            }
            for home in sorted(listed, key=lambda h: (h.tenure, h.price_eur))
        ],
    }


def _fact_rows(
    facts: Mapping[str, Any], record: Mapping[str, Any], lang: Lang
) -> list[tuple[str, str, str]]:
    """A shortlisted village's key facts as (label, value, where it comes from)."""
    t = CATALOGUE.section(lang, "page")
    operators = int(facts["operators_4g"])
    by_road = t["by_road"].format(km=number(float(record["km_to_auch"]), lang))
    rows = [
        (t["fact_auch"], minutes(float(facts["minutes_to_auch"]), lang), by_road),
        (t["fact_toulouse"], minutes(float(facts["minutes_to_toulouse"]), lang), t["road"]),
        (t["fact_fibre"], percent(float(facts["ftth_share"]), lang), str(facts["ftth_vintage"])),
        (
            t["fact_4g"],
            counted(lang, "page.fact_4g_value", operators),
            t["fact_4g_note"].format(vintage=facts["mobile_vintage"]),
        ),
        (
            t["fact_doctors"],
            decimal(float(record["apl_doctors"]), lang),
            t["fact_doctors_note"].format(source=_credit("apl")),
        ),
    ]
    price = facts.get("house_price_m2")
    if price is not None:
        sales = counted(lang, "page.fact_price_sales", int(record["house_price_sales"]))
        rows.append(
            (t["fact_price"], per_m2(float(price), lang), f"{record['price_vintage']}, {sales}")
        )
    cost = facts.get("estimated_housing_cost_eur")
    if cost is not None:
        rows.append((t["fact_cost"], euros(float(cost), lang), t["estimate"]))
    population = number(float(facts["population"]), lang)
    rows.append((t["fact_population"], population, _credit("comparateur")))
    return rows


def _credit(source: str) -> str:
    """A source as a fact's note names it: its publisher and year ("DREES 2023")."""
    found = SOURCES[source]
    return f"{found.publisher.split(' (')[0]} {_years(found.credit)[-1]}"


def _years(vintage: str) -> list[str]:
    """The years a vintage names ("BPE 2019 (COG 2019)": 2019), in order, each once."""
    return list(dict.fromkeys(re.findall(r"\b(?:19|20)\d\d\b", vintage)))


def suggestion_text(
    suggestion: Suggestion, profile: Profile, names: Mapping[str, str], lang: Lang
) -> str:
    """A suggestion as a sentence: the change, and the villages it would open."""
    widened = criteria.REGISTRY.widened_by(suggestion.change)
    if widened is not None and not isinstance(suggestion.to, list):
        tenure = profile.housing.tenure if profile.housing is not None else None
        head = widened.widening_text(suggestion.to, tenure, lang)
    else:
        kept = set(suggestion.to) if isinstance(suggestion.to, list) else set()
        dropped = [str(c) for c in profile.must if str(c) not in kept]
        labels = [criteria.get(c).label(lang) for c in dropped]
        head = text(lang, "page.suggest_must", criterion=joined(labels, lang))
    opened = [
        _opened(names.get(code, code), suggestion.highlights.get(code, []))
        for code in suggestion.opens
    ]
    return head + counted(
        lang,
        "page.suggest_opens",
        len(opened),
        c=text(lang, "page.colon"),
        names=", ".join(opened),
    )


def _opened(name: str, highlights: Sequence[str]) -> str:
    """A village a suggestion opens, with what it offers the prospect in particular."""
    return f"{name} ({'; '.join(lowercase_first(h) for h in highlights)})" if highlights else name


def widenings(lang: Lang) -> dict[str, dict[str, Any]]:
    """For the page's script: how each widening suggestion's sentence starts (by tenure, or
    "any") and how its value is written, by the profile field it changes."""
    return {
        c.widens: {"templates": c.widening_templates(lang), "unit": c.widening_unit}
        for c in criteria.all_criteria()
        if c.widens is not None
    }


def check_prefix(lang: Lang) -> str:
    """How a "to check" reason starts, so that pages can set it apart."""
    return text(lang, "reason.check", text="").strip()


def _sources(lang: Lang) -> str:
    """Who published the data the page shows, with the years of their data and the licences,
    in the page's language: the credit due."""
    years: dict[str, list[str]] = {}
    licences: list[str] = []
    for key, source in SOURCES.items():
        if key == "soho_solo":
            continue  # press quotations: not shown on this page
        publisher = text(lang, "page.osm_credit") if key == "roads" else source.publisher
        listed = years.setdefault(publisher, [])
        listed += [year for year in _years(source.credit) if year not in listed]
        for licence in ("Licence Ouverte / Etalab", "ODbL"):
            if source.licence.startswith(licence.split(" /")[0]) and licence not in licences:
                licences.append(licence)
    credits = "; ".join(f"{who} {', '.join(sorted(when))}" for who, when in years.items())
    separator = f"{NBSP};" if lang == "fr" else ";"
    return f"{credits.replace(';', separator)}. {', '.join(licences)}."
