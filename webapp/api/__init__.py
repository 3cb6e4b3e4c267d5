"""The JSON API under /api/v1 (../shared/spec/api.md), authenticated with API tokens."""

from flask import Blueprint, g, request
from sqlalchemy import select

from core.db import db
from core.models import ApiToken
from core.models.user import hash_api_token

from ..extensions import csrf, limiter
from .errors import ApiError, unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries its own token


def _rate_key() -> str:
    return request.headers.get("Authorization", "") or request.remote_addr or "anonymous"


limiter.limit("600 per minute", key_func=_rate_key)(bp)


@bp.before_request
def authenticate():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_api_token(token.strip())))
    if row is None:
        raise unauthorized("The API token is not valid.")
    g.api_user = row.user


@bp.errorhandler(ApiError)
def render_api_error(error: ApiError):
    return error.response()


from . import athletes, connections, copying, importing, library, plans, sessions  # noqa: E402,F401  (routes)
