"""What the file readers (zwo.py, course.py, fit.py) share: numbers as a coach would write them,
text clipped to the format's limits (said so), cues attached to the step they fall in, and
repeat blocks found in runs of identical steps.

Every helper here is pure: the readers call them with what they parsed and a :class:`Notes`.
"""

from __future__ import annotations

import unicodedata

from workouts.constants import (
    CUE_TEXT_MAX,
    CUES_MAX,
    DESCRIPTION_MAX,
    MAX_REPEAT_DEPTH,
    NAME_MAX,
    REPEAT_MAX,
    STEP_NAME_MAX,
    STEP_NOTES_MAX,
)
from workouts.notes import Notes

FALLBACK_NAME = "Imported workout"


def number(value: float, decimals: int = 1) -> int | float:
    """A value as a coach writes it: whole where it is (within float noise), else rounded."""
    rounded = round(value)
    if abs(value - rounded) < 10 ** -(decimals + 2) * 5:
        return int(rounded)
    value = round(value, decimals)
    return int(value) if value == int(value) else value


def seconds(value: float) -> int | float:
    """A duration in seconds: whole seconds when within 10 ms of them (float noise), else kept
    to the millisecond."""
    rounded = round(value)
    if abs(value - rounded) < 0.01:
        return int(rounded)
    return round(value, 3)


def clip(text: str | None, limit: int, what: str, path: str, notes: Notes, lines: bool = False,
         strip: bool = True) -> str | None:
    """Text within ``limit`` characters (cut at a word, said so), or None when blank: control
    characters dropped, line breaks kept only where ``lines`` (else each a space), the ends
    trimmed unless ``strip`` is False (a FIT step's text is kept as the device has it)."""
    if text is None:
        return None
    text = str(text).replace("\r\n", "\n")
    keep = "\n" if lines else ""
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cs") or ch in keep
                   else (" " if ch in "\t\n\r" else "") for ch in text)
    if strip:
        text = text.strip()
    if not text.strip():
        return None
    if len(text) > limit:
        cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
        notes.add(path, f"the {what} is cut to {limit} characters")
        text = cut.rstrip() + "…"
    return text


def name_of(text: str | None, notes: Notes) -> str:
    name = clip(text, NAME_MAX, "name", "name", notes)
    if not name:
        notes.add("name", f"the file names no workout: named '{FALLBACK_NAME}'")
        return FALLBACK_NAME
    return name


def description_of(text: str | None, notes: Notes) -> str | None:
    if text is None:
        return None
    lines = [" ".join(line.split()) for line in str(text).strip().splitlines()]
    text = "\n".join(lines).strip()
    if not text:
        return None
    if len(text) > DESCRIPTION_MAX:
        notes.add("description", f"the description is cut to {DESCRIPTION_MAX} characters")
        text = text[: DESCRIPTION_MAX - 1].rstrip() + "…"
    return text


def step_name(text: str | None, path: str, notes: Notes) -> str | None:
    return clip(text, STEP_NAME_MAX, "step name", path, notes, strip=False)


def step_notes(text: str | None, path: str, notes: Notes) -> str | None:
    return clip(text, STEP_NOTES_MAX, "step's notes", path, notes, lines=True, strip=False)


def add_cues(step: dict, found: list[tuple[float, str]], path: str, notes: Notes) -> None:
    """Timed texts (seconds from the step's start) as the step's cues, within the format's limits:
    a cue past the step's end at its last second, the ones over the limit folded into its notes."""
    length = step["duration"].get("value") if step["duration"]["type"] == "TIME" else None
    cues = list(step.get("cues") or [])
    for at, text in sorted(found, key=lambda item: item[0]):
        text = clip(text, CUE_TEXT_MAX, "cue text", path, notes)
        if not text:
            continue
        at = max(0.0, float(at))
        if length is not None and at >= length:
            notes.add(path, f"a message {at:g} s into a {length:g} s step is shown at its last second")
            at = max(0.0, length - 1) if length >= 1 else 0.0
        cues.append({"at": number(at), "text": text})
    if len(cues) > CUES_MAX:
        extra = cues[CUES_MAX:]
        cues = cues[:CUES_MAX]
        folded = " · ".join(c["text"] for c in extra)
        step["notes"] = clip(" · ".join(p for p in (step.get("notes"), folded) if p), STEP_NOTES_MAX,
                             "step's notes", path, notes)
        notes.add(path, f"{len(extra)} messages over the {CUES_MAX} a step holds are in its notes")
    if cues:
        step["cues"] = cues


# -- repeat blocks from runs of identical steps -------------------------------------------------------

def _key(node) -> object:
    """What makes two nodes the same for a repeat: everything but cues (a step with cues is never
    repeated: its cues would show in every repetition)."""
    if "repeat" in node:
        return ("repeat", node["repeat"], tuple(_key(child) for child in node["steps"]))
    if node.get("cues"):
        return ("cued", id(node))
    return ("step", repr(sorted((k, repr(v)) for k, v in node.items())))


def _depth(node) -> int:
    return 1 + max(_depth(child) for child in node["steps"]) if "repeat" in node else 0


def find_repeats(nodes: list[dict], max_period: int = 8) -> list[dict]:
    """Runs of the same steps (a period of 1 to ``max_period`` nodes, done at least twice) as
    repeat blocks, left to right, twice over (so a block of blocks nests, two deep at most).

    A run is taken where it covers at least 4 steps' worth of nodes; the athlete does the same.
    """
    for _ in range(MAX_REPEAT_DEPTH):
        nodes = _pass(nodes, max_period)
    return nodes


def _pass(nodes: list[dict], max_period: int) -> list[dict]:
    keys = [_key(node) for node in nodes]
    out: list[dict] = []
    index = 0
    while index < len(nodes):
        best = None  # (covered, period, count)
        for period in range(1, max_period + 1):
            if index + 2 * period > len(nodes):
                break
            if any(_depth(n) >= MAX_REPEAT_DEPTH for n in nodes[index:index + period]):
                continue
            count = 1
            while (count < REPEAT_MAX and index + (count + 1) * period <= len(nodes)
                   and keys[index + count * period:index + (count + 1) * period] == keys[index:index + period]):
                count += 1
            covered = count * period
            if count >= 2 and covered >= 4 and (best is None or covered > best[0]):
                best = (covered, period, count)
        if best is None:
            out.append(nodes[index])
            index += 1
            continue
        covered, period, count = best
        body = nodes[index:index + period]
        out.append({"repeat": count, "steps": list(body)})
        index += covered
    return out


def expanded(nodes: list[dict]) -> int:
    return sum(node["repeat"] * expanded(node["steps"]) if "repeat" in node else 1 for node in nodes)
