"""Suggestions: the smallest change of the profile that opens villages its ``must``s exclude.

For the excluded villages that fail one criterion alone, that criterion's widening (a larger
budget, a longer time to Auch) and the search without that ``must``; each names the villages it
would open and, where the prospect answers one of their needs, says so (the criteria marked
``highlighted``).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from features.columns import must_columns
from features.criteria import Criterion
from features.pairs import PairValues
from matcher.explain import ProspectReasons
from matcher.ranking import Suggestion
from matcher.scoring import Scorer


@dataclass(frozen=True)
class Suggesting:
    """What suggestions read of a recommender: its criteria and its villages."""

    criteria: tuple[Criterion, ...]
    scorer: Scorer

    @property
    def must_columns(self) -> tuple[str, ...]:
        return must_columns(tuple(c.code for c in self.criteria))


def suggestions(
    context: Suggesting,
    ineligible: list[int],
    masks: list[int],
    p: Mapping[str, float],
    pairs: PairValues,
    row: int,
    sentences: ProspectReasons,
) -> list[Suggestion]:
    """Widenings first, then dropped ``must``s, those opening the most villages first."""
    one_away: dict[int, list[int]] = {}  # criterion -> the villages that fail it alone
    for v, mask in zip(ineligible, masks, strict=True):
        if mask & (mask - 1) == 0:  # one bit set
            one_away.setdefault(mask.bit_length() - 1, []).append(v)
    codes = context.scorer.codes
    details = {name: array[row] for name, array in pairs.details.items()}
    stated = [
        c.code
        for c, must in zip(context.criteria, context.must_columns, strict=True)
        if p[must] > 0
    ]
    highlight = _highlighter(context, pairs, row, sentences)
    widenings: list[Suggestion] = []
    drops: list[Suggestion] = []
    for c in sorted(one_away):  # in the criteria's order
        criterion, alone = context.criteria[c], one_away[c]
        inputs = {name: p[name] for name in criterion.value_inputs}
        widening = criterion.widening(alone, inputs, details, context.scorer.evaluator.villages)
        if widening is not None:
            opened = widening.opens
            widenings.append(
                Suggestion(
                    widening.change, widening.to, [codes[v] for v in opened], highlight(opened)
                )
            )
        rest = [code for code in stated if code != criterion.code]
        drops.append(Suggestion("must", rest, [codes[v] for v in alone], highlight(alone)))
    return widenings + sorted(drops, key=lambda s: -len(s.opens))


def _highlighter(
    context: Suggesting, pairs: PairValues, row: int, sentences: ProspectReasons
) -> Callable[[list[int]], dict[str, list[str]]]:
    """What the highlighted criteria say of each opened village where they count."""
    marked = [c for c, criterion in enumerate(context.criteria) if criterion.highlighted]
    values = pairs.values[row]
    codes = context.scorer.codes

    def highlights(opened: list[int]) -> dict[str, list[str]]:
        found = {
            codes[v]: [sentences.reason(c, v) for c in marked if values[v, c] > 0] for v in opened
        }
        return {code: said for code, said in found.items() if said}

    return highlights
