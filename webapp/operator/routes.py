"""The operator's page and its actions.  Every action is a POST with the CSRF token, and
writes one audit log line (who, what, how many) to the ``webapp.operator.audit`` logger."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import clients
from core.db import db
from core.logs import log_event
from core.models import Role
from providers import registry

from ..auth.access import role_required
from ..services import accounts, operations
from . import bp

audit = logging.getLogger("webapp.operator.audit")


@bp.get("")
@role_required(Role.OPERATOR)
def index():
    queue_states, workers = operations.queues()
    reconnect_total, reconnect = operations.reconnect_needed()
    return render_template(
        "operator/index.html", queues=queue_states, workers=workers, jobs=operations.troubled_jobs(),
        failed=operations.failed_sessions(), reconnect_total=reconnect_total, reconnect=reconnect,
        quotas=operations.quota_state(), labels=registry.labels(), providers=[p.name for p in clients.enabled()])


@bp.post("/jobs/<int:job_id>/requeue")
@role_required(Role.OPERATOR)
def requeue(job_id: int):
    try:
        job = operations.requeue(job_id)
    except operations.ActionRefused as refused:
        _audit("requeue", "refused", export_job_id=job_id, reason=str(refused))
        flash(str(refused), "error")
        return redirect(url_for("operator.index"))
    db.session.commit()
    _audit("requeue", "requeued", export_job_id=job.id, session_id=job.session_id, provider=job.provider)
    flash(f"Job {job.id} is queued again.", "info")
    return redirect(url_for("operator.index"))


@bp.post("/providers/<provider>/retry-failed")
@role_required(Role.OPERATOR)
def retry_failed(provider: str):
    provider = provider.upper()
    try:
        retried, refused = operations.retry_failed(provider)
    except operations.ActionRefused as error:
        flash(str(error), "error")
        return redirect(url_for("operator.index"))
    db.session.commit()
    _audit("retry failed", "retried", provider=provider, retried=retried, refused=sum(refused.values()))
    label = registry.label(provider)
    message = f"{retried} FAILED {label} session{'s' if retried != 1 else ''} queued again (within {label}'s quota)."
    if refused:
        message += " Not retried: " + "; ".join(f"{n} × {why}" for why, n in refused.most_common(3))
    flash(message, "info")
    return redirect(url_for("operator.index"))


@bp.post("/users/end-sessions")
@role_required(Role.OPERATOR)
def end_sessions():
    """End every session, remember cookie and API token of one account (a lost phone, a leak)."""
    email = request.form.get("email", "")
    user = accounts.find_user(email) if email else None
    if user is None:
        _audit("end sessions", "refused", reason="no such account")
        flash("No account has that email.", "error")
        return redirect(url_for("operator.index") + "#accounts")
    deleted = accounts.end_sessions(user, tokens=True)
    db.session.commit()
    _audit("end sessions", "ended", user_id=user.id, tokens_deleted=deleted)
    flash(f"Every session of {user.email} has ended and {deleted} API token(s) were deleted.", "info")
    return redirect(url_for("operator.index") + "#accounts")


def _audit(action: str, outcome: str, **fields) -> None:
    log_event(audit, "operator action", action=action, outcome=outcome, operator_id=current_user.id, **fields)
