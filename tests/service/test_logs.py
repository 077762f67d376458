"""Invitation tokens and the staff's searches stay out of the access log."""

import logging

from service.logs import RedactTokens


def test_invitation_tokens_are_redacted_from_access_lines() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/v1/invitations/abcDEF123_-x?lang=fr", "1.1", 201),
        None,
    )
    RedactTokens().filter(record)
    line = record.getMessage()
    assert "abcDEF123" not in line
    assert "/v1/invitations/[token]?lang=fr" in line
    page = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET /intranet/invitation/s3cr3t", None, None
    )
    RedactTokens().filter(page)
    assert page.getMessage() == "GET /intranet/invitation/[token]"


def test_a_search_of_prospects_is_redacted_from_access_lines() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/prospects?page=2&q=alice%40secret.org&status=x", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    line = record.getMessage()
    assert "alice" not in line
    assert "/v1/prospects?page=2&q=[search]&status=x" in line
