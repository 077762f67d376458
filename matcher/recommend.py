"""``recommend``: the library's entry point, batch first.

Rankings (``matcher.ranking``) carry their results (with additive contributions, reasons and
facts), the villages a ``must`` excludes (with reasons) and suggestions of the smallest change
that opens more villages (``matcher.suggest``).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from features.columns import must_columns, village_columns, village_inputs
from features.criteria import Criterion
from features.homes import HOME_COLUMNS, Homes, Listing
from features.i18n import LANGS, Lang
from features.needs import Need, VillageNeeds
from features.profile import Profile
from geodata.table import VillageTable, json_value
from matcher import explain, suggest
from matcher.evaluate import top_k
from matcher.exceptions import MatcherError
from matcher.ranking import Excluded, Ranking, Result
from matcher.rerank import exposure_aware, mmr
from matcher.scoring import CHUNK, Scored, Scorer
from matcher.weights import WeightProfile, check_weights, load_weight_profile

if TYPE_CHECKING:
    import pandas as pd

    from matcher.weighted import WeightedMatcher

ProfileLike = Profile | Mapping[str, Any]
WeightsLike = str | Path | WeightProfile | Mapping[str, float]


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
        needs: Sequence[Need] = (),
        today: date | None = None,
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
        listings, homes_insee = _listings(homes, codes)
        inputs = village_inputs(
            {c: self.villages[c] for c in village_columns() if c in self.villages},
            codes,
            homes_insee,
            None if solos_settled is None else {str(k): v for k, v in solos_settled.items()},
        )
        weight_values = np.array(list(check_weights(self.profile.weights).values()))
        village_needs = VillageNeeds.from_needs(needs, codes, today)
        self.scorer = Scorer(weight_values, inputs, codes, listings, village_needs)
        self.criteria = self.scorer.evaluator.criteria
        self._must = must_columns(self.scorer.evaluator.codes)
        # Criteria a low value of which is flagged to check (a 0 elsewhere leaves them out).
        self._weak_points = np.array([float(c.weak_point) for c in self.criteria])
        self.model = {"name": self.profile.name, "version": self.profile.version}
        for f, settled, listed in zip(
            self.facts,
            inputs["solos_settled"].tolist(),
            inputs["homes_listed"].tolist(),
            strict=True,
        ):
            f["solos_settled"], f["homes_listed"] = settled, listed
        for f, of_village in zip(self.facts, village_needs.of_village, strict=True):
            f["needs"] = of_village
        self.explainer = explain.Explainer(self.facts, self.criteria)
        self.suggesting = suggest.Suggesting(self.criteria, self.scorer)
        self.codes = np.asarray(codes, dtype=object)
        # The village part of each result's facts, in plain Python types, built once.
        self.village_facts = [
            {k: json_value(value) for c in self.criteria for k, value in c.village_facts(f).items()}
            for f in self.facts
        ]
        self._with_pair_facts = [
            c for c in self.criteria if type(c).pair_facts is not Criterion.pair_facts
        ]
        self._xy_km: NDArray[np.float64] | None = None

    @cached_property
    def offered_musts(self) -> tuple[str, ...]:
        """The criteria a form should offer as must-haves: those whose ``must`` could exclude
        one of these villages (``Criterion.offered_as_must``), in registry order."""
        villages = self.scorer.evaluator.villages
        return tuple(c.code for c in self.criteria if c.offered_as_must(villages))

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
        self._check(k, lang, diversity, exposure_aware)
        xy_km = self._lambert_km() if diversity > 0 else None
        # Exposure is balanced over the whole batch, so its rankings are chosen before any is
        # written; the scores are computed again chunk by chunk to write them.
        spread = self._spread(batch, int(k), max_loss) if exposure_aware else None
        choose = _Choice(int(k), diversity, xy_km, spread)
        return self._rankings(batch, choose, lang)

    def _check(self, k: int, lang: str, diversity: float, exposure_aware: bool) -> None:
        if lang not in LANGS:
            raise MatcherError(f"lang: expected one of {list(LANGS)}, found {lang!r}")
        if not 0.0 <= diversity <= 1.0:
            raise MatcherError(f"diversity: expected a number from 0 to 1, found {diversity!r}")
        if exposure_aware and diversity > 0:
            raise MatcherError("diversity and exposure_aware: expected one of them, found both")
        n = len(self.villages)
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
            raise MatcherError(f"k: expected a whole number from 1 to {n}, found {k!r}")

    def _rankings(
        self, batch: list[ProfileLike], choose: "_Choice", lang: Lang
    ) -> Iterator[Ranking]:
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start : start + CHUNK]
            prospects = self.scorer.prospect_columns(chunk)
            scored = self.scorer.evaluate(prospects)
            chosen = choose(self, scored, start)
            # Contributions and reasons of the results only, all the chunk's at once.
            rows = np.repeat(np.arange(len(chunk)), [len(c) for c in chosen])
            contributions, top, weakest = self.reasons_for(scored, rows, np.concatenate(chosen))
            first = 0
            for row, results in enumerate(chosen):
                last = first + len(results)
                yield self._ranking(
                    scored,
                    row,
                    prospects.row(row),
                    results.tolist(),
                    contributions[first:last].tolist(),
                    (top[first:last].tolist(), weakest[first:last].tolist()),
                    choose.k,
                    lang,
                )
                first = last

    def reasons_for(
        self, scored: Scored, rows: NDArray[np.intp], villages: NDArray[np.intp]
    ) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]:
        """For the pairs (rows[i], villages[i]): contributions, the criteria their reasons
        cover and the weakest to flag (``explain.select_reasons``)."""
        contributions = scored.contributions_of(rows, villages)
        pairs = scored.pairs
        # The mean over villages, as ndarray.mean computes it (a sum, then a division).
        mean = np.add.reduce(pairs.values, axis=1) / pairs.values.shape[1] * scored.share
        top, weakest = explain.select_reasons(
            contributions,
            mean[rows],
            pairs.values[rows, villages],
            pairs.importance[rows] * self._weak_points,
        )
        return contributions, top, weakest

    def sentences(
        self, p: Mapping[str, float], scored: Scored, row: int, lang: Lang
    ) -> explain.ProspectReasons:
        """The sentences of prospect ``row``'s pairs; ``p`` is the prospect's row."""
        details = {name: array[row].tolist() for name, array in scored.pairs.details.items()}
        return self.explainer.for_prospect(p, details, lang)

    def _spread(self, batch: list[ProfileLike], k: int, max_loss: float) -> NDArray[np.intp]:
        """Exposure-aware top k of every prospect of the batch (``rerank.exposure_aware``)."""
        scores = self.scorer.decision_function(self.scorer.prospect_columns(batch))
        return exposure_aware(scores, k, max_loss=max_loss)

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
        sentences = self.sentences(p, scored, row, lang)
        details = sentences.details
        scores = scored.scores[row].tolist()
        top, weakest = reasons_for
        codes = self.scorer.evaluator.codes
        facts = self._pair_facts(p, details)
        results = [
            Result(
                i + 1,
                *self.labels[v],
                scores[v],
                dict(zip(codes, contributions[i], strict=True)),
                sentences.result_reasons(v, top[i], weakest[i]),
                facts(v),
            )
            for i, v in enumerate(chosen)
        ]
        eligible = pairs.eligible[row]
        if eligible.all():
            return Ranking(self.model, k, results)
        ineligible = np.flatnonzero(~eligible)
        masks = explain.bits(pairs.must[row][None, :] & ~pairs.feasible[row][ineligible])
        excluded = [
            Excluded(*self.labels[v], sentences.exclusion_reasons(v, mask))
            for v, mask in zip(ineligible.tolist(), masks, strict=True)
        ]
        suggestions = suggest.suggestions(
            self.suggesting, ineligible.tolist(), masks, p, scored.pairs, row, sentences
        )
        return Ranking(self.model, k, results, excluded, suggestions)

    def _pair_facts(
        self, p: dict[str, float], details: Mapping[str, list[float]]
    ) -> Callable[[int], dict[str, Any]]:
        """A result's facts by village: the village's, and those of the pair."""
        readers = [
            (c, {name: p[name] for name in c.fact_inputs}, c.fact_details)
            for c in self._with_pair_facts
        ]

        def facts(v: int) -> dict[str, Any]:
            found = dict(self.village_facts[v])
            for criterion, inputs, names in readers:
                found.update(
                    criterion.pair_facts(inputs, {name: details[name][v] for name in names})
                )
            return found

        return facts

    def _lambert_km(self) -> NDArray[np.float64]:
        if self._xy_km is None:
            from geodata.derive import lambert_km  # geopandas: only diversity needs it

            self._xy_km = lambert_km(self.villages["point_lon"], self.villages["point_lat"])
        return self._xy_km


class _Choice:
    """Which villages each prospect of a chunk is shown: by score (ties by INSEE code), by
    MMR for diversity, or the batch's exposure-aware spread."""

    def __init__(
        self,
        k: int,
        diversity: float,
        xy_km: NDArray[np.float64] | None,
        spread: NDArray[np.intp] | None,
    ) -> None:
        self.k, self.diversity, self.xy_km, self.spread = k, diversity, xy_km, spread

    def __call__(
        self, recommender: Recommender, scored: Scored, start: int
    ) -> list[NDArray[np.intp]]:
        n = len(scored.scores)
        if self.spread is not None:
            return [s[s >= 0] for s in self.spread[start : start + n]]
        if self.xy_km is not None:
            return [self._diverse(scored, row, self.xy_km) for row in range(n)]
        ranked = scored.ranking_scores()  # -inf: excluded
        best = top_k(ranked, self.k)
        return [b[np.isfinite(r[b])] for b, r in zip(best, ranked, strict=True)]

    def _diverse(self, scored: Scored, row: int, xy_km: NDArray[np.float64]) -> NDArray[np.intp]:
        """Results chosen by MMR over the eligible villages, then shown by score (ties by
        INSEE code)."""
        scores = scored.scores[row]
        candidates = np.flatnonzero(scored.pairs.eligible[row])
        if len(candidates) > self.k:
            chosen = mmr(scores[candidates], xy_km[candidates], self.k, 1.0 - self.diversity)
            candidates = candidates[chosen]
        return candidates[np.argsort(-scores[candidates], kind="stable")][: self.k]


def _listings(
    homes: "pd.DataFrame | Sequence[Listing] | None", codes: list[str]
) -> tuple[Homes, list[str] | None]:
    """The listings of the villages in ``codes``, and the village of every listing."""
    if isinstance(homes, Sequence):
        return Homes.from_rows(homes, codes), [str(listing[0]) for listing in homes]
    listings = Homes.from_frame(homes, codes)
    return listings, None if homes is None else homes["insee"].astype(str).tolist()


def recommend(
    profiles: Sequence[ProfileLike] | ProfileLike,
    villages: "pd.DataFrame | VillageTable",
    k: int = 10,
    weights: WeightsLike = "default",
    *,
    lang: Lang = "fr",
    homes: "pd.DataFrame | Sequence[Listing] | None" = None,
    solos_settled: "pd.Series | Mapping[str, float] | None" = None,
    needs: Sequence[Need] = (),
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
    needs
        What the villages need (``features.needs.Need``), for the ``village_needs`` criterion.
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
    recommender = Recommender(
        villages, weights, homes=homes, solos_settled=solos_settled, needs=needs
    )
    return recommender.recommend(
        profiles,
        k,
        lang=lang,
        diversity=diversity,
        exposure_aware=exposure_aware,
        max_loss=max_loss,
    )
