"""Invitation tokens stay out of the access log."""

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
