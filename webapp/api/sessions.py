"""One session and its export fields."""

from __future__ import annotations

from flask import jsonify

from . import bp
from .access import session_for
from .serializers import session_json


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int):
    return jsonify(session_json(session_for(session_id)))
