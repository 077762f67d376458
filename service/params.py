"""Query and path parameters several routes take, and the check of ``k`` against the partner
villages (which only the model snapshot knows)."""

from typing import Annotated, Literal

from fastapi import Depends, Path, Query

from features.i18n import Lang as LangCode
from service.errors import invalid
from service.state import Snapshot

Lang = Annotated[Literal["fr", "en"], Query(description="Language of reasons and labels.")]


def _page_lang(
    lang: Annotated[
        str, Query(description="fr or en; a page asked in any other language is in French.")
    ] = "fr",
) -> LangCode:
    # A person who edits the address, or a site that links with its own language, still gets a
    # page to read; the API's ``Lang`` keeps refusing what it does not know (422).
    return "en" if lang == "en" else "fr"


#: The language of an HTML page: French unless English is asked.
PageLang = Annotated[LangCode, Depends(_page_lang)]
K = Annotated[
    int | None,
    # Its maximum, the partner villages, is stated in the document by ``service.openapi``.
    Query(ge=1, description="Results per ranking, up to the number of partner villages."),
]
Insee = Annotated[str, Path(description="INSEE code of a Gers commune, e.g. 32013 (Auch).")]


def resolve_k(k: int | None, default: int, snapshot: Snapshot) -> int:
    """The results a ranking gets: ``k``, or the default capped at the partner villages; a
    ``k`` over their number is a 422 naming it."""
    villages = len(snapshot.recommender.villages)
    if k is None:
        return min(default, villages)
    if k > villages:
        invalid(
            ("query", "k"),
            f"Input should be less than or equal to {villages} (the partner villages)",
            k,
            kind="less_than_equal",
            context={"le": villages},
        )
    return k
