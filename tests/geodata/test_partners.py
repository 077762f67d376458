import pandas as pd
import pytest

import geodata
from geodata.exceptions import PartnerError
from geodata.partners import DOCUMENTED_SOURCE, PARTNER_COUNT, RULE_SOURCE, default_partners
from tests.conftest import make_villages


def test_documented_partners_come_first_then_cantons_take_turns() -> None:
    villages = (
        make_villages()
    )  # 32001 documented; cantons 3201: 32001-2, 3202: 32003-4, 3203: 32005
    villages["population"] = [500, 900, 800, 700, 600]
    villages["density_per_km2"] = 30.0
    villages["n_primary_school"] = 1
    # 3202 and 3203 have no partner yet and pick first (3202 its larger 32003); then all have
    # one and 3201, the lowest code, picks 32002 before 3202 gets a second.
    picked = default_partners(villages, count=4)
    assert picked["insee"].tolist() == ["32001", "32002", "32003", "32005"]
    assert picked.set_index("insee")["source"].to_dict() == {
        "32001": DOCUMENTED_SOURCE,
        "32002": RULE_SOURCE,
        "32003": RULE_SOURCE,
        "32005": RULE_SOURCE,
    }


def test_villages_without_a_school_or_too_large_are_not_eligible() -> None:
    villages = make_villages()
    villages["population"] = [500, 900, 5000, 700, 600]
    villages["n_primary_school"] = [1, 0, 1, 1, 1]
    villages["density_per_km2"] = 30.0
    picked = default_partners(villages, count=3)
    assert set(picked["insee"]) == {"32001", "32004", "32005"}
    with pytest.raises(PartnerError, match="expected at least 4 candidates, found 3"):
        default_partners(villages, count=4)


def test_the_packaged_list_is_the_rule_applied_to_the_packaged_data() -> None:
    partners = geodata.read_partners()
    if not set(partners["source"]) <= {DOCUMENTED_SOURCE, RULE_SOURCE}:
        pytest.skip("staff have replaced the default partner list")
    villages = geodata.read_villages(partners=pd.DataFrame({"insee": pd.Series(dtype=str)}))
    pd.testing.assert_frame_equal(partners, default_partners(villages))


def test_the_packaged_partners_are_52_gers_villages_spread_over_17_cantons() -> None:
    villages = geodata.read_villages()
    partners = villages[villages["partner"]]
    assert len(partners) == PARTNER_COUNT == 52
    assert {"32436", "32416", "32249"} <= set(partners.index)  # Solomiac, Sarrant, Mauvezin
    assert partners["canton_code"].nunique() == 17
    assert partners["canton_code"].value_counts().max() <= 4
    rule = partners[
        partners["insee"].isin(
            geodata.read_partners().query("source.str.startswith('rule')")["insee"]
        )
    ]
    assert (rule["density_per_km2"] < 100).all()
    assert (rule["population"] < 3000).all()
    assert (rule["n_primary_school"] > 0).all()
    geodata.validate(villages, partners=geodata.read_partners())
