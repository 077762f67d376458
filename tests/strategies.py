"""Hypothesis strategies shared by the tests."""

from hypothesis import strategies as st

from features.criteria import codes as criterion_codes
from features.vocab import CONNECTIVITY_LEVELS, PROFESSION_CODES

CRITERION_CODES = criterion_codes()

#: Valid prospect profiles, as JSON-ready dicts of the API's shape.
profiles = st.fixed_dictionaries(
    {
        "profession": st.sampled_from(PROFESSION_CODES),
        "connectivity": st.sampled_from(CONNECTIVITY_LEVELS),
        "remote_days_per_week": st.integers(0, 7),
        "household": st.fixed_dictionaries(
            {
                "adults": st.integers(1, 6),
                "children_ages": st.lists(st.integers(0, 25), max_size=12),
            }
        ),
        "housing": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "tenure": st.sampled_from(["buy", "rent"]),
                    "budget_eur": st.floats(1, 1_000_000),
                    "min_bedrooms": st.integers(0, 10),
                }
            ),
        ),
        "preferences": st.fixed_dictionaries(
            {
                "max_minutes_to_auch": st.one_of(st.none(), st.floats(1, 240)),
                "needs_train_station": st.booleans(),
                "settlement": st.sampled_from(["village", "small_town", "any"]),
            }
        ),
        "must": st.lists(st.sampled_from(CRITERION_CODES), unique=True),
    }
)
