"""The coach's pages: the overview of all athletes, one athlete's week, the session editor."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from . import copy_week, overview, routes  # noqa: E402,F401
