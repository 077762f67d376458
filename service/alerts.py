"""Alerts: when a village's homes or needs change, the prospects who consented to be contacted
and to whom the change brings that village (into their top k, or through every must-have they
set), once per prospect and change (``matcher.fits.newly_fitting``: the same model as every
ranking, run on the village before and after the change).

When the computation runs, and why: **just after the write's transaction**, not inside it.

- The write records the change (the village's homes or needs before and after) in its own
  transaction (``service.store.alerts.record_change``), so a change is never lost: if the
  process dies before its alerts are stored, the change stays pending and is computed by the
  next processing (the next change in any worker, or ``GET /v1/alerts``, which processes what
  waits before it answers).
- The computation then runs in the writing request's thread once the commit is done (the
  store calls its listeners after the commit). Inside the transaction it would hold the
  database's write lock (all of SQLite) for the time of two models and every consented
  prospect's scores, and any failure of it would undo the committee's write or answer a 5xx.
  After the commit, a failure is logged and counted on the change (still pending, tried
  again): the committee's write has succeeded, whatever happens here.
- Its alerts are stored in one transaction that marks the change processed only if it still
  is pending (``AlertStore.store_alerts``), with one row per change and prospect (a unique
  key): two workers computing the same change store its alerts once.
"""

import logging
import threading
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from features.i18n import LANGS, Lang, decimal, euros, text
from features.profile import Profile
from matcher.fits import newly_fitting
from service import clock
from service.store import NewAlert, Prospect, VillageChange
from service.store.needs import Need

if TYPE_CHECKING:
    from service.state import ModelInputs, ServiceState

logger = logging.getLogger(__name__)


class Alerts:
    """The alerts of one service process: computes what changes wait for."""

    def __init__(self, state: "ServiceState") -> None:
        self.state = state
        self._lock = threading.Lock()  # one processing at a time in a process

    def process_pending(self) -> int:
        """Compute and store the alerts of every change waiting for them; the number of
        changes still waiting (those whose computation failed, tried again next time).
        Never raises: a failure is logged."""
        try:
            with self._lock:
                return self._process()
        except Exception:
            logger.exception("alerts: the pending changes could not be processed")
            return -1

    def _process(self) -> int:
        store = self.state.store
        changes = store.pending_changes()
        if not changes:
            return 0
        prospects = consented_profiles(store.consented_prospects())
        inputs = self.state.read_inputs()
        day = clock.today()
        failed = 0
        for change in changes:
            try:
                alerts = self.compute(change, inputs, prospects, day)
                store.store_alerts(change.id, alerts)
            except Exception as error:
                failed += 1
                logger.exception("alerts: change %s of %s failed", change.id, change.insee)
                store.change_failed(change.id, f"{type(error).__name__}: {error}")
        return failed

    def compute(
        self,
        change: VillageChange,
        inputs: "ModelInputs",
        prospects: Sequence[tuple[str, Profile]],
        day: date,
    ) -> list[NewAlert]:
        """The prospects ``change`` brings its village to, the other villages as they are."""
        insee = change.insee
        if insee not in self.state.partner_codes or not prospects:
            return []
        before = self.state.recommender_of(inputs.with_village(insee, **_part(change.before)), day)
        after = self.state.recommender_of(inputs.with_village(insee, **_part(change.after)), day)
        k = min(self.state.settings.default_k, len(self.state.partner_codes))
        profiles = [profile for _, profile in prospects]
        news = newly_fitting(before, after, insee, profiles, k, LANGS[0])
        found = [profiles[new.prospect] for new in news]
        reasons: list[dict[Lang, list[str]]] = [{LANGS[0]: new.fit.reasons} for new in news]
        for lang in LANGS[1:]:  # the same prospects' reasons in the other languages
            for other in newly_fitting(before, after, insee, found, k, lang):
                reasons[other.prospect][lang] = other.fit.reasons
        return [
            NewAlert(
                prospect_id=prospects[new.prospect][0],
                score=new.fit.score,
                rank=new.fit.rank,
                k=k,
                entered_top=new.entered_top,
                must_passes=new.must_passes,
                contributions=new.fit.contributions,
                reasons={lang: said.get(lang, said[LANGS[0]]) for lang in LANGS},
            )
            for new, said in zip(news, reasons, strict=True)
        ]


def consented_profiles(prospects: Sequence[Prospect]) -> list[tuple[str, Profile]]:
    """The prospects' profiles as the model reads them; a stored profile the current schema
    refuses (a code since taken out of the vocabulary) is left out and logged."""
    read = []
    for prospect in prospects:
        try:
            read.append((prospect.id, Profile.model_validate(prospect.profile)))
        except ValidationError:
            logger.warning("prospect %s: stored profile no longer valid; left out", prospect.id)
    return read


def _part(village: dict[str, Any]) -> dict[str, Any]:
    """A change's before or after as ``ModelInputs.with_village`` takes it."""
    if "homes" in village:
        return {"listings": [tuple(home) for home in village["homes"]]}
    return {"needs": [Need.from_json(need) for need in village.get("needs", ())]}


def change_text(change: VillageChange, village: str, lang: Lang) -> str:
    """What changed, in words: ``Nouveau logement à Sarrant : à vendre 180 000 €, ...``."""
    from service.intranet.views import need_text

    if change.kind == "need_added":
        what = need_text(Need.from_json(change.detail), lang)
    elif change.kind == "homes_replaced":
        return text(lang, "alerts.homes_replaced", village=village, n=change.detail["listings"])
    else:
        what = home_text(change.detail, lang)
    return text(lang, f"alerts.{change.kind}", village=village, what=what)


def home_text(home: dict[str, Any], lang: Lang) -> str:
    """A listing in a few words: tenure, price, bedrooms, surface."""
    words = text(
        lang,
        "alerts.home_buy" if home["tenure"] == "buy" else "alerts.home_rent",
        price=euros(float(home["price_eur"]), lang),
        bedrooms=home["bedrooms"],
    )
    if home.get("surface_m2"):
        words += text(lang, "alerts.surface", surface=decimal(float(home["surface_m2"]), lang))
    return words


def alert_entries(
    state: "ServiceState",
    lang: Lang,
    since: datetime | None = None,
    limit: int = 100,
    prospect_id: str | None = None,
) -> list[dict[str, Any]]:
    """The stored alerts as ``GET /v1/alerts`` answers them and the staff's pages show them
    (one listing, so that the pages never show another rule than the API's): the prospect,
    the village, what changed in words and the fit. Alerts of villages no longer partners
    are left out."""
    return [
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
        for alert in state.store.alerts(since, limit, prospect_id)
        if state.has_village(alert.insee)
    ]
