"""Logging set-up. Secrets never reach a log: credentials in URLs are masked."""

from __future__ import annotations

import logging
import re

# Query parameters that carry credentials (API keys, tokens, OAuth codes and secrets).
_SECRET_PARAMS = re.compile(
    r"(?P<name>(?:^|[?&;])(?:key|token|access_token|code|client_secret|password)=)[^&;\s\"]*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``/anapi/data?key=abc&x=1`` -> ``/anapi/data?key=***&x=1``."""
    return _SECRET_PARAMS.sub(r"\g<name>***", text)


class RedactSecrets(logging.Filter):
    """Masks credentials in a record's message and arguments (uvicorn's access log
    passes the request path, query string included, as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def configure(level: str) -> None:
    """Root logging at ``level``; every handler masks secrets, uvicorn's included."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "hourwise"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
