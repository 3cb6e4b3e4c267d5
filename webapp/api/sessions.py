"""One session and its export fields; the athlete's Retry."""

from __future__ import annotations

from flask import jsonify

from core import exports
from core.db import db
from core.models import Role

from . import bp
from .access import current_user, require_role, session_for
from .errors import conflict
from .serializers import session_json


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int):
    return jsonify(session_json(session_for(session_id)))


@bp.post("/sessions/<int:session_id>/retry")
@require_role(Role.ATHLETE)
def retry_session(session_id: int):
    """A new export attempt with the provider of the original attempt (202), or 409 and why not."""
    session = session_for(session_id)
    try:
        exports.retry(session)
    except exports.RetryRefused as error:
        raise conflict(str(error)) from None
    db.session.commit()
    return jsonify(session_json(session)), 202


@bp.post("/sessions/retry-failed")
@require_role(Role.ATHLETE)
def retry_all_failed():
    retried, refused = exports.retry_all_failed(current_user().id)
    db.session.commit()
    return jsonify({"retried": [session_json(s) for s in retried],
                    "refused": {str(session_id): reason for session_id, reason in refused.items()}}), 202
