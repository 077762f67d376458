"""Hypothesis strategies shared by the tests."""

from datetime import date

from hypothesis import strategies as st

from features.criteria import codes as criterion_codes
from features.needs import Need
from features.vocab import CONNECTIVITY_LEVELS, PREMISES_USES, PROFESSION_CODES, SERVICES

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

#: Needs a village may state (features.needs.Need), of any kind.
needs = st.one_of(
    st.builds(
        lambda ages, pupils, years, school: Need(
            "n", "32001", "school_pupils", school=school, age_min=min(ages), age_max=max(ages),
            pupils=pupils, by=date(2026 + years, 9, 1),
        ),
        st.tuples(st.integers(3, 17), st.integers(3, 17)),
        st.integers(1, 6),
        st.integers(0, 3),
        st.sampled_from(["", "École Jean Moulin"]),
    ),
    st.builds(
        lambda service, professions: Need(
            "n", "32001", "trade", service=service, professions=tuple(professions)
        ),
        st.one_of(st.none(), st.sampled_from([s.code for s in SERVICES])),
        st.lists(st.sampled_from(PROFESSION_CODES), max_size=3, unique=True),
    ),
    st.builds(
        lambda use, surface, rent: Need(
            "n", "32001", "premises", use=use, surface_m2=surface, rent_eur=rent
        ),
        st.sampled_from(list(PREMISES_USES)),
        st.one_of(st.none(), st.floats(10, 500)),
        st.one_of(st.none(), st.floats(50, 3000)),
    ),
)  # fmt: skip
