"""What the server's logs may not hold: invitation links carry their one-time token in the
path, and the staff's search of prospects a name or an email in its query (``q=``), so the
access log writes both redacted."""

import logging
import re

#: An invitation's token in a path (/intranet/invitation/<token>, /v1/invitations/<token>).
TOKEN_IN_PATH = re.compile(r"(/invitations?/)[^/\s?\"#]+")
REDACTED = r"\1[token]"
#: A search's text in a query string (``?q=alice%40example.org``).
SEARCH_IN_QUERY = re.compile(r"([?&]q=)[^&\s\"#]*")
SEARCH_REDACTED = r"\1[search]"


def redacted(text: str) -> str:
    return SEARCH_IN_QUERY.sub(SEARCH_REDACTED, TOKEN_IN_PATH.sub(REDACTED, text))


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redacted(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access log, once."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())
