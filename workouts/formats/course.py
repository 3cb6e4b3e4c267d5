"""ERG (minutes and watts) and MRC (minutes and percent of FTP) course files: the writer, and
the reader of files written elsewhere.

The layout, as CompuTrainer defined it and TrainerRoad, intervals.icu, TrainingPeaks and most
indoor apps still write and read it::

    [COURSE HEADER]              [COURSE DATA]        [COURSE TEXT]
    VERSION = 2                  0.00    50           0     Spin easy     10
    UNITS = ENGLISH              5.00    50           ^ s   ^ message     ^ shown for, s
    DESCRIPTION = ...            5.00    88           [END COURSE TEXT]
    FILE NAME = ...              12.50   88
    FTP = 250   (ERG)            [END COURSE DATA]
    MINUTES WATTS | MINUTES PERCENT
    [END COURSE HEADER]

Each pair of consecutive points is a segment: flat when both values match, a ramp otherwise;
two points at the same minute are where one step ends and the next begins.

The writer: two points per step (a ramp's two ends; a warm-up or cool-down range as a ramp
up or down), minutes with as many decimals as whole seconds need, MRC percent with one
decimal where needed, ERG whole watts (it needs the athlete's FTP to turn percents and zones
into watts); step names, notes and cues as ``[COURSE TEXT]``.

The reader (:func:`read_erg`, :func:`read_mrc`) is below the writer.
"""

from __future__ import annotations

from workouts import Thresholds
from workouts.notes import Notes

from . import reading
from .levels import NO_TARGET_SHARE, CannotHold, cues, flatten, level

TEXT_SECONDS = 10  # how long a course text shows


# -- the writer ------------------------------------------------------------------------------------

def write(fmt: str, normalized: dict, thresholds: Thresholds, steps: list, notes: Notes | None = None) -> bytes:
    """The .erg or .mrc of a workout whose steps carry their whole ``seconds`` (trainer_files.make)."""
    notes = notes if notes is not None else Notes()
    sport = normalized["sport"]
    if sport != "BIKE":
        raise CannotHold(f"sport: {fmt.upper()} files are for bikes on a trainer, not {sport.lower()}s")
    if fmt == "erg" and not thresholds.ftp_watts:
        raise CannotHold("ERG files hold watts: the athlete's FTP is needed to turn zones and percents of FTP "
                         "into watts")
    points: list[tuple[float, float]] = []
    texts: list[tuple[float, str]] = []
    clock = 0
    for step in flatten(steps):
        target = step.get("target")
        if target and target["type"] == "HEART_RATE":
            raise CannotHold(f"{step['path']}: {fmt.upper()} files hold power, not heart rate")
        found = level(step, thresholds, sport)
        if found is None:
            share = NO_TARGET_SHARE[step["intensity"]]
            notes.add(step["path"], f"no power target: {round(share * 100)} % of FTP here "
                                    f"({fmt.upper()} files hold power only)")
            start = end = share
        elif found.ramp:
            start, end = found.start, found.end
        elif step["intensity"] == "WARMUP":
            start, end = found.start, found.end
        elif step["intensity"] == "COOLDOWN":
            start, end = found.end, found.start
        else:
            start = end = found.middle
        if step.get("cadence") or (target and target["type"] == "CADENCE"):
            notes.add(step["path"], f"the cadence target is not in {fmt.upper()} files")
        message = " — ".join(p for p in (step.get("name"), step.get("notes")) if p)
        if message:
            texts.append((clock, message))
        for cue in cues(step):
            texts.append((clock + min(max(float(cue["at"]), 0.0), max(step["seconds"] - 1, 0)), cue["text"]))
        points += [(clock, start), (clock + step["seconds"], end)]
        clock += step["seconds"]
    scale = thresholds.ftp_watts if fmt == "erg" else 100
    unit = "WATTS" if fmt == "erg" else "PERCENT"
    header = ["[COURSE HEADER]", "VERSION = 2", "UNITS = ENGLISH", f"DESCRIPTION = {_line(normalized['name'])}",
              f"FILE NAME = {_line(normalized['name'])}"]
    if fmt == "erg":
        header.append(f"FTP = {round(thresholds.ftp_watts)}")
    header += [f"MINUTES {unit}", "[END COURSE HEADER]", "[COURSE DATA]"]
    value = (lambda v: str(round(v * scale))) if fmt == "erg" else (lambda v: _number(v * scale, 1))
    data = [f"{_minutes(second)}\t{value(share)}" for second, share in points]
    lines = header + data + ["[END COURSE DATA]"]
    if texts:
        lines.append("[COURSE TEXT]")
        for second, text in sorted(texts, key=lambda item: item[0]):
            shown = max(1, min(TEXT_SECONDS, round(clock - second)))
            lines.append(f"{_number(second, 1)}\t{_line(text)}\t{shown}")
        lines.append("[END COURSE TEXT]")
    return ("\n".join(lines) + "\n").encode()


def _minutes(seconds: float) -> str:
    """Minutes with two decimals, or four where two would move a whole second."""
    text = f"{seconds / 60:.2f}"
    if abs(float(text) * 60 - seconds) > 1e-6:
        text = f"{seconds / 60:.4f}"
    return text


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _line(text: str) -> str:
    """Text on one line with no tab (a tab separates the columns)."""
    return " ".join(str(text).split())


# -- the reader ------------------------------------------------------------------------------------
#
# What it reads: the three sections above, in any case and spacing, ``KEY = VALUE`` or
# ``KEY=VALUE`` header lines, tab, space or comma separated columns, CRLF or LF, blank lines and
# ``;``/``#``/``//`` comment lines.  ``MINUTES WATTS`` and ``MINUTES PERCENT`` say what the values
# are (a file whose columns disagree with its extension is read by its columns, said so); watts
# with an ``FTP`` in the header become percents of it (said so), watts with none stay watts.
#
# - Times are minutes; most files write two decimals (0.6 s apart), so a point is read at the
#   whole second it stands for (said so where that moved it more than 50 ms).
# - A segment of 0 % or 0 W is a step with no target (said so).
# - Intensities are not in the file: a first rising ramp is WARMUP, a last falling ramp
#   COOLDOWN, a step at or under 55 % of FTP RECOVERY, the rest ACTIVE (said so).
# - Runs of the same segments (a period of up to 8, done at least twice) become repeat blocks.
# - A file of more segments than a workout holds (MAX_EXPANDED_STEPS after expansion, repeats
#   do not help) is read by merging neighbours, cheapest first: two segments become the
#   straight line (or flat step) nearest to both in the least-squares sense, which keeps the
#   time exact and the work (the area under the power) exact before rounding; the note says
#   how many segments became how many steps, how far the power moved at most, and the work's
#   change after rounding.  Where reaching the limit would move the power by more than
#   MERGE_LIMIT_PERCENT of FTP (or that share of the average watts), the file is refused
#   with that reason rather than guessed at.  Once merging, it goes on past the limit while
#   the merged neighbours stay within NEAR_PERCENT of the file (root mean square): a ramp drawn
#   as a staircase of 1 W steps reads as the ramp it is.

MERGE_LIMIT_PERCENT = 10.0
NEAR_PERCENT = 0.5  # once merging, neighbours this close (root mean square, % of FTP) merge too
ZONE1_PERCENT = 55
SECTIONS = ("COURSE HEADER", "COURSE DATA", "COURSE TEXT")
HEADER_KEYS = ("VERSION", "UNITS", "DESCRIPTION", "FILE NAME", "FTP")


def read_erg(data: bytes, sport: str | None = None):
    """An .erg file (minutes and watts) as our workout and notes, or :class:`ReadError`."""
    return _read(data, "erg", sport)


def read_mrc(data: bytes, sport: str | None = None):
    """An .mrc file (minutes and percent of FTP) as our workout and notes, or :class:`ReadError`."""
    return _read(data, "mrc", sport)


def _decode(data: bytes, notes: Notes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.add("", "the file is not UTF-8: read as Windows-1252 text (as older trainer software writes it)")
        return data.decode("cp1252", errors="replace")


def _minutes_to_seconds(text: str) -> tuple[float, bool]:
    """A time in minutes as seconds, at the whole second it stands for; True when that moved it."""
    value = float(text) * 60
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    whole = round(value)
    if decimals <= 2 or abs(value - whole) < 0.05:
        return float(whole), abs(value - whole) > 0.05
    return round(value, 1), False


class _Segment:
    __slots__ = ("start", "end", "v0", "v1")

    def __init__(self, start: float, end: float, v0: float, v1: float):
        self.start, self.end, self.v0, self.v1 = start, end, v0, v1

    @property
    def length(self) -> float:
        return self.end - self.start


def _read(data: bytes, fmt: str, sport: str | None):
    from workouts.constants import MAX_EXPANDED_STEPS

    from . import MAX_BYTES, Imported, LineProblem, ReadError

    problems: list = []

    def problem(line: int | None, message: str) -> None:
        problems.append(LineProblem(line, None, message))

    if len(data) > MAX_BYTES:
        raise ReadError([LineProblem(None, None, f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are read")])
    notes = Notes()
    text = _decode(bytes(data), notes)
    section = None
    seen: set[str] = set()
    header: dict[str, str] = {}
    unit = None
    points: list[tuple[float, float, int]] = []  # seconds, value, line
    texts: list[tuple[float, str, int]] = []
    moved = extra_columns = tabless = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith((";", "#", "//")):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = " ".join(line[1:-1].upper().split())
            if name in SECTIONS:
                section = name
                seen.add(name)
            elif name.startswith("END ") and name[4:] in SECTIONS:
                section = None
            else:
                problem(number, f"[{line[1:-1].strip()}] is not a section of a course file")
            continue
        if section == "COURSE HEADER":
            if "=" in line:
                key, value = (part.strip() for part in line.split("=", 1))
                key = " ".join(key.upper().split())
                if key in header:
                    continue
                header[key] = value
                if key not in HEADER_KEYS:
                    notes.add("", f"line {number}: the header's {key} is not something a workout keeps: left out")
                continue
            words = line.upper().replace(",", " ").split()
            if words[:1] == ["MINUTES"] and len(words) >= 2 and words[1] in ("WATTS", "PERCENT"):
                unit = words[1]
            elif words and words[0] in ("DISTANCE", "MILES", "KM", "KILOMETERS", "MILE", "METERS"):
                problem(number, f"'{line}': a course by distance (a slope over the road) is not a workout "
                                "of timed power steps")
            else:
                problem(number, f"'{line[:40]}' is neither KEY = VALUE nor MINUTES WATTS / MINUTES PERCENT")
        elif section == "COURSE DATA":
            columns = line.replace(",", " ").replace(";", " ").split()
            if len(columns) < 2:
                problem(number, f"'{line[:40]}' needs a time in minutes and a value")
                continue
            extra_columns = extra_columns or len(columns) > 2
            try:
                seconds, snapped = _minutes_to_seconds(columns[0])
                value = float(columns[1])
            except ValueError:
                problem(number, f"'{line[:40]}' is not two numbers (minutes and a value)")
                continue
            if not (seconds == seconds and value == value) or seconds < 0 or value < 0 or \
                    seconds in (float("inf"),) or value in (float("inf"),):
                problem(number, f"'{line[:40]}': times and values are never negative")
                continue
            if points and seconds < points[-1][0]:
                problem(number, f"the time {columns[0]} min goes back before the line above's")
                continue
            moved = moved or snapped
            points.append((seconds, value, number))
        elif section == "COURSE TEXT":
            if "\t" in raw:
                parts = [p.strip() for p in raw.split("\t") if p.strip()]
            else:
                first, _, rest = line.partition(" ")
                parts = [first, rest.strip()] if rest.strip() else [first]
                tabless = tabless or bool(rest.strip())
            try:
                at = float(parts[0])
            except ValueError:
                problem(number, f"'{line[:40]}' does not start with the time in seconds")
                continue
            if len(parts) < 2 or at < 0 or at != at:
                problem(number, f"'{line[:40]}' needs a time in seconds and a text")
                continue
            texts.append((at, parts[1], number))
        else:
            problem(number, f"'{line[:40]}' is outside the [COURSE HEADER], [COURSE DATA] and [COURSE TEXT] sections")
    if "COURSE DATA" not in seen and not problems:
        problem(None, "the file has no [COURSE DATA] section: not an ERG/MRC course file")
    ftp = None
    if "FTP" in header:
        try:
            ftp = float(header["FTP"].split()[0])
            if not ftp > 0:
                raise ValueError
        except (ValueError, IndexError):
            problem(None, f"the header's FTP '{header['FTP'][:20]}' is not a number of watts")
            ftp = None
    if problems:
        raise ReadError(problems)

    expected = "WATTS" if fmt == "erg" else "PERCENT"
    if unit is None:
        unit = expected
        notes.add("", f"the header has no MINUTES {expected} line: values read as {expected.lower()} "
                      f"(a .{fmt} file's)")
    elif unit != expected:
        notes.add("", f"a .{fmt} file holding {unit.lower()}: read as {unit.lower()}, as its columns say")
    if moved:
        notes.add("", "times are minutes with two decimals: each point read at the whole second it stands for")
    if extra_columns:
        notes.add("", "columns after the minutes and the value are left out")
    if tabless:
        notes.add("", "course text without tabs between its columns: all after the time read as the text")

    segments = [_Segment(a[0], b[0], a[1], b[1]) for a, b in zip(points, points[1:]) if b[0] > a[0]]
    if not segments:
        line = points[0][2] if points else None
        raise ReadError([LineProblem(line, None, "the course data has no segment (two points at different times)")])
    percent = unit == "PERCENT" or ftp is not None
    if unit == "WATTS" and ftp is not None:
        for segment in segments:
            segment.v0, segment.v1 = segment.v0 / ftp * 100, segment.v1 / ftp * 100
        notes.add("", f"watts read as percents of the file's FTP ({ftp:g} W): the workout fits any athlete")

    if len(segments) > MAX_EXPANDED_STEPS:
        segments = _merge(segments, MAX_EXPANDED_STEPS, percent, notes)

    steps = [_step(segment, percent) for segment in segments]
    _intensities(steps, segments, percent, notes)
    texts.sort(key=lambda item: item[0])
    if texts:
        found: dict[int, list] = {}
        for at, message, _ in texts:
            index = next((i for i, s in enumerate(segments) if s.start <= at < s.end), None)
            if index is None:
                index = 0 if at < segments[0].start else len(segments) - 1
            found.setdefault(index, []).append((at - segments[index].start, message))
        for index, items in found.items():
            reading.add_cues(steps[index], items, f"steps[{index}]", notes)
        notes.add("", "how long each course text shows is not kept (cues show for the app's usual time)")
    blocked = reading.find_repeats(steps)
    if len(blocked) < len(steps):
        notes.add("", "runs of the same segments are read as repeat blocks")

    header_name = header.get("FILE NAME", "").strip()
    for suffix in (".erg", ".mrc", ".ERG", ".MRC"):
        header_name = header_name.removesuffix(suffix)
    description = header.get("DESCRIPTION", "").strip()
    name = header_name or description
    workout = {"sport": "BIKE", "name": reading.name_of(name, notes)}
    if description and description != name:
        described = reading.description_of(description, notes)
        if described:
            workout["description"] = described
    if sport and sport != "BIKE":
        notes.add("sport", f"ERG and MRC files are rides; the session is a {sport.lower()}: read as a ride")
    workout["steps"] = blocked
    return Imported(workout, list(notes.items))


def _value(value: float) -> int | float:
    return reading.number(value, 1)


def _step(segment: _Segment, percent: bool) -> dict:
    start, end = _value(segment.v0), _value(segment.v1)
    step = {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": reading.seconds(segment.length)}}
    extra = {"unit": "PERCENT"} if percent else {}
    if start == end == 0:
        step["target"] = None
    elif start == end:
        step["target"] = {"type": "POWER", "min": start, "max": end, **extra}
    else:
        step["target"] = {"type": "POWER", "from": start, "to": end, **extra}
    return step


def _intensities(steps: list[dict], segments: list[_Segment], percent: bool, notes: Notes) -> None:
    """Labels the file does not have, from the shape of the power (said so)."""
    zero = [i for i, s in enumerate(steps) if s["target"] is None]
    for index in zero:
        notes.add(f"steps[{index}]", "0 (no resistance) is read as a step with no target")
    for index, (step, segment) in enumerate(zip(steps, segments)):
        if index == 0 and segment.v1 > segment.v0 and len(steps) > 1:
            step["intensity"] = "WARMUP"
        elif index == len(steps) - 1 and segment.v1 < segment.v0 and len(steps) > 1:
            step["intensity"] = "COOLDOWN"
        elif percent and step["target"] is not None and max(segment.v0, segment.v1) <= ZONE1_PERCENT:
            step["intensity"] = "RECOVERY"
    notes.add("", "ERG and MRC files have no step intensities: a first rising ramp is read as WARMUP, a last "
                  "falling one as COOLDOWN" + (", steps at or under 55 % of FTP as RECOVERY" if percent else "")
                  + ", the others as ACTIVE")


# -- merging a long file's segments --------------------------------------------------------------------

class _Group:
    """Neighbouring segments read as one: the moments of the power over them (time from the
    group's start), from which the least-squares line and its error come in O(1)."""

    __slots__ = ("start", "end", "i0", "i1", "i2", "f0", "f1", "f2", "pieces", "alive", "prev", "next")

    def __init__(self, segment: _Segment):
        length, v0, v1 = segment.length, segment.v0, segment.v1
        slope = (v1 - v0) / length
        self.start, self.end = segment.start, segment.end
        self.i0, self.i1, self.i2 = length, length ** 2 / 2, length ** 3 / 3
        self.f0 = length * (v0 + v1) / 2
        self.f1 = v0 * length ** 2 / 2 + slope * length ** 3 / 3
        self.f2 = length * (v0 * v0 + v0 * v1 + v1 * v1) / 3
        self.pieces = [segment]
        self.alive = True
        self.prev = self.next = None

    def merged_moments(self, other: "_Group") -> tuple:
        shift = other.start - self.start
        i0 = self.i0 + other.i0
        i1 = self.i1 + other.i1 + shift * other.i0
        i2 = self.i2 + other.i2 + 2 * shift * other.i1 + shift * shift * other.i0
        f0 = self.f0 + other.f0
        f1 = self.f1 + other.f1 + shift * other.f0
        f2 = self.f2 + other.f2
        return i0, i1, i2, f0, f1, f2

    @staticmethod
    def fit(i0, i1, i2, f0, f1, f2) -> tuple[float, float, float]:
        """(value at the start, slope, squared error) of the least-squares line."""
        det = i0 * i2 - i1 * i1
        if det <= 1e-12 * max(1.0, i0 * i2):
            return f0 / i0, 0.0, max(0.0, f2 - f0 * f0 / i0)
        alpha = (f0 * i2 - f1 * i1) / det
        beta = (i0 * f1 - i1 * f0) / det
        return alpha, beta, max(0.0, f2 - alpha * f0 - beta * f1)

    def error(self) -> float:
        return self.fit(self.i0, self.i1, self.i2, self.f0, self.f1, self.f2)[2]


def _merge(segments: list[_Segment], limit: int, percent: bool, notes: Notes) -> list[_Segment]:
    import heapq

    from . import LineProblem, ReadError

    groups = [_Group(s) for s in segments]
    for left, right in zip(groups, groups[1:]):
        left.next, right.prev = right, left
    heap: list = []

    def push(left: _Group) -> None:
        right = left.next
        if right is None:
            return
        cost = _Group.fit(*left.merged_moments(right))[2] - left.error() - right.error()
        heapq.heappush(heap, (cost, left.start, id(left), id(right), left, right))

    for group in groups[:-1]:
        push(group)
    count = len(groups)
    total = segments[-1].end - segments[0].start
    average = sum(s.length * (s.v0 + s.v1) / 2 for s in segments) / total
    close = (NEAR_PERCENT if percent else average * NEAR_PERCENT / 100) ** 2  # mean squared deviation
    while heap:
        cost, _, _, _, left, right = heapq.heappop(heap)
        if not (left.alive and right.alive and left.next is right):
            continue
        # Past the limit only the near-identical: a merged group within NEAR_PERCENT (root mean square).
        merged_error = _Group.fit(*left.merged_moments(right))[2]
        if count <= limit and merged_error > close * (right.end - left.start):
            continue
        (left.i0, left.i1, left.i2, left.f0, left.f1, left.f2) = left.merged_moments(right)
        left.end = right.end
        left.pieces.extend(right.pieces)
        right.alive = False
        left.next = right.next
        if right.next is not None:
            right.next.prev = left
        count -= 1
        if left.prev is not None:
            push(left.prev)
        push(left)

    out: list[_Segment] = []
    worst = 0.0
    group = groups[0]
    while group is not None:
        alpha, beta, _ = _Group.fit(group.i0, group.i1, group.i2, group.f0, group.f1, group.f2)
        length = group.end - group.start
        start, end = alpha, alpha + beta * length
        if abs(end - start) < 0.5:  # a slope of under half a point (or watt) is a flat step
            start = end = group.f0 / group.i0
        for piece in group.pieces:
            for t, v in ((piece.start, piece.v0), (piece.end, piece.v1)):
                line = start + (end - start) * (t - group.start) / length
                worst = max(worst, abs(line - v))
        out.append(_Segment(group.start, group.end, start, end))
        group = group.next
    original = average * total
    ceiling = MERGE_LIMIT_PERCENT if percent else average * MERGE_LIMIT_PERCENT / 100
    unit = "% of FTP" if percent else "W"
    if worst > ceiling:
        raise ReadError([LineProblem(None, None, f"the file has {len(segments)} segments and a workout holds at most "
                                                 f"{limit} steps; merging its neighbours would move the power by up "
                                                 f"to {worst:.0f} {unit}, more than {ceiling:.0f}: not read")])
    kept = sum(s.length * (_value(s.v0) + _value(s.v1)) / 2 for s in out)
    change = abs(kept - original) / original * 100 if original else 0.0
    notes.add("steps", f"{len(segments)} segments read as {len(out)} steps (a workout holds {limit}): neighbouring "
                       f"segments merged where they differ least, the power moved by at most {worst:.1f} {unit}, "
                       f"the time exact and the work within {max(change, 0.01):.2f} %")
    return out
