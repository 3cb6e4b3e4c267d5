"""The coach's library: keeping workouts, finding them, and placing one on athletes' day.

The rules the JSON API (api/library.py) and the pages (library/) share.  Fields arrive
checked by api/library_schemas.py; what needs the database is here: an entry is its coach's
alone (anyone else is told it does not exist), and placing one is all or nothing.  A
placement writes ordinary sessions through services/plans.py, so each is pushed like any
saved session (core.exports.sessions_saved), and it copies the workout as written: percents
and zones resolve against each athlete's own thresholds at export.  Nothing is committed
here; the caller commits once.
"""

from __future__ import annotations

import copy
from datetime import date

from marshmallow import ValidationError
from sqlalchemy import exists, select

from core.clock import monday_of, real_now
from core.db import db
from core.models import LibraryTag, LibraryWorkout, SessionType, TrainingSession, User
from core.models.library import search_key
from workouts.characters import is_clean
from workouts.constants import STRENGTH_SPORTS

from . import library_messages as say
from . import plans


class NotYourAthletes(Exception):
    """Athletes the coach does not coach, by the request's field path; the call does nothing."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(say.not_your_athletes(len(fields)))


# -- keeping and finding ------------------------------------------------------------------------

def entries(coach: User, q: str = "", tag: str = "") -> list[LibraryWorkout]:
    """The coach's entries whose name contains ``q`` and that carry ``tag`` (both ignoring
    case), by name."""
    if not (is_clean(q) and is_clean(tag)):
        return []  # no name or tag holds a control character (and PostgreSQL refuses a NUL in a query)
    statement = select(LibraryWorkout).where(LibraryWorkout.coach_id == coach.id)
    if q.strip():
        statement = statement.where(LibraryWorkout.name_key.contains(search_key(q.strip()), autoescape=True))
    if tag.strip():
        statement = statement.where(exists().where(LibraryTag.workout_id == LibraryWorkout.id,
                                                   LibraryTag.key == search_key(tag.strip())))
    return list(db.session.scalars(statement.order_by(LibraryWorkout.name_key, LibraryWorkout.id)))


def tags_of(coach: User) -> list[str]:
    """Every tag the coach uses once, by its first spelling, alphabetically (the page's filter)."""
    rows = db.session.execute(select(LibraryTag.key, LibraryTag.label).join(LibraryWorkout)
                              .where(LibraryWorkout.coach_id == coach.id).order_by(LibraryTag.key))
    labels: dict[str, str] = {}
    for key, label in rows:
        labels.setdefault(key, label)
    return list(labels.values())


def entry_of(coach: User, entry_id: int) -> LibraryWorkout | None:
    """The coach's own entry, or None (also for another coach's: it does not exist for them)."""
    entry = db.session.get(LibraryWorkout, entry_id)
    return entry if entry is not None and entry.coach_id == coach.id else None


def create(coach: User, data: dict) -> LibraryWorkout:
    entry = LibraryWorkout(coach_id=coach.id, name=data["name"], workout=data["workout"])
    entry.tags = data["tags"]
    db.session.add(entry)
    db.session.flush()
    return entry


def update(entry: LibraryWorkout, data: dict) -> LibraryWorkout:
    entry.name, entry.workout, entry.tags = data["name"], data["workout"], data["tags"]
    entry.updated_at = real_now()  # a change of tags alone touches no column of the entry's row
    return entry


def delete(entry: LibraryWorkout) -> None:
    """The entry goes; the sessions placed from it stay (each holds its own copy)."""
    db.session.delete(entry)


# -- placing on athletes' day --------------------------------------------------------------------

def own_athletes(coach: User, ids: list[int], path: str) -> list[User]:
    """The athletes ``ids`` names, all the coach's, in order; NotYourAthletes names every other
    one by its place in the request (``athleteIds[1]``), whether it exists or not."""
    found = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    refused = {f"{path}[{index}]": [say.NOT_YOUR_ATHLETE] for index, athlete_id in enumerate(ids)
               if athlete_id not in found or not coach.coaches(found[athlete_id])}
    if refused:
        raise NotYourAthletes(refused)
    return [found[athlete_id] for athlete_id in ids]


def own_athlete(coach: User, athlete_id: int, path: str) -> User:
    """One athlete of the coach's, or NotYourAthletes naming ``path``."""
    athlete = db.session.get(User, athlete_id)
    if athlete is None or not coach.coaches(athlete):
        raise NotYourAthletes({path: [say.NOT_YOUR_ATHLETE]})
    return athlete


def session_type_for(workout: dict) -> str:
    """Sets and reps are a STRENGTH session; anything else (multisport too) an ENDURANCE one."""
    return SessionType.STRENGTH if workout.get("sport") in STRENGTH_SPORTS else SessionType.ENDURANCE


def session_data(fields: dict, path: str = "") -> dict:
    """A session's fields through the API's one session schema, so a placement or a copy is
    refused for what a plan save is refused for (the rules may have changed since the workout
    was kept); PlanInvalid names the broken rule under ``path``."""
    from ..api.errors import flatten_messages
    from ..api.schemas import SessionSchema

    try:
        return SessionSchema().load({**fields, "date": fields["date"].isoformat()})
    except ValidationError as error:
        raise plans.PlanInvalid(flatten_messages(error.messages, path)) from None


def schedule(entry: LibraryWorkout, athletes: list[User], day: date, title: str | None = None) -> list[TrainingSession]:
    """One session per athlete on ``day`` (its week's plan created if needed), each pushed like
    any saved session; titled ``title``, else the entry's name."""
    data = session_data({"date": day, "type": session_type_for(entry.workout), "title": title or entry.name,
                         "workout": entry.workout})
    placed = []
    for athlete in athletes:
        plan = plans.get_or_create_plan(athlete, monday_of(day))
        # Each session its own copy: nothing placed shares an object with the entry or another.
        placed.append(plans.save_session(plan, {**data, "workout": copy.deepcopy(data["workout"])}))
    db.session.flush()
    return placed
