"""Structured logs: one JSON object per line, useful to an operator, with no secret in it.

Call :func:`log_event` with an event name and fields (session, job, provider, attempt,
outcome, duration_ms...).  Every record, ours or a library's, passes :class:`RedactingFilter`
before it is written, so a token that slips into a message is masked anyway.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from providers.redaction import redact

_RESERVED = set(vars(logging.makeLogRecord({})))


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string must not break logging
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {k: redact(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in ("fields", "message") and key not in entry:
                entry[key] = value if isinstance(value, (int, float, bool, type(None))) else redact(value)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", stream=None) -> None:
    """Route every logger through one redacting JSON handler (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_hybridpeaks", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._hybridpeaks = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's request lines carry query strings (an OAuth callback's ?code=...): keep
    # them, redacted by the filter above, but not the library's own colour codes.
    logging.getLogger("werkzeug").setLevel(level)
    logging.getLogger("httpx").setLevel("WARNING")
    logging.getLogger("httpcore").setLevel("WARNING")


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields) -> None:
    logger.log(level, event, extra={"fields": fields})
