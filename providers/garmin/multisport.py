"""Garmin MULTI_SPORT: a multisport workout (a brick, a triathlon) as one Garmin workout of segments.

Follows the Training API V2 1.0, 3.2.1 (Workout and Segment tables) and its 3.2.2 MULTI_SPORT
example (restated in providers.md and the research notes, /work/notes/garmin-strength-multisport.md):

- ``sport`` MULTI_SPORT and ``isSessionTransitionEnabled`` true, at the workout level: "Must be
  set to true if workouts should have transitions for multisport workouts", and our legs hand
  over automatically;
- one segment per leg, ``segmentOrder`` 1, 2, ..., its ``sport`` the leg's (convert.SPORTS; a
  row or other leg is GENERIC, which only some devices play, noted);
- the pool: where a leg swims, the workout's ``poolLength``/``poolLengthUnit`` ("used for when
  LAP_SWIMMING segment is present") and the same on each LAP_SWIMMING segment ("Must match");
  null on the others;
- ``stepOrder`` numbered on from segment to segment, depth-first, as Garmin's example does;
- at most 25 segments and 250 steps overall.  Whether a segment also has the single sport's
  100 is not published: each segment is kept within 100 too, so either answer takes it.  A leg
  is fitted as a single-sport workout is (convert.fitted_nodes: ramps as steps, compaction,
  merging); when the legs need more than 250 together, each gets a share of the 250 in
  proportion to its need (noted), and UNSUPPORTED when a leg cannot fit its share;
- a swim leg's repeats are sent as a swim workout's are (skipLastRestStep true, one more rest
  after the block): whether Garmin forces skipLastRestStep on a LAP_SWIMMING segment of a
  MULTI_SPORT workout is not published, and what we send plays the same either way.
"""

from __future__ import annotations

import itertools

from workouts import Thresholds
from workouts.validation import Problem

from ..verdict import Notes
from .steps import (
    MAX_STEPS,
    PROVIDER,
    SPORTS,
    Refused,
    fitted_nodes,
    generic_note,
    pool_fields,
    segment_steps,
    step_count,
)

MAX_SEGMENTS, MAX_TOTAL_STEPS = 25, 250


def workout(normalized: dict, thresholds: Thresholds, notes: Notes) -> dict:
    """The MULTI_SPORT body of ``POST /workoutportal/workout/v2``; raises Refused when it cannot be."""
    legs = normalized["legs"]
    if len(legs) > MAX_SEGMENTS:
        raise Refused(Problem("legs", f"Garmin takes at most {MAX_SEGMENTS} segments; this workout has "
                                      f"{len(legs)} legs"))
    pool = normalized.get("poolLength")
    budgets = leg_budgets(legs, thresholds, pool, notes)
    swims = any(leg["sport"] == "SWIM" for leg in legs)
    workout_pool = pool_fields(normalized, swims)
    order = itertools.count(1)
    segments = []
    for index, (leg, budget) in enumerate(zip(legs, budgets)):
        sport = leg["sport"]
        generic_note(sport, f"legs[{index}]", "segment", notes)
        steps = segment_steps(leg["steps"], sport, thresholds, notes, pool, budget, f"legs[{index}].steps", order,
                              _cap(budget))
        segments.append({"segmentOrder": index + 1, "sport": SPORTS[sport],
                         **(workout_pool if sport == "SWIM" else pool_fields(normalized, False)), "steps": steps})
    return {
        "workoutName": normalized["name"].strip(),
        "description": normalized.get("description") or None,
        "sport": "MULTI_SPORT",
        "workoutProvider": PROVIDER,
        "workoutSourceId": PROVIDER,
        "isSessionTransitionEnabled": True,
        **workout_pool,
        "segments": segments,
    }


def leg_budgets(legs: list[dict], thresholds: Thresholds, pool: float | None, notes: Notes) -> list[int]:
    """The steps each leg may have: 100, unless together they need more than 250; then shares
    of the 250 in proportion to what each needs (each at least one)."""
    needs = []
    for index, leg in enumerate(legs):
        nodes = fitted_nodes(leg["steps"], leg["sport"], thresholds, Notes(), pool, MAX_STEPS,
                             f"legs[{index}].steps")
        needs.append(step_count(nodes))
    total = sum(needs)
    if total <= MAX_TOTAL_STEPS:
        return [MAX_STEPS] * len(legs)
    shares = [max(1, MAX_TOTAL_STEPS * need // total) for need in needs]
    notes.add("legs", f"the legs need {total} steps together, more than the {MAX_TOTAL_STEPS} Garmin takes over all "
                      "segments: each leg gets a share in proportion to its steps")
    return shares


def _cap(budget: int) -> str:
    return f"Garmin takes at most {budget}" + ("" if budget == MAX_STEPS else f" for this leg (its share of "
                                                                             f"{MAX_TOTAL_STEPS})")
