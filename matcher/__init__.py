"""Scoring, ranking, explanations, learning and evaluation of partner villages for prospects.

``recommend(profiles, villages, k=10, weights="default")`` is the entry point.
"""

from matcher.exceptions import MatcherError, WeightProfileError
from matcher.recommend import Excluded, Ranking, Recommender, Result, Suggestion, recommend
from matcher.weighted import WeightedMatcher
from matcher.weights import WeightProfile, load_weight_profile, save_weight_profile

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
