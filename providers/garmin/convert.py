"""Garmin Training API V2: a normalized workout as Garmin's workout JSON, and what changed.

Follows providers.md, "Garmin Training API V2" (Garmin's "Training API V2" 1.0 of 2025-05-26),
sections Workouts (3.2.1) and Appendix C (swim), and workout-format.md, "Conversions":

- one segment of ``WorkoutStep`` and ``WorkoutRepeatStep`` (``REPEAT_UNTIL_STEPS_CMPLT``),
  ``stepOrder`` numbered depth-first; the document does not say a repeat may hold a
  repeat, so a block nested in a block goes with one level expanded (whichever gives fewer
  steps), which every device plays;
- at most 100 steps, a repeat step counting once plus its children (workouts.fitting): ramps
  go as flat steps (workouts.ramps: the same time, the work within 1 %), as many per ramp as
  let the whole workout fit; a workout still too long is compacted (runs of identical steps
  become repeat steps), then merged (workouts.simplify: the same time, the work within 2 %),
  each said; UNSUPPORTED only when nothing fits (distance and lap-press steps never merge);
- ``workoutProvider`` and ``workoutSourceId``: "HybridPeaks", the same, as 3.2.1 asks;
- PACE targets as a speed in m/s (the slower pace is ``targetValueLow``);
- cadence is a CYCLING secondary target, never over an OPEN primary: with no primary
  target the cadence range is the primary;
- a POWER or HEART_RATE zone the athlete has no threshold for goes as Garmin's zone number
  (``targetValue``): the device plays the athlete's own zones from Garmin Connect (noted);
  Garmin has no pace zones, so an unresolved pace zone goes without a target, and the step
  says which zone the coach meant (noted, naming the missing threshold);
- a percent target goes resolved where the athlete's threshold is known; an unresolved
  POWER percent goes as Garmin's own percent (``targetValueType`` PERCENT, "used only for HR
  and POWER"), which the device resolves against the athlete's FTP in Garmin Connect (noted);
  a heart-rate percent does not (Garmin does not say a percent of what: max heart rate or
  heart-rate reserve), nor does a pace: no target, the step's text saying it (noted);
- text cues are folded into the step's description (noted); a description over Garmin's
  512 characters is cut, said so (Garmin would truncate it silently);
- LAP_SWIMMING: ``targetType`` null; a pace target is the secondary ``PACE_ZONE`` (m/s),
  with ``poolLengthUnit`` (METER unless the workout says YARD); an unresolved pace zone is
  the secondary ``SWIM_INSTRUCTION`` of that effort; heart rate, which a swim step cannot
  carry, is written in the step's description (noted); REST steps on time are
  ``FIXED_REST``; a timed swim step lasts 1 to 59 minutes, so a longer one is split and a
  shorter one becomes a distance at the athlete's pace (or a lap-press step);
- ``skipLastRestStep``: Garmin sets it for every LAP_SWIMMING workout, so the watch skips
  the last rest of a repeat block.  As Garmin advises, the block is followed by one more
  rest step, so the swimmer still does what the coach wrote (noted);
- ROW and OTHER go as GENERIC, which only some devices play (noted).

Strength and cardio (STRENGTH_TRAINING, CARDIO_TRAINING; 3.2.1 and the research notes,
/work/notes/garmin-strength-multisport.md):

- a step's ``exerciseCategory`` and ``exerciseName`` as our catalog spells them (Garmin's);
- ``durationType`` REPS with the repetitions in ``durationValue``;
- ``weightValue`` in kilograms ("The weight value for this step is kilograms"; a weight in
  pounds converted) and ``weightDisplayUnit`` KILOGRAM or POUND as the coach wrote it; the
  document gives weightValue to STRENGTH_TRAINING only, so a cardio step's weight is written in
  its description instead (noted);
- sets are ``WorkoutRepeatStep`` (REPEAT_UNTIL_STEPS_CMPLT, ``repeatValue`` the sets, never
  flattened into one step), ``skipLastRestStep`` false: the athlete rests after every set;
- a timed REST step is ``FIXED_REST``, the duration type the document gives rest steps.

Multisport workouts (MULTI_SPORT) are in multisport.py; every segment's steps are made in steps.py.
"""

from __future__ import annotations

import itertools
from datetime import date

from workouts import Thresholds

from ..verdict import Fit, Notes
from . import multisport
from .steps import MAX_STEPS, PROVIDER, SPORTS, Refused, generic_note, pool_fields, segment_steps


def fit(normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """The body of ``POST /workoutportal/workout/v2``, with a note for every change."""
    thresholds = thresholds or Thresholds()
    notes = Notes()
    try:
        if normalized["sport"] == "MULTISPORT":
            return Fit.of(multisport.workout(normalized, thresholds, notes), notes)
        return Fit.of(_single(normalized, thresholds, notes), notes)
    except Refused as refused:
        return Fit.unsupported([refused.problem])


def _single(normalized: dict, thresholds: Thresholds, notes: Notes) -> dict:
    sport = normalized["sport"]
    generic_note(sport, "sport", "workout", notes)
    pool = pool_fields(normalized, sport == "SWIM")
    steps = segment_steps(normalized["steps"], sport, thresholds, notes, normalized.get("poolLength"), MAX_STEPS,
                          "steps", itertools.count(1))
    garmin_sport = SPORTS[sport]
    return {
        "workoutName": normalized["name"].strip(),
        "description": normalized.get("description") or None,
        "sport": garmin_sport,
        "workoutProvider": PROVIDER,
        "workoutSourceId": PROVIDER,
        **pool,
        # A swim segment's pool is the workout's (Garmin's multisport rules say they must match).
        "segments": [{"segmentOrder": 1, "sport": garmin_sport, **pool, "steps": steps}],
    }


def convert(normalized: dict, thresholds: Thresholds | None = None) -> dict:
    """The workout Garmin gets; raises Unsupported when it cannot take it."""
    return fit(normalized, thresholds).sendable()


def schedule_body(workout_id: int | str, day: date) -> dict:
    """The body of ``POST /training-api/schedule/``."""
    return {"workoutId": workout_id, "date": day.isoformat()}


def schedule_preview(normalized: dict, fit: Fit, day: date) -> dict:
    """The schedule request that would follow the workout's (``flask workouts export --date``)."""
    return {"POST /training-api/schedule/": schedule_body("<workoutId>", day)}
