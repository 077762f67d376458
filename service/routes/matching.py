"""Two-sided matching (api.md, "Staff's daily work"): the prospects a village fits (staff with
contacts, its committee anonymised), alerts of changes that bring villages to prospects, and
allocations under the committees' capacity."""

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from features.profile import Profile
from matcher.fits import prospects_for
from service import clock
from service.alerts import change_text, consented_profiles
from service.allocations import allocate_prospects
from service.anonymise import anonymised, opaque_id
from service.deps import SnapshotDep, StaffDep, StateDep, VillageDep
from service.errors import invalid, problems
from service.params import Insee, Lang
from service.responses import json_response
from service.schemas import Timestamp
from service.schemas_matching import AlertsOut, AllocationIn, AllocationOut, VillageProspectsOut
from service.state import capacity_left
from service.store import Proposed, quarter_of

router = APIRouter(prefix="/v1", tags=["matching"])
#: The most prospects a village's list shows.
MAX_LISTED = 200


@router.get(
    "/villages/{insee}/prospects",
    response_model=VillageProspectsOut,
    responses=problems(401, 403, 404),
)
def village_prospects(
    insee: Insee,
    state: StateDep,
    snapshot: SnapshotDep,
    caller: VillageDep,
    k: Annotated[int, Query(ge=1, le=MAX_LISTED, description="Prospects listed.")] = 20,
    lang: Lang = "fr",
) -> Response:
    """The prospects who consented to be contacted, ranked by how well this village fits them
    (the model's score of this village for each: the model of every ranking, run the other
    way); a prospect whose must-haves exclude the village is not listed.

    Staff get each prospect's contacts, profile and the reasons; the village's committee gets
    the same ranking **anonymised**: an opaque id (its own: lists of two villages cannot be
    joined), the profession, the household and the housing project as a budget band, never a
    name, email, phone or free text, and no combination of profession and children's ages
    fewer than 3 of the list share (they are told less precisely)."""
    state.partner_village(insee)
    prospects = consented_profiles(state.store.consented_prospects())
    profiles = [profile for _, profile in prospects]
    fits = prospects_for(snapshot.recommender, insee, profiles, k, lang)
    secret = state.opaque_secret
    body: dict[str, Any] = {
        "insee": insee,
        "name": state.name_of(insee),
        "k": k,
        "consented": len(prospects),
    }
    if caller.may("staff"):
        stored = state.store.prospects_of([prospects[fit.prospect][0] for fit in fits])
        listed = []
        for rank, fit in enumerate(fits, start=1):
            prospect = stored.get(prospects[fit.prospect][0])
            if prospect is None:  # erased meanwhile
                continue
            listed.append(
                {
                    "rank": rank,
                    "id": prospect.id,
                    "committee_id": opaque_id(prospect.id, insee, secret),
                    "name": prospect.contact.name,
                    "email": prospect.contact.email,
                    "phone": prospect.contact.phone,
                    "profile": prospects[fit.prospect][1].model_dump(mode="json"),
                    "score": fit.score,
                    "rank_for_them": fit.rank,
                    "contributions": fit.contributions,
                    "reasons": fit.reasons,
                }
            )
        return json_response(body | {"anonymised": False, "prospects": listed})
    anonymous = anonymised([prospects[fit.prospect] for fit in fits], insee, secret, lang)
    listed = [
        {
            "rank": rank,
            "id": who.id,
            "profession": who.profession,
            "household": who.household,
            "housing": who.housing,
            "score": fit.score,
            "answers_needs": fit.contributions.get("village_needs", 0.0) > 0,
        }
        for rank, (fit, who) in enumerate(zip(fits, anonymous, strict=True), start=1)
    ]
    return json_response(body | {"anonymised": True, "prospects": listed})


@router.get("/alerts", response_model=AlertsOut, responses=problems(401, 403))
def alerts(
    state: StateDep,
    _caller: StaffDep,
    since: Annotated[
        Timestamp | None,
        Query(description="Alerts from this time on (ISO 8601 with a timezone), included."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Alerts answered at most.")] = 100,
    lang: Lang = "fr",
) -> Response:
    """New homes and needs that fit prospects who consented to be contacted, oldest first:
    each with the prospect (id, name, email), the village, what changed (in words) and the fit
    (the village's score and rank for the prospect, and the reasons). A change brings an alert
    to a prospect when the village enters their top k (k: the service's default) or now meets
    every must-have they set; once per prospect and change. Changes whose alerts wait (their
    computation failed, or a server stopped before it) are computed first."""
    state.alerts.process_pending()
    listed = [
        {
            "id": alert.id,
            "at": alert.created_at,
            "prospect": {"id": alert.prospect_id, "name": alert.name, "email": alert.email},
            "village": {"insee": alert.insee, "name": state.name_of(alert.insee)},
            "change": {
                "kind": alert.change.kind,
                "id": alert.change.subject_id,
                "text": change_text(alert.change, state.name_of(alert.insee), lang),
                "at": alert.change.created_at,
                "by": alert.change.created_by,
            },
            "fit": {
                "score": alert.score,
                "rank": alert.rank,
                "k": alert.k,
                "entered_top_k": alert.entered_top,
                "must_passes": alert.must_passes,
                "contributions": alert.contributions,
                "reasons": alert.reasons.get(lang) or alert.reasons.get("fr", []),
            },
        }
        for alert in state.store.alerts(since, limit)
        if state.has_village(alert.insee)
    ]
    body = {"pending_changes": state.store.pending_change_count(), "alerts": listed}
    return json_response(AlertsOut.model_validate(body).model_dump(mode="json"))


@router.post("/allocations", response_model=AllocationOut, responses=problems(401, 403, 413, 415))
def allocations(
    body: AllocationIn,
    state: StateDep,
    snapshot: SnapshotDep,
    caller: StaffDep,
    lang: Lang = "fr",
) -> Response:
    """Propose ``k`` villages to each prospect so that no village receives more prospects than
    its committee's capacity left for the ``quarter`` (its ``capacity_per_quarter`` less the
    prospects other allocations of that quarter gave it), maximising the total score (an exact
    assignment, solved by HiGHS), each proposal within ``max_loss`` of the prospect's plain
    k-th best village and never one a must-have excludes.

    The proposals are recorded (unless ``dry_run``): they count against the capacity of the
    quarter from then on; a prospect allocated again in the same quarter has their earlier
    proposals replaced, so the same allocation run twice answers the same. A village whose
    committee never stated its capacity takes no one. Prospects who cannot all get ``k``
    villages are in ``short``, each with ``why`` in words; never left out. ``gap`` is how far
    the total is from the best possible (0 when proven optimal). Unknown prospect ids: 422
    naming them."""
    ids = list(body.prospect_ids)
    partners = len(snapshot.recommender.villages)
    if body.k > partners:
        invalid(
            ("body", "k"),
            f"Input should be less than or equal to {partners} (the partner villages)",
            body.k,
            kind="less_than_equal",
            context={"le": partners},
        )
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        invalid(
            ("body", "prospect_ids"), f"expected each prospect once, found {repeated}", repeated
        )
    stored = state.store.prospects_of(ids)
    unknown = [i for i in ids if i not in stored]
    if unknown:
        invalid(("body", "prospect_ids"), f"no such prospect: {', '.join(unknown)}", unknown)
    profiles = [Profile.model_validate(stored[i].profile) for i in ids]
    quarter = body.quarter or quarter_of(clock.today())

    def solve(capacities: dict[str, int], allocated: dict[str, int]) -> tuple[Any, list[Proposed]]:
        left = capacity_left(capacities, allocated, state.partner_codes)
        answer = allocate_prospects(
            snapshot.recommender, ids, profiles, left, body.k, body.max_loss, lang
        )
        for village in answer.villages:
            village["capacity"] = capacities.get(village["insee"])
            village["allocated_before"] = allocated.get(village["insee"], 0)
        proposed = [
            Proposed(p.prospect_id, v["insee"], v["rank"], v["score"])
            for p in answer.proposals
            for v in p.villages
        ]
        return answer, proposed

    answer = state.store.allocate(quarter, ids, solve, str(caller), record=not body.dry_run)
    return json_response(answer.to_dict() | {"quarter": quarter, "recorded": not body.dry_run})
