"""Scoring, ranking, explanations, learning and evaluation of partner villages for prospects.

``recommend(profiles, villages, k=10, weights="default")`` is the entry point.
"""

from typing import TYPE_CHECKING, Any

from matcher.exceptions import MatcherError, WeightProfileError
from matcher.ranking import Excluded, Ranking, Result, Suggestion
from matcher.recommend import Recommender, recommend
from matcher.weights import WeightProfile, load_weight_profile, save_weight_profile

if TYPE_CHECKING:
    from matcher.weighted import WeightedMatcher

__all__ = [
    "Excluded",
    "MatcherError",
    "Ranking",
    "Recommender",
    "Result",
    "Suggestion",
    "WeightProfile",
    "WeightProfileError",
    "WeightedMatcher",
    "load_weight_profile",
    "recommend",
    "save_weight_profile",
]


def __getattr__(name: str) -> Any:
    # WeightedMatcher is a scikit-learn estimator: imported on first use, so that the service,
    # which ranks through Recommender, does not load scikit-learn.
    if name == "WeightedMatcher":
        from matcher.weighted import WeightedMatcher

        return WeightedMatcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
