"""Errors raised by the features package (each a ``ValueError`` saying expected and found)."""


class FeaturesError(ValueError):
    """Input that cannot be turned into feature vectors."""
