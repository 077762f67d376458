"""The staff console's matching pages: the alerts ("new homes and needs that fit your
prospects") and the quarter's proposals per committee. Both run the API's own code
(``service.alerts.alert_entries`` for ``GET /v1/alerts``, ``service.allocations.allocate_stored``
for ``POST /v1/allocations``), so a page never answers by another rule than the API."""

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import HTMLResponse

from features.i18n import Lang, text
from features.profile import Profile
from service import clock
from service.allocations import Allocation, AllocationAnswer, allocate_stored
from service.console.alerts import alert_rows, score_text
from service.deps import PagePerson, PageStaffDep, SnapshotDep, StateDep
from service.intranet.forms import check_csrf, first, number, plain, read_form, validated, values_of
from service.intranet.render import page
from service.routes.console_prospects import base, status_label
from service.schemas_matching import AllocationIn
from service.state import ServiceState
from service.store import quarter_of

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
#: The statuses ticked in advance on the proposals' form: prospects still choosing villages.
CHOOSING = ("qualified", "shortlisted")


@router.get("/alerts")
def alerts(person: PageStaffDep, state: StateDep) -> HTMLResponse:
    lang = person.lang
    state.alerts.process_pending()  # as GET /v1/alerts: what waits is computed first
    pending = state.store.pending_change_count()
    return page(
        "console/alerts.html",
        lang,
        **base(
            person,
            text(lang, "console.alerts_title"),
            current="/intranet/alerts",
            done=None,
            rows=alert_rows(state, lang),
            k=min(state.settings.default_k, len(state.partner_codes)),
            pending=text(lang, "console.alerts_pending", n=pending) if pending else None,
        ),
    )


# -- the quarter's proposals -------------------------------------------------------------------


def allocations_page(
    state: ServiceState,
    person: PagePerson,
    form: dict[str, Any],
    answer: dict[str, Any] | None = None,
    done: str | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    lang = person.lang
    lines = state.store.prospect_lines()
    prospects = [
        {
            "id": line.id,
            "name": line.name or text(lang, "console.no_name"),
            "status": status_label(line.status, lang),
            "checked": line.id in form["chosen"]
            if form["chosen"] is not None
            else line.status in CHOOSING,
        }
        for line in lines
    ]
    return page(
        "console/allocations.html",
        lang,
        code,
        **base(
            person,
            text(lang, "console.allocations_title"),
            current="/intranet/allocations",
            done=done,
            prospects=prospects,
            form=form,
            answer=answer,
            errors_title=text(lang, "intranet.errors_title") if form["errors"] else None,
        ),
    )


@router.get("/allocations")
def allocations(person: PageStaffDep, state: StateDep) -> HTMLResponse:
    values = {"quarter": quarter_of(clock.today()), "k": "3"}
    return allocations_page(state, person, {"values": values, "errors": {}, "chosen": None})


@router.post("/allocations")
async def allocate(
    request: Request, person: PageStaffDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    """A trial (``action=try``) or the proposals recorded (``action=record``), checked by
    ``POST /v1/allocations``'s own request model; the answer shown per committee."""
    lang = person.lang
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    chosen = list(dict.fromkeys(fields.get("prospect_ids", [])))
    typed = {name: first(fields, name) for name in ("quarter", "k")}
    record = first(fields, "action") == "record"
    values: dict[str, Any] = {"prospect_ids": chosen, "dry_run": not record}
    values |= values_of(fields, {"quarter": plain, "k": number})
    body, errors = validated(AllocationIn, values, lang)
    stored = state.store.prospects_of(chosen) if isinstance(body, AllocationIn) else {}
    partners = len(snapshot.recommender.villages)
    if isinstance(body, AllocationIn) and body.k > partners:
        body, errors = None, {"k": text(lang, "console.k_at_most", n=partners)}
    if isinstance(body, AllocationIn) and len(stored) != len(chosen):
        # a prospect erased since the form was shown
        body, errors = None, {"prospect_ids": text(lang, "console.allocation_choose")}
    if "prospect_ids" in errors:
        errors["prospect_ids"] = text(lang, "console.allocation_choose")
    form: dict[str, Any] = {"values": typed, "errors": errors, "chosen": set(chosen)}
    if not isinstance(body, AllocationIn):
        return allocations_page(state, person, form, code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    quarter = body.quarter or quarter_of(clock.today())
    profiles = [Profile.model_validate(stored[i].profile) for i in chosen]
    asked = Allocation(chosen, profiles, quarter, body.k, body.max_loss)
    found = allocate_stored(state, snapshot.recommender, asked, str(person.caller), record, lang)
    done = text(lang, "console.allocation_recorded", quarter=quarter) if record else None
    typed["quarter"] = quarter
    shown = answer_view(state, found, lang, record)
    return allocations_page(state, person, form, shown, done)


def answer_view(
    state: ServiceState, found: AllocationAnswer, lang: Lang, recorded: bool
) -> dict[str, Any]:
    """The allocation per committee (each village with a stated capacity or a proposal: its
    capacity, what other allocations gave it, its proposals now, what is left) and per
    prospect, the short ones with why, the gap."""
    names = {
        line.id: line.name or text(lang, "console.no_name") for line in state.store.prospect_lines()
    }
    proposed: dict[str, list[tuple[str, str]]] = {}
    for proposal in found.proposals:
        for village in proposal.villages:
            who = (proposal.prospect_id, names.get(proposal.prospect_id, ""))
            proposed.setdefault(village["insee"], []).append(who)
    committees = [
        village
        | {
            "prospects": proposed.get(village["insee"], []),
            "left_after": max(0, village["capacity_left"] - village["load"]),
        }
        for village in sorted(found.villages, key=lambda v: v["name"])
        if village["capacity"] is not None or village["load"]
    ]
    per_prospect = [
        {
            "id": p.prospect_id,
            "name": names.get(p.prospect_id, ""),
            "villages": ", ".join(v["name"] for v in p.villages) or "–",
            "why": p.why,
        }
        for p in found.proposals
    ]
    gap = (
        text(lang, "console.gap_optimal")
        if found.gap == 0.0
        else text(lang, "console.gap_some", gap=score_text(found.gap, lang))
    )
    return {
        "recorded": recorded,
        "k": found.k,
        "committees": committees,
        "prospects": per_prospect,
        "short": [p for p in per_prospect if p["why"]],
        "gap": gap,
        "total": text(lang, "console.total_score", total=score_text(found.total_score, lang)),
    }
