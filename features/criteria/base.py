"""What a criterion is: one object that owns everything about one reason to choose a village.

A criterion says how much it matters to a prospect (``importance``), how well each village
meets it for each prospect and whether it passes the criterion's ``must`` threshold
(``evaluate``, over prospects x villages arrays), what it says about a village (``reason``,
``failure``, sentences in its own catalogue section ``criterion.<code>``), the facts a result
shows, and the change of profile that would open villages its ``must`` excludes (``widening``).

Each one declares what it reads of a prospect (``*_inputs``: prospect column names) and is
handed those columns only, so a value or a sentence cannot depend on anything undeclared:
sentence caches and per-case caches are keyed by exactly what their text or value reads.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from features.homes import Homes
from features.i18n import CATALOGUE, Lang, euros, minutes, text
from features.needs import VillageNeeds

Columns = Mapping[str, NDArray[np.float64]]  # named arrays, prospects' (P,) or villages' (V,)
Inputs = Mapping[str, float]  # one prospect's declared inputs, or one pair's declared details
Facts = Mapping[str, Any]  # one village's row of the village table
Texts = Mapping[Lang, Mapping[str, Any]]


@dataclass(frozen=True)
class Villages:
    """The candidate villages as criteria read them: numeric columns, each (V,) (the village
    table's and every criterion's ``village_features``), the homes on offer and what each
    village needs."""

    columns: Mapping[str, NDArray[np.float64]]
    homes: Homes
    needs: VillageNeeds

    @property
    def n(self) -> int:
        return len(self.columns["population"])


@dataclass(frozen=True)
class Evaluation:
    """A criterion's values for P prospects against V villages."""

    values: NDArray[np.float64]  # (P, V), in [0, 1]: 1 is ideal for this prospect
    feasible: NDArray[np.bool_]  # (P, V): passes the criterion's ``must`` threshold
    #: (P, V) figures of the pair that its sentences, facts and widening read.
    details: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)


@dataclass(frozen=True)
class Widening:
    """A change of the profile that opens villages this criterion's ``must`` alone excludes."""

    change: str  # the profile field, dotted as the API names it: "housing.budget_eur"
    to: float
    opens: list[int]  # positions of the villages it opens


class Criterion:
    """One criterion. Subclasses set the class attributes and override what applies; one
    instance of each is registered (``features.criteria.REGISTRY``)."""

    code: ClassVar[str]
    #: Its catalogue section (``criterion.<code>``): ``label``, ``must`` (what a ``must`` on it
    #: requires, said to prospects and staff) and the keys its sentences use.
    texts: ClassVar[Texts]

    #: Prospect columns ``importance`` reads, and those ``evaluate`` reads.
    importance_inputs: ClassVar[tuple[str, ...]] = ()
    value_inputs: ClassVar[tuple[str, ...]] = ()
    #: Whether the value inputs take few distinct values (a need, a wish, a count of
    #: children): then a prospect's values are kept per case and reused.
    by_case: ClassVar[bool] = True
    #: Village table columns it reads (the table must have them).
    village_columns: ClassVar[tuple[str, ...]] = ()
    #: What its reasons and its failure sentences read: prospect inputs and pair details.
    sentence_inputs: ClassVar[tuple[str, ...]] = ()
    sentence_details: ClassVar[tuple[str, ...]] = ()
    failure_inputs: ClassVar[tuple[str, ...]] = ()
    failure_details: ClassVar[tuple[str, ...]] = ()
    #: Prospect inputs and pair details of ``pair_facts``.
    fact_inputs: ClassVar[tuple[str, ...]] = ()
    fact_details: ClassVar[tuple[str, ...]] = ()
    #: Whether a low value is a point for the prospect to check ("À vérifier : ..."); not for a
    #: criterion most villages score 0 on by nature (a village without a current need).
    weak_point: ClassVar[bool] = True
    #: Whether a suggestion that opens a village where this criterion counts for the prospect
    #: says so ("Sarrant, whose school needs your children"): the reasons to go there anyway.
    highlighted: ClassVar[bool] = False
    #: The profile field its ``widening`` changes, as suggestions name it, and how the new
    #: value is written ("euros" or "minutes"); its texts ``widen`` (or ``widen_buy`` and
    #: ``widen_rent``, by housing tenure) start the suggestion's sentence.
    widens: ClassVar[str | None] = None
    widening_unit: ClassVar[str] = "euros"

    # -- texts ------------------------------------------------------------------------------

    def say(self, lang: Lang, key: str, **fields: Any) -> str:
        """An entry of its catalogue section."""
        return text(lang, f"criterion.{self.code}.{key}", **fields)

    def label(self, lang: Lang = "fr") -> str:
        return self.say(lang, "label")

    def must_text(self, lang: Lang = "fr") -> str:
        return self.say(lang, "must")

    # -- values ------------------------------------------------------------------------------

    def importance(self, p: Columns) -> NDArray[np.float64] | float:
        """(P,) how much the criterion matters to each prospect, from 0 (not at all) to 1;
        one number when it is the same for every prospect."""
        return 1.0

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        """Prospect-independent values of each village (V,), named, computed once."""
        return {}

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        raise NotImplementedError

    def offered_as_must(self, villages: Villages) -> bool:
        """Whether a ``must`` on it could exclude one of ``villages``: a form offers it as a
        must-have only then (a must every village meets, such as a welcome committee among the
        partner villages, would promise a choice it cannot make).

        When its ``must`` test reads nothing of the prospect (no ``value_inputs``), the villages
        alone decide, and it is evaluated once here; otherwise some prospect may fail it.
        """
        if self.value_inputs:
            return True
        return not bool(self.evaluate({}, villages).feasible.all())

    # -- sentences ---------------------------------------------------------------------------

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        """One sentence on the criterion for this village and prospect, with its figures."""
        raise NotImplementedError

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        """Why the village fails the criterion's ``must``, with its figures."""
        raise NotImplementedError

    # -- facts and suggestions ----------------------------------------------------------------

    def village_facts(self, village: Facts) -> dict[str, Any]:
        """Facts of the village every result shows for this criterion."""
        return {}

    def pair_facts(self, p: Inputs, details: Inputs) -> dict[str, Any]:
        """Facts a result shows that depend on the prospect too."""
        return {}

    def widening(
        self,
        alone: list[int],
        p: Inputs,
        details: Mapping[str, NDArray[np.float64]],
        villages: Villages,
    ) -> Widening | None:
        """The smallest change of ``widens`` that opens some of ``alone``, the villages this
        criterion's ``must`` alone excludes; ``details`` are the prospect's (V,)."""
        return None

    def widening_templates(self, lang: Lang) -> dict[str, str]:
        """The texts that start its suggestions, by tenure ("buy", "rent") or "any"."""
        section = CATALOGUE.section(lang, f"criterion.{self.code}")
        return {
            key.removeprefix("widen_") if key != "widen" else "any": template
            for key, template in section.items()
            if key == "widen" or key.startswith("widen_")
        }

    def widening_text(self, to: float, tenure: str | None, lang: Lang) -> str:
        """The start of a suggestion's sentence: "With a budget of €240,000"."""
        templates = self.widening_templates(lang)
        template = (
            templates.get(tenure or "any") or templates.get("any") or next(iter(templates.values()))
        )
        value = euros(to, lang) if self.widening_unit == "euros" else minutes(to, lang)
        return template.format(to=value)


def restricted(columns: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Only the named entries: what a criterion declared it reads."""
    return {name: columns[name] for name in names}


#: Connectivity and the professional ecosystem meet a ``must`` from this value.
MUST_VALUE = 0.5


def place(minutes_away: float, lang: Lang, what: str) -> str:
    """ "Collège à 8 min", or "Collège dans la commune" when the commune has one."""
    if minutes_away == 0:
        return text(lang, "reason.in_commune", what=what)
    return text(lang, "reason.away", what=what, minutes=minutes(minutes_away, lang))


def too_far(minutes_away: float, most: float, what: str, lang: Lang) -> str:
    """ "Collège à 25 min (maximum 20 min)"."""
    return text(
        lang,
        "reason.too_far",
        what=what,
        minutes=minutes(minutes_away, lang),
        most=minutes(most, lang),
    )


def service(lang: Lang, name: str) -> str:
    """A service's name as reasons write it ("Collège", "pharmacie")."""
    return text(lang, f"reason.{name}")
