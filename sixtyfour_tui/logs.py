"""The log file: where a bug in a background task shows up instead of vanishing.

One rotating file in the XDG state folder (`sixtyfour-tui.log`), INFO by default and DEBUG with
`--debug`. What the app logs are events and errors (job ids, statuses, tracebacks), never rows;
and every record passes through a filter that blanks the API key, in case it hides in an
exception message.
"""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable
from pathlib import Path

from sixtyfour_tui import locations

LOGGER_NAME = "sixtyfour_tui"
MAX_BYTES = 1_000_000
BACKUPS = 3


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret and len(secret) >= 4]

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self.secrets:
            self.secrets.append(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        changed = message
        text = record.exc_text or ""
        for secret in self.secrets:
            changed = changed.replace(secret, "[redacted]")
            text = text.replace(secret, "[redacted]")
        record.msg, record.args = changed, None
        if record.exc_text:
            record.exc_text = text
        return True


_redactor = RedactSecrets(())


def setup_logging(*, debug: bool = False, secrets: Iterable[str] = (), path: Path | None = None) -> Path | None:
    """Send the app's logs to the file; returns its path, or None when the folder refuses."""
    for secret in secrets:
        _redactor.add(secret)
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    if any(isinstance(handler, logging.handlers.RotatingFileHandler) for handler in logger.handlers):
        return path
    target = path if path is not None else locations.log_file()
    try:
        locations.ensure_private_dir(target.parent)
        handler = logging.handlers.RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"))
    handler.addFilter(_redactor)
    logger.addHandler(handler)
    return target


def redact_in_logs(secret: str | None) -> None:
    """Add a secret (the key of a backend chosen later) to what the log never shows."""
    _redactor.add(secret)
