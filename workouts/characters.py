"""Which characters text may hold when it reaches a device, a file or a calendar feed.

Control characters break what carries the text: a NUL ends a FIT string, CR/LF start a new
line in an iCalendar property or a log line, and lone surrogates cannot be stored or encoded
at all.  Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make a title
read differently from what it holds ("Trojan Source"), on a watch as on a page.  Every text
field that leaves the product (titles, names, notes, workout texts) is checked here, so the
rule and its wording are the same everywhere.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
RULE = "must not contain control characters or bidirectional overrides"


def refused_character(text: str, multiline: bool = False) -> str | None:
    """The first character ``text`` may not hold, or None.  ``multiline`` allows tab and line
    breaks (notes, descriptions); one-line texts (names, titles) allow neither."""
    allowed = "\t\n\r" if multiline else ""
    for ch in text:
        if ch in allowed:
            continue
        if _refused(ch):
            return ch
    return None


def is_clean(text: str, multiline: bool = False) -> bool:
    return refused_character(text, multiline) is None


def _refused(ch: str) -> bool:
    return ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")


def cleaned(text: str) -> str:
    """``text`` with every refused character (line breaks included) replaced by a space: for
    text stored before this rule, on its way into a one-line field such as a calendar's name."""
    return "".join(" " if _refused(ch) else ch for ch in text)


def escaped(text: str) -> str:
    """``text`` with every refused character written as an escape (``\\n``, ``\\u202e``), for a
    log line: what was sent stays readable without starting a new line."""
    out = []
    for ch in text:
        if _refused(ch):
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
