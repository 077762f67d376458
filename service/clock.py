"""Today's date where the villages are (Europe/Paris): listings and needs expire by it. Read
through this module (``clock.today()``) so that tests can move it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE = "Europe/Paris"


def today() -> date:
    try:
        return datetime.now(ZoneInfo(TIMEZONE)).date()
    except ZoneInfoNotFoundError:  # a system without time zone data: its own clock will do
        return datetime.now().astimezone().date()
