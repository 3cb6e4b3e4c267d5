"""The operator's page: what is queued, stuck, failing or disconnected, and the two actions
that fix the usual cases (requeue a job, retry a provider's FAILED sessions)."""

from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/operator")

from . import routes  # noqa: E402,F401
