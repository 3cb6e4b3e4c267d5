"""Structured logs, useful to an operator, with no secret in them.

Call :func:`log_event` with an event name and fields (session, job, provider, attempt,
outcome, duration_ms...).  Every record, ours or a library's, passes :class:`RedactingFilter`
before it is written, so a token that slips into a message is masked anyway.

Two formats of the same fields (``LOG_FORMAT``): ``json``, one object per line for a log
pipeline (production, and the tests, which read them), and ``text``, one line a person reads
in a terminal (the embedded default):
``18:07:14 WARNING export attempt  session_id=12 provider=GARMIN attempt=2 outcome=RETRY``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from providers.redaction import redact
from workouts.characters import escaped

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
    def entry(self, record: logging.LogRecord) -> dict:
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
        return entry

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(self.entry(record), default=str)


class TextFormatter(JsonFormatter):
    """The same entry as one readable line: time, level, event, then the fields as key=value
    (the logger's name only for libraries' records, where it says who speaks)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        head = f"{moment} {entry.pop('level'):<7} {escaped(str(entry.pop('event')))}"
        entry.pop("ts")
        name = entry.pop("logger")
        trace = entry.pop("error", None) if record.exc_info else None
        fields = " ".join(f"{k}={_text_value(v)}" for k, v in entry.items() if v is not None)
        line = f"{head}  {fields}" if fields else head
        if not name.startswith(("webapp", "jobs", "providers")):
            line += f"  [{name}]"
        return line + (f"\n{trace}" if trace else "")


def _text_value(value) -> str:
    # A value with a line break would start a forged log line: json.dumps escapes it (and
    # every other control character) inside quotes.
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if not text or any(c in text for c in ' ="') or escaped(text) != text:
        return json.dumps(text)
    return text


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def configure_logging(level: str = "INFO", stream=None, fmt: str = "json") -> None:
    """Route every logger through one redacting handler in ``fmt`` (json or text); idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_hybridpeaks", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._hybridpeaks = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(FORMATTERS[fmt]())
    root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's request lines carry query strings (an OAuth callback's ?code=...): keep
    # them, redacted by the filter above, but not the library's own colour codes.
    logging.getLogger("werkzeug").setLevel(level)
    logging.getLogger("httpx").setLevel("WARNING")
    logging.getLogger("httpcore").setLevel("WARNING")


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields) -> None:
    logger.log(level, event, extra={"fields": fields})
