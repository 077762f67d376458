"""What the server's logs may not hold: invitation links carry their one-time token in the
path, so the access log writes it redacted."""

import logging
import re

#: An invitation's token in a path (/intranet/invitation/<token>, /v1/invitations/<token>).
TOKEN_IN_PATH = re.compile(r"(/invitations?/)[^/\s?\"#]+")
REDACTED = r"\1[token]"


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_PATH.sub(REDACTED, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = TOKEN_IN_PATH.sub(REDACTED, record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access log, once."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in access.filters):
        access.addFilter(RedactTokens())
