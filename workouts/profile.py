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
- repeats are bracketed above their bars ("4×").

The SVG carries a <title> and <desc>; :attr:`Profile.summary` says the totals and the main set
in words, shown beside it for everyone.  No Flask: the pages, the editor's live panel and the
tests all call :func:`draw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

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


@dataclass(frozen=True)
class Profile:
    bars: tuple[Bar, ...]
    brackets: tuple[tuple[float, float, int], ...]  # (start s, end s, repeat count)
    seconds: float
    summary: str
    svg: str


def draw(normalized: dict, thresholds: Thresholds | None = None, width: int = 640, height: int = 160,
         title: str | None = None, small: bool = False, ident: str = "p") -> Profile:
    """The profile; ``ident`` keeps the SVG's ids unique on a page holding several."""
    thresholds = thresholds or Thresholds()
    sport = normalized["sport"]
    bars: list[Bar] = []
    brackets: list[tuple[float, float, int]] = []
    clock = 0.0

    def walk(nodes) -> None:
        nonlocal clock
        for node in nodes:
            if isinstance(node, Repeat):
                begin = clock
                for _ in range(node.count):
                    walk(node.steps)
                brackets.append((begin, clock, node.count))
                continue
            seconds, estimated = step_seconds(node, sport, thresholds)
            ramp = ramp_heights(node, sport, thresholds)
            start, end = ramp if ramp else (intensity(node, sport, thresholds), None)
            mean = start if end is None else (start + end) / 2
            cues = tuple((cue["at"], cue["text"]) for cue in node.get("cues") or ())
            bars.append(Bar(clock, seconds, start, zone_of(mean), step_label(node, sport), estimated, end, cues))
            clock += seconds

    walk(native_tree(normalized["steps"]))
    summary = summarize(normalized, bars, sport)
    svg = render(bars, brackets, clock, width, height, title or normalized["name"], summary, small, ident)
    return Profile(tuple(bars), tuple(brackets), clock, summary, svg)


# -- how long, how hard ------------------------------------------------------------------------

def step_seconds(step: dict, sport: str, thresholds: Thresholds) -> tuple[float, bool]:
    duration = step["duration"]
    if duration["type"] == "TIME":
        return float(duration["value"]), False
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
    return TYPICAL_SPEED[sport]


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
    parts = [step["intensity"].capitalize(), length_text(step["duration"])]
    target = target_text(step.get("target"), sport)
    if target:
        parts.append(target)
    cues = cues_text(step.get("cues"))
    if cues:
        parts.append(cues)
    return " · ".join(parts)


# -- in words ------------------------------------------------------------------------------------

def summarize(normalized: dict, bars: list[Bar], sport: str) -> str:
    """Totals and the main set: ``1 h 10 min · 4 × (8 min 250–265 W, 2 min Z1 · 0–55 %)``."""
    totals = normalized["totals"]
    parts = []
    estimated = any(bar.estimated for bar in bars)
    seconds = sum(bar.seconds for bar in bars)
    if seconds:
        parts.append(("About " if estimated else "") + duration_text(seconds))
    if totals["distanceMeters"]:
        parts.append(distance_text(totals["distanceMeters"]))
    main = main_set(normalized, sport)
    if main:
        parts.append(main)
    return " · ".join(parts)


def main_set(normalized: dict, sport: str) -> str | None:
    nodes = native_tree(normalized["steps"])
    repeats = [n for n in nodes if isinstance(n, Repeat)]
    if repeats:
        biggest = max(repeats, key=lambda r: r.expanded)
        return f"{biggest.count} × ({'; '.join(_brief(child, sport) for child in biggest.steps)})"
    active = [n for n in nodes if not isinstance(n, Repeat) and n["intensity"] == "ACTIVE"]
    return _brief(max(active, key=lambda s: s["duration"].get("value") or 0), sport) if active else None


def _brief(node, sport: str) -> str:
    if isinstance(node, Repeat):
        return f"{node.count} × ({', '.join(_brief(child, sport) for child in node.steps)})"
    target = target_text(node.get("target"), sport)
    return length_text(node["duration"]) + (f" {target}" if target else "")


# -- the picture -----------------------------------------------------------------------------------

def render(bars: list[Bar], brackets: list, total: float, width: int, height: int, title: str, summary: str,
           small: bool, ident: str) -> str:
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
    if not small:
        line = y(1.0)  # the threshold
        out.append(f'<line class="threshold" x1="0" x2="{width}" y1="{line}" y2="{line}"/>')
    bottom = top + chart
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
        out.append(f'<rect class="z{bar.zone}{" estimated" if bar.estimated else ""}" x="{left}" y="{y(peak)}" '
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

