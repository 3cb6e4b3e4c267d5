"""A coach's athletes and an athlete's thresholds."""

from __future__ import annotations

from flask import jsonify

from core.db import db
from core.models import Role

from ..services import profiles
from . import bp
from .access import current_user, json_body, require_role, visible_athlete
from .errors import forbidden
from .schemas import PROFILE_FIELDS, ProfileSchema
from .serializers import athlete_json, profile_json
from .validation import load


@bp.get("/athletes")
@require_role(Role.COACH)
def list_athletes():
    return jsonify([athlete_json(a) for a in current_user().athletes])


@bp.get("/athletes/<int:athlete_id>/profile")
def get_profile(athlete_id: int):
    athlete = visible_athlete(athlete_id)
    return jsonify(profile_json(athlete, athlete.profile))


@bp.put("/athletes/<int:athlete_id>/profile")
def update_profile(athlete_id: int):
    """The coach changes thresholds or time zone (api.md); every upcoming session whose payload
    changes is sent again (services/profiles.py).  Athletes change theirs on their profile page."""
    athlete = visible_athlete(athlete_id)
    if not current_user().coaches(athlete):
        raise forbidden("Only the athlete's coach may change the thresholds.")
    data = load(ProfileSchema(), json_body())
    profile, _ = profiles.update(athlete, {column: data[key] for key, column in PROFILE_FIELDS.items() if key in data})
    db.session.commit()
    return jsonify(profile_json(athlete, profile))
