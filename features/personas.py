"""A fixed set of illustrative prospect profiles, for notebooks, examples and what-if analyses.

They are not real people: each stands for a kind of project the Soho Solo staff describe
(a developer family buying, a translator renting alone, a consultant who travels...), so that
analysts can watch how one change moves the rankings of recognisable cases side by side.
"""

from types import MappingProxyType

from features.profile import Profile

PERSONAS: MappingProxyType[str, Profile] = MappingProxyType(
    {
        "developer_family": Profile.model_validate(
            {
                "profession": "software_developer",
                "remote_days_per_week": 5,
                "connectivity": "video_calls",
                "household": {"adults": 2, "children_ages": [4, 12]},
                "housing": {"tenure": "buy", "budget_eur": 220000, "min_bedrooms": 3},
                "preferences": {"max_minutes_to_auch": 45, "settlement": "any"},
                "must": ["connectivity", "housing"],
            }
        ),
        "translator_alone": Profile.model_validate(
            {
                "profession": "translator",
                "remote_days_per_week": 5,
                "connectivity": "basic",
                "household": {"adults": 1},
                "housing": {"tenure": "rent", "budget_eur": 650, "min_bedrooms": 1},
                "preferences": {"settlement": "village"},
            }
        ),
        "consultant_traveller": Profile.model_validate(
            {
                "profession": "consultant",
                "remote_days_per_week": 3,
                "connectivity": "video_calls",
                "household": {"adults": 2, "children_ages": [15]},
                "housing": {"tenure": "buy", "budget_eur": 300000, "min_bedrooms": 3},
                "preferences": {"needs_train_station": True, "settlement": "small_town"},
                "must": ["access_toulouse"],
            }
        ),
        "video_maker_couple": Profile.model_validate(
            {
                "profession": "photographer_video",
                "remote_days_per_week": 4,
                "connectivity": "large_uploads",
                "household": {"adults": 2},
                "housing": {"tenure": "buy", "budget_eur": 160000, "min_bedrooms": 2},
                "must": ["connectivity"],
            }
        ),
        "artisan_young_children": Profile.model_validate(
            {
                "profession": "building_artisan",
                "remote_days_per_week": 0,
                "connectivity": "basic",
                "household": {"adults": 2, "children_ages": [1, 3]},
                "housing": {"tenure": "rent", "budget_eur": 850, "min_bedrooms": 3},
                "preferences": {"max_minutes_to_auch": 30},
                "must": ["childcare"],
            }
        ),
        "teleworker_parent": Profile.model_validate(
            {
                "profession": "salaried_teleworker",
                "remote_days_per_week": 4,
                "connectivity": "video_calls",
                "household": {"adults": 1, "children_ages": [8, 11]},
                "housing": {"tenure": "buy", "budget_eur": 180000, "min_bedrooms": 3},
                "must": ["schools"],
            }
        ),
    }
)
