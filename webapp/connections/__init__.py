"""Device connections: the OAuth connect flow with Garmin and Wahoo, and the athlete's page."""

from flask import Blueprint

bp = Blueprint("connections", __name__, url_prefix="/connections")

from . import routes  # noqa: E402,F401
