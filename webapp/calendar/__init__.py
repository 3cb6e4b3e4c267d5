"""The athletes' calendar feeds: ``GET /calendar/<secret>.ics`` (services/calendar.py says why a
secret URL, and how it is kept)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from ..services import calendar

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@bp.get("/<secret>.ics")
def feed(secret: str):
    athlete = calendar.athlete_for(secret)
    if athlete is None:
        abort(404)
    body = calendar.feed(athlete, current_app.config["PUBLIC_URL"])
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="hybridpeaks.ics"', "Cache-Control": "private, max-age=300"})
