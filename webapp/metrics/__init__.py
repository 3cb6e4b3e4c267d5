"""``GET /metrics``: Prometheus text format (api.md, Operations).

Open in development and testing; in production it answers only with
``Authorization: Bearer $METRICS_TOKEN``, and not at all (404) without that setting: the
counts say how many athletes a provider failed, which is not for anyone who asks.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from ..extensions import csrf
from .collector import StateCollector

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@csrf.exempt
def scrape():
    _authorize()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector())
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _authorize() -> None:
    if current_app.config["APP_ENV"] != "production":
        return
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)
