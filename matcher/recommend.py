"""``recommend``: the library's entry point, batch first.

Rankings carry their results (with additive contributions, reasons and facts), the villages a
``must`` excludes (with reasons) and suggestions of the smallest change that opens more
villages. Their ``to_dict()`` is the JSON body of ``POST /v1/recommendations`` (which the
service writes with orjson straight from the dataclasses: the same JSON).
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from features.columns import HOME_COLUMNS, VILLAGE_COLUMNS, Homes, Listing, village_inputs
from features.numeric import stacked
from features.profile import Profile
from features.vocab import CRITERION_CODES, LANGS, Lang
from geodata.table import VillageTable
from matcher import explain
from matcher.evaluate import top_k
from matcher.exceptions import MatcherError
from matcher.rerank import exposure_aware, mmr
from matcher.scoring import CHUNK, Scored, Scorer
from matcher.weights import WeightProfile, check_weights, load_weight_profile

if TYPE_CHECKING:
    import pandas as pd

    from matcher.weighted import WeightedMatcher

ProfileLike = Profile | Mapping[str, Any]
WeightsLike = str | Path | WeightProfile | Mapping[str, float]

#: Village facts every result carries, beside the per-prospect ones.
FACT_COLUMNS = (
    "minutes_to_auch",
    "minutes_to_toulouse",
    "ftth_share",
    "operators_4g",
    "house_price_m2",
    "population",
)
#: Columns of the flat rankings ``Ranking.rows`` gives (the CSV of ``sohosolo batch``).
RANKING_COLUMNS = ("prospect_id", "rank", "insee", "name", "score", "reasons", "excluded")
REASON_SEPARATOR = " | "
#: Step a suggested maximum time is rounded up to (budgets: ``explain.PRICE_STEP``).
MINUTES_STEP = 5.0


@dataclass(frozen=True)
class Result:
    rank: int
    insee: str
    name: str
    score: float
    contributions: dict[str, float]
    reasons: list[str]
    facts: dict[str, float | int | str | None]


@dataclass(frozen=True)
class Excluded:
    insee: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    change: str
    to: float | list[str]
    opens: list[str]


@dataclass(frozen=True)
class Ranking:
    model: dict[str, str]
    k: int
    results: list[Result]
    excluded: list[Excluded] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every value, and cost more than the ranking.
        return {
            "model": dict(self.model),
            "k": self.k,
            "results": [
                {
                    "rank": r.rank,
                    "insee": r.insee,
                    "name": r.name,
                    "score": r.score,
                    "contributions": dict(r.contributions),
                    "reasons": list(r.reasons),
                    "facts": dict(r.facts),
                }
                for r in self.results
            ],
            "excluded": [
                {"insee": e.insee, "name": e.name, "reasons": list(e.reasons)}
                for e in self.excluded
            ],
            "suggestions": [
                {
                    "change": s.change,
                    "to": list(s.to) if isinstance(s.to, list) else s.to,
                    "opens": list(s.opens),
                }
                for s in self.suggestions
            ],
        }

    def rows(self, prospect_id: str) -> list[dict[str, str | int | float]]:
        """The ranking as flat rows of ``RANKING_COLUMNS``, one per result; a prospect whose
        ``must``s exclude every village gets one row without a rank, so that no prospect is
        missing from a rankings file."""
        excluded = len(self.excluded)
        if not self.results:
            empty: dict[str, str | int | float] = dict.fromkeys(RANKING_COLUMNS, "")
            return [empty | {"prospect_id": prospect_id, "excluded": excluded}]
        return [
            {
                "prospect_id": prospect_id,
                "rank": r.rank,
                "insee": r.insee,
                "name": r.name,
                "score": round(r.score, 4),
                "reasons": REASON_SEPARATOR.join(r.reasons),
                "excluded": excluded,
            }
            for r in self.results
        ]


def resolve_weights(weights: WeightsLike) -> WeightProfile:
    """A weight profile from a packaged name, a TOML path, a profile or a plain mapping."""
    if isinstance(weights, WeightProfile):
        return weights
    if isinstance(weights, str | Path):
        return load_weight_profile(weights)
    return WeightProfile(name="custom", version="unversioned", weights=weights)


class Recommender:
    """Villages, weights and homes prepared once, for many calls of ``recommend``.

    The service holds one (rebuilt when weights or homes change); ``matcher.recommend`` builds
    one per call.
    """

    def __init__(
        self,
        villages: "pd.DataFrame | VillageTable",
        weights: WeightsLike = "default",
        *,
        homes: "pd.DataFrame | Sequence[Listing] | None" = None,
        solos_settled: "pd.Series | Mapping[str, float] | None" = None,
    ) -> None:
        # A VillageTable and listings as tuples are what the service passes: built on them,
        # a recommender loads neither pandas nor scikit-learn.
        if isinstance(villages, VillageTable):
            self.villages: pd.DataFrame | VillageTable = villages.sorted_by("insee")
            self.facts = self.villages.records()
        else:
            self.villages = villages.sort_values("insee")
            table = self.villages.drop(columns="geometry", errors="ignore")
            self.facts = cast(list[dict[str, Any]], table.to_dict("records"))
        self.profile = resolve_weights(weights)
        self._homes, self._solos_settled = homes, solos_settled
        codes = [str(f["insee"]) for f in self.facts]
        self.labels = [(code, str(f["name"])) for code, f in zip(codes, self.facts, strict=True)]
        if isinstance(homes, Sequence):
            listings = Homes.from_rows(homes, codes)
            homes_insee: list[str] | None = [str(listing[0]) for listing in homes]
        else:
            listings = Homes.from_frame(homes, codes)
            homes_insee = None if homes is None else homes["insee"].astype(str).tolist()
        inputs = village_inputs(
            {c: self.villages[c] for c in VILLAGE_COLUMNS if c in self.villages},
            codes,
            homes_insee,
            None if solos_settled is None else {str(k): v for k, v in solos_settled.items()},
        )
        weight_values = np.array(list(check_weights(self.profile.weights).values()))
        self.scorer = Scorer(weight_values, inputs, codes, listings)
        self.model = {"name": self.profile.name, "version": self.profile.version}
        columns = self.scorer.village_columns
        for f, settled in zip(self.facts, columns["solos_settled"].tolist(), strict=True):
            f["solos_settled"] = settled
        self.explainer = explain.Explainer(self.facts)
        self.codes = np.asarray(codes, dtype=object)
        # The village part of each result's facts, in plain Python types, built once.
        self.village_facts = [
            {c: _plain(f[c]) for c in FACT_COLUMNS}
            | {"ftth_vintage": str(f["ftth_vintage"]), "homes_available": int(listed)}
            for f, listed in zip(self.facts, columns["homes_listed"], strict=True)
        ]
        self.minutes_to_auch: list[float] = columns["minutes_to_auch"].tolist()
        self._xy_km: NDArray[np.float64] | None = None

    @cached_property
    def matcher(self) -> "WeightedMatcher":
        """The same model as a scikit-learn estimator, for analysts (made on first use: it
        loads scikit-learn, which rankings do not need)."""
        from matcher.weighted import WeightedMatcher

        villages = self.villages
        if isinstance(villages, VillageTable):
            villages = villages.to_frame()
        homes = self._homes
        if isinstance(homes, Sequence):
            import pandas as pd

            homes = pd.DataFrame(list(homes), columns=list(HOME_COLUMNS))
        solos = self._solos_settled
        if solos is not None and not hasattr(solos, "reindex"):
            import pandas as pd

            solos = pd.Series(dict(solos), dtype="float64")
        return WeightedMatcher.from_weights(
            self.profile.weights, villages=villages, homes=homes, solos_settled=solos
        ).fit()

    def recommend(
        self,
        profiles: Sequence[ProfileLike] | ProfileLike,
        k: int = 10,
        *,
        lang: Lang = "fr",
        diversity: float = 0.0,
        exposure_aware: bool = False,
        max_loss: float = 0.05,
    ) -> list[Ranking]:
        """One ``Ranking`` per profile, in order (see ``matcher.recommend``)."""
        return list(
            self.rankings(
                profiles,
                k,
                lang=lang,
                diversity=diversity,
                exposure_aware=exposure_aware,
                max_loss=max_loss,
            )
        )

    def rankings(
        self,
        profiles: Sequence[ProfileLike] | ProfileLike,
        k: int = 10,
        *,
        lang: Lang = "fr",
        diversity: float = 0.0,
        exposure_aware: bool = False,
        max_loss: float = 0.05,
    ) -> Iterator[Ranking]:
        """The rankings of ``recommend``, made as they are consumed (for progress bars and
        files written as they go); the arguments are checked at once, before the first."""
        batch = [profiles] if isinstance(profiles, Profile | Mapping) else list(profiles)
        if lang not in LANGS:
            raise MatcherError(f"lang: expected one of {list(LANGS)}, found {lang!r}")
        if not 0.0 <= diversity <= 1.0:
            raise MatcherError(f"diversity: expected a number from 0 to 1, found {diversity!r}")
        if exposure_aware and diversity > 0:
            raise MatcherError("diversity and exposure_aware: expected one of them, found both")
        n = len(self.villages)
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
            raise MatcherError(f"k: expected a whole number from 1 to {n}, found {k!r}")
        xy_km = self._lambert_km() if diversity > 0 else None
        # Exposure is balanced over the whole batch, so its rankings are chosen before any is
        # written; the scores are computed again chunk by chunk to write them.
        spread = self._spread(batch, int(k), max_loss) if exposure_aware else None
        return self._rankings(batch, int(k), lang, diversity, xy_km, spread)

    def _rankings(
        self,
        batch: list[ProfileLike],
        k: int,
        lang: Lang,
        diversity: float,
        xy_km: NDArray[np.float64] | None,
        spread: NDArray[np.intp] | None,
    ) -> Iterator[Ranking]:
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start : start + CHUNK]
            if len(chunk) == 1:  # each API request: one prospect, as Python floats
                one = self.scorer.prospect_row(chunk[0])
                scored, prospect_rows = self.scorer.evaluate_row(one), [one]
            else:
                prospects = self.scorer.prospect_columns(chunk)
                scored = self.scorer.evaluate(prospects)
                names = list(prospects)
                table = stacked([prospects[name] for name in names]).tolist()
                prospect_rows = [dict(zip(names, values, strict=True)) for values in table]
            pairs = scored.pairs
            if spread is not None:
                chosen = [s[s >= 0] for s in spread[start : start + len(chunk)]]
            elif xy_km is not None:
                chosen = [
                    self._diverse(scored, row, k, diversity, xy_km) for row in range(len(chunk))
                ]
            else:
                # Score descending, ties by INSEE code (the villages' order); -inf: excluded.
                ranked = scored.ranking_scores()
                best = top_k(ranked, k)
                chosen = [b[np.isfinite(r[b])] for b, r in zip(best, ranked, strict=True)]
            # Contributions and reasons of the results only, all the chunk's at once (one
            # prospect's row broadcast rather than repeated).
            rows: int | NDArray[np.intp] = 0
            if len(chunk) > 1:
                rows = np.repeat(np.arange(len(chunk)), [len(c) for c in chosen])
            villages = np.concatenate(chosen)
            contributions = scored.contributions_of(rows, villages)
            # The mean over villages, as ndarray.mean computes it (a sum, then a division).
            mean = np.add.reduce(pairs.values, axis=1) / pairs.values.shape[1] * scored.share
            top, weakest = explain.select_reasons(
                contributions, mean[rows], pairs.values[rows, villages], pairs.importance[rows]
            )
            first = 0
            for row, results in enumerate(chosen):
                last = first + len(results)
                ranking = self._ranking(
                    scored,
                    row,
                    prospect_rows[row],
                    results.tolist(),
                    contributions[first:last].tolist(),
                    (top[first:last].tolist(), weakest[first:last].tolist()),
                    k,
                    lang,
                )
                first = last
                yield ranking

    def _spread(self, batch: list[ProfileLike], k: int, max_loss: float) -> NDArray[np.intp]:
        """Exposure-aware top k of every prospect of the batch (``rerank.exposure_aware``)."""
        scores = self.scorer.decision_function(self.scorer.prospect_columns(batch))
        return exposure_aware(scores, k, max_loss=max_loss)

    def _diverse(
        self, scored: Scored, row: int, k: int, diversity: float, xy_km: NDArray[np.float64]
    ) -> NDArray[np.intp]:
        """Results chosen by MMR over the eligible villages, then shown by score (ties by
        INSEE code)."""
        scores = scored.scores[row]
        candidates = np.flatnonzero(scored.pairs.eligible[row])
        if len(candidates) > k:
            candidates = candidates[mmr(scores[candidates], xy_km[candidates], k, 1.0 - diversity)]
        return candidates[np.argsort(-scores[candidates], kind="stable")][:k]

    def _ranking(
        self,
        scored: Scored,
        row: int,
        p: dict[str, float],
        chosen: list[int],
        contributions: list[list[float]],
        reasons_for: tuple[list[list[int]], list[int]],
        k: int,
        lang: Lang,
    ) -> Ranking:
        pairs = scored.pairs
        matching, cost = pairs.homes_matching[row].tolist(), pairs.housing_cost[row].tolist()
        scores = scored.scores[row].tolist()
        top, weakest = reasons_for
        sentences = self.explainer.for_prospect(p, lang)
        results = []
        for i, v in enumerate(chosen):
            insee, name = self.labels[v]
            m, c = matching[v], cost[v]
            results.append(
                Result(
                    i + 1,
                    insee,
                    name,
                    scores[v],
                    dict(zip(CRITERION_CODES, contributions[i], strict=True)),
                    sentences.result_reasons(v, top[i], weakest[i], m, c),
                    self._facts(v, p, m, c),
                )
            )
        eligible = pairs.eligible[row]
        if eligible.all():
            return Ranking(self.model, k, results)
        ineligible = np.flatnonzero(~eligible).tolist()
        # Each excluded village's failed criteria as one number, bit c for criterion c.
        failing = pairs.must[row][None, :] & ~pairs.feasible[row][ineligible]
        masks = (failing @ explain.CRITERION_BITS).tolist()
        excluded = [
            Excluded(*self.labels[v], sentences.exclusion_reasons(v, mask, cost[v]))
            for v, mask in zip(ineligible, masks, strict=True)
        ]
        suggestions = self._suggestions(ineligible, masks, p, pairs.housing_cost[row])
        return Ranking(self.model, k, results, excluded, suggestions)

    def _suggestions(
        self,
        ineligible: list[int],
        masks: list[int],
        p: dict[str, float],
        cost: NDArray[np.float64],
    ) -> list[Suggestion]:
        """The smallest budget, maximum time, or dropped ``must`` that opens more villages:
        each for the excluded villages that fail that criterion alone."""
        one_away: dict[int, list[int]] = {}  # criterion -> the villages that fail it alone
        for v, mask in zip(ineligible, masks, strict=True):
            if mask & (mask - 1) == 0:  # one bit set
                one_away.setdefault(mask.bit_length() - 1, []).append(v)
        codes = self.scorer.codes
        suggestions: list[Suggestion] = []
        only_housing = one_away.get(explain.HOUSING)
        if only_housing:
            needed = self._budget_needed(cost, p).tolist()
            step = explain.PRICE_STEP[p["buy"] > 0]
            to = explain.round_up(min(needed[v] for v in only_housing), step)
            opens = [codes[v] for v in only_housing if needed[v] <= to]
            suggestions.append(Suggestion("housing.budget_eur", to, opens))
        only_auch = one_away.get(ACCESS_AUCH)
        if only_auch:
            minutes = self.minutes_to_auch
            to = explain.round_up(min(minutes[v] for v in only_auch), MINUTES_STEP)
            opens = [codes[v] for v in only_auch if minutes[v] <= to]
            suggestions.append(Suggestion("preferences.max_minutes_to_auch", to, opens))
        stated = [c for c in CRITERION_CODES if p[f"must_{c}"] > 0]
        drops = []
        for code in stated:
            only = one_away.get(CRITERION_CODES.index(code))
            if only:
                rest = [m for m in stated if m != code]
                drops.append(Suggestion("must", rest, [codes[v] for v in only]))
        return suggestions + sorted(drops, key=lambda s: -len(s.opens))

    def _budget_needed(self, cost: NDArray[np.float64], p: dict[str, float]) -> NDArray[np.float64]:
        """Per village, the budget that meets the housing ``must``: the estimated cost, or the
        cheapest listing in the prospect's tenure and bedrooms if that is lower."""
        homes = self.scorer.homes
        if not len(homes.village):
            return cost
        needed = np.array(cost, dtype=np.float64)
        fits = homes.fits(np.array([p["buy"]]), np.array([p["bedrooms_needed"]]))[0]
        if fits.any():
            cheapest = np.full(len(needed), np.inf)
            np.minimum.at(cheapest, homes.village[fits], homes.price_eur[fits])
            needed = np.minimum(needed, cheapest)
        return needed

    def _facts(
        self, v: int, p: dict[str, float], matching: float, cost: float
    ) -> dict[str, float | int | str | None]:
        if p["has_housing"] > 0:
            estimated = explain.estimate(cost, p["buy"] > 0)
            return {
                **self.village_facts[v],
                "homes_matching": int(matching),
                "estimated_housing_cost_eur": estimated,
            }
        return {**self.village_facts[v], "homes_matching": int(matching)}

    def _lambert_km(self) -> NDArray[np.float64]:
        if self._xy_km is None:
            from geodata.derive import lambert_km  # geopandas: only diversity needs it

            self._xy_km = lambert_km(self.villages["point_lon"], self.villages["point_lat"])
        return self._xy_km


def recommend(
    profiles: Sequence[ProfileLike] | ProfileLike,
    villages: "pd.DataFrame | VillageTable",
    k: int = 10,
    weights: WeightsLike = "default",
    *,
    lang: Lang = "fr",
    homes: "pd.DataFrame | Sequence[Listing] | None" = None,
    solos_settled: "pd.Series | Mapping[str, float] | None" = None,
    diversity: float = 0.0,
    exposure_aware: bool = False,
    max_loss: float = 0.05,
) -> list[Ranking]:
    """Rank ``villages`` for each profile.

    Parameters
    ----------
    profiles
        Prospect profiles (``Profile`` or dicts of the API's shape); one profile is a batch of one.
    villages
        The candidate villages, rows of ``geodata.read_villages()`` (usually the partners).
    k
        Results per ranking, from 1 to the number of villages.
    weights
        A packaged weight profile name, a TOML path, a ``WeightProfile`` or a mapping.
    lang
        ``fr`` or ``en``, for reasons.
    homes
        Listings on offer (``insee, tenure, price_eur, bedrooms``).
    solos_settled
        Solos settled per INSEE code.
    diversity
        0 (default) ranks by score alone; up to 1, the top k is chosen by maximal marginal
        relevance so that it is not a cluster of neighbouring villages (then shown by score).
    exposure_aware
        Spread the batch over the villages (``matcher.rerank.exposure_aware``): every village
        shown to a prospect scores at least its plain k-th best minus ``max_loss``.
    max_loss
        The bound on each prospect's loss of score under ``exposure_aware``.

    Returns
    -------
    One ``Ranking`` per profile, in order.
    """
    recommender = Recommender(villages, weights, homes=homes, solos_settled=solos_settled)
    return recommender.recommend(
        profiles,
        k,
        lang=lang,
        diversity=diversity,
        exposure_aware=exposure_aware,
        max_loss=max_loss,
    )


ACCESS_AUCH = CRITERION_CODES.index("access_auch")


def _plain(value: Any) -> float | int | str | None:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return cast(float | int | str | None, value)
