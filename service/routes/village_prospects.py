"""The prospects a village fits (api.md, "Staff's daily work"): the consented prospects ranked by
the model's score of the village for each; staff see contacts, the village's committee an
anonymised list."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from matcher.fits import prospects_for
from service.alerts import consented_profiles
from service.anonymise import anonymised, opaque_id
from service.deps import SnapshotDep, StateDep, VillageDep
from service.errors import problems
from service.params import Insee, Lang
from service.responses import json_response
from service.schemas_matching import VillageProspectsOut

# Tagged with the prospects: a list of them, for one village.
#: Decimals of the score a committee sees.
COMMITTEE_SCORE_DIGITS = 2

router = APIRouter(prefix="/v1", tags=["prospects"])
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
            # Rounded: the order is given by rank, and a score's last digits, which differ
            # from one profile to the next, would let a list be matched against another.
            "score": round(fit.score, COMMITTEE_SCORE_DIGITS),
            "answers_needs": fit.contributions.get("village_needs", 0.0) > 0,
        }
        for rank, (fit, who) in enumerate(zip(fits, anonymous, strict=True), start=1)
    ]
    return json_response(body | {"anonymised": True, "prospects": listed})
