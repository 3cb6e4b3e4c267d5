"""What the Suunto tests compare: a guide read back from Suunto holds what was sent, though
Suunto re-serialises it (numbers as floats, ``"type": "default"`` added to notifications)."""

from __future__ import annotations


def same_guide(sent: dict, read: dict) -> bool:
    """Whether a guide read back holds what was sent: numbers compared by value, and the
    ``"type": "default"`` Suunto adds to notifications ignored."""
    return _comparable(sent) == _comparable(read)


def _comparable(value):
    if isinstance(value, dict):
        out = {key: _comparable(item) for key, item in value.items()}
        if out.get("type") == "default" and ("text" in out or "title" in out):
            out.pop("type")
        return out
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value
