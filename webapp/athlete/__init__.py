"""The athlete's pages: their week, each session, and the state of every export."""

from flask import Blueprint

bp = Blueprint("athlete", __name__)

from . import routes  # noqa: E402,F401
