"""The workout builder's draft: what the coach is editing, as they typed it.

The builder is a server-rendered tree of fields.  Every field name says where it sits
(``w-steps-1-steps-0-intensity`` is ``steps[1].steps[0]``, ``w-legs-1-steps-0-intensity`` is
``legs[1].steps[0]``), so the page needs no JavaScript: "Add step", "Remove" and the other
buttons post the whole form, the server applies the action to the draft and renders it again
(HTMX swaps just the form).

A *draft* keeps every value as text, so that a refused save shows the coach's input unchanged
beside its error.  Its nodes are steps, repeat blocks, and (in strength and cardio workouts)
exercise rows: one exercise done for some sets of some reps at a weight, with a rest between
sets.  builder.py turns a draft into the workout format and back.

This module holds the draft's shapes, reading one from a posted form, the buttons' actions,
and :func:`reshape`, what a change of sport or session type does to it.  No Flask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from workouts.constants import LEG_SPORTS, LEGS_MAX, MAX_REPEAT_DEPTH, MULTISPORT, SPORTS, STRENGTH_SPORTS

from .exercises import shown

PREFIX = "w"
WORKOUT_FIELDS = ("sport", "was", "name", "description", "location", "pool")
STEP_FIELDS = ("intensity", "duration_type", "duration_value", "target_type", "target_mode", "zone", "min", "max",
               "cadence_min", "cadence_max", "name", "notes", "cues", "exercise_category", "exercise_name",
               "weight_value", "weight_unit")
EXERCISE_FIELDS = ("exercise_category", "exercise_name", "sets", "reps", "weight_value", "weight_unit", "rest", "name",
                   "notes")
# How a target is given: a zone, a range or a ramp (its min and max are then its from and to),
# in the type's units or in percent of the athlete's threshold.
TARGET_MODES = {"zone": "Zone", "range": "Range", "percent": "% range", "ramp": "Ramp", "ramp_percent": "% ramp"}
MAX_NODES = 1_000  # far more than a 200-step workout needs; a bigger form is not read further
MAX_LEGS = LEGS_MAX + 5  # enough to show the rule's message for a few legs too many
NO_WORKOUT = ""  # a STRENGTH session's sport when it carries no workout
WORKOUT_TYPES = ("ENDURANCE", "STRENGTH")  # the session types that may carry a workout


# -- the shapes ------------------------------------------------------------------------------------

def new_step(intensity: str = "ACTIVE") -> dict:
    return {"kind": "step", "intensity": intensity, "duration_type": "TIME", "duration_value": "5:00",
            "target_type": "", "target_mode": "zone", "zone": "", "min": "", "max": "", "cadence_min": "",
            "cadence_max": "", "name": "", "notes": "", "cues": "", "exercise_category": "", "exercise_name": "",
            "weight_value": "", "weight_unit": "KG"}


def new_repeat() -> dict:
    return {"kind": "repeat", "repeat": "4", "steps": [new_step("ACTIVE"), new_step("RECOVERY")]}


def new_exercise() -> dict:
    return {"kind": "exercise", "exercise_category": "", "exercise_name": "", "sets": "3",
            "reps": "8", "weight_value": "", "weight_unit": "KG", "rest": "1:30", "name": "", "notes": ""}


def default_steps(sport: str) -> list[dict]:
    """A new workout's nodes: warm-up, work and cool-down; one exercise row for strength."""
    if sport in STRENGTH_SPORTS:
        return [new_exercise()]
    if sport == NO_WORKOUT:
        return []
    return [new_step("WARMUP"), new_step("ACTIVE"), new_step("COOLDOWN")]


def new_leg(sport: str) -> dict:
    return {"sport": sport, "was": sport, "steps": default_steps(sport)}


def next_leg_sport(legs: list[dict]) -> str:
    """A brick's next leg: a run after a ride, else a ride."""
    return "RUN" if legs and legs[-1]["sport"] == "BIKE" else "BIKE"


def new_draft(sport: str = "BIKE") -> dict:
    draft = {"sport": sport, "was": sport, "name": "", "description": "", "location": "", "pool": "",
             "steps": [], "legs": []}
    if sport == MULTISPORT:
        draft["legs"] = [new_leg("BIKE"), new_leg("RUN")]
    else:
        draft["steps"] = default_steps(sport)
    return draft


# -- form -> draft ----------------------------------------------------------------------------------

def field_name(prefix: str, key: str) -> str:
    return f"{prefix}-{key}"


_KIND = re.compile(r"^(?P<list>.+)-(?P<index>\d{1,6})-kind$")
_LEG = re.compile(rf"^{PREFIX}-legs-(?P<index>\d{{1,6}})-sport$")


def from_form(form: Mapping[str, str]) -> dict:
    """The draft a posted form describes (fields it lacks are empty; extra ones are ignored)."""
    draft = {key: form.get(field_name(PREFIX, key), "") for key in WORKOUT_FIELDS}
    # Index the nodes once: a list's prefix -> its nodes' indices (a form of 50,000 fields is read
    # in one pass, not once per list).
    lists: dict[str, list[int]] = {}
    for key in form:
        match = _KIND.match(key)
        if match:
            lists.setdefault(match.group("list"), []).append(int(match.group("index")))
    budget = [MAX_NODES]
    draft["steps"] = _nodes(form, lists, f"{PREFIX}-steps", 0, budget)
    legs = sorted({int(m.group("index")) for key in form if (m := _LEG.match(key))})[:MAX_LEGS]
    draft["legs"] = [{"sport": form.get(f"{PREFIX}-legs-{i}-sport", ""), "was": form.get(f"{PREFIX}-legs-{i}-was", ""),
                      "steps": _nodes(form, lists, f"{PREFIX}-legs-{i}-steps", 0, budget)} for i in legs]
    return draft


def _nodes(form: Mapping[str, str], lists: dict[str, list[int]], list_prefix: str, depth: int,
           budget: list[int]) -> list[dict]:
    nodes = []
    for index in sorted(set(lists.get(list_prefix, ())))[:200]:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        prefix = f"{list_prefix}-{index}"
        kind = form.get(f"{prefix}-kind")
        if kind == "repeat":
            # The format nests repeats two deep; deeper fields are not the builder's and are not read.
            inner = _nodes(form, lists, f"{prefix}-steps", depth + 1, budget) if depth <= MAX_REPEAT_DEPTH else []
            nodes.append({"kind": "repeat", "repeat": form.get(f"{prefix}-repeat", ""), "steps": inner})
        elif kind == "exercise":
            nodes.append({"kind": "exercise", **{key: form.get(f"{prefix}-{key}", "") for key in EXERCISE_FIELDS}})
        else:
            nodes.append({"kind": "step", **{key: form.get(f"{prefix}-{key}", "") for key in STEP_FIELDS}})
    return nodes


# -- actions ----------------------------------------------------------------------------------------

ADD = {"add-step": new_step, "add-repeat": new_repeat, "add-exercise": new_exercise}


def apply_action(draft: dict, action: str) -> dict:
    """Apply one builder button to the draft: ``add-step:w-steps``, ``add-leg:w-legs``,
    ``remove:w-steps-1``, ``up:w-legs-1``, ``pick:w-steps-0:SQUAT:BARBELL_BACK_SQUAT``, ...
    An action naming nothing that exists does nothing."""
    verb, _, target = action.partition(":")
    if verb in ADD:
        nodes = _list_at(draft, target)
        if nodes is not None and len(nodes) < 200:
            nodes.append(ADD[verb]())
    elif verb == "add-leg" and target == f"{PREFIX}-legs" and len(draft["legs"]) < LEGS_MAX:
        draft["legs"].append(new_leg(next_leg_sport(draft["legs"])))
    elif verb in ("remove", "up", "down"):
        list_prefix, _, index = target.rpartition("-")
        nodes = _list_at(draft, list_prefix)
        if nodes is not None and index.isdigit() and int(index) < len(nodes):
            _move(nodes, int(index), verb)
    elif verb == "pick":
        prefix, _, exercise = target.partition(":")
        category, _, name = exercise.partition(":")
        node = _node_at(draft, prefix)
        if node is not None and node["kind"] in ("step", "exercise"):
            node["exercise_category"], node["exercise_name"] = category, shown(name)
    return draft


def _move(nodes: list, i: int, verb: str) -> None:
    if verb == "remove":
        nodes.pop(i)
    elif verb == "up" and i > 0:
        nodes[i - 1], nodes[i] = nodes[i], nodes[i - 1]
    elif verb == "down" and i + 1 < len(nodes):
        nodes[i + 1], nodes[i] = nodes[i], nodes[i + 1]


def _list_at(draft: dict, list_prefix: str) -> list | None:
    """The list a field prefix names: ``w-steps``, ``w-legs``, ``w-legs-0-steps``, ``w-steps-1-steps``."""
    parts = list_prefix.split("-")
    if parts[:1] != [PREFIX] or len(parts) < 2:
        return None
    if parts[1] == "legs":
        if len(parts) == 2:
            return draft["legs"]
        if len(parts) < 4 or not parts[2].isdigit() or int(parts[2]) >= len(draft["legs"]) or parts[3] != "steps":
            return None
        nodes, rest = draft["legs"][int(parts[2])]["steps"], parts[4:]
    elif parts[1] == "steps":
        nodes, rest = draft["steps"], parts[2:]
    else:
        return None
    while rest:
        if len(rest) < 2 or not rest[0].isdigit() or rest[1] != "steps":
            return None
        index = int(rest[0])
        if index >= len(nodes) or nodes[index]["kind"] != "repeat":
            return None
        nodes, rest = nodes[index]["steps"], rest[2:]
    return nodes


_PREFIX = re.compile(rf"^{PREFIX}(?:-legs-\d{{1,3}})?(?:-steps-\d{{1,3}}){{1,3}}$")


def is_prefix(text: str) -> bool:
    """Whether text is a node's field prefix (``w-steps-0``, ``w-legs-1-steps-2-steps-0``)."""
    return bool(_PREFIX.match(text))


def _node_at(draft: dict, prefix: str) -> dict | None:
    list_prefix, _, index = prefix.rpartition("-")
    nodes = _list_at(draft, list_prefix)
    if nodes is None or not index.isdigit() or int(index) >= len(nodes):
        return None
    return nodes[int(index)]


def nodes_of(draft: dict) -> list[tuple[str, dict]]:
    """Every step, repeat and exercise row with its field prefix, in order (legs' too)."""
    found: list[tuple[str, dict]] = []

    def walk(nodes: list[dict], list_prefix: str) -> None:
        for index, node in enumerate(nodes):
            prefix = f"{list_prefix}-{index}"
            found.append((prefix, node))
            if node["kind"] == "repeat":
                walk(node["steps"], f"{prefix}-steps")

    walk(draft["steps"], f"{PREFIX}-steps")
    for index, leg in enumerate(draft["legs"]):
        walk(leg["steps"], f"{PREFIX}-legs-{index}-steps")
    return found


# -- a change of sport or session type ------------------------------------------------------------------

def family(sport: str) -> str:
    return "strength" if sport in STRENGTH_SPORTS else "none" if sport == NO_WORKOUT else "endurance"


def form_family(sport: str) -> str:
    """The shape of form a sport has: a change within one needs no new form."""
    return "multisport" if sport == MULTISPORT else family(sport)


def sports_for(session_type: str) -> tuple[str, ...]:
    """The sports a session type's workout may have (a STRENGTH session may have none)."""
    if session_type == "STRENGTH":
        return (NO_WORKOUT,) + STRENGTH_SPORTS
    return SPORTS + (MULTISPORT,)


def reshape(draft: dict, session_type: str) -> dict:
    """The draft after the coach changed its sport, a leg's sport or the session's type.

    A STRENGTH session's workout is strength or cardio (or none), an ENDURANCE session's an
    endurance or multisport one.  A workout turned multisport keeps its steps as its first leg
    and gains a second; a multisport one turned single-sport keeps its first leg's steps.  Steps
    move across to the other family (endurance, strength) only when the coach wrote some: the
    untouched default of one family becomes the other's."""
    allowed = sports_for(session_type) if session_type in ("ENDURANCE", "STRENGTH") else None
    if allowed is not None and draft["sport"] not in allowed:
        # A session turned STRENGTH carries no workout until the coach picks strength or cardio
        # (as before the builder knew strength); one turned ENDURANCE gets a ride.
        draft["sport"] = NO_WORKOUT if session_type == "STRENGTH" else "BIKE"
    sport, was = draft["sport"], draft.get("was", draft["sport"])  # "" was: the form had no workout
    if sport == MULTISPORT and not draft["legs"]:
        first = was if was in LEG_SPORTS else "BIKE"
        draft["legs"] = [{"sport": first, "was": first, "steps": draft["steps"]}]
        draft["legs"].append(new_leg(next_leg_sport(draft["legs"])))
        draft["steps"] = []
    elif sport != MULTISPORT and draft["legs"]:
        first = draft["legs"][0]
        draft["steps"], was = first["steps"], first["sport"]
        draft["legs"] = []
    if sport != MULTISPORT:
        draft["steps"] = _steps_for(draft["steps"], was, sport)
    for leg in draft["legs"]:
        if leg["sport"] not in LEG_SPORTS:
            leg["sport"] = "BIKE"
        leg["steps"] = _steps_for(leg["steps"], leg.get("was") or leg["sport"], leg["sport"])
        leg["was"] = leg["sport"]
    draft["was"] = sport
    return draft


def _steps_for(steps: list[dict], was: str, sport: str) -> list[dict]:
    if sport == NO_WORKOUT:
        return []
    if family(was) == family(sport):
        return steps
    if not steps or steps == default_steps(was if was in LEG_SPORTS else "BIKE"):
        return default_steps(sport)
    return steps
