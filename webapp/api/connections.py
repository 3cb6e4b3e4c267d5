"""The athlete's device connections: provider, status, primary; never a token."""

from __future__ import annotations

from flask import jsonify
from marshmallow import fields, validate

from core import connections as connection_service
from core import exports, routes
from core.db import db
from core.models import Role
from providers import registry
from workouts.constants import ALL_SPORTS as SPORTS  # routes name any sport a workout can have

from . import bp
from .access import current_user, json_body, require_role
from .errors import conflict, invalid, not_found
from .schemas import ApiSchema
from .serializers import connection_json
from .validation import load


class PrimarySchema(ApiSchema):
    provider = fields.String(required=True, validate=validate.OneOf(registry.names()))


@bp.get("/connections")
@require_role(Role.ATHLETE)
def list_connections():
    return jsonify([connection_json(c) for c in connection_service.connections_of(current_user().id)])


@bp.put("/connections/primary")
@require_role(Role.ATHLETE)
def set_primary():
    provider = load(PrimarySchema(), json_body())["provider"]
    try:
        connection_service.set_primary(current_user().id, provider)
    except LookupError:
        raise not_found("connection") from None
    except ValueError as error:
        raise conflict(str(error)) from None
    db.session.flush()
    exports.routes_changed(current_user().id)
    db.session.commit()
    return jsonify([connection_json(c) for c in connection_service.connections_of(current_user().id)])


@bp.get("/connections/routing")
@require_role(Role.ATHLETE)
def get_routing():
    """``{"BIKE": "WAHOO", "RUN": "GARMIN"}``: the sports the athlete routed; the rest go to the primary."""
    return jsonify(routes.routes_of(current_user().id))


@bp.put("/connections/routing")
@require_role(Role.ATHLETE)
def put_routing():
    """Replace the routes (409 when a named provider is not connected, or cannot take the
    sport); upcoming sessions whose provider changes move to it."""
    body = json_body()
    problems = {}
    for sport, provider in body.items():
        if sport not in SPORTS:
            problems[sport] = [f"is not a sport: one of {', '.join(SPORTS)}"]
        elif provider not in registry.names():
            problems[sport] = [f"must be one of {', '.join(registry.names())}"]
    if problems:
        raise invalid(problems)
    try:
        routes.set_routes(current_user().id, body)
    except routes.RouteRefused as error:
        db.session.rollback()
        raise conflict(str(error)) from None
    db.session.flush()
    exports.routes_changed(current_user().id)
    db.session.commit()
    return jsonify(routes.routes_of(current_user().id))
