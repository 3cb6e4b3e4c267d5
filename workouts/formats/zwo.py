"""Zwift's .zwo workout files: the writer, and the reader of files written elsewhere.

Element and attribute names as catalogued by h4l/zwift-workout-file-reference (from every
workout Zwift ships) and as Zwift's own workout editor and the editors people use
(zwiftworkout.com, zwofactory) write them.

The writer: ``Warmup``, ``Cooldown`` and ``Ramp`` for ramps (``PowerLow`` where the ramp starts,
``PowerHigh`` where it ends, so a ramp down too), ``SteadyState`` and ``IntervalsT`` (a repeat of
one effort and one recovery), power as a share of FTP (a percent target as its fraction,
exactly), ``Cadence``, ``textevent`` messages from step names and notes (at the step's start)
and from its cues (at their time), ``FreeRide`` where a step has no power target.  Runs:
``sportType`` run, a pace target as a share of threshold speed.

The reader (:func:`read`) is below the writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workouts import Thresholds
from workouts.notes import Notes
from workouts.structure import Repeat

from . import reading
from .levels import NO_TARGET_SHARE, CannotHold, Level, cues, level

# -- the writer ------------------------------------------------------------------------------------

def write(normalized: dict, thresholds: Thresholds, steps: list, notes: Notes) -> bytes:
    """The .zwo of a workout whose steps carry their whole ``seconds`` (trainer_files.make)."""
    sport = normalized["sport"]
    if sport not in ("BIKE", "RUN"):
        raise CannotHold(f"sport: Zwift takes bike and run workouts, not {sport.lower()}s")
    root = ET.Element("workout_file")
    ET.SubElement(root, "author").text = "HybridPeaks"
    ET.SubElement(root, "name").text = normalized["name"]
    ET.SubElement(root, "description").text = normalized.get("description") or ""
    ET.SubElement(root, "sportType").text = sport.lower()
    ET.SubElement(root, "tags")
    workout = ET.SubElement(root, "workout")
    _emit(workout, steps, thresholds, sport, notes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _emit(parent: ET.Element, nodes: list, thresholds: Thresholds, sport: str, notes: Notes) -> None:
    for node in nodes:
        if isinstance(node, Repeat) and _intervals_t(node, thresholds, sport):
            _intervals(parent, node, thresholds, sport)
        elif isinstance(node, Repeat):  # Zwift has no other repeat: written out, the same blocks again
            for _ in range(node.count):
                _emit(parent, node.steps, thresholds, sport, notes)
        else:
            _zwo_step(parent, node, thresholds, sport, notes)


def _intervals_t(node: Repeat, thresholds: Thresholds, sport: str) -> bool:
    """One effort and one recovery, neither written as a ramp: Zwift's IntervalsT."""
    if len(node.steps) != 2 or not all(isinstance(s, dict) for s in node.steps):
        return False
    return not any(_ramps(s, level(s, thresholds, sport)) for s in node.steps)


def _ramps(step: dict, found: Level | None) -> bool:
    """Whether the step goes to Zwift as a ramp: a ramp, or a warm-up or cool-down range."""
    if found is None or found.start == found.end:
        return False
    return found.ramp or step["intensity"] in ("WARMUP", "COOLDOWN")


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _cadence(element: ET.Element, step: dict, attribute: str = "Cadence") -> None:
    cadence = step.get("cadence") or ({"min": step["target"]["min"], "max": step["target"]["max"]}
                                      if step.get("target") and step["target"]["type"] == "CADENCE"
                                      and "min" in step["target"] else None)
    if cadence:
        element.set(attribute, str(round((cadence["min"] + cadence["max"]) / 2)))


def _message(step: dict) -> str:
    """What the step says at its start: its name and notes (and a heart rate Zwift cannot hold)."""
    message = " — ".join(p for p in (step.get("name"), step.get("notes")) if p)
    target = step.get("target")
    if target and target["type"] == "HEART_RATE":
        from workouts.text import target_text

        try:
            shown = target_text(target, "BIKE")
        except (KeyError, TypeError):  # a form the text helper does not know (yet)
            shown = None
        if shown:
            message = " — ".join(p for p in (message, "Heart rate " + shown) if p)
    return message


def _events(element: ET.Element, step: dict, offset: float = 0) -> None:
    """The step's messages as textevents, ``offset`` seconds into the element."""
    message = _message(step)
    if message:
        ET.SubElement(element, "textevent", timeoffset=_fmt(offset), message=message)
    for cue in cues(step):
        at = min(max(float(cue["at"]), 0.0), max(step["seconds"] - 1, 0))
        ET.SubElement(element, "textevent", timeoffset=_fmt(offset + at), message=cue["text"])


def _zwo_step(parent: ET.Element, step: dict, thresholds: Thresholds, sport: str, notes: Notes) -> None:
    found = level(step, thresholds, sport)
    seconds = str(step["seconds"])
    if found is None:
        element = ET.SubElement(parent, "FreeRide", Duration=seconds)
        if step.get("target") and step["target"]["type"] == "HEART_RATE":
            notes.add(step["path"], "a heart-rate target is a free ride in Zwift, its range shown as a message")
    elif found.ramp and found.start != found.end:
        tag = ("Warmup" if step["intensity"] == "WARMUP"
               else "Cooldown" if step["intensity"] == "COOLDOWN" and found.start > found.end else "Ramp")
        element = ET.SubElement(parent, tag, Duration=seconds, PowerLow=_fmt(found.start), PowerHigh=_fmt(found.end))
    elif not found.ramp and step["intensity"] == "WARMUP" and found.start != found.end:
        element = ET.SubElement(parent, "Warmup", Duration=seconds, PowerLow=_fmt(found.start),
                                PowerHigh=_fmt(found.end))
    elif not found.ramp and step["intensity"] == "COOLDOWN" and found.start != found.end:
        element = ET.SubElement(parent, "Cooldown", Duration=seconds, PowerLow=_fmt(found.end),
                                PowerHigh=_fmt(found.start))
    else:
        element = ET.SubElement(parent, "SteadyState", Duration=seconds, Power=_fmt(found.middle))
    _cadence(element, step)
    _events(element, step)


def _steady_share(step: dict, found: Level | None, thresholds: Thresholds, sport: str) -> float:
    if found is not None:
        return found.middle
    from workouts.profile import intensity

    try:
        return intensity(step, sport, thresholds)
    except (KeyError, TypeError, ZeroDivisionError):  # a target form the profile does not know (yet)
        return NO_TARGET_SHARE[step["intensity"]]


def _intervals(parent: ET.Element, node: Repeat, thresholds: Thresholds, sport: str) -> None:
    on, off = node.steps
    on_power = _steady_share(on, level(on, thresholds, sport), thresholds, sport)
    off_power = _steady_share(off, level(off, thresholds, sport), thresholds, sport)
    element = ET.SubElement(parent, "IntervalsT", Repeat=str(node.count), OnDuration=str(on["seconds"]),
                            OffDuration=str(off["seconds"]), OnPower=_fmt(on_power), OffPower=_fmt(off_power))
    _cadence(element, on)
    _cadence(element, off, "CadenceResting")
    period = on["seconds"] + off["seconds"]
    for repetition in range(node.count):  # an IntervalsT's textevents are timed from its start
        _events(element, on, repetition * period)
        _events(element, off, repetition * period + on["seconds"])


# -- the reader ------------------------------------------------------------------------------------
#
# What it reads (element and attribute names in any case, as they vary in the wild):
#
# - ``workout_file``: ``name``, ``description``, ``sportType`` (bike, run), ``durationType`` (time,
#   or distance: durations in metres), ``author`` and ``tags`` (said in a note: our format has no
#   place for them); the rest of Zwift's header (category, ShowCP20, ...) changes nothing;
# - ``Warmup``, ``Cooldown``, ``Ramp``: a ramp from ``PowerLow`` to ``PowerHigh`` (a ``Cooldown``
#   written rising, as Zwift's own cool-downs often are, is read going down, as Zwift plays it,
#   said so); ``SteadyState``: ``Power`` (or ``PowerLow``-``PowerHigh`` as a range);
#   ``IntervalsT``: a repeat of ``OnDuration``/``OnPower`` and ``OffDuration``/``OffPower`` (or
#   ``PowerOnLow``/``PowerOnHigh``...), ``Cadence`` and ``CadenceResting``; ``FreeRide``/``Freeride``
#   and ``MaxEffort``: no target, said so; ``Cadence`` (or ``CadenceLow``-``CadenceHigh``);
# - ``textevent``/``TextEvent``/``TextNotification`` inside a block (``timeoffset`` from the block's
#   start: an IntervalsT's spans its repetitions), or in ``workout`` (from the workout's start):
#   the cues of the step they fall in;
# - power is a share of FTP (0.88 is 88 %), read as a percent target; in a run, a share of a
#   race pace's speed (Zwift's ``pace`` attribute picks which), read as a percent of threshold
#   pace, said so.
#
# Intensities are not in the file: Warmup and Cooldown are WARMUP and COOLDOWN, an IntervalsT's
# rest RECOVERY, a steady block at or under 55 % of FTP (zone 1) RECOVERY, the rest ACTIVE.
# XML is parsed by defusedxml with DTDs refused outright (no entity is ever expanded, nothing
# outside the file is ever read), after the size cap.

RUN_PACES = {0: "1 mile", 1: "5 km", 2: "10 km", 3: "half-marathon", 4: "marathon"}
SHARE_MAX = 10.0  # a "power" above 10 (1,000 % of FTP) is watts or a typo, not a share
ZONE1_SHARE = 0.55  # the top of zone 1
STEP_TAGS = {"warmup", "cooldown", "ramp", "steadystate", "intervalst", "freeride", "maxeffort"}
TEXT_TAGS = {"textevent", "textnotification"}
IGNORED_TAGS = {"gameplayevent", "restday"}


class _Lines:
    """An ElementTree target that remembers the line each element starts on."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.parser = None
        self.lines: dict[int, int] = {}

    def start(self, tag, attrib):
        element = self.builder.start(tag, attrib)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber if self.parser is not None else None
        return element

    def end(self, tag):
        return self.builder.end(tag)

    def data(self, data):
        self.builder.data(data)

    def comment(self, text):  # comments are not workout
        return None

    def close(self):
        return self.builder.close()


def _parse(data: bytes):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    from . import LineProblem, ReadError

    target = _Lines()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        raise ReadError([LineProblem(1, None, "the file declares a DTD or entities, which no workout file needs: "
                                              "refused (nothing in it was expanded or fetched)")]) from None
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        raise ReadError([LineProblem(line, None, f"not well-formed XML ({str(error).split(':')[0]})")]) from None
    return root, target.lines


def _tag(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _attrs(element) -> dict[str, str]:
    return {key.rsplit("}", 1)[-1].lower(): value.strip() for key, value in element.attrib.items()}


class _Reader:
    def __init__(self, lines: dict[int, int], notes: Notes):
        self.lines = lines
        self.notes = notes
        self.problems: list = []
        self.sport = "BIKE"
        self.distance = False
        self.paces: set[str] = set()
        self.recovered = False
        self.biased = False

    # -- problems ---------------------------------------------------------------------------------

    def problem(self, element, message: str) -> None:
        from . import LineProblem

        self.problems.append(LineProblem(self.lines.get(id(element)), element.tag if element is not None else None,
                                         message))

    def where(self, element) -> str:
        line = self.lines.get(id(element))
        return f"line {line}" if line else f"<{element.tag}>"

    def value(self, element, attrs: dict, *names: str, required: bool = True, positive: bool = False):
        for name in names:
            if name.lower() in attrs:
                text = attrs[name.lower()]
                try:
                    number = float(text)
                except ValueError:
                    self.problem(element, f"{names[0]} is not a number: '{text[:20]}'")
                    return None
                if number != number or number in (float("inf"), float("-inf")) or number < 0 or (
                        positive and number == 0):
                    self.problem(element, f"{names[0]} must be a {'positive' if positive else 'non-negative'} "
                                          f"number, not {text[:20]}")
                    return None
                return number
        if required:
            self.problem(element, f"<{element.tag}> needs {names[0]}")
        return None

    # -- durations and targets ------------------------------------------------------------------

    def duration(self, element, attrs: dict, *names: str) -> dict | None:
        value = self.value(element, attrs, *names, positive=True)
        if value is None:
            return None
        if self.distance:
            return {"type": "DISTANCE", "value": reading.number(value, 1)}
        kept = reading.seconds(value)
        if kept != int(kept):
            self.notes.add("", f"{self.where(element)}: a duration of {value:g} s (not whole seconds) is kept as "
                               f"{kept:g} s")
        return {"type": "TIME", "value": kept}

    def share(self, element, attrs: dict, *names: str, required: bool = True) -> float | None:
        value = self.value(element, attrs, *names, required=required)
        if value is not None and value > SHARE_MAX:
            self.problem(element, f"{names[0]} {value:g} is not a share of FTP (Zwift writes 0.88 for 88 %)")
            return None
        return value

    def percent(self, share: float) -> int | float:
        value = share * 100
        # Zwift's editor stores a whole percent plus 0.45 (0.7545 for 75 %, as float32: 0.75449997):
        # the messages of its own workouts say "75%".  Read those as the whole percent they are.
        if abs((value - int(value)) - 0.45) < 0.0015 and value >= 1:
            self.biased = True
            return int(value)
        return reading.number(value, 1)

    def target(self, low: float, high: float | None = None, ramp: bool = False) -> dict:
        kind = "PACE" if self.sport == "RUN" else "POWER"
        if ramp:
            return {"type": kind, "from": self.percent(low), "to": self.percent(high), "unit": "PERCENT"}
        high = low if high is None else high
        low, high = sorted((low, high))
        return {"type": kind, "min": self.percent(low), "max": self.percent(high), "unit": "PERCENT"}

    def cadence(self, element, attrs: dict, single: str, low: str | None = None, high: str | None = None):
        if low and low in attrs and high and high in attrs:
            a, b = self.value(element, attrs, low), self.value(element, attrs, high)
            found = None if a is None or b is None else tuple(sorted((a, b)))
        elif single in attrs:
            a = self.value(element, attrs, single)
            found = None if a is None else (a, a)
        else:
            return None
        if found is None or found == (0, 0):
            return None
        if self.sport != "BIKE":
            self.notes.add("", f"{self.where(element)}: a run's cadence is not a target our runs take: left out")
            return None
        return {"min": reading.number(found[0], 0), "max": reading.number(found[1], 0)}

    # -- blocks -------------------------------------------------------------------------------------

    def block(self, element) -> dict | None:
        """One block of <workout> as {"kind": "step"|"intervals", ...} with its texts."""
        tag = _tag(element)
        attrs = _attrs(element)
        if "pace" in attrs and self.sport == "RUN":
            try:
                self.paces.add(RUN_PACES.get(int(float(attrs["pace"])), f"pace {attrs['pace']}"))
            except ValueError:
                pass
        texts = self.texts(element)
        if tag == "intervalst":
            return self.intervals(element, attrs, texts)
        duration = self.duration(element, attrs, "Duration")
        step: dict = {"intensity": "ACTIVE", "duration": duration, "target": None}
        if tag in ("warmup", "cooldown", "ramp"):
            low = self.share(element, attrs, "PowerLow", required=False)
            high = self.share(element, attrs, "PowerHigh", required=False)
            if low is None and high is None:
                flat = self.share(element, attrs, "Power")
                low = high = flat
            elif low is None or high is None:
                self.problem(element, f"<{element.tag}> needs both PowerLow and PowerHigh")
                return None
            if low is None:
                return None
            if tag == "cooldown" and low < high:
                self.notes.add("", f"{self.where(element)}: a Cooldown written rising ({self.percent(low)}-"
                                   f"{self.percent(high)} %) is read going down, as Zwift plays a cool-down")
                low, high = high, low
            step["intensity"] = {"warmup": "WARMUP", "cooldown": "COOLDOWN"}.get(tag, "ACTIVE")
            if low != high and self.distance:
                self.notes.add("", f"{self.where(element)}: a ramp over a distance is read as its range "
                                   f"{self.percent(min(low, high))}-{self.percent(max(low, high))} % (a ramp is timed)")
                step["target"] = self.target(low, high)
            else:
                step["target"] = self.target(low, high, ramp=True) if low != high else self.target(low)
            if tag == "ramp" and max(low, high) <= ZONE1_SHARE:
                step["intensity"] = "RECOVERY"
                self.recovered = True
        elif tag == "steadystate":
            low = self.share(element, attrs, "PowerLow", required=False)
            high = self.share(element, attrs, "PowerHigh", required=False)
            if low is not None and high is not None:
                step["target"] = self.target(low, high)
            else:
                low = high = self.share(element, attrs, "Power")
                if low is None:
                    return None
                step["target"] = self.target(low)
            if max(low, high) <= ZONE1_SHARE:
                step["intensity"] = "RECOVERY"
                self.recovered = True
        elif tag in ("freeride", "maxeffort"):
            kind = "a free ride" if tag == "freeride" else "a max effort"
            self.notes.add("", f"{self.where(element)}: {kind} has no target in Zwift (the trainer lets you ride "
                               "as you like): kept as a step with no target")
            if tag == "maxeffort":
                step["name"] = "Max effort"
        cadence = self.cadence(element, attrs, "cadence", "cadencelow", "cadencehigh")
        if cadence:
            step["cadence"] = cadence
        if duration is None:
            return None
        return {"kind": "step", "element": element, "step": step, "texts": texts}

    def intervals(self, element, attrs: dict, texts: list) -> dict | None:
        count = self.value(element, attrs, "Repeat", positive=True)
        on_duration = self.duration(element, attrs, "OnDuration")
        off_duration = self.duration(element, attrs, "OffDuration")
        if "poweronlow" in attrs and "poweronhigh" in attrs:
            on_target = self.target(self.share(element, attrs, "PowerOnLow") or 0,
                                    self.share(element, attrs, "PowerOnHigh") or 0)
        else:
            on_share = self.share(element, attrs, "OnPower")
            on_target = None if on_share is None else self.target(on_share)
        if "powerofflow" in attrs and "poweroffhigh" in attrs:
            off_target = self.target(self.share(element, attrs, "PowerOffLow") or 0,
                                     self.share(element, attrs, "PowerOffHigh") or 0)
        else:
            off_share = self.share(element, attrs, "OffPower")
            off_target = None if off_share is None else self.target(off_share)
        if None in (count, on_duration, off_duration, on_target, off_target):
            return None
        if count != int(count):
            self.problem(element, f"Repeat must be a whole number, not {count:g}")
            return None
        if count > 99:
            self.problem(element, f"Repeat {int(count)} is more than the 99 repetitions a block holds")
            return None
        on = {"intensity": "ACTIVE", "duration": on_duration, "target": on_target}
        off = {"intensity": "RECOVERY", "duration": off_duration, "target": off_target}
        cadence = self.cadence(element, attrs, "cadence", "cadencelow", "cadencehigh")
        if cadence:
            on["cadence"] = cadence
        resting = self.cadence(element, attrs, "cadenceresting")
        if resting:
            off["cadence"] = resting
        return {"kind": "intervals", "element": element, "count": int(count), "on": on, "off": off, "texts": texts}

    def texts(self, element) -> list[tuple[float, str, object]]:
        """The block's messages: (seconds from its start, text, element)."""
        found = []
        for child in element:
            tag = _tag(child)
            if tag in TEXT_TAGS:
                message = self.text(child)
                if message is not None:
                    found.append(message)
            elif tag:
                self.problem(child, f"<{child.tag}> is not something a block holds")
        return found

    def text(self, child) -> tuple[float, str, object] | None:
        attrs = _attrs(child)
        text = attrs.get("message", attrs.get("text", ""))
        if not text.strip():
            return None
        if "timeoffset" in attrs:
            at = self.value(child, attrs, "timeoffset")
            return None if at is None else (at, text, child)
        if "distoffset" in attrs:
            self.notes.add("", f"{self.where(child)}: a message placed by distance is shown at its step's start "
                               "(cues are timed)")
            return (0.0, text, child)
        return (0.0, text, child)


def read(data: bytes, sport: str | None = None):
    """A .zwo as our workout (what a coach would have written) and notes, or :class:`ReadError`
    with one problem per element it cannot read."""
    from . import MAX_BYTES, Imported, LineProblem, ReadError

    if len(data) > MAX_BYTES:
        raise ReadError([LineProblem(None, None, f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are read")])
    root, lines = _parse(bytes(data))
    notes = Notes()
    reader = _Reader(lines, notes)
    if _tag(root) != "workout_file":
        raise ReadError([LineProblem(lines.get(id(root)), root.tag,
                                     f"not a Zwift workout: the file's root is <{root.tag}>, not <workout_file>")])
    header = {}
    for child in root:
        header.setdefault(_tag(child), child)
    sport_text = (header["sporttype"].text or "").strip().lower() if "sporttype" in header else "bike"
    if sport_text not in ("bike", "run", ""):
        raise ReadError([LineProblem(lines.get(id(header["sporttype"])), "sportType",
                                     f"sportType '{sport_text}' is neither bike nor run")])
    reader.sport = "RUN" if sport_text == "run" else "BIKE"
    if sport and sport != reader.sport:
        notes.add("sport", f"the file is a {'run' if reader.sport == 'RUN' else 'ride'}, the session a "
                           f"{sport.lower()}: the file's sport is kept")
    if "durationtype" in header and (header["durationtype"].text or "").strip().lower() == "distance":
        reader.distance = True
    workout_element = header.get("workout")
    if workout_element is None:
        raise ReadError([LineProblem(lines.get(id(root)), "workout_file", "the file has no <workout>")])
    author = (header["author"].text or "").strip() if "author" in header else ""
    if author:
        notes.add("", f"author: {author[:80]} (our workouts do not keep an author)")
    tags = [t.get("name", "").strip() for t in header["tags"]] if "tags" in header else []
    if any(tags):
        notes.add("", "tags: " + ", ".join(t for t in tags if t) + " (not kept in the workout)")

    blocks, loose = [], []
    for element in workout_element:
        tag = _tag(element)
        if tag in STEP_TAGS:
            block = reader.block(element)
            if block is not None:
                blocks.append(block)
        elif tag in TEXT_TAGS:
            message = reader.text(element)
            if message is not None:
                loose.append(message)
        elif tag in IGNORED_TAGS:
            notes.add("", f"{reader.where(element)}: <{element.tag}> is not a step: left out")
        elif tag:
            reader.problem(element, f"<{element.tag}> is not a Zwift workout block")
    if reader.problems:
        raise ReadError(reader.problems)
    if not blocks:
        raise ReadError([LineProblem(lines.get(id(workout_element)), "workout", "the workout has no blocks")])

    steps = _assemble(blocks, loose, reader, notes)
    if reader.sport == "RUN":
        which = ", ".join(sorted(reader.paces)) or "1 mile"
        notes.add("", f"Zwift times a run as a share of your {which} pace: read as a percent of threshold pace")
    if reader.biased:
        notes.add("", "shares written as Zwift's editor writes them (0.7545 for 75 %) are read as the whole "
                      "percent")
    if reader.recovered:
        notes.add("", "Zwift files have no step intensities: steady blocks at or under 55 % of FTP are read as "
                      "RECOVERY, an IntervalsT's rests too, the others as ACTIVE")
    workout = {"sport": reader.sport, "name": reading.name_of(_text_of(header.get("name")), notes)}
    description = reading.description_of(_text_of(header.get("description")), notes)
    if description:
        workout["description"] = description
    workout["steps"] = steps
    return Imported(workout, list(notes.items))


def _text_of(element) -> str | None:
    return None if element is None else (element.text or "")


def _assemble(blocks: list[dict], loose: list, reader: _Reader, notes: Notes) -> list[dict]:
    """The blocks as steps and repeat blocks, each message the cue of the step it falls in."""
    from workouts.constants import MAX_EXPANDED_STEPS

    timed = not reader.distance
    clock = 0.0
    spans = []  # (start, end) of each block, for the workout-level messages
    for block in blocks:
        if block["kind"] == "step":
            length = block["step"]["duration"]["value"] if timed else 0
        else:
            length = block["count"] * (block["on"]["duration"]["value"] + block["off"]["duration"]["value"]) \
                if timed else 0
        spans.append((clock, clock + length))
        clock += length
    for at, text, element in loose:  # timed from the workout's start: into the block it falls in
        index = next((i for i, (a, b) in enumerate(spans) if a <= at < b), len(blocks) - 1) if timed else 0
        blocks[index]["texts"].append((at - spans[index][0], text, element))

    total = sum(b["count"] * 2 if b["kind"] == "intervals" else 1 for b in blocks)
    out: list[dict] = []
    for block, (start, _) in zip(blocks, spans):
        if block["kind"] == "step":
            step = dict(block["step"])
            path = f"steps[{len(out)}]"
            reading.add_cues(step, [(at, text) for at, text, _ in block["texts"]], path, notes)
            out.append(step)
            continue
        count, on, off = block["count"], dict(block["on"]), dict(block["off"])
        texts = block["texts"]
        if not texts:
            out.append({"repeat": count, "steps": [on, off]} if count >= 2 else on)
            if count < 2:
                out.append(off)
            continue
        on_length, off_length = on["duration"]["value"], off["duration"]["value"]
        period = on_length + off_length if timed else 0
        placed = []  # (repetition, 0 on / 1 off, seconds into it, text)
        for at, text, _ in texts:
            repetition = min(int(at // period), count - 1) if period else 0
            within = at - repetition * period
            if within < on_length or not timed:
                placed.append((repetition, 0, within, text))
            else:
                placed.append((repetition, 1, within - on_length, text))
        each = {(part, round(within, 3), text) for rep, part, within, text in placed if rep == 0}
        periodic = all({(p, round(w, 3), t) for r, p, w, t in placed if r == rep} == each for rep in range(count))
        if periodic or count < 2:
            for part, step in ((0, on), (1, off)):
                reading.add_cues(step, [(w, t) for r, p, w, t in placed if p == part and r == 0],
                                 f"steps[{len(out)}]", notes)
            out.append({"repeat": count, "steps": [on, off]} if count >= 2 else on)
            if count < 2:
                out.append(off)
        elif total - 2 + 2 * count <= MAX_EXPANDED_STEPS:
            notes.add("", f"{reader.where(block['element'])}: an IntervalsT whose messages differ between "
                          f"repetitions is written out as its {count} repetitions")
            for repetition in range(count):
                for part, step in ((0, on), (1, off)):
                    copy = {k: v for k, v in step.items() if k != "cues"}
                    reading.add_cues(copy, [(w, t) for r, p, w, t in placed if p == part and r == repetition],
                                     f"steps[{len(out)}]", notes)
                    out.append(copy)
        else:
            notes.add("", f"{reader.where(block['element'])}: the IntervalsT's messages are shown in every "
                          "repetition (written out it would be over the steps a workout holds)")
            for part, step in ((0, on), (1, off)):
                unique = sorted({(w, t) for r, p, w, t in placed if p == part})
                reading.add_cues(step, unique, f"steps[{len(out)}]", notes)
            out.append({"repeat": count, "steps": [on, off]})
    return out
