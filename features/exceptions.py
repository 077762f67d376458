"""Errors raised by the features package (each a ``ValueError`` saying expected and found)."""

from typing import Any


class FeaturesError(ValueError):
    """Input that cannot be turned into feature vectors.

    The message is English (logs, the API's ``detail``); ``key`` names the same sentence in
    the ``cli`` section of the catalogue and ``params`` its values, so that the command line
    can say it in the staff's language."""

    def __init__(self, message: str, key: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.key = key
        self.params = params
