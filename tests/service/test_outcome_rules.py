"""The outcome rules on one prospect's events, in the order they were recorded."""

from datetime import UTC, datetime

import pytest

from service.outcome_rules import Event, Journey, Refusal

AT = datetime(2026, 10, 5, tzinfo=UTC)


def journey(*events: tuple[str, str]) -> Journey:
    return Journey.of(Event(n, insee, event, AT) for n, (insee, event) in enumerate(events, 1))


@pytest.mark.parametrize(
    ("history", "new", "verdict"),
    [
        # A first event of its kind is recorded (None); a repeat is the first one (its id).
        ([], ("A", "visited"), None),
        ([("A", "visited"), ("A", "visited")], ("A", "visited"), 1),
        ([("A", "visited")], ("B", "visited"), None),
        ([("A", "shortlisted")], ("A", "visited"), None),
        ([], ("A", "settled"), None),
        ([("A", "settled")], ("A", "settled"), 1),
        ([("A", "settled"), ("A", "left")], ("A", "settled"), None),  # back again: a new stay
        ([("A", "settled"), ("A", "left"), ("A", "settled")], ("A", "settled"), 3),
        ([("A", "settled")], ("A", "left"), None),
        ([("A", "settled"), ("A", "left")], ("A", "left"), 2),
        ([("A", "settled"), ("A", "left"), ("B", "settled")], ("A", "left"), 2),
        ([("A", "settled"), ("A", "left")], ("B", "settled"), None),
        # Refused: a second home, a departure from where the prospect does not live.
        ([("A", "settled")], ("B", "settled"), "settled_elsewhere"),
        ([], ("A", "left"), "not_settled_there"),
        ([("B", "settled")], ("A", "left"), "not_settled_there"),
        ([("A", "visited")], ("A", "left"), "not_settled_there"),
        # The steps staff add (a planned visit, the committee met) are recorded once too.
        ([("A", "visit_planned")], ("A", "visit_planned"), 1),
        ([("A", "met_committee")], ("B", "met_committee"), None),
        ([("A", "met_committee")], ("A", "left"), "not_settled_there"),
    ],
)
def test_each_event_is_recorded_repeated_or_refused(
    history: list[tuple[str, str]], new: tuple[str, str], verdict: int | str | None
) -> None:
    found = journey(*history).judge(*new)
    if verdict is None:
        assert found is None
    elif isinstance(verdict, int):
        assert isinstance(found, Event)
        assert found.id == verdict
    else:
        assert isinstance(found, Refusal)
        assert found.reason == verdict


def test_a_refusal_names_where_the_prospect_lives() -> None:
    refusal = journey(("A", "settled"), ("A", "left"), ("B", "settled")).judge("C", "settled")
    assert isinstance(refusal, Refusal)
    assert refusal.home is not None
    assert (refusal.home.insee, refusal.home.id) == ("B", 3)


@pytest.mark.parametrize(
    ("history", "status"),
    [
        ([], "qualified"),
        ([("A", "shortlisted")], "shortlisted"),
        ([("A", "visited"), ("B", "shortlisted")], "visited"),
        ([("A", "shortlisted"), ("A", "visit_planned")], "visit_planned"),
        ([("A", "met_committee"), ("B", "visited")], "met_committee"),
        ([("A", "visited"), ("A", "settled")], "settled"),
        ([("A", "settled"), ("A", "left")], "left"),
        ([("A", "settled"), ("A", "left"), ("B", "shortlisted")], "left"),
        ([("A", "settled"), ("A", "left"), ("B", "settled")], "settled"),
    ],
)
def test_a_prospects_status_is_its_furthest_outcome(
    history: list[tuple[str, str]], status: str
) -> None:
    assert journey(*history).status() == status
