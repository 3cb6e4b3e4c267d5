"""The athlete's device connections: provider, status, primary; never a token."""

from __future__ import annotations

from flask import jsonify
from marshmallow import fields, validate

from ..extensions import db
from ..models import Provider, Role
from ..services import connections as connection_service
from . import bp
from .access import current_user, json_body, require_role
from .errors import conflict, not_found
from .schemas import ApiSchema
from .serializers import connection_json
from .validation import load


class PrimarySchema(ApiSchema):
    provider = fields.String(required=True, validate=validate.OneOf(Provider.ALL))


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
    db.session.commit()
    return jsonify([connection_json(c) for c in connection_service.connections_of(current_user().id)])
