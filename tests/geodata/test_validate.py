import numpy as np
import pandas as pd
import pytest

from geodata.exceptions import GeodataError, PartnerError
from geodata.validate import validate, validate_partners


def test_a_conforming_table_passes(villages) -> None:
    validate(villages, expected_count=5)


def test_the_expected_commune_count_is_checked(villages) -> None:
    with pytest.raises(GeodataError, match="expected 458 communes, found 5"):
        validate(villages)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v: v.drop(columns="ftth_share"), "column 'ftth_share': expected, not found"),
        (lambda v: v.assign(colour="red"), "column 'colour': not in geodata.schema"),
        (
            lambda v: v.assign(population=v["population"].astype(str)),
            "column 'population': expected int values, found dtype",
        ),
        (
            lambda v: v.assign(ftth_share=[0.1, 0.2, 1.5, 0.3, 0.4]),
            r"column 'ftth_share': expected at most 1 share, found 1.5 at 32003",
        ),
        (
            lambda v: v.assign(minutes_to_auch=[-1.0, 2, 3, 4, 5]),
            r"column 'minutes_to_auch': expected at least 0 min, found -1 at 32001",
        ),
        (
            lambda v: v.assign(house_price_m2=[np.nan, 1000, 1000, 1000, 1000]),
            r"column 'house_price_m2': expected no empty value, found 1 \(first at 32001\)",
        ),
        (
            lambda v: v.assign(house_price_level=["commune", "iris", "epci", "epci", "epci"]),
            r"column 'house_price_level': expected one of \['commune', 'epci'\], found 'iris'",
        ),
        (
            lambda v: v.assign(insee=["32001", "32001", "32003", "32004", "32005"]),
            "expected unique codes, found 32001 twice",
        ),
        (
            lambda v: v.assign(insee=["31555", "32002", "32003", "32004", "32005"]),
            "expected Gers codes 32xxx, found '31555'",
        ),
        (lambda v: v.to_crs("EPSG:2154"), "CRS: expected EPSG:4326, found EPSG:2154"),
        (
            lambda v: v.assign(point_lat=v["point_lat"] + [0, 0, 0.05, 0, 0]),
            r"point of 32003: expected within 100 m of its outline, found \d+ m away",
        ),
        (
            # 62.5 km in a straight line take at least 34.1 min at 110 km/h, the fastest road.
            lambda v: v.assign(minutes_to_toulouse=[0.0, 10.0, 150.0, 225.0, 300.0]),
            r"minutes_to_toulouse of 32002: expected at least 34.1 min \(the straight line at "
            r"110 km/h\), found 10",
        ),
        (
            lambda v: v.assign(rent_level=["commune", "maille", "epci", "epci", "epci"]),
            r"column 'rent_level': expected one of \['commune', 'epci', 'neighbours'\], found",
        ),
        (
            lambda v: v.assign(
                geometry=v.geometry.to_crs("EPSG:2154").centroid.to_crs("EPSG:4326")
            ),
            "column 'geometry': expected polygons, found Point at 32001",
        ),
    ],
)
def test_each_problem_names_what_was_expected_and_found(villages, mutate, message) -> None:
    with pytest.raises(GeodataError, match=message):
        validate(mutate(villages), expected_count=5)


def test_every_problem_is_reported_at_once(villages) -> None:
    broken = villages.drop(columns="jobs").assign(vacancy_share=2.0)
    with pytest.raises(GeodataError, match=r"2 problem\(s\)") as info:
        validate(broken, expected_count=5)
    assert "'jobs'" in str(info.value)
    assert "'vacancy_share'" in str(info.value)


def test_partners_must_be_villages_of_the_table(villages) -> None:
    ok = pd.DataFrame({"insee": ["32001"], "name": ["Village 1"], "source": ["staff"]})
    validate_partners(ok, villages)
    with pytest.raises(PartnerError, match="partner 32999: expected a Gers commune code"):
        validate_partners(pd.DataFrame({"insee": ["32999"], "name": [""]}), villages)
    with pytest.raises(PartnerError, match=r"32067: .* \(merged into 32365 in 2025: use 32365\)"):
        validate_partners(pd.DataFrame({"insee": ["32067"], "name": ["Cabas"]}), villages)
    with pytest.raises(
        PartnerError, match="partner 32002: name 'Vilage 2' does not match 'Village 2'"
    ):
        validate_partners(pd.DataFrame({"insee": ["32002"], "name": ["Vilage 2"]}), villages)


def test_partner_problems_join_the_table_report(villages) -> None:
    partners = pd.DataFrame({"insee": ["32999"], "name": ["Nowhere"]})
    with pytest.raises(GeodataError, match="partner 32999"):
        validate(villages, partners=partners, expected_count=5)
