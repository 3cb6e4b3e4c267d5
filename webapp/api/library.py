"""The coach's library: keep, find, change and delete workouts, and place one on athletes'
day (api.md, "The coach's library").  Another coach's entry does not exist for the caller
(404, never 403); an athlete who is not the caller's fails a placement whole (403)."""

from __future__ import annotations

from flask import jsonify, request

from core.db import db
from core.models import LibraryWorkout, Role

from ..services import library as library_service
from ..services import plans as plan_service
from . import bp
from .access import current_user, json_body, require_role
from .errors import forbidden, invalid, not_found
from .library_schemas import LibraryEntrySchema, LibraryQuerySchema, ScheduleSchema
from .saving import all_or_nothing
from .serializers import library_json, placed_json
from .validation import load


def _own_entry(entry_id: int) -> LibraryWorkout:
    entry = library_service.entry_of(current_user(), entry_id)
    if entry is None:
        raise not_found("library workout")
    return entry


@bp.get("/library")
@require_role(Role.COACH)
def list_library():
    query = load(LibraryQuerySchema(), request.args.to_dict())
    return jsonify([library_json(e) for e in library_service.entries(current_user(), query["q"], query["tag"])])


@bp.post("/library")
@require_role(Role.COACH)
def create_library_entry():
    data = load(LibraryEntrySchema(), json_body())
    entry = library_service.create(current_user(), data)
    db.session.commit()
    return jsonify(library_json(entry)), 201


@bp.get("/library/<int:entry_id>")
@require_role(Role.COACH)
def get_library_entry(entry_id: int):
    return jsonify(library_json(_own_entry(entry_id)))


@bp.put("/library/<int:entry_id>")
@require_role(Role.COACH)
def update_library_entry(entry_id: int):
    entry = _own_entry(entry_id)
    library_service.update(entry, load(LibraryEntrySchema(), json_body()))
    db.session.commit()
    return jsonify(library_json(entry))


@bp.delete("/library/<int:entry_id>")
@require_role(Role.COACH)
def delete_library_entry(entry_id: int):
    library_service.delete(_own_entry(entry_id))
    db.session.commit()
    return "", 204


@bp.post("/library/<int:entry_id>/schedule")
@require_role(Role.COACH)
def schedule_library_entry(entry_id: int):
    """One session per athlete on the day, all or nothing: 201 with where each went."""
    entry = _own_entry(entry_id)
    data = load(ScheduleSchema(), json_body())
    with all_or_nothing():
        try:
            athletes = library_service.own_athletes(current_user(), data["athleteIds"], "athleteIds")
            sessions = library_service.schedule(entry, athletes, data["date"], data["title"])
        except library_service.NotYourAthletes as error:
            raise forbidden(str(error), error.fields) from None
        except plan_service.PlanInvalid as error:
            raise invalid(error.fields) from None
    return jsonify({"sessions": [placed_json(s) for s in sessions]}), 201
