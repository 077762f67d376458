"""Reasons a person can read: why a village ranks, why one is excluded.

Which criteria a result's reasons cover is chosen here (``select_reasons``); what each
criterion says is the criterion's own (``features.criteria``), in French by default and
English on request. Sentences are kept and reused: a criterion's sentence depends on the
village, on the prospect's inputs it declares and on the pair's details it declares, so it is
kept in a table keyed by exactly those, derived from its declarations.
"""

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from features.criteria import Criterion
from features.i18n import Lang, text

Facts = Mapping[str, Any]  # one village's row of the village table
Prospect = Mapping[str, float]  # one prospect's row of the prospect columns
Details = Mapping[str, list[float]]  # one prospect's pair details, each per village

#: How many criteria a result's reasons cover, and below what value a criterion that matters
#: to the prospect is flagged as a point to check.
REASONS_PER_RESULT = 3
WEAK_VALUE = 0.3
#: Sentence tables kept at most: the tables of prospects' continuous inputs (a budget, a
#: time limit) are many; past this, sentences are written and not kept.
MAX_TABLES = 4096


def select_reasons(
    contributions: NDArray[np.float64],
    mean: NDArray[np.float64],
    values: NDArray[np.float64],
    importance: NDArray[np.float64],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For N results, each row one (prospect, village) pair: the criteria its reasons cover,
    and the weakest criterion to flag (``-1`` where none is weak or it is already covered).

    ``contributions``, ``values``, ``mean`` (the prospect's mean contribution over the
    candidate villages) and ``importance`` (the prospect's; 0 where a criterion is not to be
    flagged) are all (N, C).

    Reasons say what sets a village apart: the criteria where its contribution most exceeds
    the mean over the candidate villages (``-1`` past those that exceed it), or, for a village
    better on nothing, its largest contribution alone. A criterion every village shares (all
    partners have a welcome committee) is therefore not a reason to prefer one of them.
    """
    # Plain indexing rather than take_along_axis: for the ten results of one ranking, numpy's
    # Python-side overhead is most of the cost.
    n = np.arange(len(contributions))
    advantage = contributions - mean
    top = np.argsort(-advantage, axis=1, kind="stable")[:, :REASONS_PER_RESULT]
    top = np.where(advantage[n[:, None], top] > 1e-9, top, -1)
    largest = contributions.argmax(axis=1)
    top[:, 0] = np.where((top[:, 0] < 0) & (contributions[n, largest] > 0), largest, top[:, 0])
    masked = np.where(importance > 0, values, np.inf)
    weakest = masked.argmin(axis=1)
    weak = masked[n, weakest] < WEAK_VALUE
    covered = (top == weakest[:, None]).any(axis=1)
    return top, np.where(weak & ~covered, weakest, -1)


def bits(failing: NDArray[np.bool_]) -> list[int]:
    """Each row's failed criteria as one number, bit c for criterion c (up to 62 criteria)."""
    masks: list[int] = (failing @ (1 << np.arange(failing.shape[1], dtype=np.int64))).tolist()
    return masks


@functools.lru_cache(maxsize=4096)
def criteria_in(mask: int) -> tuple[int, ...]:
    """The criteria whose bits are set in ``mask``, in order."""
    return tuple(c for c in range(mask.bit_length()) if mask >> c & 1)


class Explainer:
    """Sentences for the villages of rankings, each written once and reused.

    A batch of thousands of prospects reuses a few hundred sentences: they are kept in one
    table per (kind, criterion, language, the prospect's declared inputs), of the villages'
    sentences keyed by village and the pair's declared details.
    """

    def __init__(self, facts: Sequence[dict[str, Any]], criteria: Sequence[Criterion]) -> None:
        self.facts = facts
        self.criteria = tuple(criteria)
        self._tables: dict[tuple[object, ...], dict[object, str]] = {}
        #: Per kind, per criterion: the prospect inputs and the pair details its text reads.
        self.reads = {
            kind: [
                (c.failure_inputs, c.failure_details)
                if kind == "must"
                else (c.sentence_inputs, c.sentence_details)
                for c in self.criteria
            ]
            for kind in ("reason", "check", "must")
        }

    def for_prospect(self, p: Prospect, details: Details, lang: Lang = "fr") -> "ProspectReasons":
        return ProspectReasons(self, p, details, lang)

    def table(self, kind: str, c: int, lang: Lang, p: Prospect) -> dict[object, str]:
        """The table of criterion ``c``'s sentences of ``kind`` for this prospect's inputs."""
        key = (kind, c, lang, *[p[name] for name in self.reads[kind][c][0]])
        found = self._tables.get(key)
        if found is None:
            found = {}
            if len(self._tables) < MAX_TABLES:
                self._tables[key] = found
        return found


class ProspectReasons:
    """The sentences of one prospect's ranking."""

    def __init__(self, explainer: Explainer, p: Prospect, details: Details, lang: Lang) -> None:
        self.explainer, self.p, self.details, self.lang = explainer, p, details, lang
        n = len(explainer.criteria)
        self._tables: dict[str, list[dict[object, str] | None]] = {
            kind: [None] * n for kind in explainer.reads
        }

    def result_reasons(self, v: int, top: list[int], weakest: int) -> list[str]:
        """Reasons for a ranked village: its largest contributions, then its weakest point."""
        reasons = [self._sentence("reason", c, v) for c in top if c >= 0]
        if weakest >= 0:
            reasons.append(self._sentence("check", weakest, v))
        return reasons

    def reason(self, c: int, v: int) -> str:
        """Criterion ``c``'s sentence for village ``v``."""
        return self._sentence("reason", c, v)

    def exclusion_reasons(self, v: int, failed: int) -> tuple[str, ...]:
        """Which ``must`` criteria a village fails, and by how much; ``failed`` has bit c set
        for criterion c."""
        return tuple([self._sentence("must", c, v) for c in criteria_in(failed)])

    def _sentence(self, kind: str, c: int, v: int) -> str:
        tables = self._tables[kind]
        table = tables[c]
        if table is None:
            table = tables[c] = self.explainer.table(kind, c, self.lang, self.p)
        detail_names = self.explainer.reads[kind][c][1]
        key = (v, *[self.details[name][v] for name in detail_names]) if detail_names else v
        found = table.get(key)
        if found is None:
            found = table[key] = self._write(kind, c, v)
        return found

    def _write(self, kind: str, c: int, v: int) -> str:
        """A sentence, written from only what the criterion declared it reads."""
        criterion, village = self.explainer.criteria[c], self.explainer.facts[v]
        inputs, detail_names = self.explainer.reads[kind][c]
        p = {name: self.p[name] for name in inputs}
        details = {name: self.details[name][v] for name in detail_names}
        if kind == "must":
            return criterion.failure(village, p, details, self.lang)
        said = criterion.reason(village, p, details, self.lang)
        return text(self.lang, "reason.check", text=said) if kind == "check" else said
