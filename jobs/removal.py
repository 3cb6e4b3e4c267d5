"""Removing a workout we put on an athlete's calendar, when the session changed or went away.

A removal that fails is retried with the export's backoff and logged; it never turns a
session FAILED (the session it belonged to has moved on).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified

from providers.errors import NotFound, ProviderError, Transient
from webapp.extensions import db
from webapp.logs import log_event
from webapp.models import ExportJob, JobKind, JobStatus, Provider
from webapp.services import connections, providers, tokens
from webapp.timeutil import utcnow

from . import queueing
from .backoff import retry_delay
from .ratelimit import Throttled

logger = logging.getLogger(__name__)


def run_removal(job_id: int, seq: int = 0) -> str:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.kind != JobKind.REMOVE:
        return "missing"
    if job.status != JobStatus.PENDING or job.enqueue_seq != seq:
        return f"skipped: {job.status.lower()}"
    if not queueing.claim(job):
        return "skipped: claimed by another worker"
    started = time.perf_counter()
    connection = connections.find(job.athlete_id, job.provider)
    if connection is None or not connection.is_active:
        return _done(job, JobStatus.FAILED, started, "not connected: the workout stays at the provider")
    try:
        _remove(job, connection.id)
    except Throttled as throttled:
        job.attempts -= 1
        return _again(job, throttled.retry_at, started, "throttled")
    except Transient as error:
        delay = retry_delay(job.attempts, current_app.config["EXPORT_RETRY_DELAYS"],
                            current_app.config["EXPORT_RETRY_JITTER"])
        if delay is None:
            return _done(job, JobStatus.FAILED, started, f"{error} (gave up after {job.attempts} attempts)")
        job.last_error = str(error)
        return _again(job, utcnow() + timedelta(seconds=delay), started, str(error))
    except ProviderError as error:
        return _done(job, JobStatus.FAILED, started, str(error))
    return _done(job, JobStatus.COMPLETED, started, None)


def _remove(job: ExportJob, connection_id: int) -> None:
    refs = dict(job.external_refs or {})
    api = providers.api(job.provider)
    steps = [("workoutId", api.delete_workout)]  # Garmin drops the schedule with its workout
    if job.provider == Provider.WAHOO:
        steps.append(("planId", api.delete_plan))
    for key, delete in steps:
        if key not in refs:
            continue
        try:
            tokens.with_token(connection_id, lambda token: delete(token, refs[key]))
        except NotFound:
            pass  # already gone: that is what we wanted
        refs.pop(key)
        job.external_refs = refs
        flag_modified(job, "external_refs")
        db.session.commit()


def _again(job: ExportJob, at, started: float, reason: str) -> str:
    queueing.requeue(job, at)
    db.session.commit()
    _log(job, "RETRY", started, reason)
    return "retry"


def _done(job: ExportJob, status: str, started: float, error: str | None) -> str:
    job.status, job.finished_at, job.lease_expires_at = status, utcnow(), None
    job.last_error = error
    db.session.commit()
    _log(job, "REMOVED" if status == JobStatus.COMPLETED else "FAILED", started, error)
    return status.lower()


def _log(job: ExportJob, outcome: str, started: float, error: str | None) -> None:
    level = logging.WARNING if outcome in ("FAILED", "RETRY") else logging.INFO
    fields = {"export_job_id": job.id, "provider": job.provider, "attempt": job.attempts, "outcome": outcome,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        fields["error"] = error
    log_event(logger, "workout removal", level=level, **fields)
