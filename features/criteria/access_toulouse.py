"""Access to Toulouse, a train station and the airport; it counts more for those who travel."""

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages, too_far
from features.i18n import Lang, decimal, minutes, of_place
from features.numeric import closeness

#: Minutes at which each is fully close (value 1) and too far to count (value 0).
TOULOUSE_MINUTES = (30.0, 120.0)
STATION_MINUTES = (5.0, 40.0)
AIRPORT_MINUTES = (30.0, 120.0)
MUST_STATION_MINUTES = 20.0
MUST_TOULOUSE_MINUTES = 90.0


class AccessToulouse(Criterion):
    code = "access_toulouse"
    texts: ClassVar = {
        "fr": {
            "label": "Accès à Toulouse, train, avion",
            "must": f"une gare à {decimal(MUST_STATION_MINUTES, 'fr')} min si elle est demandée, "
            f"sinon Toulouse à {decimal(MUST_TOULOUSE_MINUTES, 'fr')} min au plus",
            "toulouse": "Toulouse à {minutes} par la route, gare {of_station} à {station_minutes}",
            "station": "Gare ({station})",
        },
        "en": {
            "label": "Access to Toulouse, train, airport",
            "must": f"a station within {MUST_STATION_MINUTES:g} min if asked for, else Toulouse "
            f"within {MUST_TOULOUSE_MINUTES:g} min",
            "toulouse": "Toulouse {minutes} away by road, {of_station} station "
            "{station_minutes} away",
            "station": "Station ({station})",
        },
    }
    importance_inputs = ("travel_need", "needs_train_station")
    value_inputs = ("needs_train_station",)
    village_columns = ("minutes_to_toulouse", "minutes_to_station", "minutes_to_airport")
    failure_inputs = ("needs_train_station",)

    def importance(self, p: Columns) -> NDArray[np.float64]:
        return 0.2 + 0.8 * np.maximum(p["travel_need"], p["needs_train_station"])

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        toulouse = closeness(v["minutes_to_toulouse"], *TOULOUSE_MINUTES)
        station = closeness(v["minutes_to_station"], *STATION_MINUTES)
        airport = closeness(v["minutes_to_airport"], *AIRPORT_MINUTES)
        return {
            "toulouse_access": toulouse,
            "station_access": station,
            "airport_access": airport,
            # The value without and with a train station needed.
            "toulouse_value": 0.5 * toulouse + 0.3 * station + 0.2 * airport,
            "toulouse_train_value": 0.3 * toulouse + 0.6 * station + 0.1 * airport,
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        train = p["needs_train_station"][:, None] > 0
        values = np.where(train, v["toulouse_train_value"], v["toulouse_value"])
        feasible = np.where(
            train,
            v["minutes_to_station"] <= MUST_STATION_MINUTES,
            v["minutes_to_toulouse"] <= MUST_TOULOUSE_MINUTES,
        )
        return Evaluation(values, feasible)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return self.say(
            lang,
            "toulouse",
            minutes=minutes(village["minutes_to_toulouse"], lang),
            of_station=of_place(str(village["nearest_station"]), lang),
            station_minutes=minutes(village["minutes_to_station"], lang),
        )

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        if p["needs_train_station"] > 0:
            station = self.say(lang, "station", station=village["nearest_station"])
            return too_far(village["minutes_to_station"], MUST_STATION_MINUTES, station, lang)
        return too_far(village["minutes_to_toulouse"], MUST_TOULOUSE_MINUTES, "Toulouse", lang)

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {"minutes_to_toulouse": village["minutes_to_toulouse"]}
