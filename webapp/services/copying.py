"""Copying a week of one athlete's sessions to another week, to them or to other athletes.

The rule the API (``POST /api/v1/plans/copy``) and the week page's "Copy this week" share.
Each session lands on the same weekday of the target week.  Sessions already on the days a
copy lands on stay: the copy is refused, naming those days and whose they are
(:class:`CopyConflict`), unless the caller says replace; then those days' sessions are
deleted and their workouts removed from the devices, exactly as a plan save removes a
session left out.  Every target week is written through services/plans.py, so each copied
workout is pushed like any saved session.  All or nothing; nothing is committed here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from core.db import db
from core.models import TrainingSession, User, WeeklyPlan

from ..api.schemas import MAX_SESSIONS_PER_PLAN
from . import library_messages as say
from . import plans
from .library import session_data


@dataclass(frozen=True)
class Clash:
    """A day of the target week that already holds sessions of one athlete."""

    athlete: User
    day: date
    sessions: tuple[TrainingSession, ...]

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.sessions]


class CopyConflict(Exception):
    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__(say.clashes_message(clashes, say.REPLACE_HINT_API))


def copies_of(source: WeeklyPlan, to_week: date) -> list[dict]:
    """The source week's sessions as session fields for ``to_week`` (same weekday), each checked
    by the session rules of today."""
    shift = to_week - source.week_start
    return [session_data({"date": s.date + shift, "type": s.type, "title": s.title, "workout": s.workout},
                         f"fromWeek.sessions[{index}]")
            for index, s in enumerate(source.sessions)]


def clashes_for(targets: list[User], to_week: date, days: set[date]) -> list[Clash]:
    found = []
    for athlete in targets:
        plan = plans.find_plan(athlete.id, to_week)
        for day in sorted(days):
            held = tuple(s for s in (plan.sessions if plan else []) if s.date == day)
            if held:
                found.append(Clash(athlete, day, held))
    return found


def copy_week(athlete: User, from_week: date, to_week: date, targets: list[User],
              replace: bool = False) -> list[WeeklyPlan]:
    """Copy ``athlete``'s week of ``from_week`` to ``to_week`` for each of ``targets`` (the
    coach's own athletes: the caller checked); the plans written, in the targets' order."""
    source = plans.find_plan(athlete.id, from_week)
    if source is None or not source.sessions:
        raise plans.PlanInvalid({"fromWeek": [say.NOTHING_TO_COPY]})
    if from_week == to_week and any(target.id == athlete.id for target in targets):
        raise plans.PlanInvalid({"toWeek": [say.SAME_WEEK]})
    copies = copies_of(source, to_week)
    days = {c["date"] for c in copies}
    clashes = clashes_for(targets, to_week, days)
    if clashes and not replace:
        raise CopyConflict(clashes)

    written = []
    for target in targets:
        plan = plans.get_or_create_plan(target, to_week)
        kept = [{"id": s.id, "date": s.date, "type": s.type, "title": s.title, "workout": s.workout}
                for s in plan.sessions if s.date not in days]
        if len(kept) + len(copies) > MAX_SESSIONS_PER_PLAN:
            raise plans.PlanInvalid({"toWeek": [say.too_many(len(kept) + len(copies), MAX_SESSIONS_PER_PLAN)]})
        # The sessions of the copied days that are left out are deleted, and leave the devices.
        plans.replace_sessions(plan, kept + [copy.deepcopy(c) for c in copies])
        written.append(plan)
    db.session.flush()
    return written
