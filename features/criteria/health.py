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
from features.i18n import Lang, decimal
from features.numeric import closeness

#: Minutes at which a service is fully close (value 1) and too far to count (value 0).
HEALTH_MINUTES = {"doctor": (5.0, 25.0), "pharmacy": (5.0, 25.0)}
MUST_DOCTOR_MINUTES = 15.0


class Health(Criterion):
    code = "health"
    texts: ClassVar = {
        "fr": {
            "label": "Santé",
            "must": f"un médecin généraliste à {decimal(MUST_DOCTOR_MINUTES, 'fr')} min au plus",
        },
        "en": {
            "label": "Health",
            "must": f"a general practitioner within {MUST_DOCTOR_MINUTES:g} min",
        },
    }
    village_columns = ("minutes_to_doctor", "minutes_to_pharmacy")

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        doctor = closeness(v["minutes_to_doctor"], *HEALTH_MINUTES["doctor"])
        pharmacy = closeness(v["minutes_to_pharmacy"], *HEALTH_MINUTES["pharmacy"])
        return {"health_access": 0.6 * doctor + 0.4 * pharmacy}

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        return Evaluation(
            v["health_access"][None, :], (v["minutes_to_doctor"] <= MUST_DOCTOR_MINUTES)[None, :]
        )

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        doctor = place(village["minutes_to_doctor"], lang, service(lang, "doctor"))
        return (
            doctor + ", " + place(village["minutes_to_pharmacy"], lang, service(lang, "pharmacy"))
        )

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return too_far(
            village["minutes_to_doctor"], MUST_DOCTOR_MINUTES, service(lang, "doctor"), lang
        )
