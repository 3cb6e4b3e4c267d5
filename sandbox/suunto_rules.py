"""What Suunto accepts as a SuuntoPlus Guide: the ZIP and its ``guide.json``, held to
suunto-research.md §2 (the published limits, as partners restate Suunto's documents) and §5
(what partners saw refused), with each unknown of §6 playable either way (:class:`Rules`).

Refused (a 400 with Suunto's one-line ``error.description``): a file that is not a ZIP, a
folder in it, a file other than ``guide.json``, ``icon.png`` and ``manifest.json``, no
``guide.json``; an ``icon.png`` that is not a 300 × 300 PNG; a manifest that does not repeat
the guide; ``type`` other than "sequence", ``usage`` other than "workout"; a missing or
over-long ``name`` (60), ``description`` (256), ``shortDescription`` (23), ``owner`` (64, and
the application's name), ``url`` (an http(s) URL of 256); ``activities`` not a list of at most
100 whole ids; a ``localDate`` not ``yyyy-MM-dd``; an ``externalId`` not 1-64 characters; not 1
to 1000 steps; an unknown step, field or condition type; a repeat not 1-100 ``times``, nested,
or holding anything but fields and notification steps; a step id inside a repeat ("Step id not
allowed inside repeat", observed); a transition to an unknown step id; a step title or
notification title over 13, a field title over 12, a text over 54 characters or six lines; a
target with ``min`` above ``max`` or ``value`` outside them, or not a positive number; a heart
rate over 250 (observed: "value is larger than the allowed maximum (250.0)") or not whole.

Kept as a warning (what only risks how the watch shows it, ``_admin/workouts``): characters
outside the set the watch is guaranteed to render, more than five fields on a screen, a text
field before a number field or a long text beside other fields, a countdown that differs from
the step's end, a step with no end before the last, a pace, speed or cadence that looks sent
in the wrong unit (m/s and Hz are asked for), an activity id not on the published lists, an
unknown key.
"""

from __future__ import annotations

import io
import json
import math
import re
import string
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

ALLOWED_FILES = ("manifest.json", "guide.json", "icon.png")
MAX_ARCHIVE = 5 * 1024 * 1024  # the sandbox's own bound (Suunto publishes none)
MAX_ENTRY = 1024 * 1024
TOP_LIMITS = {"name": 60, "description": 256, "shortDescription": 23, "owner": 64}
TOP_KEYS = {"type", "usage", "name", "description", "richText", "shortDescription", "owner", "url", "activities",
            "localDate", "externalId", "steps"}
# Published activity ids (§2.8): QS's production list and ZAN's running ids.
KNOWN_ACTIVITIES = {0, 1, 2, 10, 11, 15, 21, 22, 23, 52, 53, 57, 59, 85, 103, 105, 106, 109, 115}
STEP_TYPES = {"fields", "notification", "repeat"}
COUNTDOWNS = {"stepDurationCountdown": "stepDuration", "stepDistanceCountdown": "stepDistance"}
MEASUREMENTS = {"heartRate", "speed", "pace", "power", "altitude", "distance", "duration", "temperature", "cadence",
                "ascent", "descent", "verticalSpeed", "ascentTime", "descentTime", "energy", "strokeRate", "strokes",
                "swolf"}
TARGETS = {"targetHeartRate", "targetPower", "targetSpeed", "targetPace", "targetCadence"}
FIELD_TYPES = set(COUNTDOWNS) | MEASUREMENTS | TARGETS | {"text"}
WINDOWS, AGGREGATES = {"workout", "step", "manualLap"}, {"average", "min", "max"}
VALUED = {"stepDuration", "duration", "stepDistance", "distance"}
CONDITIONS = VALUED | {"manualLap", "location", "routeCompleted", "routeExited", "or", "and"}
FIELDS_KEYS = {"type", "id", "title", "fields", "trigger", "transitions", "notification", "createManualLap", "route"}
HEART_RATE_MAX = 250
# Looks like the wrong unit: a pace or speed over this many m/s, a cadence over this many Hz.
SPEED_PLAUSIBLE, CADENCE_PLAUSIBLE, POWER_PLAUSIBLE = 20.0, 5.0, 3000  # 20 m/s: a pace of 50 s/km
TITLE_MAX, FIELD_TITLE_MAX, TEXT_MAX, LINES_MAX = 13, 12, 54, 6
SHOWN = frozenset(" !\"#$%&'()*+,-./:;<=>?|°@\n" + string.digits + string.ascii_letters)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Rules:
    """Where Suunto's rule is not published, the answer played (faults.py switches them)."""

    archive: str = "either"  # "either" (2 or 3 files), "three" (manifest.json required), "two" (refused)
    icon: str = "required"  # "required" | "optional"
    step_ends: str = "either"  # "either" (trigger or transitions, not both), "trigger", "transitions"
    ids_in_repeats: str = "refuse"  # "refuse" (observed) | "accept" (what the schema's "optional" says)
    step_count: str = "once"  # how the 1000 steps count a repeat: "once" (its steps once) | "expanded"
    owner: str | None = None  # the application's name, which every guide's owner must equal

    @classmethod
    def of(cls, faults: dict, owner: str | None) -> Rules:
        return cls(archive=faults.get("archive", "either"), icon=faults.get("icon", "required"),
                   step_ends=faults.get("stepEnds", "either"), ids_in_repeats=faults.get("idsInRepeats", "refuse"),
                   step_count=faults.get("stepCount", "once"), owner=owner)


class Refused(Exception):
    """The guide is refused; the message is Suunto's ``error.description``."""


@dataclass
class Checked:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Archive:
    guide: dict
    files: list[str]
    manifest: dict | None
    guide_json: bytes
    icon: bytes | None


# -- the ZIP ------------------------------------------------------------------------------------

def read_archive(data: bytes, rules: Rules = Rules()) -> Archive:
    if len(data) > MAX_ARCHIVE:
        raise Refused("Invalid guide file: larger than the sandbox's 5 MiB")
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
        infos = zipped.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise Refused("Invalid guide file: not a ZIP archive") from None
    names = [info.filename for info in infos]
    for info in infos:
        if "/" in info.filename or "\\" in info.filename:
            raise Refused("Invalid guide file: files must be at the top of the archive, not in folders")
        if info.filename not in ALLOWED_FILES:
            raise Refused(f"Invalid guide file: unexpected file '{info.filename}'")
        if info.file_size > MAX_ENTRY:
            raise Refused(f"Invalid guide file: '{info.filename}' is too large")
    if len(set(names)) != len(names):
        raise Refused("Invalid guide file: a file appears twice")
    if "guide.json" not in names:
        raise Refused("Invalid guide file: guide.json is missing")
    if rules.archive == "three" and "manifest.json" not in names:
        raise Refused("Invalid guide file: manifest.json is missing")
    if rules.archive == "two" and "manifest.json" in names:
        raise Refused("Invalid guide file: unexpected file 'manifest.json'")
    icon = zipped.read("icon.png") if "icon.png" in names else None
    if icon is None and rules.icon == "required":
        raise Refused("Invalid guide file: icon.png is missing")
    if icon is not None and png_size(icon) != (300, 300):
        raise Refused("Invalid 'icon.png': must be a 300x300 PNG image")
    raw = zipped.read("guide.json")
    guide = _json(raw, "guide.json")
    manifest = _json(zipped.read("manifest.json"), "manifest.json") if "manifest.json" in names else None
    if manifest is not None:
        if not isinstance(manifest, dict):
            raise Refused("Invalid 'manifest.json': must be an object")
        for key in ("name", "type", "owner", "description"):
            if not isinstance(guide, dict) or manifest.get(key) != guide.get(key):
                raise Refused(f"Invalid 'manifest.json': '{key}' does not match guide.json")
    return Archive(guide, names, manifest, raw, icon)


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _json(raw: bytes, name: str):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(f"Invalid '{name}': not valid JSON") from None


# -- guide.json ---------------------------------------------------------------------------------

def check_guide(guide, rules: Rules = Rules()) -> Checked:
    """Every rule ``guide`` breaks (problems, in Suunto's words) and every risk (warnings)."""
    checked = Checked()
    if not isinstance(guide, dict):
        checked.problems.append("Invalid 'guide': must be an object")
        return checked
    _top(guide, rules, checked)
    steps = guide.get("steps")
    if not isinstance(steps, list) or not steps:
        checked.problems.append("Missing parameter 'guide.steps'" if steps is None
                                else "Invalid 'guide.steps': must be a list of 1 to 1000 steps")
        return checked
    count = _count(steps, rules.step_count)
    if count > 1000:
        checked.problems.append(f"Invalid 'guide.steps': at most 1000 steps ({count})")
    ids = _ids(steps)
    _steps(steps, "guide.steps", rules, checked, ids, in_repeat=False)
    return checked


def _top(guide: dict, rules: Rules, checked: Checked) -> None:
    problems, warnings = checked.problems, checked.warnings
    if guide.get("type") != "sequence":
        problems.append("Invalid 'guide.type': must be 'sequence'")
    if guide.get("usage") != "workout":
        problems.append("Invalid 'guide.usage': must be 'workout'")
    for key, limit in TOP_LIMITS.items():
        value = guide.get(key)
        if value is None:
            problems.append(f"Missing parameter 'guide.{key}'")
        elif not isinstance(value, str) or not 1 <= len(value) <= limit or not value.strip():
            problems.append(f"Invalid 'guide.{key}': must be text of 1 to {limit} characters")
    if rules.owner is not None and isinstance(guide.get("owner"), str) and guide["owner"] != rules.owner:
        problems.append("Invalid 'guide.owner': must match the application name in the OAuth settings")
    url = guide.get("url")
    if url is None:
        problems.append("Missing parameter 'guide.url'")
    elif not isinstance(url, str) or len(url) > 256 or urlsplit(url).scheme not in ("http", "https") \
            or not urlsplit(url).netloc:
        problems.append("Invalid 'guide.url': must be an http(s) URL of at most 256 characters")
    if "richText" in guide and (not isinstance(guide["richText"], str) or len(guide["richText"]) > 100_000):
        problems.append("Invalid 'guide.richText': must be text of at most 100000 characters")
    activities = guide.get("activities")
    if activities is not None:
        if not isinstance(activities, list) or len(activities) > 100 or not all(_whole(a) for a in activities):
            problems.append("Invalid 'guide.activities': must be a list of at most 100 activity ids")
        else:
            unknown = sorted(a for a in activities if a not in KNOWN_ACTIVITIES)
            if unknown:
                warnings.append(f"guide.activities: {unknown} are not on the published activity lists")
    local = guide.get("localDate")
    if local is not None and not (isinstance(local, str) and DATE.fullmatch(local) and _date(local)):
        problems.append("Invalid 'guide.localDate': must be a date as yyyy-MM-dd")
    external = guide.get("externalId")
    if external is not None and (not isinstance(external, str) or not 1 <= len(external) <= 64):
        problems.append("Invalid 'guide.externalId': must be text of 1 to 64 characters")
    if isinstance(guide.get("shortDescription"), str):
        _shown(guide["shortDescription"], "guide.shortDescription", warnings)
    unknown_keys = sorted(set(guide) - TOP_KEYS)
    if unknown_keys:
        warnings.append(f"guide: unknown key {unknown_keys[0]!r}")


def _count(steps: list, how: str) -> int:
    total = 0
    for step in steps:
        if isinstance(step, dict) and step.get("type") == "repeat" and isinstance(step.get("steps"), list):
            inner = _count(step["steps"], how)
            times = step.get("times") if _whole(step.get("times")) else 1
            total += 1 + inner if how == "once" else times * inner
        else:
            total += 1
    return total


def _ids(steps: list) -> set[str]:
    found = set()
    for step in steps:
        if isinstance(step, dict):
            if isinstance(step.get("id"), str):
                found.add(step["id"])
            if isinstance(step.get("steps"), list):
                found |= _ids(step["steps"])
    return found


def _steps(steps: list, where: str, rules: Rules, checked: Checked, ids: set[str], in_repeat: bool) -> None:
    for index, step in enumerate(steps):
        at = f"{where}.{index}"
        if not isinstance(step, dict):
            checked.problems.append(f"Invalid '{at}': must be an object")
            continue
        kind = step.get("type")
        if kind not in STEP_TYPES:
            checked.problems.append(f"Invalid step type: '{kind}'")
            continue
        if "id" in step:
            if (in_repeat or kind == "repeat") and rules.ids_in_repeats == "refuse":
                checked.problems.append("Step id not allowed inside repeat")
            if not isinstance(step["id"], str) or not 1 <= len(step["id"]) <= 64:
                checked.problems.append(f"Invalid '{at}.id': must be text of 1 to 64 characters")
        if kind == "repeat":
            if in_repeat:
                checked.problems.append(f"Invalid '{at}': a repeat cannot hold a repeat")
                continue
            times = step.get("times")
            if not _whole(times) or not 1 <= times <= 100:
                checked.problems.append("Invalid repeat count")
            children = step.get("steps")
            if not isinstance(children, list) or not children:
                checked.problems.append(f"Invalid '{at}.steps': a repeat holds 1 or more steps")
                continue
            _steps(children, f"{at}.steps", rules, checked, ids, in_repeat=True)
            continue
        last = index == len(steps) - 1 and where == "guide.steps"
        if kind == "notification":
            _notification_step(step, at, checked)
        else:
            _fields_step(step, at, rules, checked, ids, last)


def _notification_step(step: dict, at: str, checked: Checked) -> None:
    fields = step.get("fields")
    if not isinstance(fields, list) or not fields:
        checked.problems.append(f"Invalid '{at}.fields': a notification step holds a text field")
        return
    if "title" in step:
        _text(step["title"], f"{at}.title", TITLE_MAX, checked, lines=False)
    if "createManualLap" in step and not isinstance(step["createManualLap"], bool):
        checked.problems.append(f"Invalid '{at}.createManualLap': must be true or false")
    for index, item in enumerate(fields):
        where = f"{at}.fields.{index}"
        if not isinstance(item, dict) or item.get("type") != "text":
            checked.problems.append(f"Invalid field type: '{item.get('type') if isinstance(item, dict) else item}'"
                                    if isinstance(item, dict) and item.get("type") not in FIELD_TYPES
                                    else f"Invalid '{where}': a notification step shows text fields")
            continue
        _text(item.get("value"), f"{where}.value", TEXT_MAX, checked)


def _fields_step(step: dict, at: str, rules: Rules, checked: Checked, ids: set[str], last: bool) -> None:
    problems, warnings = checked.problems, checked.warnings
    unknown = sorted(set(step) - FIELDS_KEYS)
    if unknown:
        warnings.append(f"{at}: unknown key {unknown[0]!r}")
    if "title" in step:
        _text(step["title"], f"{at}.title", TITLE_MAX, checked, lines=False)
    if "createManualLap" in step and not isinstance(step["createManualLap"], bool):
        problems.append(f"Invalid '{at}.createManualLap': must be true or false")
    notification = step.get("notification")
    if notification is not None:
        if not isinstance(notification, dict) or not set(notification) <= {"title", "text", "type"}:
            problems.append(f"Invalid '{at}.notification': must be {{title, text}}")
        else:
            if "title" in notification:
                _text(notification["title"], f"{at}.notification.title", TITLE_MAX, checked, lines=False)
            if "text" in notification:
                _text(notification["text"], f"{at}.notification.text", TEXT_MAX, checked)
    ending = _ending(step, at, rules, checked, ids)
    if ending is None and not last:
        warnings.append(f"{at}: the step has no end before the last step: the guide stays on it")
    fields = step.get("fields", [])
    if not isinstance(fields, list):
        problems.append(f"Invalid '{at}.fields': must be a list")
        return
    if len(fields) > 5:
        warnings.append(f"{at}: {len(fields)} fields; a screen shows four or five")
    seen_text = False
    for index, item in enumerate(fields):
        where = f"{at}.fields.{index}"
        if not isinstance(item, dict) or item.get("type") not in FIELD_TYPES:
            problems.append(f"Invalid field type: '{item.get('type') if isinstance(item, dict) else item}'")
            continue
        kind = item["type"]
        if "title" in item:
            _text(item["title"], f"{where}.title", FIELD_TITLE_MAX, checked, lines=False)
        if kind == "text":
            _text(item.get("value"), f"{where}.value", TEXT_MAX, checked)
            if isinstance(item.get("value"), str) and len(item["value"]) > 40 and len(fields) > 1:
                warnings.append(f"{where}: a text over 40 characters leaves no room for the other fields")
            seen_text = True
            continue
        if seen_text:
            warnings.append(f"{where}: a number after a text field may be hidden on the watch")
        if kind in COUNTDOWNS:
            value = item.get("value")
            if not _positive(value):
                problems.append(f"Invalid '{where}.value': must be a positive number")
            elif ending and ending != (COUNTDOWNS[kind], value):
                warnings.append(f"{where}: the countdown ({value}) is not the step's end")
        elif kind in TARGETS:
            _target(item, where, checked)
        else:
            if "window" in item and item["window"] not in WINDOWS:
                problems.append(f"Invalid '{where}.window': must be workout, step or manualLap")
            if "aggregate" in item and item["aggregate"] not in AGGREGATES:
                problems.append(f"Invalid '{where}.aggregate': must be average, min or max")


def _ending(step: dict, at: str, rules: Rules, checked: Checked, ids: set[str]):
    """The step's end as (condition type, value) when it is one timed or distance condition
    (possibly or'ed with a lap press); None when it has no end."""
    has_trigger, has_transitions = "trigger" in step, "transitions" in step
    if has_trigger and has_transitions:
        checked.problems.append(f"Invalid '{at}': a step ends by trigger or by transitions, not both")
        return None
    if has_trigger and rules.step_ends == "transitions":
        checked.problems.append(f"Invalid parameter '{at}.trigger'")
        return None
    if has_transitions and rules.step_ends == "trigger":
        checked.problems.append(f"Invalid parameter '{at}.transitions'")
        return None
    if has_trigger:
        return _condition(step["trigger"], f"{at}.trigger", "triggers", checked, step)
    if not has_transitions:
        return None
    transitions = step["transitions"]
    if not isinstance(transitions, list) or not transitions:
        checked.problems.append("Invalid transition")
        return None
    found = None
    for index, transition in enumerate(transitions):
        where = f"{at}.transitions.{index}"
        if not isinstance(transition, dict) or "condition" not in transition or \
                not set(transition) <= {"condition", "stepId"}:
            checked.problems.append("Invalid transition")
            continue
        if "stepId" in transition and transition["stepId"] not in ids:
            checked.problems.append(f"Invalid '{where}.stepId': no step with id {transition['stepId']!r}")
        ending = _condition(transition["condition"], f"{where}.condition", "conditions", checked, step)
        found = found or ending
    return found or ("transitions", None)


def _condition(condition, where: str, compound: str, checked: Checked, step: dict):
    if not isinstance(condition, dict) or condition.get("type") not in CONDITIONS:
        kind = condition.get("type") if isinstance(condition, dict) else condition
        checked.problems.append(f"Invalid condition type: '{kind}'")
        return None
    kind = condition["type"]
    if kind in ("or", "and"):
        parts = condition.get(compound)
        if not isinstance(parts, list) or not parts:
            checked.problems.append(f"Missing parameter '{where}.{compound}'")
            return None
        endings = [_condition(part, f"{where}.{compound}.{i}", compound, checked, step) for i, part in enumerate(parts)]
        timed = [e for e in endings if e and e[1] is not None]
        return timed[0] if len(timed) == 1 else (kind, None)
    if kind in VALUED:
        if not _positive(condition.get("value")):
            checked.problems.append(f"Invalid '{where}.value': must be a positive number")
            return None
        return (kind, condition["value"])
    if kind == "location" and not all(_number(condition.get(k)) for k in ("latitude", "longitude")):
        checked.problems.append(f"Missing parameter '{where}.latitude'")
    if kind in ("routeCompleted", "routeExited") and "route" not in step:
        checked.problems.append(f"Invalid '{where}': a route condition needs the step's route")
    return (kind, None)


def _target(item: dict, where: str, checked: Checked) -> None:
    kind = item["type"]
    given = {key: item[key] for key in ("value", "min", "max") if key in item}
    if not given or ("min" in given) != ("max" in given):
        checked.problems.append(f"Invalid '{where}': a target takes value, or min and max")
        return
    for key, number in given.items():
        # A range may start at 0 (zone 1 of power), never below; the value and the top are positive.
        if not _number(number) or number < 0 or (key != "min" and number <= 0):
            checked.problems.append(f"Invalid '{where}.{key}': must be a positive number")
            return
    if kind == "targetHeartRate":
        for key, number in given.items():
            if number > HEART_RATE_MAX:
                checked.problems.append(f"Invalid '{where}.{key}': value is larger than the allowed maximum "
                                        f"({float(HEART_RATE_MAX)})")
                return
            if not float(number).is_integer():
                checked.problems.append(f"Invalid '{where}.{key}': heart rate must be a whole number")
                return
    if "min" in given:
        if given["min"] > given["max"]:
            checked.problems.append(f"Invalid '{where}': min must not be larger than max")
        elif "value" in given and not given["min"] <= given["value"] <= given["max"]:
            checked.problems.append(f"Invalid '{where}.value': must be between min and max")
    top = max(given.values())
    if kind in ("targetPace", "targetSpeed") and top > SPEED_PLAUSIBLE:
        checked.warnings.append(f"{where}: {top} m/s is not a plausible speed (is it a pace in s/km?)")
    if kind == "targetCadence" and top > CADENCE_PLAUSIBLE:
        checked.warnings.append(f"{where}: {top} Hz is {top * 60:g} rpm (is it in rpm?)")
    if kind == "targetPower" and top > POWER_PLAUSIBLE:
        checked.warnings.append(f"{where}: {top} W is not a plausible power")


def _text(value, where: str, limit: int, checked: Checked, lines: bool = True) -> None:
    if not isinstance(value, str) or not value or len(value) > limit or (
            lines and len(value.split("\n")) > LINES_MAX) or (not lines and "\n" in value):
        shape = f"text of 1 to {limit} characters" + (f" in at most {LINES_MAX} lines" if lines else " on one line")
        checked.problems.append(f"Invalid '{where}': must be {shape}")
        return
    _shown(value, where, checked.warnings)


def _shown(text: str, where: str, warnings: list[str]) -> None:
    odd = sorted({ch for ch in text if ch not in SHOWN})
    if odd:
        warnings.append(f"{where}: {''.join(odd)!r} may not show on the watch (outside its character set)")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value) -> bool:
    return _number(value) and value > 0


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
