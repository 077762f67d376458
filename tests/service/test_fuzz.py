"""Schemathesis against the app's own OpenAPI document, with all of its checks: no input gets a
5xx, every answer matches the document (status, content type, body), invalid input is refused,
valid input is accepted (``positive_data_acceptance``), keys are needed.

The quick run (CI) tries ``QUICK_EXAMPLES`` requests per operation from a fixed seed. The long
run draws afresh: ``SOHOSOLO_FUZZ_EXAMPLES=2000 pytest tests/service/test_fuzz.py``.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service import clock
from service.app import create_app
from service.corrections import CORRECTABLE, checked_value
from service.exceptions import InvalidField
from service.schemas_village import MAX_AHEAD_DAYS
from tests.service.conftest import ANALYST_KEY, make_settings

# Hundreds of generated requests: a robustness check for CI, not the inner loop.
pytestmark = pytest.mark.slow

QUICK_EXAMPLES = 25
EXAMPLES = int(os.environ.get("SOHOSOLO_FUZZ_EXAMPLES", QUICK_EXAMPLES))

# The app is made at import, as schemathesis reads its schema then; its database lives in a
# folder the module fixture removes.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="sohosolo-fuzz-"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(make_settings(_DATA_DIR)))
# Unknown query parameters are ignored, as web APIs do (a cache-busting "_=" must not fail a
# request); unknown body fields are what the contract refuses, and they are still tried.
schema.config.generation.update(allow_extra_parameters=False)

#: The one exception to "a request valid by the document is accepted": a body over 64 KiB is
#: refused with 413 whatever it holds, and JSON Schema has no word for a size in bytes (200
#: listings of 500-character descriptions are valid by the document, and about 100 KiB).
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=[*PositiveDataAcceptanceConfig().expected_statuses, "413"]
)


@pytest.fixture(scope="module", autouse=True)
def _remove_the_database() -> Iterator[None]:
    yield
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


def breaks_an_unstated_rule(case: schemathesis.Case) -> bool:
    """Whether a request valid by the document breaks one of the rules JSON Schema cannot
    state, written in their descriptions instead: an expiry from today to a year ahead (a
    range that moves with the day), a corrected fact within its own field's range, a school's
    youngest age not above its oldest."""
    body: Any = case.body if isinstance(case.body, dict) else {}
    listings = body.get("homes") if isinstance(body.get("homes"), list) else [body]
    if any(_expiry_out_of_range(item) for item in listings if isinstance(item, dict)):
        return True
    if body.get("kind") == "school_pupils" and _above(body.get("age_min"), body.get("age_max")):
        return True
    return case.path.endswith("/facts/proposals") and _a_fact_out_of_range(body)


def _a_fact_out_of_range(body: dict[str, Any]) -> bool:
    field, value = body.get("field"), body.get("value")
    if field not in CORRECTABLE or not isinstance(value, int | float) or isinstance(value, bool):
        return False  # a negative case, refused by the document too
    try:
        checked_value(field, float(value))
    except InvalidField:
        return True
    return False


def _above(first: Any, second: Any) -> bool:
    numbers = (int, float)
    return isinstance(first, numbers) and isinstance(second, numbers) and first > second


def _expiry_out_of_range(body: dict[str, Any]) -> bool:
    expiry = body.get("expires_at")
    if not isinstance(expiry, str):
        return False
    try:
        day = date.fromisoformat(expiry)
    except ValueError:  # not a date: a negative case, refused by the document too
        return False
    today = clock.today()
    return not today <= day <= today + timedelta(days=MAX_AHEAD_DAYS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=EXAMPLES == QUICK_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: schemathesis.Case) -> None:
    unstated = [positive_data_acceptance] if breaks_an_unstated_rule(case) else []
    case.call_and_validate(headers={"X-API-Key": ANALYST_KEY}, excluded_checks=unstated)
