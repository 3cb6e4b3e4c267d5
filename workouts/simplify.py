"""Fewer steps for a device with a step limit (Garmin takes 100): :func:`simplify` merges
neighbouring similar steps of a flat list until it fits, or says it cannot.

- It works on a flat list of normalized steps (a workout's expanded steps, its ramps split by
  ramps.py or not).  What it returns has no repeat blocks (every ``blocks`` is empty): the caller
  sends the steps flat, so no merge across an iteration can leave a repeat that lies.
- Only TIME steps merge (into at most 24 h), and only with a neighbour whose target is the same (an unresolved zone,
  no target at all) or counts work in the same space (work.py: the same type, both absolute or
  both percent), and whose cadence is given for both or for neither.
- A merged step lasts exactly as long as its parts together (the total time is exact).  Its
  target's low and high ends are the time-weighted means of theirs in the work unit (a ramp's
  ends are its from and to; a pace's unit is speed), so its middle is the time-weighted mean of
  theirs and the work is theirs; rounding it to whole units costs at most 0.5 % of the step's
  work (it keeps two decimals where whole units would cost more), well inside the 2 % promised.
  It takes the intensity, name and notes of its longest part and every cue of its parts.
- The cheapest merges go first: identical neighbours, then those closest in level (relative to
  it), the same intensity, the shorter the better.
- DISTANCE and OPEN steps never merge.  When what cannot merge still makes more steps than the
  limit, :class:`CannotSimplify` says so, and the caller reports the workout UNSUPPORTED.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .constants import CUES_MAX, TIME_MAX_SECONDS
from .work import Level, from_work, level, to_work
from .zones import round_half_up

ROUNDING_TOLERANCE = 0.005  # of one merged step's work


class CannotSimplify(ValueError):
    """The steps cannot be merged down to the limit; the message says why."""


@dataclass(frozen=True)
class Simplified:
    steps: list[dict]
    notes: list[str]


@dataclass
class _Part:
    first: dict  # the first source step: its path names the merged one
    main: dict  # the longest source step: its intensity, name and notes
    seconds: float | None
    target: dict | None
    level: Level | None
    cadence: tuple[float, float] | None
    cues: list = field(default_factory=list)
    merged: bool = False
    mixed: bool = False  # parts of different targets merged: the target is rebuilt from the level
    longest: float = 0.0
    alive: bool = True
    version: int = 0
    prev: int = -1
    next: int = -1


def simplify(steps: list[dict], limit: int) -> Simplified:
    """At most ``limit`` steps doing what ``steps`` do (see the module); unchanged if they fit."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(steps) <= limit:
        return Simplified(list(steps), [])
    parts = [_part(step) for step in steps]
    for index, part in enumerate(parts):
        part.prev, part.next = index - 1, index + 1 if index + 1 < len(parts) else -1
    heap: list = []
    for index in range(len(parts) - 1):
        _push(heap, parts, index)
    alive, dropped = len(parts), 0
    while alive > limit and heap:
        _, left, left_version, right, right_version = heapq.heappop(heap)
        a, b = parts[left], parts[right]
        if not (a.alive and b.alive and a.next == right and a.version == left_version and b.version == right_version):
            continue  # a stale entry: one side has merged since
        dropped += _merge(a, b)
        b.alive = False
        a.next = b.next
        if b.next != -1:
            parts[b.next].prev = left
        a.version += 1
        alive -= 1
        if a.prev != -1:
            _push(heap, parts, a.prev)
        if a.next != -1:
            _push(heap, parts, left)
    if alive > limit:
        fixed = sum(1 for part in parts if part.alive and part.seconds is None)
        raise CannotSimplify(
            f"steps: {alive} steps remain after merging every pair of like neighbours ({fixed} of them "
            f"distance or lap-press steps, which cannot merge), more than the {limit} the device takes")
    out = [_step(part) for part in parts if part.alive]
    notes = [f"steps: the workout's {len(steps)} steps are sent as {len(out)}: neighbouring steps of like "
             f"intensity merged at their time-weighted mean target (the same total time, the same work within 2 %)"]
    if dropped:
        notes.append(f"steps: {dropped} cues left out where merged steps would carry more than {CUES_MAX}")
    return Simplified(out, notes)


# -- parts and merges ---------------------------------------------------------------------------------

def _part(step: dict) -> _Part:
    duration = step["duration"]
    seconds = duration["value"] if duration["type"] == "TIME" else None
    cadence = step.get("cadence")
    return _Part(first=step, main=step, seconds=seconds, target=step.get("target"), level=level(step.get("target")),
                 cadence=(cadence["min"], cadence["max"]) if cadence else None, cues=list(step.get("cues") or ()),
                 longest=seconds or 0.0)


def _mergeable(a: _Part, b: _Part) -> bool:
    if a.seconds is None or b.seconds is None or (a.cadence is None) != (b.cadence is None):
        return False
    if a.seconds + b.seconds > TIME_MAX_SECONDS:  # no step may last longer than a day
        return False
    if _same_target(a, b):
        return True
    return a.level is not None and b.level is not None and a.level.space == b.level.space


def _same_target(a: _Part, b: _Part) -> bool:
    # A mixed part's own target is gone: it is like another only by its level (a step with no
    # target must never pass for one whose target was rebuilt).
    return not a.mixed and not b.mixed and a.target == b.target


def _cost(a: _Part, b: _Part) -> float:
    difference = 0.0
    if not _same_target(a, b):
        x, y = a.level.middle, b.level.middle
        difference = abs(x - y) / max(abs(x), abs(y), 1e-9)
    if a.cadence and a.cadence != b.cadence:
        x, y = sum(a.cadence) / 2, sum(b.cadence) / 2
        difference += 0.5 * abs(x - y) / max(x, y)
    if a.main["intensity"] != b.main["intensity"]:
        difference += 0.5
    return difference * min(a.seconds, b.seconds)


def _push(heap: list, parts: list[_Part], left: int) -> None:
    a = parts[left]
    right = a.next
    b = parts[right]
    if _mergeable(a, b):
        heapq.heappush(heap, (_cost(a, b), left, a.version, right, b.version))


def _merge(a: _Part, b: _Part) -> int:
    """Fold ``b`` into ``a``; how many cues were left out."""
    total = a.seconds + b.seconds
    if not _same_target(a, b):
        low = (min(a.level.start, a.level.end) * a.seconds + min(b.level.start, b.level.end) * b.seconds) / total
        high = (max(a.level.start, a.level.end) * a.seconds + max(b.level.start, b.level.end) * b.seconds) / total
        a.level = Level(a.level.space, low, high, ramp=False)
        a.target, a.mixed = None, True  # rebuilt from the level (_step)
    if a.cadence:
        a.cadence = tuple((x * a.seconds + y * b.seconds) / total for x, y in zip(a.cadence, b.cadence))
    cues = a.cues + [{"at": cue["at"] + a.seconds, "text": cue["text"]} for cue in b.cues]
    a.cues = cues[:CUES_MAX]
    if b.longest > a.longest:
        a.main, a.longest = b.main, b.longest
    a.seconds = total
    a.merged = True
    return len(cues) - len(a.cues)


def _step(part: _Part) -> dict:
    if not part.merged:
        return dict(part.first, blocks=[])
    step = {key: part.main[key] for key in part.main if key not in ("duration", "target", "cadence", "cues")}
    step["path"] = part.first.get("path", step.get("path"))
    step["blocks"] = []
    step["duration"] = {"type": "TIME", "value": part.seconds}
    step["target"] = _target(part) if part.mixed else part.target
    step["cadence"] = {"min": round_half_up(part.cadence[0]), "max": round_half_up(part.cadence[1])} if part.cadence else None
    if part.cues:
        step["cues"] = part.cues
    return step


def _target(part: _Part) -> dict:
    """A merged part's range, in the target's own units, rounded as far as the work allows."""
    kind, space = part.level.space
    absolute = space == "absolute"
    low, high = part.level.start, part.level.end
    middle = (low + high) / 2
    if kind == "POWER" and absolute and from_work(kind, absolute, low) < 1:
        # A merged zone 1 may start at 0 W, which a range the device gets may not: keep the middle.
        low = min(1.0, middle)
        high = 2 * middle - low
    ends = sorted((from_work(kind, absolute, low), from_work(kind, absolute, high)))
    for digits in (0, 2):
        shown = [round_half_up(end) if digits == 0 else round(end, digits) for end in ends]
        got = (to_work(kind, absolute, shown[0]) + to_work(kind, absolute, shown[1])) / 2 if min(shown) > 0 else None
        if got is not None and abs(got - middle) <= ROUNDING_TOLERANCE * abs(middle):
            ends = shown
            break
    if absolute:
        return {"type": kind, "min": ends[0], "max": ends[1]}
    return {"type": kind, "percent": {"min": ends[0], "max": ends[1]}}
