import numpy as np
import pytest

import geodata
from features.profile import Profile
from matcher.evaluate import ndcg_at_k, recall_at_k
from matcher.exceptions import MatcherError
from matcher.history import (
    OutcomeHistory,
    evaluate_weights,
    read_outcomes,
    simulated_history,
    write_outcomes,
)
from matcher.learned import relevance_from_outcomes
from matcher.weighted import WeightedMatcher
from matcher.weights import load_weight_profile
from tests.conftest import make_villages

# Changes on criteria the partners differ on, so that the outcomes carry them above the noise.
HIDDEN = dict(load_weight_profile("default").weights) | {"access_toulouse": 5.0, "health": 0.0}


@pytest.fixture(scope="module")
def partners():
    villages = geodata.read_villages()
    return villages[villages["partner"]]


@pytest.fixture(scope="module")
def history(partners):
    return simulated_history(partners, 400, HIDDEN, random_state=3)


def test_a_history_written_to_csv_reads_back_the_same(tmp_path, history, partners) -> None:
    path = write_outcomes(history, tmp_path / "outcomes.csv")
    again = read_outcomes(path, partners.index.tolist())
    assert again.errors == []

    def events(h: OutcomeHistory) -> set[tuple[str, str, str]]:
        return {(h.ids[p], i, e) for p, i, e in h.events.itertuples(index=False)}

    assert events(again) == events(history)
    assert len(again.events) == len(history.events)
    profiles = dict(zip(history.ids, history.profiles, strict=True))
    assert all(profiles[i] == p for i, p in zip(again.ids, again.profiles, strict=True))


def test_the_simulated_history_says_it_is_synthetic(history) -> None:
    assert history.synthetic
    assert "synthetic" in history.events.attrs["synthetic"]
    assert all(i.startswith("sim-") for i in history.ids)


def test_unusable_outcome_rows_are_listed_with_their_line(tmp_path) -> None:
    header = "prospect_id,profession,connectivity,insee,event\n"
    rows = [
        "a,translator,basic,32001,settled",
        "a,translator,basic,32002,visited",
        "a,consultant,basic,32003,visited",  # a different profile for the same prospect
        "b,translator,basic,31555,visited",  # not a candidate
        "b,translator,basic,32004,liked",  # not an event
        "c,translator,basic,32004,left",
    ]
    path = tmp_path / "outcomes.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    history = read_outcomes(path, ["32001", "32002", "32003", "32004"])
    assert history.ids == ["a", "c"]
    assert history.events.to_dict("records") == [
        {"prospect": 0, "insee": "32001", "event": "settled"},
        {"prospect": 0, "insee": "32002", "event": "visited"},
        {"prospect": 1, "insee": "32004", "event": "left"},
    ]
    assert [str(e) for e in history.errors] == [
        "line 4: profession: the profile of prospect 'a' differs from the one on line 2",
        "line 5: insee: expected one of the 4 candidate villages, found '31555'",
        "line 6: event: expected one of shortlisted, visit_planned, visited, met_committee, "
        "settled, left, found 'liked'",
    ]


def test_plain_evaluation_measures_the_matchers_own_ranking(history, partners) -> None:
    evaluation = evaluate_weights(history, partners, HIDDEN, k=5)
    matcher = WeightedMatcher.from_weights(HIDDEN, villages=partners.sort_values("insee")).fit()
    scores = matcher.decision_function(history.profiles)
    relevance = relevance_from_outcomes(history.events, len(history.profiles), matcher.codes_)
    assert evaluation.ndcg == pytest.approx(ndcg_at_k(relevance, scores, 5))
    assert evaluation.recall == pytest.approx(recall_at_k(relevance, scores, 5))
    assert evaluation.model == {"name": "custom", "version": "unversioned"}
    assert (evaluation.prospects, evaluation.events) == (400, len(history.events))
    eligible = np.isfinite(scores).sum(axis=1)
    assert evaluation.exposure.sum() == np.minimum(eligible, 5).sum()
    assert evaluation.coverage == pytest.approx((evaluation.exposure > 0).mean())


def test_the_weights_that_made_the_outcomes_predict_them_better(history, partners) -> None:
    # The simulator's hidden weights against a profile that turns them upside down.
    upside_down = HIDDEN | {"access_toulouse": 0.0, "health": 5.0}
    truth = evaluate_weights(history, partners, HIDDEN)
    wrong = evaluate_weights(history, partners, upside_down)
    assert truth.ndcg > wrong.ndcg


def test_exposure_aware_rankings_spread_the_batch_at_a_small_cost(history, partners) -> None:
    plain = evaluate_weights(history, partners, "default")
    spread = evaluate_weights(history, partners, "default", exposure_aware_rerank=True)
    assert spread.exposure_aware
    assert not plain.exposure_aware
    assert spread.gini < plain.gini - 0.1
    assert spread.coverage > plain.coverage
    assert spread.exposure.sum() == plain.exposure.sum()


def test_evaluation_refuses_an_empty_history_and_a_bad_k() -> None:
    villages = make_villages()
    empty = OutcomeHistory(
        ids=[], profiles=[], events=simulated_history(villages, 1, HIDDEN).events
    )
    with pytest.raises(MatcherError, match="at least one prospect"):
        evaluate_weights(empty, villages)
    one = simulated_history(villages, 3, HIDDEN, random_state=0)
    for k in (0, 6):
        with pytest.raises(
            MatcherError, match=f"k: expected a whole number from 1 to 5, found {k}"
        ):
            evaluate_weights(one, villages, k=k)
    with pytest.raises(MatcherError, match="one id per profile"):
        OutcomeHistory(ids=["a"], profiles=[], events=one.events)
    assert isinstance(one.profiles[0], Profile)
