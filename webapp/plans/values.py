"""The values a coach types in the workout builder, read and written back exactly.

One function reads each kind of field (a clock, a number, a distance, a count, a list of
cues) and one writes it, so that a workout opened in the builder and saved untouched is the
workout it was: numbers are written with every digit they have (``137.5``, ``245.3`` seconds
as ``4:05.3``), never rounded and never in exponent form.  A value that cannot be read is
``None`` and the caller reports the field's message (:data:`MESSAGES`, each said once here).
No Flask: the builder's tests call these directly.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# What the coach is told when a field cannot be read.
MESSAGES = {
    "clock": "enter seconds or m:ss",
    "number": "enter a number",
    "whole": "enter a whole number",
    "distance": "enter meters (400, 400 m) or kilometers (2 km)",
    "cues": "write one cue a line, its time first: 0:30 Spin up",
    "reps": "enter a number of reps (8), or a time (0:45)",
}

_DECIMAL = r"\d{1,9}(?:\.\d{1,20})?"
_CLOCK = re.compile(r"(?:(\d{1,2}):)?(\d{1,4}):([0-5]\d(?:\.\d{1,20})?)")


def plain(value: Decimal) -> int | float:
    """A whole number as an int, anything else as the float it spells."""
    return int(value) if value == value.to_integral_value() else float(value)


def exact(value) -> Decimal:
    """A number as the decimal it was typed as (``0.1`` is 0.1, not the float nearest it)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


def number_text(value) -> str:
    """``250``, ``137.5``, ``0.00001``: every digit, no exponent, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = format(exact(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_number(text: str) -> int | float | None:
    text = text.strip()
    if not re.fullmatch(_DECIMAL, text):
        return None
    return plain(Decimal(text))


def read_whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


def clock_text(seconds) -> str:
    """Seconds as ``m:ss`` or ``h:mm:ss`` (a fraction kept: ``4:05.3``)."""
    if seconds is None:
        return ""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return str(seconds)
    value = exact(seconds)
    whole = int(value)
    fraction = value - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    tail = format(fraction, "f")[1:] if fraction else ""  # ".3" (the decimal's own digits)
    return (f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}") + tail


def read_clock(text: str) -> int | float | None:
    """Seconds, written as 600, 90.5, 10:00, 4:05.3 or 1:02:03."""
    text = text.strip()
    if re.fullmatch(_DECIMAL, text):
        return plain(Decimal(text))
    match = _CLOCK.fullmatch(text)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    try:
        total = Decimal(int(hours or 0) * 3600 + int(minutes) * 60) + Decimal(seconds)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return plain(total)


def read_distance(text: str) -> int | float | None:
    """Meters, written as 400, 400 m, 2 km or 2.5km."""
    match = re.fullmatch(rf"({_DECIMAL})\s*(km|m)?", text.strip().lower())
    if not match:
        return None
    value = Decimal(match.group(1)) * (1000 if match.group(2) == "km" else 1)
    return plain(value)


def read_reps(text: str) -> tuple[str, int | float] | None:
    """A set's length: a whole number is reps (``8``), a clock is a time (``0:45``)."""
    text = text.strip()
    if re.fullmatch(r"\d{1,4}", text):
        return "REPS", int(text)
    if ":" in text or text.endswith("s"):
        seconds = read_clock(text.removesuffix("s"))
        return ("TIME", seconds) if seconds is not None else None
    return None


def reps_text(duration: dict) -> str:
    return str(duration["value"]) if duration["type"] == "REPS" else clock_text(duration["value"])


def cues_text(cues: list[dict] | None) -> str:
    """One cue a line, ``0:30 Spin up``, in the coach's order."""
    return "\n".join(f"{clock_text(cue['at'])} {cue['text']}" for cue in cues or ())


def read_cues(text: str) -> list[dict] | None:
    """The cues of ``0:30 Spin up`` lines (blank lines skipped); None when a line has no time
    or no text.  The text after the first space is kept as typed."""
    cues = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        at, separator, words = line.lstrip().partition(" ")
        seconds = read_clock(at)
        if seconds is None or not separator or not words.strip():
            return None
        cues.append({"at": seconds, "text": words})
    return cues
