"""Removing secrets from text before it is logged, stored or shown.

Used for every log line and for every provider error message that becomes a session's
``lastExportError``: a provider may echo the token it refused, and that text must never
reach a page, a log or the database in clear.
"""

from __future__ import annotations

import re
from typing import Iterable

MASK = "[redacted]"

_PATTERNS = (
    # Authorization: Bearer <token>
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    # access_token=..., "refresh_token": "...", code=..., client_secret=..., password=...
    # ("code" only in query or JSON form, so that "status code: 503" stays readable).
    re.compile(
        r"""(?ix)
        \b((?:access|refresh|id)[_-]?token|token|code[_-]verifier|client[_-]secret|password|authorization
           |(?<=[?&])code|(?<=["'])code(?=["']))
        (["']?\s*[:=]\s*["']?)
        [^\s"'&,;}]+
        """
    ),
    # A calendar feed's URL is its own key (webapp/services/calendar.py).
    re.compile(r"(/calendar/)[^/\s\"'?#]+(?=\.ics)"),
    # Long opaque strings with letters and digits: the shape of tokens we may not know.
    re.compile(r"\b(?=[A-Za-z0-9_~.+-]*\d)(?=[A-Za-z0-9_~.+-]*[A-Za-z])[A-Za-z0-9_~.+-]{32,}={0,2}"),
)
# ...but not a UUID, with or without its dashes: RQ's job ids and worker names, which an
# operator needs to read.  (A token shaped like a UUID is still masked where we know it, by
# value, and after "Bearer" or "token=".)
_IDENTIFIER = re.compile(r"(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def redact(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with known secrets and anything shaped like a credential masked."""
    result = str(text)
    for secret in secrets:
        if secret and len(secret) >= 6:
            result = result.replace(secret, MASK)
    result = _PATTERNS[0].sub(lambda m: m.group(1) + MASK, result)
    result = _PATTERNS[1].sub(lambda m: m.group(1) + m.group(2) + MASK, result)
    result = _PATTERNS[2].sub(lambda m: m.group(1) + MASK, result)
    result = _PATTERNS[3].sub(lambda m: m.group(0) if _IDENTIFIER.fullmatch(m.group(0)) else MASK, result)
    return result
