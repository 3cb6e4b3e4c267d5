"""The coach's library pages: the list with its search, an entry's new and edit forms (also
the editor's "Save to library", ``POST /library/new``), delete, and placing an entry on
athletes' day."""

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")

from . import routes  # noqa: E402,F401
