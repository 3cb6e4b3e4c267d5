"""A workout drawn as an intensity profile: an inline SVG, and the words that say the same.

Every coaching tool draws a workout this way; ours is server-rendered (no JavaScript), from the
normalized workout and the athlete's thresholds:

- bar width is the step's duration: its time, or for a distance (or a lap-press step) an
  estimate from the step's pace target, the athlete's threshold pace, or a typical speed;
- bar height is intensity as a share of the athlete's threshold where it is known (watts of
  FTP, speed of threshold speed, heart rate placed in its zone), else the zone's middle,
  else a height for the step's intensity label;
- colour is the zone of that intensity (the power table's bands), so every sport reads alike;
- a ramp is a bar clipped to a slope from its start height to its end height, coloured by its mean;
- a text cue is a tick at its time, its text in the tick's tooltip and in the step's label;
- repeats are bracketed above their bars ("4×");
- a strength or cardio workout is its sets: a bar per step (a set of REPS lasts about
  :data:`REP_SECONDS` a rep, estimated), as high as its load is heavy among the workout's
  loads, labelled ``Back squat 5 × 100 kg``; its bars have the classes ``sport-strength`` (or
  ``sport-cardio``) and ``set`` or ``rest``, not a zone;
- a multisport workout is its legs one after another, each leg's bars carrying the class of
  its sport (``sport-bike``, ``sport-run``, ``sport-swim``, ``sport-row``, ``sport-other``,
  ``sport-strength``, ``sport-cardio``) beside their zone, on a band ``leg sport-<sport>``
  with a ``leg-label``, and a ``transition`` line where one leg hands over to the next.
  Colours are the stylesheet's: these class names are what it styles.

The SVG carries a <title> and <desc>; :attr:`Profile.summary` says the totals and the main set
in words, shown beside it for everyone.  No Flask: the pages, the editor's live panel and the
tests all call :func:`draw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .constants import MULTISPORT, STRENGTH_SPORTS
from .strength import set_text
from .structure import Repeat, native_tree
from .text import cues_text, distance_text, duration_text, length_text, target_text
from .zones import ZONE_TABLES, Thresholds

# A step's height when nothing says how hard it is, by its intensity label (share of threshold).
LABEL_HEIGHT = {"WARMUP": 0.55, "ACTIVE": 0.8, "RECOVERY": 0.5, "REST": 0.35, "COOLDOWN": 0.5}
# Speeds (m/s) for steps of distance with no pace to go by, and lap-press steps' usual length.
TYPICAL_SPEED = {"BIKE": 30 / 3.6, "RUN": 10 / 3.6, "SWIM": 100 / 120, "ROW": 4.0, "OTHER": 3.0}
OPEN_SECONDS = {"WARMUP": 600, "COOLDOWN": 600, "RECOVERY": 300, "REST": 300, "ACTIVE": 600}
# Heart-rate zones placed on the power scale (their middle, as a share of threshold).
HR_ZONE_HEIGHT = {1: 0.5, 2: 0.66, 3: 0.83, 4: 0.98, 5: 1.12}
POWER_BANDS = [high / 100 for _, high in ZONE_TABLES["POWER"]]  # zone n ends here
CEILING = 1.6  # the top of the chart: 160 % of threshold
REP_SECONDS = 4  # about how long a repetition takes: a set's bar width, said to be an estimate
# A set's height: the lightest load shows low, the heaviest high (a set with no load: its label's).
LOAD_HEIGHTS = (0.5, 1.2)
SPORT_LABELS = {"BIKE": "Bike", "RUN": "Run", "SWIM": "Swim", "ROW": "Row", "OTHER": "Other",
                "STRENGTH": "Strength", "CARDIO": "Cardio"}


@dataclass(frozen=True)
class Bar:
    start: float  # seconds from the start
    seconds: float
    height: float  # share of threshold
    zone: int  # 1-7, for the colour
    label: str  # what the step is, in words
    estimated: bool  # its length is an estimate (distance, lap press)
    end_height: float | None = None  # a ramp's height at its end (``height`` is its start); None: flat
    cues: tuple[tuple[float, str], ...] = ()  # (seconds into the step, text)
    css: str = ""  # its classes when not only its zone's (strength sets, multisport legs)


@dataclass(frozen=True)
class Profile:
    bars: tuple[Bar, ...]
    brackets: tuple[tuple[float, float, int], ...]  # (start s, end s, repeat count)
    seconds: float
    summary: str
    svg: str
    legs: tuple[tuple[float, float, str], ...] = ()  # a multisport workout's (start s, end s, sport)


def draw(normalized: dict, thresholds: Thresholds | None = None, width: int = 640, height: int = 160,
         title: str | None = None, small: bool = False, ident: str = "p") -> Profile:
    """The profile; ``ident`` keeps the SVG's ids unique on a page holding several."""
    thresholds = thresholds or Thresholds()
    multi = normalized["sport"] == MULTISPORT
    bodies = ([(leg["sport"], leg["steps"]) for leg in normalized["legs"]] if multi
              else [(normalized["sport"], normalized["steps"])])
    bars: list[Bar] = []
    brackets: list[tuple[float, float, int]] = []
    legs: list[tuple[float, float, str]] = []
    clock = 0.0

    def walk(nodes, sport: str, loads: tuple[float, float] | None) -> None:
        nonlocal clock
        for node in nodes:
            if isinstance(node, Repeat):
                begin = clock
                for _ in range(node.count):
                    walk(node.steps, sport, loads)
                brackets.append((begin, clock, node.count))
                continue
            seconds, estimated = step_seconds(node, sport, thresholds)
            cues = tuple((cue["at"], cue["text"]) for cue in node.get("cues") or ())
            if sport in STRENGTH_SPORTS:
                start = set_height(node, loads)
                css = f"sport-{sport.lower()} {'rest' if node['intensity'] == 'REST' else 'set'}"
                bars.append(Bar(clock, seconds, start, zone_of(start), step_label(node, sport), estimated, None,
                                cues, css))
            else:
                ramp = ramp_heights(node, sport, thresholds)
                start, end = ramp if ramp else (intensity(node, sport, thresholds), None)
                zone = zone_of(start if end is None else (start + end) / 2)
                css = f"sport-{sport.lower()} z{zone}" if multi else ""
                bars.append(Bar(clock, seconds, start, zone, step_label(node, sport), estimated, end, cues, css))
            clock += seconds

    for sport, steps in bodies:
        begin = clock
        walk(native_tree(steps), sport, load_range(steps) if sport in STRENGTH_SPORTS else None)
        legs.append((begin, clock, sport))
    summary = summarize(normalized, bars, normalized["sport"], legs)
    legs_drawn = tuple(legs) if multi else ()
    svg = render(bars, brackets, clock, width, height, title or normalized["name"], summary, small, ident, legs_drawn,
                 threshold=normalized["sport"] not in STRENGTH_SPORTS)
    return Profile(tuple(bars), tuple(brackets), clock, summary, svg, legs_drawn)


def load_range(steps: list[dict]) -> tuple[float, float] | None:
    """The lightest and heaviest load of a strength workout's steps (kg), or None."""
    loads = [step["weight"]["kg"] for step in steps if step.get("weight")]
    return (min(loads), max(loads)) if loads else None


def set_height(step: dict, loads: tuple[float, float] | None) -> float:
    """How high a strength step's bar stands: by its load among the workout's, else its label."""
    weight = step.get("weight")
    if not weight or not loads or step["intensity"] == "REST":
        return LABEL_HEIGHT[step["intensity"]]
    low, high = loads
    share = (weight["kg"] - low) / (high - low) if high > low else 1.0
    return LOAD_HEIGHTS[0] + (LOAD_HEIGHTS[1] - LOAD_HEIGHTS[0]) * share


# -- how long, how hard ------------------------------------------------------------------------

def step_seconds(step: dict, sport: str, thresholds: Thresholds) -> tuple[float, bool]:
    duration = step["duration"]
    if duration["type"] == "TIME":
        return float(duration["value"]), False
    if duration["type"] == "REPS":
        return float(duration["value"] * REP_SECONDS), True
    if duration["type"] == "OPEN":
        return float(OPEN_SECONDS[step["intensity"]]), True
    return duration["value"] / speed_of(step, sport, thresholds), True


def speed_of(step: dict, sport: str, thresholds: Thresholds) -> float:
    """Metres per second for a distance step: its pace target, the athlete's threshold pace
    (runs and swims: a rider's run pace says nothing of their speed) scaled by how hard the
    step is, or a typical speed for the sport."""
    target = step.get("target") or {}
    if target.get("type") == "PACE" and "min" in target:
        return 1000 / ((target["min"] + target["max"]) / 2)
    threshold = thresholds.for_target("PACE", sport) if sport in ("RUN", "SWIM") else None
    if threshold:
        return 1000 / threshold * min(1.1, max(0.6, intensity(step, sport, thresholds)))
    return TYPICAL_SPEED.get(sport, TYPICAL_SPEED["OTHER"])  # a carry in a strength workout: walking-ish


def intensity(step: dict, sport: str, thresholds: Thresholds) -> float:
    """How hard, as a share of the athlete's threshold (a ramp: its mean)."""
    target = step.get("target")
    if target is None or target["type"] == "CADENCE":
        return LABEL_HEIGHT[step["intensity"]]
    ramp = ramp_heights(step, sport, thresholds)
    if ramp:
        return sum(ramp) / 2
    kind = target["type"]
    if "min" not in target:
        if target.get("percent"):  # a percent with no threshold: the percent itself
            percent = target["percent"]
            return _share_of_percent(kind, (percent["min"] + percent["max"]) / 2)
        if kind == "HEART_RATE":  # a zone with no threshold: its middle
            return HR_ZONE_HEIGHT[target["zone"]]
        low, high = ZONE_TABLES[kind][target["zone"] - 1]
        return (low + high) / 200
    share = _share_of_value(kind, (target["min"] + target["max"]) / 2, sport, thresholds)
    return LABEL_HEIGHT[step["intensity"]] if share is None else share


def ramp_heights(step: dict, sport: str, thresholds: Thresholds) -> tuple[float, float] | None:
    """A ramp's heights at its start and end; None for a step that is not a ramp."""
    target = step.get("target") or {}
    percent = target.get("percent") or {}
    if "from" in target:
        ends = [_share_of_value(target["type"], target[key], sport, thresholds) for key in ("from", "to")]
        if None not in ends:
            return ends[0], ends[1]
        if not percent:  # watts with no FTP: drawn by its label, sloped nowhere
            height = LABEL_HEIGHT[step["intensity"]]
            return height, height
    if "from" in percent:
        return _share_of_percent(target["type"], percent["from"]), _share_of_percent(target["type"], percent["to"])
    return None


def _share_of_value(kind: str, value: float, sport: str, thresholds: Thresholds) -> float | None:
    """Watts, bpm or a pace as a share of the athlete's threshold; None where it is unknown."""
    threshold = thresholds.for_target(kind, sport)
    if not threshold:
        return None
    if kind == "POWER":
        return value / threshold
    if kind == "PACE":
        return threshold / value
    return _heart_rate_height(value / threshold * 100)


def _share_of_percent(kind: str, percent: float) -> float:
    # POWER and PACE percents are already shares (of FTP, of threshold speed); heart rate is placed in its zone.
    return _heart_rate_height(percent) if kind == "HEART_RATE" else percent / 100


def _heart_rate_height(share: float) -> float:
    for zone, (low, high) in enumerate(ZONE_TABLES["HEART_RATE"], start=1):
        if share <= high:
            return HR_ZONE_HEIGHT[zone]
    return HR_ZONE_HEIGHT[5]


def zone_of(relative: float) -> int:
    for zone, top in enumerate(POWER_BANDS, start=1):
        if relative <= top + 0.005:
            return zone
    return 7


def step_label(step: dict, sport: str) -> str:
    if sport in STRENGTH_SPORTS:
        parts = [set_text(step)]
        target, cues = target_text(step.get("target"), sport), cues_text(step.get("cues"))
        return " · ".join(p for p in (parts[0], target, cues) if p)
    parts = [step["intensity"].capitalize(), length_text(step["duration"])]
    target = target_text(step.get("target"), sport)
    if target:
        parts.append(target)
    cues = cues_text(step.get("cues"))
    if cues:
        parts.append(cues)
    return " · ".join(parts)


# -- in words ------------------------------------------------------------------------------------

def summarize(normalized: dict, bars: list[Bar], sport: str, legs: list | tuple = ()) -> str:
    """Totals and the main set: ``1 h 10 min · 4 × (8 min 250–265 W, 2 min Z1 · 0–55 %)``."""
    totals = normalized["totals"]
    parts = []
    estimated = any(bar.estimated for bar in bars)
    seconds = sum(bar.seconds for bar in bars)
    if seconds:
        parts.append(("About " if estimated else "") + duration_text(seconds))
    if totals["distanceMeters"]:
        parts.append(distance_text(totals["distanceMeters"]))
    if sport == MULTISPORT:
        parts.append(" → ".join(f"{SPORT_LABELS[leg]} {_leg_length(begin, end, bars)}" for begin, end, leg in legs))
        return " · ".join(parts)
    main = main_set(normalized, sport)
    if main:
        parts.append(main)
    return " · ".join(parts)


def _leg_length(begin: float, end: float, bars: list[Bar]) -> str:
    estimated = any(bar.estimated for bar in bars if begin <= bar.start < end)
    return ("about " if estimated else "") + duration_text(end - begin)


def main_set(normalized: dict, sport: str) -> str | None:
    nodes = native_tree(normalized["steps"])
    if sport in STRENGTH_SPORTS:  # every set, in order: a strength session is all main set
        return " · ".join(_brief(node, sport) for node in nodes if isinstance(node, Repeat) or
                          node["intensity"] != "REST") or None
    repeats = [n for n in nodes if isinstance(n, Repeat)]
    if repeats:
        biggest = max(repeats, key=lambda r: r.expanded)
        return f"{biggest.count} × ({'; '.join(_brief(child, sport) for child in biggest.steps)})"
    active = [n for n in nodes if not isinstance(n, Repeat) and n["intensity"] == "ACTIVE"]
    return _brief(max(active, key=lambda s: s["duration"].get("value") or 0), sport) if active else None


def _brief(node, sport: str) -> str:
    if isinstance(node, Repeat):
        return f"{node.count} × ({', '.join(_brief(child, sport) for child in node.steps)})"
    if sport in STRENGTH_SPORTS:
        return set_text(node)
    target = target_text(node.get("target"), sport)
    return length_text(node["duration"]) + (f" {target}" if target else "")


# -- the picture -----------------------------------------------------------------------------------

def render(bars: list[Bar], brackets: list, total: float, width: int, height: int, title: str, summary: str,
           small: bool, ident: str, legs: tuple = (), threshold: bool = True) -> str:
    if total <= 0:
        total = 1.0
    top = 0 if small else 18  # room for the repeat brackets
    chart = height - top

    def x(seconds: float) -> float:
        return round(seconds / total * width, 2)

    def y(relative: float) -> float:
        return round(top + chart - min(relative, CEILING) / CEILING * chart, 2)

    out = [f'<svg class="profile{" profile-small" if small else ""}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(summary)}</desc>']
    bottom = top + chart
    for index, (begin, end, sport) in enumerate(legs):
        # A multisport leg: a band in its sport's colour behind its bars, its name, and the handover.
        left, right = x(begin), x(end)
        out.append(f'<rect class="leg sport-{sport.lower()}" x="{left}" y="{top}" width="{round(right - left, 2)}" '
                   f'height="{chart}"/>')
        if index:
            out.append(f'<line class="transition" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>')
        if not small:
            out.append(f'<text class="leg-label" x="{round(left + 2, 2)}" y="{top + 10}">'
                       f'{escape(SPORT_LABELS[sport])}</text>')
    if not small and threshold:  # (a strength workout's heights are loads: it has no threshold)
        line = y(1.0)  # the threshold
        out.append(f'<line class="threshold" x1="0" x2="{width}" y1="{line}" y2="{line}"/>')
    for index, bar in enumerate(bars):
        left, right = x(bar.start), x(bar.start + bar.seconds)
        wide = max(0.5, round(right - left - (0.5 if small else 1), 2))
        peak = bar.height if bar.end_height is None else max(bar.height, bar.end_height)
        clip = ""
        if bar.end_height is not None:
            # A ramp: its bar clipped to a sloped top, so it stays a rect (coloured by the zone's CSS rule).
            end = round(left + wide, 2)
            out.append(f'<clipPath id="{ident}-r{index}"><polygon points="{left},{bottom} {left},{y(bar.height)} '
                       f'{end},{y(bar.end_height)} {end},{bottom}"/></clipPath>')
            clip = f' clip-path="url(#{ident}-r{index})"'
        classes = bar.css or f"z{bar.zone}"
        out.append(f'<rect class="{classes}{" estimated" if bar.estimated else ""}" x="{left}" y="{y(peak)}" '
                   f'width="{wide}" height="{round(bottom - y(peak), 2)}"{clip}><title>{escape(bar.label)}</title></rect>')
        if not small:
            for at, text in bar.cues:
                tick = x(bar.start + at)
                out.append(f'<path class="cue" d="M{tick},{bottom} V{top}" stroke="currentColor" stroke-dasharray="2 2">'
                           f'<title>{escape(text)}</title></path>')
    if not small:
        for begin, end, count in brackets:
            left, right = x(begin), x(end)
            out.append(f'<path class="bracket" d="M{left},14 V8 H{right} V14"/>'
                       f'<text class="bracket-label" x="{round((left + right) / 2, 2)}" y="7">{count}×</text>')
    out.append("</svg>")
    return "".join(out)

