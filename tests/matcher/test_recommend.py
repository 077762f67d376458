import copy
import dataclasses
import gc
import json
import random
import tracemalloc

import numpy as np
import orjson
import pandas as pd
import pytest

import geodata
from features.criteria import codes as criterion_codes
from features.vocab import CONNECTIVITY_LEVELS
from matcher import MatcherError, Recommender, recommend
from matcher.ranking import RANKING_COLUMNS, Ranking
from tests.conftest import API_EXAMPLE_PROFILE, realistic_villages

CRITERION_CODES = criterion_codes()

FAMILY = API_EXAMPLE_PROFILE


@pytest.fixture(scope="module")
def partners() -> pd.DataFrame:
    villages = geodata.read_villages()
    return villages[villages["partner"]]


def check_contract(ranking: Ranking, villages: pd.DataFrame, k: int) -> None:
    """Every invariant of api.md's ranking."""
    body = ranking.to_dict()
    assert set(body) == {"model", "k", "results", "excluded", "suggestions"}
    results = body["results"]
    assert len(results) <= k
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    keys = [(-r["score"], r["insee"]) for r in results]
    assert keys == sorted(keys)  # score descending, ties by INSEE code
    for r in results:
        assert 0.0 <= r["score"] <= 1.0
        assert abs(sum(r["contributions"].values()) - r["score"]) <= 1e-6
        assert r["reasons"]
        assert all(isinstance(t, str) and t for t in r["reasons"])
    shown = [r["insee"] for r in results] + [e["insee"] for e in body["excluded"]]
    assert len(shown) == len(set(shown))  # a village stands at most once
    assert set(shown) <= set(villages["insee"])
    for e in body["excluded"]:
        assert e["reasons"]


def test_the_api_example_profile(partners) -> None:
    ranking = recommend([FAMILY], partners, k=10)[0]
    check_contract(ranking, partners, 10)
    assert ranking.model == {"name": "default", "version": "2026-12-07"}
    assert len(ranking.results) == 10
    assert ranking.results[0].facts["homes_matching"] == 0
    assert ranking.results[0].facts["ftth_vintage"] == "ARCEP 2025"


def test_excluded_lists_every_village_that_fails_a_must(partners) -> None:
    strict = {
        **FAMILY,
        "housing": {**FAMILY["housing"], "budget_eur": 150000},
        "must": ["connectivity", "housing", "schools"],
    }
    ranking = recommend([strict], partners, k=5)[0]
    check_contract(ranking, partners, 5)
    recommender = Recommender(partners)
    eligible = recommender.matcher.evaluate([strict]).eligible[0]
    assert {e.insee for e in ranking.excluded} == set(recommender.matcher.codes_[~eligible])
    assert len(ranking.results) == min(5, int(eligible.sum()))


def test_the_same_request_gives_the_same_response(partners) -> None:
    first = recommend([FAMILY, FAMILY], partners, k=7)
    again = recommend([FAMILY], partners, k=7)
    assert first[0].to_dict() == first[1].to_dict() == again[0].to_dict()


def test_to_dict_is_the_ranking_field_for_field(partners) -> None:
    """``to_dict`` is written by hand for speed: it must stay ``asdict``'s equal in JSON (an
    excluded village's reasons are a tuple, a list in JSON), suggestions and exclusions
    included, and share nothing mutable with the ranking; the service writes rankings with
    orjson straight from the dataclasses, which must give the same JSON."""
    strict = {**FAMILY, "must": ["connectivity", "housing", "schools"]}
    ranking = recommend(strict, partners, k=5)[0]
    assert ranking.excluded
    assert ranking.suggestions
    body = ranking.to_dict()
    assert body == json.loads(json.dumps(dataclasses.asdict(ranking)))
    assert orjson.dumps(ranking) == orjson.dumps(body)
    body["results"][0]["reasons"].clear()
    body["results"][0]["facts"].clear()
    assert ranking.results[0].reasons
    assert ranking.results[0].facts


def test_reasons_are_french_by_default_and_english_on_request(partners) -> None:
    fr = recommend(FAMILY, partners, k=3)[0]
    en = recommend(FAMILY, partners, k=3, lang="en")[0]
    assert [r.insee for r in fr.results] == [r.insee for r in en.results]
    text_fr, text_en = " ".join(fr.results[0].reasons), " ".join(en.results[0].reasons)
    assert "Fibre :" in text_fr or "Maison de" in text_fr or "École" in text_fr
    assert "Fibre:" in text_en or "house" in text_en or "school" in text_en
    assert "€" in text_fr + text_en or "min" in text_fr


def test_exclusion_reasons_say_by_how_much(partners) -> None:
    poor = {
        **FAMILY,
        "housing": {"tenure": "buy", "budget_eur": 60000, "min_bedrooms": 3},
        "must": ["housing"],
    }
    ranking = recommend(poor, partners, k=5)[0]
    reason = ranking.excluded[0].reasons[0]
    assert reason.startswith("Aucun logement dans le budget : maison de 3 chambres estimée à ")
    assert "il manque" in reason


@pytest.mark.parametrize(
    ("profile", "change"),
    [
        (
            {
                **FAMILY,
                "housing": {"tenure": "buy", "budget_eur": 120000, "min_bedrooms": 3},
                "must": ["housing"],
            },
            "housing.budget_eur",
        ),
        (
            {**FAMILY, "preferences": {"max_minutes_to_auch": 15}, "must": ["access_auch"]},
            "preferences.max_minutes_to_auch",
        ),
    ],
)
def test_applying_a_suggestion_opens_the_villages_it_names(partners, profile, change) -> None:
    ranking = recommend(profile, partners, k=52)[0]
    suggestion = next(s for s in ranking.suggestions if s.change == change)
    assert suggestion.opens
    changed = copy.deepcopy(profile)
    section, key = change.split(".")
    changed[section][key] = suggestion.to
    after = recommend(changed, partners, k=52)[0]
    newly = {r.insee for r in after.results} - {r.insee for r in ranking.results}
    assert set(suggestion.opens) == newly
    # The smallest such change: a step less opens nothing.
    step = 1000 if change == "housing.budget_eur" else 5
    changed[section][key] = suggestion.to - step
    assert {r.insee for r in recommend(changed, partners, k=52)[0].results} == {
        r.insee for r in ranking.results
    }


def test_dropping_a_must_is_suggested_with_what_it_opens(partners) -> None:
    # With the 2025 fibre no partner fails connectivity or schools: Auch within 45 min does.
    profile = {**FAMILY, "must": ["connectivity", "access_auch"]}
    ranking = recommend(profile, partners, k=52)[0]
    drops = [s for s in ranking.suggestions if s.change == "must"]
    assert drops
    for s in drops:
        after = recommend({**profile, "must": s.to}, partners, k=52)[0]
        assert set(s.opens) <= {r.insee for r in after.results}


def test_a_family_with_teenagers_prefers_a_college_nearby(partners) -> None:
    # Derived from the data: with schools the only weighted criterion, villages whose collège
    # is within 15 minutes rank above those whose is not.
    teens = {
        "profession": "other",
        "connectivity": "basic",
        "household": {"adults": 2, "children_ages": [12, 14]},
    }
    weights = {c: 0.0 for c in Recommender(partners).profile.weights} | {"schools": 1.0}
    ranking = recommend(teens, partners, k=len(partners), weights=weights)[0]
    near = partners.set_index("insee")["minutes_to_middle_school"] <= 15
    order = [near[r.insee] for r in ranking.results]
    assert order == sorted(order, reverse=True)
    # And with the default weights, other things equal (tiny table: two identical villages
    # but for the collège), the one with the collège nearby ranks first.
    villages = realistic_villages()
    twin = villages.iloc[[1]].assign(insee="32006", name="Twin", minutes_to_middle_school=25.0)
    twin.index = pd.Index(["32006"], name="code")
    table = pd.concat([villages, twin])
    ranking = recommend(teens, table, k=6)[0]
    positions = {r.insee: r.rank for r in ranking.results}
    assert positions["32002"] < positions["32006"]


def test_ties_are_broken_by_insee_code() -> None:
    villages = realistic_villages()
    twin = villages.iloc[[1]].assign(insee="32000", name="Twin")
    twin.index = pd.Index(["32000"], name="code")
    ranking = recommend(
        {"profession": "other", "connectivity": "basic"}, pd.concat([villages, twin]), k=6
    )[0]
    ranks = {r.insee: r.rank for r in ranking.results}
    scores = {r.insee: r.score for r in ranking.results}
    assert scores["32000"] == scores["32002"]
    assert ranks["32000"] == ranks["32002"] - 1


def test_diversity_spreads_the_top_five(partners) -> None:
    profile = {"profession": "consultant", "connectivity": "basic", "remote_days_per_week": 2}
    plain = recommend(profile, partners, k=5)[0]
    diverse = recommend(profile, partners, k=5, diversity=0.6)[0]
    check_contract(diverse, partners, 5)
    xy = partners.set_index("insee")[["point_lon", "point_lat"]]

    def spread(ranking: Ranking) -> float:
        pts = xy.loc[[r.insee for r in ranking.results]].to_numpy()
        return float(np.mean([np.hypot(*(a - b)) for i, a in enumerate(pts) for b in pts[i + 1 :]]))

    assert spread(diverse) > spread(plain)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, r"k: expected a whole number from 1 to 5, found 0"),
        ({"k": 6}, r"k: expected a whole number from 1 to 5, found 6"),
        ({"k": True}, r"k: expected a whole number"),
        ({"lang": "de"}, r"lang: expected one of \['fr', 'en'\], found 'de'"),
        ({"diversity": 2.0}, r"diversity: expected a number from 0 to 1"),
        ({"weights": "nope"}, r"weight profile 'nope': no such profile"),
    ],
)
def test_bad_requests_are_named(kwargs, message) -> None:
    with pytest.raises(MatcherError, match=message):
        recommend({"profession": "other", "connectivity": "basic"}, realistic_villages(), **kwargs)


def test_any_set_of_gers_communes_works() -> None:
    villages = geodata.read_villages()
    non_partners = villages[~villages["partner"]].iloc[:30]
    ranking = recommend(FAMILY, non_partners, k=10)[0]
    check_contract(ranking, non_partners, 10)
    # Non-partners have no welcome committee: no reason may claim one.
    reasons = [t for r in ranking.results for t in r.reasons]
    assert not any(t.startswith("Comité d'accueil") for t in reasons)
    assert all(r.contributions["community"] == 0 for r in ranking.results)


def test_reasons_say_what_sets_a_village_apart() -> None:
    villages = realistic_villages()
    profile = {"profession": "translator", "connectivity": "basic"}
    ranking = recommend(profile, villages, k=5)[0]
    every = [t for r in ranking.results for t in r.reasons]
    # Every village has a welcome committee: it sets none apart, so it is never a reason.
    assert not any(t.startswith("Comité d'accueil") for t in every)
    assert all(r.reasons for r in ranking.results)
    village_3 = next(r for r in ranking.results if r.insee == "32003")
    assert "Tiers-lieu Le Test dans la commune" in village_3.reasons


def test_reasons_in_both_languages_carry_figures() -> None:
    villages = realistic_villages()
    profile = {**FAMILY, "must": []}
    fr = recommend(profile, villages, k=5)[0]
    en = recommend(profile, villages, k=5, lang="en")[0]
    fr_text = {r.insee: r.reasons for r in fr.results}
    en_text = {r.insee: r.reasons for r in en.results}
    assert (
        "Fibre : 20\u202f% des locaux raccordables (ARCEP 2025) ; "
        "4G : 4 opérateurs à moins de 5 km (ARCEP 2018)" in fr_text["32003"]
    )
    assert (
        "Fibre: 20% of premises connectable (ARCEP 2025); 4G: 4 operators within 5 km "
        "(ARCEP 2018)" in en_text["32003"]
    )
    # The cheapest village's estimate sets it apart (100 m² at 1,200 €/m², on few sales).
    assert fr_text["32001"][0] == (
        "Maison de 3 chambres estimée à 120\u202f000\u202f€ (1\u202f200\u202f€/m² ; DVF 2024, "
        "peu de ventes dans la commune (3) : prix rapproché de celui de l'intercommunalité)"
    )


def test_sentences_kept_stay_few_however_varied_the_prospects(partners) -> None:
    """Sentences are kept per (criterion, language, what of the prospect they depend on)
    and village; not per combination of everything a prospect states, which varied traffic
    would make grow with every request."""
    rng = random.Random(0)
    criteria = [c for c in CRITERION_CODES if c != "housing"]

    def varied() -> dict[str, object]:
        return {
            "profession": rng.choice(["software_developer", "building_artisan"]),
            "connectivity": rng.choice(list(CONNECTIVITY_LEVELS)),
            "household": {"children_ages": rng.sample([4, 12, 16], rng.randint(0, 3))},
            "preferences": {
                "max_minutes_to_auch": rng.randint(1, 240),
                "needs_train_station": rng.random() < 0.5,
                "settlement": rng.choice(["village", "small_town"]),
            },
            "must": rng.sample(criteria, rng.randint(3, 8)),
        }

    recommender = Recommender(partners)
    recommender.recommend([varied() for _ in range(10)], 10)
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(1500):
            recommender.recommend(varied(), 10, lang="fr" if i % 2 else "en")
        gc.collect()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert retained < 4e6, f"{retained / 1e6:.1f} MB kept after 1,500 varied rankings"


def test_a_limit_under_a_minute_is_told_as_such_whatever_was_asked_before(partners) -> None:
    """The sentence of a failed time to Auch shows the limit as ``minutes`` writes it: the
    kept sentence for one limit must not be served for another written differently."""
    recommender = Recommender(partners)
    far = {**FAMILY, "must": ["access_auch"]}

    def limit_shown(minutes: float) -> str:
        ranking = recommender.recommend(
            {**far, "preferences": {"max_minutes_to_auch": minutes}}, 5
        )[0]
        return ranking.excluded[0].reasons[0]

    under, at_half = limit_shown(0.3), limit_shown(0.5)
    assert "moins d'1 min" in under
    assert (
        at_half
        == Recommender(partners)
        .recommend({**far, "preferences": {"max_minutes_to_auch": 0.5}}, 5)[0]
        .excluded[0]
        .reasons[0]
    )
    assert "moins d'1 min" not in at_half


def test_the_shortfall_brings_the_budget_to_the_cost_shown() -> None:
    villages = realistic_villages()  # 3 bedrooms at 1,500 €/m² in 32002: 150,000 €
    profile = {
        **FAMILY,
        "housing": {"tenure": "buy", "budget_eur": 149_900, "min_bedrooms": 3},
        "must": ["housing"],
    }
    ranking = recommend(profile, villages, k=5)[0]
    reason = next(e.reasons[0] for e in ranking.excluded if e.insee == "32002")
    assert (
        reason
        == "Aucun logement dans le budget : maison de 3 chambres estimée à 150\u202f000\u202f€, "
        "il manque 100\u202f€"
    )


def test_a_cheap_listing_lowers_the_suggested_budget_and_shows_in_the_facts() -> None:
    villages = realistic_villages()
    homes = pd.DataFrame(
        {"insee": ["32003"], "tenure": ["buy"], "price_eur": [160_000], "bedrooms": [3]}
    )
    profile = {
        **FAMILY,
        "housing": {"tenure": "buy", "budget_eur": 100_000, "min_bedrooms": 3},
        "must": ["housing"],
    }
    plain = recommend(profile, villages, k=5)[0]
    listed = recommend(profile, villages, k=5, homes=homes)[0]
    to = {s.change: s.to for s in plain.suggestions}["housing.budget_eur"]
    assert to == 120_000  # 32001: 100 m² at 1,200 €/m²
    richer = {**profile, "housing": {**profile["housing"], "budget_eur": 160_000}}
    result = next(
        r for r in recommend(richer, villages, k=5, homes=homes)[0].results if r.insee == "32003"
    )
    assert result.facts["homes_matching"] == 1
    assert result.facts["homes_available"] == 1
    assert "1 logement disponible dans votre budget" in result.reasons
    assert listed.suggestions[0].to == 120_000


def test_exposure_aware_batches_show_more_partners_within_the_loss_bound(partners) -> None:
    from matcher.evaluate import exposure_gini
    from matcher.simulate import simulate_profiles

    profiles = simulate_profiles(300, random_state=5)
    plain = recommend(profiles, partners, k=5)
    spread = recommend(profiles, partners, k=5, exposure_aware=True, max_loss=0.05)

    def shown(rankings: list[Ranking]) -> pd.Series:
        codes = [r.insee for ranking in rankings for r in ranking.results]
        return pd.Series(codes).value_counts().reindex(partners["insee"], fill_value=0)

    assert (shown(spread) > 0).sum() > (shown(plain) > 0).sum()
    assert exposure_gini(shown(spread).to_numpy()) < exposure_gini(shown(plain).to_numpy())
    for before, after in zip(plain, spread, strict=True):
        check_contract(after, partners, 5)
        if before.results:
            kth = before.results[-1].score
            assert all(r.score >= kth - 0.05 - 1e-12 for r in after.results)
    with pytest.raises(MatcherError, match="expected one of them, found both"):
        recommend(profiles[:2], partners, k=5, exposure_aware=True, diversity=0.5)


def test_rankings_are_made_as_consumed_and_checked_at_once(partners) -> None:
    recommender = Recommender(partners)
    profiles = [API_EXAMPLE_PROFILE, {"profession": "translator", "connectivity": "basic"}]
    lazy = recommender.rankings(profiles, 4, lang="en")
    assert not isinstance(lazy, list)
    assert list(lazy) == recommender.recommend(profiles, 4, lang="en")
    with pytest.raises(MatcherError, match="k: expected a whole number from 1 to 52"):
        recommender.rankings(profiles, 0)  # before anything is consumed


def test_ranking_rows_flatten_results_and_keep_a_prospect_with_none(partners) -> None:
    (ranking,) = recommend([API_EXAMPLE_PROFILE], partners, k=2)
    rows = ranking.rows("p1")
    assert [tuple(row) for row in rows] == [RANKING_COLUMNS] * 2
    assert rows[1]["rank"] == 2
    assert rows[1]["insee"] == ranking.results[1].insee
    assert rows[0]["reasons"] == " | ".join(ranking.results[0].reasons)
    assert rows[0]["excluded"] == len(ranking.excluded)
    hopeless = API_EXAMPLE_PROFILE | {"housing": {"tenure": "buy", "budget_eur": 1}}
    (none,) = recommend([hopeless], partners, k=2)
    assert none.results == []
    assert none.rows("p2") == [
        {
            "prospect_id": "p2",
            "excluded": 52,
            "rank": "",
            "insee": "",
            "name": "",
            "score": "",
            "reasons": "",
        }
    ]
