import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.columns import village_inputs
from geodata.table import VillageTable
from matcher import MatcherError, Recommender, WeightedMatcher
from matcher.scoring import Scorer
from tests.conftest import API_EXAMPLE_PROFILE, realistic_villages
from tests.strategies import profiles

PROFILES = [
    API_EXAMPLE_PROFILE,
    {"profession": "craft_maker", "connectivity": "basic", "must": ["schools"]},
    {
        "profession": "consultant",
        "connectivity": "large_uploads",
        "household": {"children_ages": [1]},
        "housing": {"tenure": "rent", "budget_eur": 700, "min_bedrooms": 2},
        "preferences": {"settlement": "village", "needs_train_station": True},
        "must": ["housing", "childcare"],
    },
]
LISTINGS = [("32002", "rent", 650.0, 2.0), ("32004", "buy", 150_000.0, 3.0)]
SOLOS = {"32001": 2.0, "32003": 1.0}


def test_the_weighted_matcher_scores_with_its_scorer() -> None:
    villages = realistic_villages()
    matcher = WeightedMatcher.from_profile("default", villages=villages).fit()
    inputs = village_inputs(
        {c: villages[c] for c in villages.columns if c != "geometry"}, villages["insee"].tolist()
    )
    scorer = Scorer(matcher.weights_, inputs, villages["insee"].tolist())
    np.testing.assert_array_equal(
        scorer.decision_function(scorer.prospect_columns(PROFILES)),
        matcher.decision_function(PROFILES),
    )


def test_a_scorer_wants_villages_in_insee_order() -> None:
    villages = realistic_villages()
    columns = {c: villages[c] for c in villages.columns if c != "geometry"}
    codes = villages["insee"].tolist()
    with pytest.raises(MatcherError, match="unique INSEE codes in increasing order"):
        Scorer(np.ones(11), village_inputs(columns, codes), codes[::-1])
    with pytest.raises(MatcherError, match="at least one candidate village"):
        Scorer(np.ones(11), {}, [])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_recommender_on_a_table_and_rows_ranks_as_on_frames(lang) -> None:
    villages = realistic_villages()
    villages["partner"] = True
    homes = pd.DataFrame(LISTINGS, columns=["insee", "tenure", "price_eur", "bedrooms"])
    on_frames = Recommender(villages, homes=homes, solos_settled=pd.Series(SOLOS))
    on_rows = Recommender(VillageTable.from_frame(villages), homes=LISTINGS, solos_settled=SOLOS)
    expected = [r.to_dict() for r in on_frames.recommend(PROFILES, 4, lang=lang)]
    assert [r.to_dict() for r in on_rows.recommend(PROFILES, 4, lang=lang)] == expected
    np.testing.assert_array_equal(
        on_rows.matcher.decision_function(PROFILES), on_frames.matcher.decision_function(PROFILES)
    )


def test_ranking_loads_neither_scikit_learn_nor_pandas() -> None:
    code = (
        "import sys; from geodata.io import read_village_table; from matcher import Recommender; "
        "table = read_village_table().where('partner'); "
        "Recommender(table, homes=[(table['insee'][0], 'buy', 1e5, 3)]).recommend("
        "{'profession': 'consultant', 'connectivity': 'basic', "
        "'housing': {'tenure': 'buy', 'budget_eur': 2e5}}, 5); "
        "print(sorted({'pandas', 'sklearn', 'scipy', 'pyarrow', 'geopandas'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_one_profiles_columns_are_its_row_of_a_batch() -> None:
    villages = realistic_villages()
    scorer = Recommender(villages).scorer
    other = {"profession": "craft_maker", "connectivity": "basic", "remote_days_per_week": 1}
    batch = scorer.prospect_columns([API_EXAMPLE_PROFILE, other])
    for row, profile in enumerate([API_EXAMPLE_PROFILE, other]):
        one = scorer.prospect_columns([profile])
        assert list(one) == list(batch)
        for name, column in batch.items():
            np.testing.assert_array_equal(one[name], column[row : row + 1], strict=True)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(profiles, min_size=2, max_size=8))
def test_one_prospects_scores_are_its_row_of_a_batch_bit_for_bit(batch: list[dict]) -> None:
    """A prospect ranked alone (each API request) and in a batch gets the same scores, not
    scores an ulp apart that could order two close villages differently."""
    scorer = Recommender(realistic_villages()).scorer
    scores = scorer.evaluate(scorer.prospect_columns(batch))
    for row, profile in enumerate(batch):
        one = scorer.evaluate(scorer.prospect_columns([profile]))
        np.testing.assert_array_equal(one.share, scores.share[row : row + 1], strict=True)
        np.testing.assert_array_equal(one.scores, scores.scores[row : row + 1], strict=True)
