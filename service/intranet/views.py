"""What a village's intranet page shows, as plain values for its template: the facts as the
engine sees them, the village in the rankings, its homes, needs, committee and proposed
corrections, and the choices its forms offer."""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from features import criteria
from features.i18n import Lang, counted, decimal, euros, text, uppercase_first
from features.vocab import (
    NEED_KINDS,
    PREMISES_USES,
    PROFESSIONS,
    SERVICES,
    SERVICES_BY_CODE,
    premises_label,
)
from geodata.schema import COLUMNS_BY_NAME, value_vintage
from service.corrections import CORRECTABLE
from service.exceptions import NotFound
from service.intranet import insight
from service.state import ServiceState, Snapshot
from service.store import Listing, Need, Proposal, utcnow

#: Form values and errors by form id ("home-new", "home-12", "need-trade", "committee"...).
Forms = Mapping[str, Mapping[str, Any]]


def ix(lang: Lang) -> int:
    return 0 if lang == "fr" else 1


def fact_label(field: str, lang: Lang) -> str:
    column = COLUMNS_BY_NAME[field]
    return column.label(lang) or column.description


#: The units of the correctable facts, in French (geodata.schema writes them in English).
UNITS_FR = {
    "consultations per inhabitant per year": "consultations par habitant et par an",
    "inhabitants": "habitants",
    "operators": "opérateurs",
    "sales": "ventes",
    "€/m² per month": "€/m² par mois",
}


def fact_value(field: str, value: Any, lang: Lang) -> str:
    column = COLUMNS_BY_NAME[field]
    if value is None:
        return "–"
    if column.unit == "share":
        return f"{decimal(round(100 * float(value), 1), lang)} %"
    unit = UNITS_FR.get(column.unit, column.unit) if lang == "fr" else column.unit
    magnitude = abs(float(value))
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    return f"{decimal(round(float(value), digits), lang)} {unit}"


def facts(state: ServiceState, snapshot: Snapshot, insee: str, lang: Lang) -> list[dict[str, Any]]:
    record = state.record(insee, snapshot)
    packaged = state.rows[insee]
    corrected = snapshot.corrections.get(insee, {})
    rows = []
    for field in CORRECTABLE:
        column = COLUMNS_BY_NAME[field]
        proposal = corrected.get(field)
        note = None
        if proposal is not None:
            note = text(
                lang,
                "intranet.corrected_note",
                date=proposal.observed_at.isoformat(),
                source=proposal.source,
                packaged=fact_value(field, packaged[field], lang),
            )
        rows.append(
            {
                "field": field,
                "label": fact_label(field, lang),
                "value": fact_value(field, record[field], lang),
                "vintage": value_vintage(column, record),
                "corrected": note,
            }
        )
    return rows


def ranking_insight(
    state: ServiceState, snapshot: Snapshot, insee: str, lang: Lang
) -> dict[str, Any]:
    counts, rankings = state.store.exposure(utcnow() - timedelta(days=30))
    strong, weak = insight.strongest_and_weakest(snapshot.recommender, insee)

    def shown(items: list[tuple[str, float]]) -> list[dict[str, str]]:
        return [
            {
                "label": criteria.get(code).label(lang),
                "points": counted(
                    lang,
                    "intranet.points",
                    round(abs(gap) * 100, 1),
                    sign="+" if gap > 0 else "−",
                    value=decimal(round(abs(gap) * 100, 1), lang),
                ),
            }
            for code, gap in items
        ]

    return {
        "shown": text(lang, "intranet.shown", n=counts.get(insee, 0), rankings=rankings),
        "strong": shown(strong),
        "weak": shown(weak),
        "note": text(lang, "intranet.insight_note", n=insight.PERSONA_COUNT),
    }


def home_values(listing: Listing) -> dict[str, Any]:
    return {
        "tenure": listing.tenure,
        "price_eur": f"{listing.price_eur:g}",
        "bedrooms": listing.bedrooms,
        "surface_m2": "" if listing.surface_m2 is None else f"{listing.surface_m2:g}",
        "note": listing.note or "",
        "available_from": listing.available_from.isoformat(),
        "expires_at": listing.expires_at.isoformat(),
        "version": listing.version,
    }


def homes(state: ServiceState, insee: str, forms: Forms, lang: Lang) -> list[dict[str, Any]]:
    listed = []
    for listing in state.store.homes(insee):
        form = forms.get(f"home-{listing.id}", {})
        listed.append(
            {
                "id": listing.id,
                "expired": listing.expired,
                "values": form.get("values") or home_values(listing),
                "errors": form.get("errors", {}),
                "stale": form.get("stale"),
                "meta": text(lang, "intranet.version", n=listing.version)
                + " · "
                + text(lang, "intranet.updated", date=listing.updated_at.date().isoformat()),
            }
        )
    return listed


def need_text(need: Need, lang: Lang) -> str:
    if need.kind == "school_pupils":
        return text(
            lang,
            "intranet.need_school",
            pupils=need.pupils,
            age_min=need.age_min,
            age_max=need.age_max,
            school=need.school,
            by=need.by.isoformat() if need.by else "",
        )
    if need.kind == "trade":
        names = [p.label(lang) for p in PROFESSIONS if p.code in need.professions]
        if need.service:
            names.append(SERVICES_BY_CODE[need.service].label(lang))
        return text(lang, "intranet.need_trade", what=", ".join(names))
    return text(
        lang,
        "intranet.need_premises",
        use=premises_label(str(need.use), lang),
        surface=decimal(float(need.surface_m2 or 0), lang),
        rent=euros(float(need.rent_eur or 0), lang),
    )


def needs(state: ServiceState, insee: str, lang: Lang) -> list[dict[str, Any]]:
    return [
        {"id": n.id, "text": need_text(n, lang), "note": n.note, "expires_at": n.expires_at}
        for n in state.store.needs(insee)
    ]


def proposal_row(proposal: Proposal, state: ServiceState, lang: Lang) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "insee": proposal.insee,
        "village": state.name_of(proposal.insee),
        "label": fact_label(proposal.field, lang),
        "value": fact_value(proposal.field, proposal.value, lang),
        "current": fact_value(proposal.field, state.rows[proposal.insee][proposal.field], lang),
        "source": proposal.source,
        "observed_at": proposal.observed_at.isoformat(),
        "status": text(lang, f"intranet.status_{proposal.status}"),
        "status_code": proposal.status,
        "reason": proposal.reason,
        "by": text(
            lang,
            "intranet.proposed_by",
            who=person_named(state, proposal.proposed_by, lang),
            date=proposal.proposed_at.date().isoformat(),
        ),
    }


ACCOUNT_ACTOR = re.compile(r"^(\w+):account-(\d+)$")


def person_named(state: ServiceState, actor: str, lang: Lang) -> str:
    """An audit actor as staff read it: a person's name (``committee:account-7`` is "Jeanne
    Lafitte (comité)"), a key's id as it is."""
    found = ACCOUNT_ACTOR.match(actor)
    if found is None:
        return actor
    try:
        name = state.store.account(int(found.group(2))).name
    except NotFound:
        return actor
    return f"{name} ({text(lang, 'intranet.role_' + found.group(1))})"


def typed_changes(typed: Mapping[str, str], current: Mapping[str, Any], lang: Lang) -> str:
    """What a person had typed that differs from the listing as it stands, in words."""
    shown = []
    for name, value in typed.items():
        if value and str(value) != str(current.get(name, "")):
            if name == "tenure":
                value = text(lang, f"intranet.{value}") if value in ("buy", "rent") else value
            shown.append(
                f"{text(lang, 'intranet.' + name)} : {value}"
                if lang == "fr"
                else f"{text(lang, 'intranet.' + name)}: {value}"
            )
    return "; ".join(shown)


def choices(lang: Lang) -> dict[str, list[tuple[str, str]]]:
    i = ix(lang)
    return {
        "tenure": [("buy", text(lang, "intranet.buy")), ("rent", text(lang, "intranet.rent"))],
        "kinds": [(code, labels[i]) for code, labels in NEED_KINDS.items()],
        "services": [(s.code, uppercase_first(s.label(lang))) for s in SERVICES],
        "uses": [(code, uppercase_first(premises_label(code, lang))) for code in PREMISES_USES],
        "professions": [(p.code, p.label(lang)) for p in PROFESSIONS],
        "fields": [(field, fact_label(field, lang)) for field in CORRECTABLE],
    }


def village_page(
    state: ServiceState, snapshot: Snapshot, insee: str, lang: Lang, forms: Forms
) -> dict[str, Any]:
    """Everything the village's page shows; ``forms`` holds the values and errors of a form
    sent back."""
    committee = state.store.committee(insee)
    committee_values = {
        "capacity_per_quarter": ""
        if committee.capacity_per_quarter is None
        else committee.capacity_per_quarter,
        "contact_name": committee.contact_name or "",
        "contact_email": committee.contact_email or "",
    }
    return {
        "insee": insee,
        "title": state.name_of(insee),
        "insight": ranking_insight(state, snapshot, insee, lang),
        "facts": facts(state, snapshot, insee, lang),
        "homes": homes(state, insee, forms, lang),
        "needs": needs(state, insee, lang),
        "proposals": [proposal_row(p, state, lang) for p in state.store.proposals(insee=insee)],
        "committee": forms.get("committee", {}).get("values") or committee_values,
        "choices": choices(lang),
        "forms": forms,
    }
