"""``WeightedMatcher``: the score is a normalised weighted sum of criterion values.

For prospect p and village v, with analysts' weights w_c and the prospect's importance i_pc:

    score(p, v) = sum_c w_c i_pc value_c(p, v) / sum_c w_c i_pc

so scores lie in [0, 1] and each criterion's contribution (one term of the sum) is additive.
Villages failing one of the prospect's ``must`` criteria are not ranked.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from features import criteria
from features.columns import profile_columns
from features.homes import Homes
from features.profile import Profile
from features.prospect import ProspectVectorizer
from features.village import village_frame
from matcher.evaluate import EVENT_RELEVANCE, ndcg_at_k
from matcher.exceptions import MatcherError
from matcher.scoring import Scored, Scorer
from matcher.weights import WeightProfile, check_weights, load_weight_profile


class WeightedMatcher(BaseEstimator):
    """Rank villages for prospects by a weighted sum of criterion values.

    Parameters
    ----------
    villages : DataFrame
        The candidate villages (rows of ``geodata.read_villages()``), in INSEE order.
    homes : DataFrame, optional
        Listings on offer (``insee, tenure, price_eur, bedrooms``).
    solos_settled : Series, optional
        Solos settled per INSEE code.
    k : int
        Cut-off of the NDCG that ``score`` reports.
    **criterion_weights : float
        Non-negative weight of each criterion, named by its code (``features.criteria``;
        relative; 0 switches it off; 1 where not given). Each is a parameter of the
        estimator, for ``set_params`` and grid searches: ``WeightedMatcher(schools=2.0)``.
    """

    def __init__(
        self,
        villages: pd.DataFrame | None = None,
        homes: pd.DataFrame | None = None,
        solos_settled: pd.Series | None = None,
        k: int = 5,
        **criterion_weights: float,
    ) -> None:
        self.villages = villages
        self.homes = homes
        self.solos_settled = solos_settled
        self.k = k
        # The criteria come from the registry, so their weights cannot be named in the
        # signature: they are kept here and read and set as attributes (``__getattr__``,
        # ``__setattr__``), which is what scikit-learn's parameters are.
        self._weights: dict[str, float] = dict(criterion_weights)

    def __getattr__(self, name: str) -> float:
        # Called only when no attribute has the name: a criterion's weight, 1 if unset.
        weights: dict[str, float] | None = self.__dict__.get("_weights")
        if weights is not None and (name in weights or name in criteria.codes()):
            return weights.get(name, 1.0)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in criteria.codes() and "_weights" in self.__dict__:
            self._weights[name] = value
        else:
            super().__setattr__(name, value)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = super().get_params(deep=deep)
        return params | self.weights

    @classmethod
    def from_weights(cls, weights: Mapping[str, float], **params: Any) -> "WeightedMatcher":
        """A matcher with these criterion weights (checked) and other parameters."""
        matcher = cls(**params)
        for criterion, weight in check_weights(weights).items():
            setattr(matcher, criterion, weight)
        return matcher

    @classmethod
    def from_profile(cls, profile: WeightProfile | str, **params: Any) -> "WeightedMatcher":
        """A matcher with the weights of a profile (a ``WeightProfile`` or a packaged name)."""
        if isinstance(profile, str):
            profile = load_weight_profile(profile)
        return cls.from_weights(profile.weights, **params)

    @property
    def weights(self) -> dict[str, float]:
        """Every criterion's weight (1 where not set), and any other weight given (which
        ``fit`` refuses, naming it)."""
        return dict.fromkeys(criteria.codes(), 1.0) | self._weights

    def fit(self, X: object = None, y: object = None) -> "WeightedMatcher":
        """Check the weights and prepare the villages; ``X`` and ``y`` are not used."""
        self.weights_ = np.array(list(check_weights(self.weights).values()))
        if self.villages is None or len(self.villages) == 0:
            raise MatcherError("villages: expected at least one candidate village, found none")
        if not isinstance(self.k, int) or self.k < 1:
            raise MatcherError(f"k: expected a whole number >= 1, found {self.k!r}")
        frame = village_frame(self.villages, self.homes, self.solos_settled)
        codes = frame.index.tolist()
        self.homes_ = Homes.from_frame(self.homes, codes)
        # The numpy core, shared with Recommender (which the service runs without sklearn).
        inputs = {str(name): column.to_numpy() for name, column in frame.items()}
        self.scorer_ = Scorer(self.weights_, inputs, codes, self.homes_)
        self.codes_ = frame.index
        self.names_ = np.asarray(self.villages["name"], dtype=object)
        # Fitted on a one-row table: it only needs the column names of profile tables.
        columns = profile_columns()
        template = pd.DataFrame(np.zeros((1, len(columns))), columns=list(columns))
        self.prospect_vectorizer_ = ProspectVectorizer().fit(template)
        return self

    def prospect_columns(self, X: object) -> Mapping[str, NDArray[np.float64]]:
        """Columns of the prospect matrix for a profile table or a list of profiles."""
        if not hasattr(self, "scorer_"):
            check_is_fitted(self)
        if isinstance(X, pd.DataFrame):
            vectorizer = self.prospect_vectorizer_
            matrix = vectorizer.transform(X)
            return dict(zip(vectorizer.get_feature_names_out(), matrix.T, strict=True))
        # Profiles were validated by pydantic: skip sklearn's checks of the table.
        return self.scorer_.prospect_columns(_as_profiles(X))

    def evaluate(self, X: object) -> Scored:
        """Criterion values, contributions and scores of every prospect against every village."""
        columns = self.prospect_columns(X)  # first: it checks that the matcher is fitted
        return self.scorer_.evaluate(columns)

    def decision_function(self, X: object) -> NDArray[np.float64]:
        """(P, V) scores, ``-inf`` where a ``must`` criterion fails (scored in chunks, see
        ``Scorer.decision_function``)."""
        columns = self.prospect_columns(X)  # first: it checks that the matcher is fitted
        return self.scorer_.decision_function(columns)

    def score(self, X: object, y: object) -> float:
        """Mean NDCG@k of the rankings against ``y``.

        ``y`` is a (P, V) graded relevance matrix, or one INSEE code per prospect (the village
        the prospect chose), or a sequence of {INSEE code: event} mappings.
        """
        scores = self.decision_function(X)
        return ndcg_at_k(relevance_matrix(y, self.codes_, len(scores)), scores, self.k)


def relevance_matrix(y: object, codes: pd.Index, n_prospects: int) -> NDArray[np.float64]:
    """Graded relevance (P, V) from a matrix, one chosen code per prospect, or event mappings."""
    if isinstance(y, np.ndarray) and y.ndim == 2:
        if y.shape != (n_prospects, len(codes)):
            raise MatcherError(f"y: expected shape {(n_prospects, len(codes))}, found {y.shape}")
        return y.astype(np.float64)
    items = list(y) if isinstance(y, Sequence | np.ndarray | pd.Series) else None
    if items is None or len(items) != n_prospects:
        raise MatcherError(f"y: expected {n_prospects} items (one per prospect), found {y!r:.80}")
    relevance = np.zeros((n_prospects, len(codes)))
    for row, item in enumerate(items):
        events = item if isinstance(item, dict) else {str(item): "settled"}
        for code, event in events.items():
            column = codes.get_indexer(pd.Index([str(code)]))[0]
            if column < 0:
                raise MatcherError(f"y[{row}]: village {code!r} is not among the candidates")
            if event not in EVENT_RELEVANCE:
                raise MatcherError(
                    f"y[{row}]: event expected one of {list(EVENT_RELEVANCE)}, found {event!r}"
                )
            relevance[row, column] = EVENT_RELEVANCE[event]
    return relevance


def _as_profiles(X: object) -> list[Profile | dict[str, Any]]:
    if isinstance(X, Profile | dict):
        return [X]
    if isinstance(X, Sequence):
        return list(X)
    raise MatcherError(f"prospects: expected profiles or a profile table, found {type(X).__name__}")
