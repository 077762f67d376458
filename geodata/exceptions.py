"""Errors raised by the geodata package.

Each subclasses ``ValueError`` and its message says what was expected and what was found, so
that a staff member fixing a CSV or a developer refreshing a raw file knows where to look.
"""


class GeodataError(ValueError):
    """Village data that does not match its definition (schema, ranges, codes, CRS)."""


class RawDataError(GeodataError):
    """A raw open-data file that is missing or not shaped as SOURCES.md describes."""


class PartnerError(GeodataError):
    """A partner list that names a code or a village that is not a Gers commune."""
