"""The coach's plan editor: pick an athlete and a week, add, edit and delete sessions."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from . import routes  # noqa: E402,F401
