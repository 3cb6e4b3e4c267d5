"""Removing a workout we put on an athlete's calendar, when the session changed or went away.

The provider's client does the deleting (``remove`` in providers/delivery.py); what is already
gone is fine.  A removal that fails for a transient reason is retried with the export's
backoff (a bounded number of times: no session waits on it), a quota wait parks it, and
neither ever turns a session FAILED (the session it belonged to has moved on).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Callable, TypeVar

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified

from core import clients, clock, connections, outbox, quota, tokens
from core.db import db
from core.logs import log_event
from core.models import AttemptOutcome, ExportJob, JobKind, JobStatus
from core.retry import retry_delay
from providers.errors import ProviderError, RateLimited, Transient

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS_FACTOR = 2  # a removal gives up after twice as many attempts as there are retry delays


def run_removal(job_id: int, seq: int = 0) -> str:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.kind != JobKind.REMOVE:
        return "missing"
    if job.status != JobStatus.PENDING or job.enqueue_seq != seq:
        return f"skipped: {job.status.lower()}"
    if not outbox.claim(job):
        return "skipped: claimed by another worker"
    started = time.perf_counter()
    connection = connections.find(job.athlete_id, job.provider)
    if connection is None or not connection.is_active:
        return _done(job, JobStatus.FAILED, started, "not connected: the workout stays at the provider")
    run = _RemovalRun(job, connection.id)
    try:
        with quota.calling(bulk=False):
            clients.api(job.provider).remove(run)
    except quota.Throttled as throttled:
        job.attempts -= 1
        return _park(job, clock.from_real(throttled.retry_at), started, str(throttled))
    except RateLimited as error:
        return _park(job, clock.from_real(quota.rate_limited(job.provider, error.reset_at)), started, str(error))
    except Transient as error:
        delays = current_app.config["EXPORT_RETRY_DELAYS"]
        if job.attempts >= MAX_ATTEMPTS_FACTOR * len(delays):
            return _done(job, JobStatus.FAILED, started, f"{error} (gave up after {job.attempts} attempts)")
        job.last_error = str(error)
        at = clock.now() + timedelta(seconds=retry_delay(job.attempts, delays, current_app.config["EXPORT_RETRY_JITTER"]))
        outbox.requeue(job, at)
        db.session.commit()
        _log(job, AttemptOutcome.RETRY, started, str(error))
        return "retry"
    except ProviderError as error:
        return _done(job, JobStatus.FAILED, started, str(error))
    return _done(job, JobStatus.COMPLETED, started, None)


class _RemovalRun:
    """What the client removes, and each id forgotten as soon as it is gone."""

    def __init__(self, job: ExportJob, connection_id: int):
        self.job, self.connection_id = job, connection_id
        self.refs = outbox.provider_ids(job.external_refs or {})

    def call(self, action: Callable[[str], T]) -> T:
        return tokens.with_token(self.connection_id, action)

    def step(self, ref, create, find=None):  # removals create nothing
        raise NotImplementedError

    def gone(self, ref: str) -> None:
        self.refs.pop(ref, None)
        self.job.external_refs = {"provider": self.job.provider, **self.refs}
        flag_modified(self.job, "external_refs")
        db.session.commit()


def _park(job: ExportJob, until, started: float, reason: str) -> str:
    job.last_error = reason
    outbox.park(job, until)
    db.session.commit()
    _log(job, AttemptOutcome.QUOTA_WAIT, started, reason)
    return "waiting for quota"


def _done(job: ExportJob, status: str, started: float, error: str | None) -> str:
    job.status, job.finished_at, job.lease_expires_at, job.parked = status, clock.now(), None, False
    job.last_error = error
    db.session.commit()
    _log(job, AttemptOutcome.REMOVED if status == JobStatus.COMPLETED else AttemptOutcome.FAILED, started, error)
    return status.lower()


def _log(job: ExportJob, outcome: str, started: float, error: str | None) -> None:
    level = logging.WARNING if outcome in (AttemptOutcome.FAILED, AttemptOutcome.RETRY) else logging.INFO
    fields = {"export_job_id": job.id, "provider": job.provider, "attempt": job.attempts, "outcome": outcome,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        fields["error"] = error
    log_event(logger, "workout removal", level=level, **fields)
