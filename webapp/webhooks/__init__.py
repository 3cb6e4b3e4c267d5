"""Pings from providers (``POST /webhooks/<provider>/<kind>``): the webhooks each provider
declares (providers/spec.py), such as Garmin's deregistration and user-permission pings.

A provider's client id is public (Garmin's Start Guide 2.2: it "can be considered public
information"), so the header naming it authenticates nothing: anyone who knows our client id
can post a ping.  A ping is therefore only a hint.  Each connection it names is checked with
the provider, with that athlete's own token, by a job (jobs/pings.py), and only what the
provider confirms changes a connection.  Pings are retried for days (Garmin: up to 7), so one
may arrive after the athlete reconnected: the check then finds the connection working and
changes nothing.

What a ping may cost us, so that a flood costs an outsider more than us and the athlete
nothing:

- at most ``MAX_USERS`` user ids a ping; ids that are not Garmin-shaped are ignored;
- one database query for all the ids; ids that match no connection a check could change
  (ACTIVE; for permissions also one waiting for WORKOUT_IMPORT) are ignored, with no call;
- the checks run on their own low-priority queue (``pings``), never ``high``, which
  coaches' saves use;
- per connection and kind, at most one check per ``PING_COALESCE_SECONDS`` (300): the first ping of a
  slot is checked at once, the later ones by one check at the start of the next slot.  A
  check reads Garmin's state when it runs, so every ping is still followed by a check that
  starts after it: a genuine ping is never lost, only folded into the next check.

A well-formed ping is answered 200 at once, a forged one too (logged): Garmin must not retry
it, and a sender learns nothing.  A malformed or over-long body is a 400; when the checks
cannot be queued (Redis is down) the answer is 503, so that Garmin tries again later.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy import and_, or_, select

from core import outbox
from core.db import db
from core.logs import log_event
from core.models import ConnectionStatus, DeviceConnection, RevokedReason
from core.queue import rq
from providers import registry
from providers.spec import PERMISSIONS, Provider, Webhook

from ..extensions import csrf
from ..inputs import BadJson, json_object

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
logger = logging.getLogger(__name__)
PINGS_QUEUE = "pings"
CHECK = "jobs.pings.check"
CHECK_RETRIES = (10, 60, 300, 1800)  # a check Garmin did not answer is tried again
MAX_USERS = 1000
USER_ID = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, as providers' ids are (and our column holds)


class PingRefused(Exception):
    """A body that is no ping; the message says why (HTTP 400)."""


def _sender_named_us(provider: Provider, webhook: Webhook) -> bool:
    given = request.headers.get(webhook.sender_header, "")
    return hmac.compare_digest(given.encode(), current_app.config[provider.setting("CLIENT_ID")].encode())


def user_ids(raw: bytes, key: str) -> list[str]:
    """The distinct, well-formed user ids of a ping body; PingRefused when it is no ping."""
    try:
        body = json_object(raw)
    except BadJson as error:
        raise PingRefused(str(error)) from None
    entries = body.get(key, [])
    if not isinstance(entries, list):
        raise PingRefused(f"{key} must be a list")
    if len(entries) > MAX_USERS:
        raise PingRefused(f"{key}: at most {MAX_USERS} users a ping")
    ids = [e.get("userId") for e in entries if isinstance(e, dict)]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and USER_ID.fullmatch(i)))


def checkable(provider: str, check: str, ids: list[str]) -> list[int]:
    """The connections a check could change, in one query."""
    if not ids:
        return []
    state = DeviceConnection.status == ConnectionStatus.ACTIVE
    if check == PERMISSIONS:  # a permission given back restores a connection that waited for it
        state = or_(state, and_(DeviceConnection.status == ConnectionStatus.REVOKED,
                                DeviceConnection.status_reason == RevokedReason.PERMISSION_MISSING))
    return list(db.session.scalars(select(DeviceConnection.id).where(
        DeviceConnection.provider == provider, DeviceConnection.provider_user_id.in_(ids), state)))


def coalesced(check: str, connection_ids: list[int], now: float | None = None) -> list[outbox.Wakeup]:
    """The checks to queue for these connections: none where one already starts after now."""
    now = time.time() if now is None else now
    window = current_app.config["PING_COALESCE_SECONDS"]
    slot = int(now // window)
    redis = rq.queue.connection
    wakeups = []
    for connection_id in connection_ids:
        for at_slot in (slot, slot + 1):
            key = f"hybridpeaks:ping:{check}:{connection_id}:{at_slot}"
            if redis.set(key, 1, nx=True, ex=3 * window):
                at = None if at_slot == slot else \
                    datetime.fromtimestamp(at_slot * window, timezone.utc).replace(tzinfo=None)
                wakeups.append(outbox.Wakeup(CHECK, (check, connection_id), None, PINGS_QUEUE, at=at,
                                             retry_intervals=CHECK_RETRIES))
                break
    return wakeups


def _webhook(slug: str, kind: str) -> tuple[Provider, Webhook]:
    provider = registry.by_slug(slug)
    webhook = next((w for w in provider.webhooks if w.kind == kind), None) if provider else None
    if webhook is None or provider.name not in current_app.config["PROVIDERS"]:
        abort(404)
    return provider, webhook


@bp.route("/<slug>/<kind>", methods=["POST", "PUT"])
def ping(slug: str, kind: str):
    provider, webhook = _webhook(slug, kind)
    event = f"{provider.slug} {kind} ping"
    try:
        ids = user_ids(request.get_data(cache=False), webhook.key)
    except PingRefused as refused:
        log_event(logger, f"{event} refused", level=logging.WARNING, outcome=str(refused), remote=request.remote_addr)
        return jsonify(error=str(refused)), 400
    if not _sender_named_us(provider, webhook):
        log_event(logger, f"{event} ignored", level=logging.WARNING, outcome="unknown sender",
                  remote=request.remote_addr)
        return jsonify(received=0)
    connection_ids = checkable(provider.name, webhook.check, ids)
    try:
        checks = coalesced(webhook.check, connection_ids)
    except RedisError:
        return jsonify(error="try again later"), 503
    if outbox.enqueue(checks) < len(checks):
        return jsonify(error="try again later"), 503  # the queue is down: the provider retries pings
    log_event(logger, event, users=len(ids), connections=len(connection_ids), checks=len(checks),
              outcome="to be confirmed with the provider")
    return jsonify(received=len(ids))
