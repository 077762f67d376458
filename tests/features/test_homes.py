import numpy as np
import pandas as pd
import pytest

from features.exceptions import FeaturesError
from features.homes import Homes

HOMES = pd.DataFrame(
    {
        "insee": ["32003", "32001", "32001", "31555"],
        "tenure": ["buy", "rent", "buy", "buy"],
        "price_eur": [180_000.0, 650.0, 95_000.0, 200_000.0],
        "bedrooms": [3, 2, 4, 3],
    }
)


def test_listings_as_rows_are_the_listings_of_a_frame() -> None:
    codes = ["32001", "32002", "32003"]
    from_frame = Homes.from_frame(HOMES, codes)
    from_rows = Homes.from_rows(list(HOMES.itertuples(index=False, name=None)), codes)
    for field in ("village", "buy", "price_eur", "bedrooms"):
        np.testing.assert_array_equal(getattr(from_rows, field), getattr(from_frame, field))
    assert from_rows.village.tolist() == [2, 0, 0]  # the listing outside the villages is left
    assert len(Homes.from_rows([], codes).village) == 0


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        (("32001", "lease", 1.0, 1), "tenure expected 'buy' or 'rent', found 'lease'"),
        (("32001", "buy", "cheap", 1), "price_eur expected .*found 'cheap' \\(listing of 32001\\)"),
        (("32001", "buy", 1.0, -1), "bedrooms expected a finite number >= 0, found -1"),
    ],
)
def test_listings_as_rows_are_checked(listing, message) -> None:
    with pytest.raises(FeaturesError, match=message):
        Homes.from_rows([listing], ["32001"])
