"""Health: the minutes to a general practitioner and a pharmacy."""

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import (
    Columns,
    Criterion,
    Evaluation,
    Facts,
    Inputs,
    Villages,
    place,
    service,
    too_far,
)
from features.i18n import Lang, decimal, year_of
from features.numeric import closeness
from geodata.schema import SOURCES

#: Minutes at which a service is fully close (value 1) and too far to count (value 0).
HEALTH_MINUTES = {"doctor": (5.0, 25.0), "pharmacy": (5.0, 25.0)}
MUST_DOCTOR_MINUTES = 15.0
#: Access to general practitioners (DREES APL, consultations per inhabitant per year) that
#: counts for nothing and in full: 2.5 is where the health agencies see an under-served area,
#: the national average is about 3.3.
APL_RANGE = (2.0, 4.5)
NATIONAL_APL = 3.3
#: The shares of a doctor nearby, of access to doctors' time and of a pharmacy nearby.
HEALTH_SHARES = {"doctor": 0.4, "apl": 0.3, "pharmacy": 0.3}


class Health(Criterion):
    code = "health"
    texts: ClassVar = {
        "fr": {
            "label": "Santé",
            "must": f"un médecin généraliste à {decimal(MUST_DOCTOR_MINUTES, 'fr')} min au plus",
            "apl": "{places} ; accès aux généralistes : {apl} consultations par habitant et par "
            "an (France : {average} ; {source})",
        },
        "en": {
            "label": "Health",
            "must": f"a general practitioner within {MUST_DOCTOR_MINUTES:g} min",
            "apl": "{places}; access to general practitioners: {apl} consultations per "
            "inhabitant a year (France: {average}; {source})",
        },
    }
    village_columns = ("minutes_to_doctor", "minutes_to_pharmacy", "apl_doctors")

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        doctor = closeness(v["minutes_to_doctor"], *HEALTH_MINUTES["doctor"])
        pharmacy = closeness(v["minutes_to_pharmacy"], *HEALTH_MINUTES["pharmacy"])
        low, high = APL_RANGE
        apl = np.clip((v["apl_doctors"] - low) / (high - low), 0.0, 1.0)
        shares = HEALTH_SHARES
        return {
            "health_access": shares["doctor"] * doctor
            + shares["apl"] * apl
            + shares["pharmacy"] * pharmacy
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        return Evaluation(
            v["health_access"][None, :], (v["minutes_to_doctor"] <= MUST_DOCTOR_MINUTES)[None, :]
        )

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        doctor = place(village["minutes_to_doctor"], lang, service(lang, "doctor"))
        pharmacy = place(village["minutes_to_pharmacy"], lang, service(lang, "pharmacy"))
        return self.say(
            lang,
            "apl",
            places=f"{doctor}, {pharmacy}",
            apl=decimal(village["apl_doctors"], lang),
            source=f"{SOURCES['apl'].publisher} {year_of(SOURCES['apl'].vintage)}",
            average=decimal(NATIONAL_APL, lang),
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {"apl_doctors": village["apl_doctors"]}

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return too_far(
            village["minutes_to_doctor"], MUST_DOCTOR_MINUTES, service(lang, "doctor"), lang
        )
