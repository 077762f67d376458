"""Real village data for the Gers: reading, building, validating and drawing it.

``read_villages()`` is what the rest of the project uses; it reads only packaged files.
"""

from geodata.cog import GEOGRAPHY, GERS_COMMUNE_COUNT
from geodata.exceptions import GeodataError, PartnerError, RawDataError
from geodata.io import read_partners, read_villages
from geodata.schema import COLUMNS, SERVICES, SOURCES
from geodata.validate import validate, validate_partners

__all__ = [
    "COLUMNS",
    "GEOGRAPHY",
    "GERS_COMMUNE_COUNT",
    "SERVICES",
    "SOURCES",
    "GeodataError",
    "PartnerError",
    "RawDataError",
    "read_partners",
    "read_villages",
    "validate",
    "validate_partners",
]
