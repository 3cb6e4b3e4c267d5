"""A workout as text, the way intervals.icu's workout builder reads it: the reader and the writer.

A coach pastes what they wrote for intervals.icu (or for an email) and gets our workout; the
editor shows any workout as this text.  The text, line by line:

- A step is a line starting with ``-``: ``- 10m 75%``, ``- Over 3m 95-105% 90rpm``.  Free text
  before the first duration or target is the step's name.  Then, in any order:
  a duration (``1h20m``, ``30s``, ``1m30``, ``5'``, ``30"``; ``2.5km``, ``400mtr``, ``1mi``);
  one target: ``75%`` / ``88-94%`` of FTP, ``250w`` / ``200-250w``, ``Z2`` (power zones), the
  suffixes ``HR`` (``Z2 HR``, ``70-80% HR`` of max heart rate) and ``Pace`` (``Z4 Pace``,
  ``80% Pace`` of threshold speed, ``4:30-5:00/km Pace``; units ``/km /mi /100m /100y /500m
  /400m /250m``), ``140-150bpm``; ``ramp`` before a range (``ramp 50-75%``, ``ramp 7:15-7:00/km
  Pace``, from the first value to the second); a cadence ``90rpm`` / ``90-100rpm``; ``freeride``
  (no target); ``press lap`` (the step lasts until the athlete presses lap);
  ``intensity=warmup|active|interval|recovery|rest|cooldown``; and timed prompts before the
  rest, ``30^Spin up <!>``, which are the step's cues.  ``- 3x 30s 150%`` repeats one step.
- A line of other text directly above a step is a header: ``Warmup``, ``Main Set 4x``, ``4x``.
  ``Nx`` at its end makes the steps under it a repeat block, which ends at a blank line or the
  next header.  Beyond intervals.icu, a repeat nests in another by indentation: an indented
  ``2x`` header and its steps, indented alike, inside a ``3x`` block (two levels at most).
- Text at the top, before any header or step, is the workout's name (its first line) and
  description (the rest).  Text between steps further down joins the description (noted).

What the reader decides, and says in a note where it read something differently from the text:

- Intensity: ``intensity=...`` when given; else the section's, for steps under a header whose
  title says warm-up or cool-down (``Warmup``, ``Warm up``, ``Cooldown``, ``Cool-down``,
  ``Warmdown``); else RECOVERY for an easy step after the first ACTIVE one (no target, under 60 %
  FTP or power zone 1, under 65 % of max heart rate or heart-rate zone 1, under 78 % of threshold
  speed or pace zone 1: how intervals.icu tells recoveries from work); else ACTIVE.
- ``m`` is minutes, as in intervals.icu, except where minutes make no plausible step: in a swim
  ``50m`` (a whole number of 25 m lengths) is metres, in a run or a row ``400m`` (from 100, in
  50s, or anything over 300) is metres.  Each metres reading is noted.
- A bare ``75%`` or ``Z2`` is power, as in intervals.icu; in a swim (no power), threshold pace;
  outside a bike both are noted.  A pace without a unit is per km (per 100 m in a swim, per
  500 m in a row), noted.  A zone range ``Z2-Z3`` becomes the percent range the zones span,
  noted.  ``freeride`` is kept as no target and ``press lap`` as a lap-press step (its duration
  is intervals.icu's estimate, not kept), both noted.  Our heart-rate percents are of max heart
  rate, so ``LTHR`` is refused rather than guessed.
- Anything else is a problem naming its line: an unknown word, two targets, a missing
  duration, an indented step with no header over it, and every rule of the format
  (workouts.validation) that the workout breaks, at the line of the step that breaks it.

The writer (:func:`write`) writes every valid workout (a normalized one as the coach wrote it,
:func:`coach_form`): ``Warmup`` and ``Cooldown`` sections for
the top-level warm-up and cool-down steps, ``Nx`` blocks (nested indented), whole units, paces
per km (per 100 m for swims), ``intensity=`` only where the reader would infer another
intensity, cues as timed prompts, and a step's notes after `` // `` at the end of its line (our
extension; intervals.icu shows it as text).  What the text cannot hold it writes the closest way
and notes: a CADENCE target as the step's cadence, a lap-press step with an estimated duration,
a name that would read as a target in the notes, the location and pool.  For every workout the
text can hold (tests/support/text_strategies.py says which), reading what it writes gives the
same workout back, and a coach's text written the writer's way reads and writes back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from workouts.constants import MAX_REPEAT_DEPTH, REPEAT_MAX, REPEAT_MIN, SPORTS, SWIM_PACE_FACTOR
from workouts.notes import Notes
from workouts.profile import OPEN_SECONDS
from workouts.structure import Repeat, native_tree
from workouts.validation import check_workout, validate_workout
from workouts.zones import ZONE_TABLES

from . import MAX_BYTES, Imported, LineProblem, ReadError, decode_text

MAX_LINES = 2_000  # a 200-step workout with its headers and a long description is far fewer
MAX_LINE_CHARS = 5_000  # a step with 20 cues of 200 characters, its name and its notes
MAX_NUMBER_CHARS = 24  # digits of one number: enough for any float the writer writes exactly
MAX_PROBLEMS = 30
DEFAULT_NAME = "Imported workout"
DEFAULT_SPORT = "BIKE"

NUMBER = r"\d+(?:\.\d+)?"
REPEAT_HEADER = re.compile(r"^(?:(?P<title>.*?\S)\s+)?(?P<count>\d+)\s*[xX]$")
INLINE_REPEAT = re.compile(r"^(?P<count>\d+)\s*[xX]\s+(?P<rest>.*)$")
PROMPT = re.compile(r"(?<!\S)(?P<at>[0-9][0-9hms.'\"]*)\^")
TIME = re.compile(rf"^(?:(?P<h>{NUMBER})h)?(?:(?P<m>{NUMBER})m)?(?:(?P<s>{NUMBER})s)?$", re.IGNORECASE)
MINUTES_SECONDS = re.compile(r"^(?:(?P<h>\d+)h)?(?P<m>\d+)m(?P<s>\d+)$", re.IGNORECASE)  # 1m30
APOSTROPHES = re.compile(r"""^(?:(?P<m>\d+)')?(?:(?P<s>\d+)")?$""")  # 5'  30"  1'30"
BARE_MINUTES = re.compile(rf"^(?P<n>{NUMBER})m$", re.IGNORECASE)
DISTANCE = re.compile(rf"^(?P<n>{NUMBER})(?P<unit>km|mi|mtr)$", re.IGNORECASE)
PERCENT = re.compile(rf"^(?P<a>{NUMBER})%?(?:-(?P<b>{NUMBER}))?%$")
WATTS = re.compile(rf"^(?P<a>{NUMBER})w?(?:-(?P<b>{NUMBER}))?w$", re.IGNORECASE)
BPM = re.compile(rf"^(?P<a>{NUMBER})(?:bpm)?(?:-(?P<b>{NUMBER}))?bpm$", re.IGNORECASE)
RPM = re.compile(rf"^(?P<a>{NUMBER})(?:rpm)?(?:-(?P<b>{NUMBER}))?rpm$", re.IGNORECASE)
RANGE = re.compile(rf"^(?P<a>{NUMBER})(?:-(?P<b>{NUMBER}))?$")
ZONE = re.compile(r"^z(?P<a>\d+)(?:-z?(?P<b>\d+))?$", re.IGNORECASE)
PACE_VALUE = r"\d+:\d{2}(?:\.\d+)?"
PACE = re.compile(rf"^(?P<a>{PACE_VALUE})(?P<ua>/\w+)?(?:-(?P<b>{PACE_VALUE})(?P<ub>/\w+)?)?$", re.IGNORECASE)
PACE_UNITS = {"/km": Decimal(1000), "/mi": Decimal("1609.344"), "/100m": Decimal(100), "/100y": Decimal("91.44"),
              "/500m": Decimal(500), "/400m": Decimal(400), "/250m": Decimal(250)}
DISTANCE_UNITS = {"km": Decimal(1000), "mi": Decimal("1609.344"), "mtr": Decimal(1)}
SUFFIXES = {"hr": "HEART_RATE", "pace": "PACE", "lthr": "LTHR"}
EXPLICIT = {"warmup": "WARMUP", "active": "ACTIVE", "interval": "ACTIVE", "recovery": "RECOVERY", "rest": "REST",
            "cooldown": "COOLDOWN"}
WRITTEN = {"WARMUP": "warmup", "ACTIVE": "active", "RECOVERY": "recovery", "REST": "rest", "COOLDOWN": "cooldown"}
# An easy step after work is a recovery: below these percents of the threshold, or in zone 1.
EASY_PERCENT = {"POWER": 60, "HEART_RATE": 65, "PACE": 78}


# == reading ==========================================================================================

def read(raw: bytes, sport: str | None = None) -> Imported:
    """The reader workouts.formats.read calls: UTF-8 bytes of text."""
    return read_text(decode_text(raw), sport)


def read_text(text: str, sport: str | None = None) -> Imported:
    """A workout from its text (see the module); raises ReadError naming each line it cannot read."""
    sport = sport or DEFAULT_SPORT
    if sport not in SPORTS:
        raise ReadError([LineProblem(None, "sport", "must be one of " + ", ".join(SPORTS))])
    if len(text) > MAX_BYTES:
        raise ReadError([LineProblem(None, None, f"the text is {len(text):,} characters; at most {MAX_BYTES:,} are read")])
    count = text.count("\n") + 1
    if count > MAX_LINES:
        raise ReadError([LineProblem(None, None, f"the text has {count:,} lines; at most {MAX_LINES:,} are read")])
    return _Reader(sport).read(text.split("\n"))


@dataclass
class _Line:
    number: int
    indent: int
    text: str  # without its indentation and trailing spaces
    kind: str  # "blank", "step" or "text"
    raw: str = ""  # as written, but for trailing spaces (a description line keeps its indentation)
    header: bool = False
    repeat: re.Match | None = None


@dataclass
class _Block:
    line: int
    column: int  # of its header
    title: str
    count: int | None  # None: a section (a header with no Nx)
    items: list | None  # a repeat's steps; a section's steps go to the block around it
    body: int | None = None  # the column of its steps, once one is met


@dataclass
class _Step:
    """One step line, read."""

    step: dict
    repeat: int | None = None
    explicit: str | None = None
    notes: list[str] = field(default_factory=list)


class _Problems(Exception):
    def __init__(self, problems: list[LineProblem]):
        self.problems = problems


class _Reader:
    def __init__(self, sport: str):
        self.sport = sport
        self.problems: list[LineProblem] = []
        self.notes: list[str] = []
        self.lines_of: dict[int, int] = {}  # id() of a step or repeat dict -> its line

    def problem(self, line: int | None, message: str, element: str | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(LineProblem(line, element, message))

    def note(self, line: int, message: str) -> None:
        self.notes.append(f"line {line}: {message}")

    # -- the lines ------------------------------------------------------------------------------

    def classify(self, raw_lines: list[str]) -> list[_Line]:
        lines = []
        for number, raw in enumerate(raw_lines, start=1):
            raw = raw.rstrip("\r")
            if len(raw) > MAX_LINE_CHARS:
                self.problem(number, f"the line is {len(raw):,} characters long; at most {MAX_LINE_CHARS:,} are read")
                raw = ""
            bad = next((ch for ch in raw if (ord(ch) < 32 and ch != "\t") or 0x7F <= ord(ch) < 0xA0
                        or 0xD800 <= ord(ch) <= 0xDFFF), None)
            if bad is not None:
                self.problem(number, f"a control character (U+{ord(bad):04X}) is not text")
                raw = ""
            stripped = raw.strip()
            indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
            kind = "blank" if not stripped else "step" if stripped.startswith("-") else "text"
            line = _Line(number, indent, stripped, kind, raw.rstrip())
            if kind == "text":
                line.repeat = REPEAT_HEADER.match(stripped)
            lines.append(line)
        # A text line is a header when a step follows it (or a more indented repeat header that is one).
        for index in range(len(lines) - 2, -1, -1):
            line, below = lines[index], lines[index + 1]
            if line.kind == "text":
                line.header = below.kind == "step" or (
                    below.header and below.repeat is not None and below.indent > line.indent)
        return lines

    # -- the structure ------------------------------------------------------------------------------

    def read(self, raw_lines: list[str]) -> Imported:
        lines = self.classify(raw_lines)
        root: list = []
        stack: list[_Block] = []
        top: list[_Line] = []  # the name and description, before the first header or step
        later: list[_Line] = []  # text between steps
        started = False
        self.after_work = False

        def close(keep: int) -> None:
            while len(stack) > keep:
                block = stack.pop()
                if block.count is not None and not block.items:
                    self.problem(block.line, f"the repeat '{block.title}' has no steps under it")

        for line in lines:
            if line.kind == "blank":
                close(0)
                if not started:
                    top.append(line)
                continue
            if line.kind == "text" and not line.header:
                (later if started else top).append(line)
                continue
            started = True
            if line.kind == "text":
                while stack and stack[-1].column >= line.indent:
                    close(len(stack) - 1)
                self.header(line, stack, root)
                continue
            while stack and (line.indent < stack[-1].column
                             or (stack[-1].body is not None and line.indent < stack[-1].body)):
                close(len(stack) - 1)
            if stack and stack[-1].body is None:
                stack[-1].body = line.indent
            elif stack and line.indent > stack[-1].body:
                self.problem(line.number, "this step is indented more than the steps above it, with no repeat "
                                          "header (such as 2x) over it")
                continue
            self.step(line, stack, root)
        close(0)

        name, description = self.heading(top, later)
        workout: dict = {"sport": self.sport, "name": name, "steps": root}
        if description:
            workout["description"] = description
        if not root and not self.problems:
            self.problem(None, "the text holds no steps (a step is a line such as '- 10m 75%')")
        if not self.problems:
            self.validate(workout)
        if self.problems:
            raise ReadError(self.problems)
        return Imported(workout, self.notes)

    def header(self, line: _Line, stack: list[_Block], root: list) -> None:
        match = line.repeat
        title = line.text
        count = None
        if match:
            count = self.count(match.group("count"), line.number)
            title = match.group("title") or ""
        items = _items_of(stack, root)
        depth = sum(1 for block in stack if block.count is not None)
        if match and depth >= MAX_REPEAT_DEPTH:
            self.problem(line.number, f"repeat blocks may nest at most {MAX_REPEAT_DEPTH} deep")
            count = None
        if match and count is not None:
            block = _Block(line.number, line.indent, line.text, count, [])
            repeat = {"repeat": count, "steps": block.items}
            self.lines_of[id(repeat)] = line.number
            items.append(repeat)
        else:
            block = _Block(line.number, line.indent, title, None, None)
        stack.append(block)

    def count(self, digits: str, line: int) -> int | None:
        count = int(digits) if len(digits) <= 3 else REPEAT_MAX + 1
        if not REPEAT_MIN <= count <= REPEAT_MAX:
            self.problem(line, f"repeat must be a whole number from {REPEAT_MIN} to {REPEAT_MAX}")
            return None
        return count

    def step(self, line: _Line, stack: list[_Block], root: list) -> None:
        try:
            read = parse_step(line.text[1:], self.sport)
        except _Problems as failed:
            for problem in failed.problems:
                self.problem(line.number, problem.message)
            return
        for message in read.notes:
            self.note(line.number, message)
        step = read.step
        step["intensity"] = read.explicit or infer_intensity(step.get("target"), section_of(stack), self.after_work)
        self.after_work = self.after_work or step["intensity"] == "ACTIVE"
        step = {"intensity": step.pop("intensity"), **step}
        self.lines_of[id(step)] = line.number
        items = _items_of(stack, root)
        if read.repeat is not None:
            if sum(1 for block in stack if block.count is not None) >= MAX_REPEAT_DEPTH:
                self.problem(line.number, f"repeat blocks may nest at most {MAX_REPEAT_DEPTH} deep")
                return
            count = self.count(str(read.repeat), line.number)
            if count is None:
                return
            repeat = {"repeat": count, "steps": [step]}
            self.lines_of[id(repeat)] = line.number
            items.append(repeat)
        else:
            items.append(step)

    def heading(self, top: list[_Line], later: list[_Line]) -> tuple[str, str | None]:
        texts = [line for line in top if line.kind == "text"]
        if not texts:
            self.notes.append(f"name: the text has no name line; the workout is named '{DEFAULT_NAME}'")
            name, described = DEFAULT_NAME, []
        else:
            first = top.index(texts[0])
            name = texts[0].text
            described = top[first + 1:]
        while described and described[0].kind == "blank":
            described.pop(0)
        while described and described[-1].kind == "blank":
            described.pop()
        parts = ["" if line.kind == "blank" else line.raw for line in described]
        for line in later:
            self.note(line.number, "text between the steps is kept in the description")
            parts.append(line.text)
        return name, "\n".join(parts) or None

    def validate(self, workout: dict) -> None:
        paths: dict[str, int] = {}

        def walk(items: list, prefix: str) -> None:
            for index, item in enumerate(items):
                path = f"{prefix}[{index}]"
                paths[path] = self.lines_of.get(id(item), 0)
                if "repeat" in item:
                    walk(item["steps"], path + ".steps")

        walk(workout["steps"], "steps")
        for problem in check_workout(workout):
            path = problem.path
            while path and path not in paths:
                path = path.rsplit(".", 1)[0] if "." in path else ""
            if path:
                self.problem(paths[path] or None, f"{problem.rule}", None if paths[path] else problem.path)
            else:
                self.problem(None, problem.rule, problem.path or None)


def _items_of(stack: list[_Block], root: list) -> list:
    for block in reversed(stack):
        if block.items is not None:
            return block.items
    return root


def section_of(stack: list[_Block]) -> str | None:
    """WARMUP or COOLDOWN where the nearest header that says one is around the step."""
    for block in reversed(stack):
        found = section_intensity(block.title)
        if found:
            return found
    return None


def section_intensity(title: str) -> str | None:
    squeezed = re.sub(r"[\s\-_]", "", title.lower())
    if squeezed.startswith("warmup"):
        return "WARMUP"
    if squeezed.startswith(("cooldown", "warmdown")):
        return "COOLDOWN"
    return None


def infer_intensity(target: dict | None, section: str | None, after_work: bool) -> str:
    """The intensity of a step with no ``intensity=``: the reader's rule, which the writer follows."""
    if section:
        return section
    if after_work and _easy(target):
        return "RECOVERY"
    return "ACTIVE"


def _easy(target: dict | None) -> bool:
    if target is None:
        return True
    kind = target["type"]
    if target.get("zone") is not None:
        return target["zone"] == 1
    if target.get("unit") != "PERCENT" or kind not in EASY_PERCENT:
        return False  # watts, bpm or a pace: how easy depends on a threshold the text does not give
    ends = (target["from"], target["to"]) if "from" in target else (target["min"], target["max"])
    return sum(ends) / 2 < EASY_PERCENT[kind]


# -- one step line ---------------------------------------------------------------------------------------

def parse_step(content: str, sport: str) -> _Step:
    """A step line after its ``-``; raises _Problems (messages only: the caller knows the line)."""
    problems: list[str] = []
    notes: list[str] = []
    content = content.strip()
    repeat = None
    match = INLINE_REPEAT.match(content)
    if match:
        repeat = int(match.group("count")) if len(match.group("count")) <= 3 else REPEAT_MAX + 1
        content = match.group("rest")
    *prompts, rest = content.split("<!>")
    names: list[str] = []
    cues: list[dict] = []
    for chunk in prompts:
        found = PROMPT.search(chunk)
        if not found:
            problems.append(f"a prompt before <!> needs its time, as in '30^Spin up <!>' ('{chunk.strip()}')")
            continue
        if chunk[:found.start()].strip():
            names.append(chunk[:found.start()].strip())
        at = _seconds(found.group("at"))
        if at is None:
            problems.append(f"'{found.group('at')}^' is not a time in seconds")
            continue
        cues.append({"at": at, "text": chunk[found.end():].strip()})

    tokens = _tokens(rest)
    first = next((i for i, (text, _, _) in enumerate(tokens) if _starts_spec(tokens, i)), len(tokens))
    if first:
        names.append(rest[tokens[0][1]:tokens[first - 1][2]])
    spec = _Spec(sport)
    index = first
    while index < len(tokens):
        text, _, end = tokens[index]
        if text == "//":
            spec.notes = rest[end:].strip()
            break
        index = spec.take(tokens, index, problems, notes)
    step = spec.step(problems, notes)
    if problems:
        raise _Problems([LineProblem(None, None, message) for message in problems])
    name = " ".join(names)
    if name:
        step["name"] = name
    if spec.notes:
        step["notes"] = spec.notes
    if cues:
        step["cues"] = cues
    return _Step(step, repeat, spec.explicit, notes)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Words with their places; ``315w - 330w`` joined into one range."""
    words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    out: list[tuple[str, int, int]] = []
    index = 0
    while index < len(words):
        if (index + 2 < len(words) and words[index + 1][0] == "-" and _value_like(words[index][0])
                and _value_like(words[index + 2][0])):
            out.append((words[index][0] + "-" + words[index + 2][0], words[index][1], words[index + 2][2]))
            index += 3
            continue
        out.append(words[index])
        index += 1
    return out


def _value_like(word: str) -> bool:
    return bool(re.match(r"^(?:\d|z\d)", word, re.IGNORECASE))


def _starts_spec(tokens: list, index: int) -> bool:
    """Where a step's name ends: at its first duration, target or cadence (or ``ramp`` / ``freeride``
    just before one, so that a step called 'Ramp up' keeps its name)."""
    word = tokens[index][0]
    if _is_value(word) or word == "//":
        return True
    if word.lower() in ("ramp", "freeride"):
        return index + 1 >= len(tokens) or _is_value(tokens[index + 1][0])
    return False


def _is_value(word: str) -> bool:
    return bool(_time_of(word) or DISTANCE.match(word) or BARE_MINUTES.match(word) or PERCENT.match(word)
                or WATTS.match(word) or BPM.match(word) or RPM.match(word) or ZONE.match(word) or PACE.match(word))


class _Spec:
    """What follows a step's name, word by word."""

    def __init__(self, sport: str):
        self.sport = sport
        self.duration: tuple | None = None
        self.duration_word: str | None = None
        self.values: list[tuple[str, re.Match, str | None, str]] = []  # (kind, match, suffix, word)
        self.ramp = False
        self.freeride = False
        self.lap = False
        self.cadence: tuple | None = None
        self.explicit: str | None = None
        self.notes: str | None = None

    def take(self, tokens: list, index: int, problems: list[str], notes: list[str]) -> int:
        word = tokens[index][0]
        lower = word.lower()
        following = tokens[index + 1][0].lower() if index + 1 < len(tokens) else None
        if lower == "ramp":
            self.ramp = True
        elif lower == "freeride":
            self.freeride = True
        elif lower == "press" and following == "lap":
            self.lap = True
            return index + 2
        elif lower.startswith("intensity="):
            value = lower.split("=", 1)[1]
            if value not in EXPLICIT:
                problems.append(f"'{word}': intensity= takes one of {', '.join(EXPLICIT)}")
            else:
                self.explicit = EXPLICIT[value]
        elif RPM.match(word) or (RANGE.match(word) and following == "rpm"):
            if self.cadence:
                problems.append(f"'{word}': the step already has a cadence")
            found = RPM.match(word) or RANGE.match(word)
            self.cadence = _pair(found, problems)
            return index + (1 if RPM.match(word) else 2)
        elif _time_of(word) or DISTANCE.match(word) or BARE_MINUTES.match(word):
            if self.duration_word:
                problems.append(f"'{word}': the step already lasts {self.duration_word}")
            else:
                self.duration = _duration(word, self.sport, problems, notes)  # None: its number was refused
                self.duration_word = word
        elif _target_kind(word):
            suffix = following if following in SUFFIXES else None
            self.values.append((_target_kind(word), _target_kind_match(word), suffix, word))
            return index + (2 if suffix else 1)
        elif lower in SUFFIXES:
            problems.append(f"'{word}' needs a value before it, as in 'Z2 {word}' or '70% {word}'")
        else:
            problems.append(f"unknown '{word}'")
        return index + 1

    def step(self, problems: list[str], notes: list[str]) -> dict:
        step: dict = {}
        if self.lap:
            step["duration"] = {"type": "OPEN"}
            if self.duration:
                notes.append(f"press lap: the step lasts until the athlete presses lap (its {self.duration_word} "
                             "is not kept)")
        elif self.duration:
            step["duration"] = self.duration
        elif not self.duration_word:
            problems.append("a step needs a duration, such as 10m, 30s, 2km or 400mtr")
        if len(self.values) > 1:
            problems.append("a step takes one target; this one has " + " and ".join(v[3] for v in self.values))
        elif self.values:
            if self.freeride:
                problems.append("freeride takes no target")
            target = self.target(*self.values[0], problems, notes)
            if target:
                step["target"] = target
        elif self.ramp:
            problems.append("ramp needs a range after it, as in 'ramp 50-75%'")
        if self.freeride:
            notes.append("freeride: kept as a step with no target")
        if self.cadence:
            step["cadence"] = {"min": self.cadence[0], "max": self.cadence[1]}
        return step

    def target(self, kind: str, match: re.Match, suffix: str | None, word: str, problems: list[str],
               notes: list[str]) -> dict | None:
        typed = SUFFIXES.get(suffix) if suffix else None
        if typed == "LTHR":
            problems.append(f"'{word} LTHR': a percent of threshold heart rate cannot be held (our heart-rate "
                            "percents are of max heart rate); write it as % HR or in bpm")
            return None
        if kind == "percent" or kind == "zone":
            if typed is None:
                typed = "PACE" if self.sport == "SWIM" else "POWER"
                if self.sport != "BIKE":
                    what = "of threshold pace" if typed == "PACE" else "of FTP (power)"
                    notes.append(f"'{word}' read as {what}; write '{word} HR' or '{word} Pace' to say otherwise")
            if kind == "zone":
                return self.zone(typed, match, word, problems, notes)
            values = _pair(match, problems, ramp=self.ramp)
            return values and self.shape(typed, values, word, notes, percent=True)
        if typed is not None and (kind, typed) not in (("pace", "PACE"), ("bpm", "HEART_RATE")):
            problems.append(f"'{word} {suffix}': {suffix} does not go with {word}")
            return None
        if kind == "pace":
            values = self.pace(match, word, problems, notes)
            return values and self.shape("PACE", values, word, notes, percent=False, sort_quietly=True)
        values = _pair(match, problems, ramp=self.ramp)
        return values and self.shape("POWER" if kind == "watts" else "HEART_RATE", values, word, notes, percent=False)

    def shape(self, kind: str, values: tuple, word: str, notes: list[str], percent: bool,
              sort_quietly: bool = False) -> dict:
        if self.ramp:
            target = {"type": kind, "from": values[0], "to": values[1]}
        else:
            low, high = sorted(values)
            if (low, high) != tuple(values) and not sort_quietly:
                notes.append(f"'{word}' read as the range from {_num(low)} to {_num(high)}")
            target = {"type": kind, "min": low, "max": high}
        if percent:
            target["unit"] = "PERCENT"
        return target

    def zone(self, kind: str, match: re.Match, word: str, problems: list[str], notes: list[str]) -> dict | None:
        low, high = int(match.group("a")[:3]), int((match.group("b") or match.group("a"))[:3])
        zones = len(ZONE_TABLES[kind])
        if not (1 <= low <= zones and 1 <= high <= zones):
            problems.append(f"'{word}': {kind} zones are Z1 to Z{zones}")
            return None
        if self.ramp:
            problems.append(f"'ramp {word}': a ramp goes between two values, as in 'ramp 50-75%'")
            return None
        if low == high:
            return {"type": kind, "zone": low}
        low, high = sorted((low, high))
        percent = (ZONE_TABLES[kind][low - 1][0], ZONE_TABLES[kind][high - 1][1])
        if kind == "POWER" and percent[0] == 0:
            percent = (1, percent[1])  # zone 1 starts at 0 % of FTP, which a percent range may not
        notes.append(f"'{word}' read as {percent[0]}-{percent[1]} % (a step takes one zone; these span those percents)")
        return {"type": kind, "min": percent[0], "max": percent[1], "unit": "PERCENT"}

    def pace(self, match: re.Match, word: str, problems: list[str], notes: list[str]) -> tuple | None:
        units = [u.lower() for u in (match.group("ua"), match.group("ub")) if u]
        if len(set(units)) > 1:
            problems.append(f"'{word}': a pace range takes one unit")
            return None
        if units and units[0] not in PACE_UNITS:
            problems.append(f"'{word}': a pace is per {', '.join(u[1:] for u in PACE_UNITS)}")
            return None
        if units:
            unit = units[0]
        else:
            unit = {"SWIM": "/100m", "ROW": "/500m"}.get(self.sport, "/km")
            notes.append(f"'{word}' read as a pace per {unit[1:]}")
        per = Decimal(100) if self.sport == "SWIM" else Decimal(1000)  # the format's own unit (per 100 m in swims)
        values = []
        for text in (match.group("a"), match.group("b") or match.group("a")):
            minutes, seconds = text.split(":")
            if len(minutes) > 3:
                problems.append(f"'{word}': the pace is too slow to be one")
                return None
            value = Decimal(minutes) * 60 + Decimal(seconds)
            if Decimal(seconds) >= 60:
                problems.append(f"'{word}': seconds of a pace go up to 59")
                return None
            values.append(_plain(value / PACE_UNITS[unit] * per))
        if not self.ramp and match.group("b") is None:
            return values[0], values[0]
        if self.ramp and match.group("b") is None:
            problems.append(f"'ramp {word}': a ramp needs two values, as in 'ramp 7:15-7:00/km Pace'")
            return None
        return values[0], values[1]


def _target_kind(word: str) -> str | None:
    for kind, pattern in (("percent", PERCENT), ("watts", WATTS), ("bpm", BPM), ("zone", ZONE), ("pace", PACE)):
        if pattern.match(word):
            return kind
    return None


def _target_kind_match(word: str) -> re.Match:
    for pattern in (PERCENT, WATTS, BPM, ZONE, PACE):
        found = pattern.match(word)
        if found:
            return found
    raise AssertionError(word)  # pragma: no cover (only called after _target_kind)


def _pair(match: re.Match, problems: list[str], ramp: bool = False) -> tuple | None:
    """The one or two numbers of a value (``75%``, ``88-94%``); a ramp needs two."""
    first = _decimal(match.group("a"), problems)
    second = _decimal(match.group("b"), problems) if match.group("b") else first
    if first is None or second is None:
        return None
    if ramp and match.group("b") is None:
        problems.append(f"a ramp needs two values, as in 'ramp 50-75%' ('{match.group()}')")
        return None
    return _plain(first), _plain(second)


def _decimal(text: str, problems: list[str]) -> Decimal | None:
    if len(text) > MAX_NUMBER_CHARS:
        problems.append(f"the number {text[:12]}… is too long to be one")
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover (the patterns only let digits through)
        problems.append(f"'{text}' is not a number")
        return None


def _plain(value: Decimal) -> int | float:
    """A Decimal as the JSON number it means: whole numbers as ints, others as the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _time_of(word: str) -> re.Match | None:
    for pattern in (TIME, MINUTES_SECONDS, APOSTROPHES):
        found = pattern.match(word)
        if found and any(found.groupdict().values()) and not BARE_MINUTES.match(word):
            return found
    return None


def _seconds(word: str) -> int | float | None:
    """A prompt's time: seconds (``33``) or a duration (``1m30``)."""
    if RANGE.match(word) and "-" not in word:
        value = _decimal(word, [])
        return _plain(value) if value is not None else None
    found = _time_of(word) or BARE_MINUTES.match(word)
    if not found:
        return None
    return _time_seconds(found, [])


def _time_seconds(found: re.Match, problems: list[str]) -> int | float | None:
    parts = found.groupdict()
    total = Decimal(0)
    for key, scale in (("h", 3600), ("m", 60), ("n", 60), ("s", 1)):
        if parts.get(key):
            value = _decimal(parts[key], problems)
            if value is None:
                return None
            total += value * scale
    return _plain(total)


def _duration(word: str, sport: str, problems: list[str], notes: list[str]) -> dict | None:
    bare = BARE_MINUTES.match(word)
    if bare:
        number = _decimal(bare.group("n"), problems)
        if number is None:
            return None
        if _metres_reading(number, sport):
            notes.append(f"'{word}' read as {_num(_plain(number))} metres ({_num(_plain(number))} minutes is not a "
                         f"plausible {sport.lower()} step; write {_num(_plain(number))}mtr for metres)")
            return {"type": "DISTANCE", "value": _plain(number)}
        return {"type": "TIME", "value": _plain(number * 60)}
    distance = DISTANCE.match(word)
    if distance:
        number = _decimal(distance.group("n"), problems)
        return None if number is None else {"type": "DISTANCE",
                                            "value": _plain(number * DISTANCE_UNITS[distance.group("unit").lower()])}
    seconds = _time_seconds(_time_of(word), problems)
    return None if seconds is None else {"type": "TIME", "value": seconds}


def _metres_reading(number: Decimal, sport: str) -> bool:
    """Whether ``Nm`` in this sport means metres: where N minutes is no plausible step and N metres is."""
    if number != number.to_integral_value():
        return False
    if sport == "SWIM":
        return number >= 25 and number % 25 == 0
    if sport in ("RUN", "ROW"):
        return number > 300 or (number >= 100 and number % 50 == 0)
    return False


# == writing ===========================================================================================

@dataclass(frozen=True)
class Written:
    text: str
    notes: list[str]


def write_text(workout: dict) -> str:
    """The text of a workout (see :func:`write` for what it could not hold)."""
    return write(workout).text


class CannotWrite(ValueError):
    """The workout has no text form (strength, cardio, multisport); the message says why."""


def write(workout: dict) -> Written:
    """The text of any valid endurance workout of our format, and a note for each thing written
    another way; :class:`CannotWrite` for the sports the builder's text has no form for."""
    validate_workout(workout)
    if workout["sport"] not in SPORTS:
        raise CannotWrite(f"sport: intervals.icu's workout text holds endurance workouts "
                          f"({', '.join(SPORTS)}), not {workout['sport']}")
    if workout.get("normalized") is True:
        workout = coach_form(workout)
    return _Writer(workout).write()


def coach_form(normalized: dict) -> dict:
    """A normalized workout as the coach wrote it: repeats rebuilt, zones and percents as such
    (what they resolved to for one athlete is not the workout), paces per 100 m for swims."""
    swim = normalized["sport"] == "SWIM"

    def target(value: dict | None) -> dict | None:
        if value is None:
            return None
        kind = value["type"]
        if value.get("zone") is not None:
            return {"type": kind, "zone": value["zone"]}
        if value.get("percent"):
            return {"type": kind, **value["percent"], "unit": "PERCENT"}
        keys = ("from", "to") if "from" in value else ("min", "max")
        scale = SWIM_PACE_FACTOR if swim and kind == "PACE" else 1
        return {"type": kind, **{key: value[key] / scale if scale != 1 else value[key] for key in keys}}

    def node(item) -> dict:
        if isinstance(item, Repeat):
            return {"repeat": item.count, "steps": [node(child) for child in item.steps]}
        step = {"intensity": item["intensity"], "duration": dict(item["duration"])}
        for key, value in (("target", target(item.get("target"))), ("cadence", item.get("cadence")),
                           ("name", item.get("name")), ("notes", item.get("notes")), ("cues", item.get("cues"))):
            if value is not None:
                step[key] = value
        return step

    raw = {key: normalized[key] for key in ("sport", "name", "description", "location", "poolLength", "poolLengthUnit")
           if normalized.get(key) is not None}
    raw["steps"] = [node(item) for item in native_tree(normalized["steps"])]
    return raw


class _Writer:
    def __init__(self, workout: dict):
        self.workout = workout
        self.sport = workout["sport"]
        self.notes = Notes()
        self.after_work = False

    def write(self) -> Written:
        lines = self.heading()
        for paragraph in self.paragraphs():
            lines.append("")
            lines.extend(paragraph)
        for key in ("location", "poolLength", "poolLengthUnit"):
            if self.workout.get(key) is not None:
                self.notes.add(key, "not written: the text has no place for it")
        return Written("\n".join(lines) + "\n", list(self.notes.items))

    def heading(self) -> list[str]:
        name = self.workout["name"].strip()
        if name.startswith("-"):
            name = name.lstrip("- ") or DEFAULT_NAME
            self.notes.add("name", f"written as '{name}': a line starting with '-' would read as a step")
        elif name != self.workout["name"]:
            self.notes.add("name", "written without its surrounding spaces")
        lines = [name]
        description = self.workout.get("description")
        if description:
            text = description.replace("\r\n", "\n").replace("\r", "\n")
            described = [line.rstrip() for line in text.split("\n")]
            while described and not described[0].strip():
                described.pop(0)
            while described and not described[-1].strip():
                described.pop()
            for index, line in enumerate(described):
                if line.lstrip().startswith("-"):
                    described[index] = line.replace("-", "–", 1)
                    self.notes.add("description", f"line {index + 1} written with '–' for its leading '-', which "
                                                  "would read as a step")
            if "\n".join(described) != description:
                self.notes.add("description", "written without its blank edges, trailing spaces or carriage returns")
            lines.extend(described)
        return lines

    def paragraphs(self) -> list[list[str]]:
        """Top-level steps in paragraphs: warm-ups and cool-downs in their sections, each repeat
        block on its own, and runs of other steps bare."""
        out: list[list[str]] = []
        group: list[tuple[int, dict]] = []
        group_kind: str | None = None

        def flush() -> None:
            nonlocal group, group_kind
            if group:
                section = group_kind if group_kind in ("WARMUP", "COOLDOWN") else None
                lines = [{"WARMUP": "Warmup", "COOLDOWN": "Cooldown"}[section]] if section else []
                for index, step in group:
                    lines.append(self.step_line(step, f"steps[{index}]", section, ""))
                out.append(lines)
            group, group_kind = [], None

        for index, item in enumerate(self.workout["steps"]):
            if "repeat" in item:
                flush()
                out.append(self.block(item, f"steps[{index}]", ""))
                continue
            kind = item["intensity"] if item["intensity"] in ("WARMUP", "COOLDOWN") else "OTHER"
            if kind != group_kind:
                flush()
                group_kind = kind
            group.append((index, item))
        flush()
        return out

    def block(self, block: dict, path: str, indent: str) -> list[str]:
        lines = [f"{indent}{block['repeat']}x"]
        for index, item in enumerate(block["steps"]):
            inner = f"{path}.steps[{index}]"
            if "repeat" in item:
                lines.extend(self.block(item, inner, indent + "  "))
            else:
                lines.append(self.step_line(item, inner, None, indent))
        return lines

    # -- one step --------------------------------------------------------------------------------

    def step_line(self, step: dict, path: str, section: str | None, indent: str) -> str:
        words = ["-"]
        name, notes = step.get("name"), step.get("notes")
        if notes is not None and (notes != notes.strip() or "\n" in notes or "\r" in notes or "<!>" in notes):
            notes = " ".join(notes.replace("<!>", "< !>").split()) or None
            self.notes.add(path, "its notes are written on one line, without surrounding spaces or '<!>'")
        if name is not None and not self.holds_name(name):
            if notes is None:
                notes = name
                self.notes.add(path, f"its name '{name}' is written as its notes: in the text it would read as more "
                                     "than a name")
            else:
                self.notes.add(path, f"its name '{name}' is left out: in the text it would read as more than a name")
            name = None
        if name:
            words.append(name)
        for cue in step.get("cues") or ():
            text = cue["text"]
            if "<!>" in text or text != text.strip():
                text = text.replace("<!>", "< !>").strip()
                self.notes.add(path, "a cue is written without '<!>' and surrounding spaces, which end a prompt")
            words.append(f"{_num(cue['at'])}^{text} <!>")
        duration = step["duration"]
        if duration["type"] == "TIME":
            words.append(_time_text(duration["value"]))
        elif duration["type"] == "DISTANCE":
            words.append(_distance_text(duration["value"]))
        else:
            words.append(_time_text(OPEN_SECONDS[step["intensity"]]))
        target = step.get("target")
        cadence = step.get("cadence")
        if target and target["type"] == "CADENCE":
            self.notes.add(path, "its CADENCE target is written as the step's cadence (the text has no cadence "
                                 "target)")
            cadence, target = target, None
        if target:
            words.extend(self.target_words(target))
        if cadence:
            words.append(_range_words(cadence["min"], cadence["max"], "rpm"))
        if duration["type"] == "OPEN":
            words.append("press lap")
        inferred = infer_intensity(target, section, self.after_work)
        if step["intensity"] != inferred:
            words.append(f"intensity={WRITTEN[step['intensity']]}")
        self.after_work = self.after_work or step["intensity"] == "ACTIVE"
        if notes:
            words.append(f"// {notes}")
        return indent + " ".join(words)

    def holds_name(self, name: str) -> bool:
        """Whether the reader gives this name back: no prompt marks, nothing it reads as more."""
        if "^" in name or "<!>" in name or name != name.strip() or not name:
            return False
        try:
            read = parse_step(f"{name} 1m", "BIKE")
        except _Problems:
            return False
        return read.repeat is None and read.step.get("name") == name and "notes" not in read.step

    def target_words(self, target: dict) -> list[str]:
        kind = target["type"]
        suffix = {"POWER": "", "HEART_RATE": " HR", "PACE": " Pace"}[kind]
        if target.get("zone") is not None:
            return [f"Z{target['zone']}{suffix}"]
        ramp = target.get("from") is not None
        low, high = (target["from"], target["to"]) if ramp else (target["min"], target["max"])
        prefix = ["ramp"] if ramp else []
        if target.get("unit") == "PERCENT":
            return prefix + [_range_words(low, high, "%", ramp) + suffix]
        if kind == "POWER":
            return prefix + [_range_words(low, high, "w", ramp)]
        if kind == "HEART_RATE":
            return prefix + [_range_words(low, high, "bpm", ramp)]
        unit = "/100m" if self.sport == "SWIM" else "/km"
        if low == high and not ramp:
            return [f"{_pace_text(low)}{unit} Pace"]
        return prefix + [f"{_pace_text(low)}-{_pace_text(high)}{unit} Pace"]


def _range_words(low, high, unit: str, ramp: bool = False) -> str:
    return f"{_num(low)}{unit}" if low == high and not ramp else f"{_num(low)}-{_num(high)}{unit}"


def _num(value) -> str:
    """A number as the text writes it: whole numbers bare, others exactly (``137.5``, never ``1e-05``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def _time_text(seconds) -> str:
    if not float(seconds).is_integer():
        return f"{_num(seconds)}s"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if value)


def _distance_text(meters) -> str:
    if float(meters).is_integer() and meters >= 1000 and int(meters) % 100 == 0:
        return f"{_num(Decimal(int(meters)) / 1000)}km" if int(meters) % 1000 else f"{int(meters) // 1000}km"
    return f"{_num(meters)}mtr"


def _pace_text(seconds) -> str:
    exact = Decimal(repr(float(seconds))) if not isinstance(seconds, int) else Decimal(seconds)
    minutes = int(exact // 60)
    rest = exact - minutes * 60
    whole = int(rest)
    fraction = rest - whole
    return f"{minutes}:{whole:02d}" + (format(fraction, "f")[1:] if fraction else "")
