"""The staff console's prospect pages: the list (searched, filtered, paginated), the
qualification form with its live ranking, a prospect's page (project, contact, shortlist,
events, an outcome to record, erasure with confirmation) and villages compared side by side.
Each form is checked by the API's own request models and rules."""

from datetime import UTC, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from features import criteria
from features.i18n import CATALOGUE, Lang, counted, text
from features.profile import Profile
from features.vocab import CONNECTIVITY, PROFESSIONS, SETTLEMENTS
from service import pages
from service.console import compare, qualify
from service.console.alerts import alert_rows
from service.deps import PagePerson, PageStaffDep, SettingsDep, SnapshotDep, StateDep
from service.exceptions import Conflict
from service.intranet.forms import FORM_WIDE, check_csrf, first, read_form, validated
from service.intranet.render import fragment, page, script_page
from service.outcome_rules import EVENTS, STATUSES, Event, Journey, Refusal
from service.routes.intranet_account import notice, see_other, user_of
from service.schemas import OutcomeIn
from service.state import ServiceState, Snapshot
from service.store import Contact

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
PER_PAGE = 20
#: Results the qualification form and a prospect's page show.
SHOWN = 10


def _ix(lang: Lang) -> int:
    return 0 if lang == "fr" else 1


def base(person: PagePerson, title: str, **context: Any) -> dict[str, Any]:
    return {
        "user": user_of(person),
        "csrf_token": person.csrf_token,
        "title": title,
        "wide": True,
        **context,
    }


def status_label(code: str, lang: Lang) -> str:
    return text(lang, f"console.status_{code}")


def event_label(code: str, lang: Lang) -> str:
    return text(lang, f"console.event_{code}")


# -- the list --------------------------------------------------------------------------------


@router.get("/prospects")
def prospects(
    request: Request,
    person: PageStaffDep,
    state: StateDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status_: Annotated[str, Query(alias="status", max_length=20)] = "",
    village: Annotated[str, Query(max_length=5)] = "",
    page_: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """A wrong filter (an unknown status or village) is left out rather than refused: the
    person edited the address, and still gets the list."""
    lang = person.lang
    chosen_status = status_ if status_ in STATUSES else None
    chosen_village = village if village in state.partner_codes else None
    lines = state.store.prospect_lines(q, chosen_status, chosen_village)
    pages_count = max(1, -(-len(lines) // PER_PAGE))
    shown = lines[(page_ - 1) * PER_PAGE : page_ * PER_PAGE]
    query = {"q": q, "status": chosen_status or "", "village": chosen_village or "", "lang": lang}
    rows = [
        {
            "id": line.id,
            "name": line.name or text(lang, "console.no_name"),
            "email": line.email or "",
            "status": status_label(line.status, lang),
            "status_code": line.status,
            "villages": ", ".join(state.name_of(code) for code in line.villages),
            "created": line.created_at.date().isoformat(),
            "last": line.last_event_at.date().isoformat() if line.last_event_at else "",
        }
        for line in shown
    ]
    return page(
        "console/prospects.html",
        lang,
        **base(
            person,
            text(lang, "console.prospects_title"),
            current="/intranet/prospects",
            done=notice(request, lang) or _console_notice(request, lang),
            rows=rows,
            total=len(lines),
            found=counted(lang, "console.prospects_found", len(lines)),
            q=q,
            status_choice=chosen_status or "",
            village_choice=chosen_village or "",
            statuses=[(code, status_label(code, lang)) for code in STATUSES],
            villages=_village_choices(state),
            page_number=page_,
            pages_count=pages_count,
            previous=f"?{urlencode(query | {'page': page_ - 1})}" if page_ > 1 else None,
            next=f"?{urlencode(query | {'page': page_ + 1})}" if page_ < pages_count else None,
        ),
    )


CONSOLE_NOTICES = frozenset({"erased", "created_notice", "outcome_recorded", "outcome_repeated"})


def _console_notice(request: Request, lang: Lang) -> str | None:
    key = request.query_params.get("done", "")
    return text(lang, f"console.{key}") if key in CONSOLE_NOTICES else None


def _village_choices(state: ServiceState) -> list[tuple[str, str]]:
    return sorted(((code, state.name_of(code)) for code in state.partner_codes), key=lambda v: v[1])


# -- qualifying a prospect --------------------------------------------------------------------


def form_choices(lang: Lang) -> dict[str, Any]:
    i = _ix(lang)
    return {
        "professions": [(p.code, p.label(lang)) for p in PROFESSIONS],
        "connectivity": [(code, labels[i]) for code, labels in CONNECTIVITY.items()],
        "settlements": [(code, labels[i]) for code, labels in SETTLEMENTS.items()],
        "tenures": [(code, text(lang, f"page.tenure_{code}")) for code in ("buy", "rent")],
        "criteria": [(c.code, c.label(lang)) for c in criteria.all_criteria()],
    }


def ranking_view(
    snapshot: Snapshot, settings_k: int, profile: Profile | None, lang: Lang
) -> dict[str, Any]:
    """The ranking the project gives, by the service's model (as every ranking)."""
    if profile is None:
        return {"results": [], "excluded": 0, "ready": False}
    k = min(settings_k, SHOWN, len(snapshot.recommender.codes))
    (ranking,) = snapshot.recommender.recommend(profile, k, lang=lang)
    results = [
        {
            "rank": r.rank,
            "insee": r.insee,
            "name": r.name,
            "score": f"{r.score:.2f}".replace(".", "," if lang == "fr" else "."),
            "reasons": r.reasons[:2],
        }
        for r in ranking.results
    ]
    return {"results": results, "excluded": len(ranking.excluded), "ready": True}


def qualify_page(
    person: PagePerson,
    snapshot: Snapshot,
    settings_k: int,
    values: dict[str, Any],
    errors: dict[str, str],
    profile: Profile | None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    lang = person.lang
    return script_page(
        "console/qualify.html",
        lang,
        code,
        **base(
            person,
            text(lang, "console.qualify_title"),
            current="/intranet/prospects/new",
            done=None,
            p=CATALOGUE.section(lang, "page"),
            values=values,
            errors=errors,
            errors_title=text(lang, "intranet.errors_title") if errors else None,
            choices=form_choices(lang),
            ranking=ranking_view(snapshot, settings_k, profile, lang),
            problems=[],
        ),
    )


EMPTY_FORM: dict[str, Any] = {
    **dict.fromkeys(qualify.TEXT_FIELDS, ""),
    "connectivity": "video_calls",
    "must": [],
    "needs_train_station": False,
    "consent": False,
}


@router.get("/prospects/new")
def new_prospect(
    person: PageStaffDep, snapshot: SnapshotDep, settings: SettingsDep
) -> HTMLResponse:
    return qualify_page(person, snapshot, settings.default_k, dict(EMPTY_FORM), {}, None)


def _profile_of(fields: dict[str, list[str]], lang: Lang) -> tuple[Profile | None, dict[str, str]]:
    """The profile alone (the ranking needs no contact), and the profile's errors."""
    body, errors = qualify.read(fields, lang)
    if body is not None:
        return body.profile, {}
    profile, _ = validated(Profile, qualify.body_of(fields)["profile"], lang)
    return (profile if isinstance(profile, Profile) else None), errors


@router.post("/prospects/new")
async def create_prospect(
    request: Request,
    person: PageStaffDep,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
) -> Response:
    """Store the prospect (``action=preview``: only show the ranking, for a browser without
    script); or the form again with its errors."""
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    body, errors = qualify.read(fields, person.lang)
    if first(fields, "action") == "preview" or body is None:
        profile, _ = _profile_of(fields, person.lang)
        code = status.HTTP_422_UNPROCESSABLE_CONTENT if body is None else status.HTTP_200_OK
        return qualify_page(
            person, snapshot, settings.default_k, qualify.typed(fields), errors, profile, code
        )
    prospect = await state.writes.run(
        state.store.add_prospect,
        body.profile.model_dump(mode="json"),
        Contact(**body.contact.model_dump()),
        consent=body.consent,
        consent_at=body.consent_at,
        by=str(person.caller),
    )
    return see_other(f"/intranet/prospects/{prospect.id}", person.lang, done="created_notice")


@router.post("/prospects/preview")
async def preview(
    request: Request, person: PageStaffDep, snapshot: SnapshotDep, settings: SettingsDep
) -> HTMLResponse:
    """The ranking the form's project gives, as a part of the page for its script; the
    profile's errors are listed instead while it cannot be ranked."""
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    profile, errors = _profile_of(fields, person.lang)
    labels = field_labels(person.lang)
    problems = [
        f"{labels.get(name, '')} : {message}"
        if person.lang == "fr"
        else f"{labels.get(name, '')}: {message}"
        for name, message in errors.items()
        if name in labels
    ]
    return fragment(
        "console/ranking.html",
        person.lang,
        ranking=ranking_view(snapshot, settings.default_k, profile, person.lang),
        problems=problems,
    )


def field_labels(lang: Lang) -> dict[str, str]:
    p = CATALOGUE.section(lang, "page")
    names = ("profession", "connectivity", "remote_days_per_week", "adults", "children_ages")
    more = ("tenure", "budget_eur", "min_bedrooms", "max_minutes_to_auch", "settlement", "must")
    labels = {name: p[name] for name in (*names, *more)}
    labels[FORM_WIDE] = text(lang, "console.the_project")
    return labels


# -- one prospect ----------------------------------------------------------------------------


def prospect_page(
    state: ServiceState,
    snapshot: Snapshot,
    person: PagePerson,
    prospect_id: str,
    outcome_form: dict[str, Any],
    done: str | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    lang = person.lang
    prospect = state.store.prospect(prospect_id)
    profile = Profile.model_validate(prospect.profile)
    events = [
        {
            "at": o.at.astimezone(UTC).date().isoformat(),
            "village": state.name_of(o.insee),
            "insee": o.insee,
            "event": event_label(o.event, lang),
        }
        for o in state.store.outcomes_of(prospect_id)
    ]
    ranking = ranking_view(snapshot, SHOWN, profile, lang)
    compared = list(
        dict.fromkeys([e["insee"] for e in events] + [r["insee"] for r in ranking["results"]])
    )
    contact = prospect.contact
    return page(
        "console/prospect.html",
        lang,
        code,
        **base(
            person,
            contact.name or text(lang, "console.no_name"),
            done=done,
            prospect=prospect,
            contact=contact,
            consent_at=prospect.consent_at.date().isoformat() if prospect.consent_at else "",
            created=prospect.created_at.date().isoformat(),
            summary=pages.project_summary(profile, lang),
            ranking=ranking,
            events=events,
            alerts=alert_rows(state, lang, prospect_id),
            status=status_label(Journey.of(_recorded(state, prospect_id)).status(), lang),
            compare_choices=[(code, state.name_of(code)) for code in compared],
            villages=_village_choices(state),
            event_choices=[(e, event_label(e, lang)) for e in EVENTS],
            form=outcome_form,
            today=datetime.now(UTC).date().isoformat(),
        ),
    )


def _recorded(state: ServiceState, prospect_id: str) -> list[Event]:
    """The prospect's events in the order recorded, as the outcome rules read them."""
    outcomes = sorted(state.store.outcomes_of(prospect_id), key=lambda o: o.id)
    return [Event(o.id, o.insee, o.event, o.at) for o in outcomes]


@router.get("/prospects/{prospect_id}")
def prospect(
    request: Request, prospect_id: str, person: PageStaffDep, state: StateDep, snapshot: SnapshotDep
) -> HTMLResponse:
    done = _console_notice(request, person.lang)
    return prospect_page(state, snapshot, person, prospect_id, {"values": {}, "errors": {}}, done)


def refusal_text(refusal: Refusal, state: ServiceState, lang: Lang) -> str:
    """Why the outcome rules refuse the event, in the reader's language."""
    home = refusal.home
    if refusal.reason == "settled_elsewhere" and home is not None:
        return text(
            lang,
            "console.refused_settled_elsewhere",
            home=state.name_of(home.insee),
            since=home.at.date().isoformat(),
        )
    return text(lang, "console.refused_not_settled_there", village=state.name_of(refusal.insee))


@router.post("/prospects/{prospect_id}/outcomes")
async def record_outcome(
    request: Request, prospect_id: str, person: PageStaffDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    """Record an outcome with the API's rules: a partner village, a date not in the future,
    the same event stored once, one village at a time (each refusal said at its field)."""
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    state.store.prospect(prospect_id)
    typed = {name: first(fields, name) for name in ("insee", "event", "at")}
    values: dict[str, Any] = {
        "prospect_id": prospect_id,
        "insee": typed["insee"],
        "event": typed["event"],
    }
    if typed["at"]:
        values["at"] = _noon(typed["at"])
    body, errors = validated(OutcomeIn, values, person.lang)
    if body is not None and body.insee not in state.partner_codes:  # type: ignore[attr-defined]
        body, errors = None, {"insee": text(person.lang, "console.not_partner")}
    if body is None:
        form = {"values": typed, "errors": errors}
        return prospect_page(state, snapshot, person, prospect_id, form, code=422)
    assert isinstance(body, OutcomeIn)
    at = body.at or datetime.now(UTC)
    try:
        recorded = await state.writes.run(
            state.store.add_outcome, prospect_id, body.insee, body.event, at, by=str(person.caller)
        )
    except Conflict:
        verdict = Journey.of(_recorded(state, prospect_id)).judge(body.insee, body.event)
        refused = refusal_text(verdict, state, person.lang) if isinstance(verdict, Refusal) else ""
        form = {
            "values": typed,
            "errors": {"event": refused or text(person.lang, "intranet.err_other")},
        }
        return prospect_page(state, snapshot, person, prospect_id, form, code=409)
    done = "outcome_recorded" if recorded.created else "outcome_repeated"
    response = see_other(f"/intranet/prospects/{prospect_id}", person.lang, done=done)
    response.headers["Location"] += "#events"
    return response


def _noon(day: str) -> str:
    """A date typed in the form as a time the API takes: noon in UTC that day (a date alone
    says nothing of the hour; noon keeps it the same day in the Gers)."""
    try:
        return datetime.combine(datetime.fromisoformat(day).date(), time(12), UTC).isoformat()
    except ValueError:
        return day


# -- erasing ---------------------------------------------------------------------------------


@router.get("/prospects/{prospect_id}/erase")
def erase_page(prospect_id: str, person: PageStaffDep, state: StateDep) -> HTMLResponse:
    prospect = state.store.prospect(prospect_id)
    name = prospect.contact.name or text(person.lang, "console.no_name")
    return page(
        "console/erase.html",
        person.lang,
        **base(
            person,
            text(person.lang, "console.erase_title", name=name),
            done=None,
            prospect=prospect,
            name=name,
        ),
    )


@router.post("/prospects/{prospect_id}/erase")
async def erase(
    request: Request, prospect_id: str, person: PageStaffDep, state: StateDep
) -> Response:
    check_csrf(await read_form(request), person.csrf_token)
    state.store.prospect(prospect_id)
    await state.writes.run(state.store.delete_prospect, prospect_id, by=str(person.caller))
    return see_other("/intranet/prospects", person.lang, done="erased")


# -- comparing villages ------------------------------------------------------------------------


@router.get("/prospects/{prospect_id}/compare")
def compare_page(
    prospect_id: str,
    person: PageStaffDep,
    state: StateDep,
    snapshot: SnapshotDep,
    v: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 (FastAPI copies it)
) -> HTMLResponse:
    """Two to five partner villages; fewer, more or unknown ones: the prospect's page says
    what to choose."""
    lang = person.lang
    prospect = state.store.prospect(prospect_id)
    codes = list(dict.fromkeys(code for code in v if code in state.partner_codes))
    name = prospect.contact.name or text(lang, "console.no_name")
    if not compare.MIN_VILLAGES <= len(codes) <= compare.MAX_VILLAGES or len(codes) != len(v):
        done = text(
            lang, "console.compare_choose", least=compare.MIN_VILLAGES, most=compare.MAX_VILLAGES
        )
        return prospect_page(
            state,
            snapshot,
            person,
            prospect_id,
            {"values": {}, "errors": {}},
            done,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    profile = Profile.model_validate(prospect.profile)
    return page(
        "console/compare.html",
        lang,
        **base(
            person,
            text(lang, "console.compare_title", name=name),
            done=None,
            prospect=prospect,
            summary=pages.project_summary(profile, lang),
            **compare.comparison(state, snapshot, profile, codes, lang),
        ),
    )
