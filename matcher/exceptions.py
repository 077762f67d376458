"""Errors raised by the matcher package (each a ``ValueError`` saying expected and found)."""


class MatcherError(ValueError):
    """A request the matcher cannot serve: bad weights, k out of range, unknown villages."""


class WeightProfileError(MatcherError):
    """A weight profile that is not a valid set of non-negative criterion weights."""
