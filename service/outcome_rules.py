"""The outcome rules of ../shared/design/api.md ("Outcome rules"), on one prospect's events:
which new event is recorded, which repeats one recorded already, and which is refused.

The rules read a prospect's events in the order they were recorded (``at`` says when each
happened; it does not reorder them), so that what was accepted stays valid whatever date a
later event carries:

- the steps before settling (``shortlisted``, ``visit_planned``, ``visited``, ``met_committee``)
  are recorded once per prospect and village: a repeat is the first one; they may come in any
  order (a family may visit before staff put the village on its shortlist);
- a prospect lives in at most one village at a time: ``settled`` there again (while they
  live there) is the ``settled`` of that stay; ``settled`` in another village is refused
  until a ``left`` ends the stay;
- ``left`` ends the stay in that village; ``left`` again, with no new stay there since, is
  that ``left``; a ``left`` from a village the prospect never settled in is refused.

The Solos settled in a village are the prospects whose last ``settled`` or ``left`` there is
``settled``: under these rules, those who live there now. The store applies the rules to each
new outcome, and migration 0004 to the outcomes stored before them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

#: A family's steps towards a village, in the order of the programme's funnel (api.md lists
#: the first, third and fifth; staff also record a planned visit and the meeting with the
#: village's welcome committee).
STEPS = ("shortlisted", "visit_planned", "visited", "met_committee", "settled")
EVENTS = (*STEPS, "left")
#: The events that change where a prospect lives (and so the Solos settled).
STATE_EVENTS = ("settled", "left")
#: A prospect's status, its furthest outcome, from least to furthest: ``qualified`` before any
#: event; ``left`` once they left the village they had settled in (further than the steps
#: before settling, short of living in a village now, which is ``settled``).
STATUSES = (
    "qualified",
    "shortlisted",
    "visit_planned",
    "visited",
    "met_committee",
    "left",
    "settled",
)


@dataclass(frozen=True)
class Event:
    """An event as stored: its id gives the order it was recorded in."""

    id: int
    insee: str
    event: str
    at: datetime


@dataclass(frozen=True)
class Refusal:
    """Why an event cannot be recorded: ``home`` is the stay the prospect is in, if any."""

    reason: Literal["settled_elsewhere", "not_settled_there"]
    insee: str
    home: Event | None


#: What the rules make of a new event: None to record it, the stored event it repeats, or
#: why it is refused.
Verdict = Event | Refusal | None


class Journey:
    """One prospect's recorded events, as the rules read them."""

    def __init__(self) -> None:
        self.home: Event | None = None  # the ``settled`` of the stay the prospect is in
        self._firsts: dict[tuple[str, str], Event] = {}  # first shortlisted, visited
        self._left: dict[str, Event] = {}  # each village's last ``left``
        self._reached: set[str] = set()  # the events recorded, whatever the village

    @classmethod
    def of(cls, events: Iterable[Event]) -> "Journey":
        """The journey of events recorded under the rules, in their order."""
        journey = cls()
        for event in events:
            journey.record(event)
        return journey

    def judge(self, insee: str, event: str) -> Verdict:
        """What the rules make of ``event`` about ``insee`` after the events recorded."""
        if event not in STATE_EVENTS:
            return self._firsts.get((insee, event))
        lives_there = self.home is not None and self.home.insee == insee
        if event == "settled":
            if self.home is None or lives_there:
                return self.home
            return Refusal("settled_elsewhere", insee, self.home)
        if lives_there:
            return None
        return self._left.get(insee) or Refusal("not_settled_there", insee, self.home)

    def status(self) -> str:
        """The prospect's furthest outcome (``STATUSES``)."""
        if self.home is not None:
            return "settled"
        reached = [rank for rank, name in enumerate(STATUSES) if name in self._reached]
        return STATUSES[max(reached, default=0)] if "left" not in self._reached else "left"

    def record(self, event: Event) -> None:
        """Take ``event`` as recorded (after ``judge`` found it new)."""
        self._reached.add(event.event)
        if event.event == "settled":
            self.home = event
        elif event.event == "left":
            self.home = None
            self._left[event.insee] = event
        else:
            self._firsts.setdefault((event.insee, event.event), event)
