"""Training zones and percents: the spec's default tables, and how a zone or a percent of a
threshold becomes watts, bpm or a pace for one athlete (one rounding, one pace inversion)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .constants import SWIM_PACE_FACTOR

# Percent of the threshold, per zone (workout-format.md, "Zones").
ZONE_TABLES: dict[str, tuple[tuple[int, int], ...]] = {
    "POWER": ((0, 55), (56, 75), (76, 90), (91, 105), (106, 120), (121, 150), (151, 200)),
    "HEART_RATE": ((50, 60), (60, 70), (70, 80), (80, 90), (90, 100)),
    "PACE": ((70, 78), (78, 88), (88, 95), (95, 101), (101, 110)),
}


def zone_count(target_type: str) -> int:
    """How many zones a target type has; CADENCE has none."""
    return len(ZONE_TABLES.get(target_type, ()))


def round_half_up(value: float) -> int:
    # Python's round() rounds halves to even; a coach expects 137.5 W to read 138.
    return int(math.floor(value + 0.5))


@dataclass(frozen=True)
class Thresholds:
    """An athlete's thresholds; any of them may be unknown (None)."""

    ftp_watts: float | None = None
    max_heart_rate: float | None = None
    threshold_pace_sec_per_km: float | None = None
    swim_threshold_pace_sec_per_100m: float | None = None

    def for_target(self, target_type: str, sport: str) -> float | None:
        """The threshold a zone of this type is a percentage of, in canonical units."""
        if target_type == "POWER":
            return self.ftp_watts
        if target_type == "HEART_RATE":
            return self.max_heart_rate
        if target_type == "PACE":
            if sport == "SWIM":
                pace = self.swim_threshold_pace_sec_per_100m
                return pace * SWIM_PACE_FACTOR if pace else None
            return self.threshold_pace_sec_per_km
        return None


def zone_percent(target_type: str, zone: int) -> tuple[int, int]:
    return ZONE_TABLES[target_type][zone - 1]


def pace_speed(pace_sec_per_km: float) -> float:
    """A pace (s/km) as the speed (m/s, 4 decimals) that Garmin and Wahoo targets take."""
    return round(1000.0 / pace_sec_per_km, 4)


def resolve_percent(target_type: str, percent: float, threshold: float) -> int:
    """One percent of a threshold in canonical units, rounded to a whole unit like a zone's ends.

    POWER and HEART_RATE: that share of FTP or max heart rate.  PACE: that share of the
    threshold *speed*, turned back into seconds per km (so 105 % is a faster, smaller pace).
    A ramp's ends and a percent range's ends are each resolved with this.
    """
    if target_type == "PACE":
        speed = 1000.0 / threshold
        return round_half_up(1000.0 / (speed * percent / 100.0))
    return round_half_up(threshold * percent / 100.0)


def resolve_range(target_type: str, low: float, high: float, threshold: float) -> tuple[int, int]:
    """The (min, max) of a percent range, in canonical units.

    A pace's higher percent is the faster, smaller number, so it gives the range's ``min``.
    """
    if target_type == "PACE":
        return resolve_percent(target_type, high, threshold), resolve_percent(target_type, low, threshold)
    return resolve_percent(target_type, low, threshold), resolve_percent(target_type, high, threshold)


def resolve_zone(target_type: str, zone: int, threshold: float) -> tuple[int, int]:
    """The (min, max) of a zone for a threshold, in canonical units, rounded to whole units.

    Pace zones are percentages of the threshold *speed*: a faster pace is a smaller number,
    so the zone's high percentage gives the range's ``min``.
    """
    low, high = zone_percent(target_type, zone)
    return resolve_range(target_type, low, high, threshold)
