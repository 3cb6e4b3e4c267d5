"""What the operator's page shows and does: the queues and workers, jobs stuck or retrying and
why, FAILED sessions by provider and reason, connections to reconnect; requeue a job, retry
every FAILED session of a provider (after its outage).  Plain functions over the database
and RQ, so the page, a test or a shell can call them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from rq import Queue, Worker
from rq.job import Job
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from core import clock, outbox, quota
from core.clock import real_now
from core.db import db
from core.delivery.priority import BULK
from core.exports import RetryRefused, bulk_budget, retry
from core.models import (
    ConnectionStatus,
    DeviceConnection,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobStatus,
    TrainingSession,
)
from core.queue import QUEUES, rq

STUCK_AFTER = timedelta(minutes=5)  # due this long with no worker taking it: something is wrong
LIST_LIMIT = 100
REASONS = {
    FailureKind.TRANSIENT: "Outage or quota until the session's day passed",
    FailureKind.REJECTED: "The provider refused the workout",
    FailureKind.VALIDATION: "The workout breaks a rule, or the device cannot take it",
    FailureKind.DAY_PASSED: "Saved after the session's day",
    None: "Refused before sending (the device cannot take it)",
}


@dataclass
class QueueState:
    name: str
    waiting: int
    scheduled: int
    running: int
    failed: int
    oldest_seconds: float


@dataclass
class WorkerState:
    name: str
    state: str
    queues: str
    current_job: str | None
    last_heartbeat: datetime | None


def queues() -> tuple[list[QueueState], list[WorkerState]]:
    connection = rq.queue.connection
    now = datetime.now(timezone.utc)
    states = []
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        head = queue.get_job_ids(0, 1)
        job = Job.fetch(head[0], connection=connection) if head else None
        enqueued = job.enqueued_at.replace(tzinfo=timezone.utc) if job is not None and job.enqueued_at else None
        states.append(QueueState(name, queue.count, queue.scheduled_job_registry.count,
                                 queue.started_job_registry.count, queue.failed_job_registry.count,
                                 (now - enqueued).total_seconds() if enqueued else 0.0))
    workers = [WorkerState(w.name, w.get_state(), ", ".join(w.queue_names()), w.get_current_job_id(),
                           w.last_heartbeat) for w in Worker.all(connection=connection)]
    return states, sorted(workers, key=lambda w: w.name)


@dataclass
class JobRow:
    job: ExportJob
    state: str  # stuck (worker gone), not taken (no worker), retrying, waiting for quota
    why: str


def troubled_jobs() -> list[JobRow]:
    """Open jobs an operator should know of: stuck on a dead worker, due with no worker taking
    them, retrying after errors, waiting for quota.  (Sessions waiting for their delivery
    window are normal and not listed.)"""
    now, real = clock.now(), clock.real_now()
    rows = []
    stuck = db.session.scalars(select(ExportJob).where(
        ExportJob.status == JobStatus.PROCESSING, ExportJob.lease_expires_at < real)
        .order_by(ExportJob.lease_expires_at).limit(LIST_LIMIT)).all()
    rows += [JobRow(j, "stuck", "its worker stopped mid-attempt (lease expired); the relay takes it back") for j in stuck]
    idle = db.session.scalars(select(ExportJob).where(
        ExportJob.status == JobStatus.PENDING, ExportJob.parked.is_(False),
        ExportJob.next_attempt_at < now - STUCK_AFTER).order_by(ExportJob.next_attempt_at).limit(LIST_LIMIT)).all()
    rows += [JobRow(j, "not taken", f"due for {_ago(now - j.next_attempt_at)} and no worker has taken it") for j in idle]
    # A job that has failed before is retrying whether it waits for its next attempt or is in it.
    retrying = db.session.scalars(select(ExportJob).where(
        ExportJob.last_error.is_not(None),
        or_(and_(ExportJob.status == JobStatus.PENDING, ExportJob.next_attempt_at >= now - STUCK_AFTER),
            and_(ExportJob.status == JobStatus.PROCESSING, ExportJob.lease_expires_at >= real)))
        .order_by(ExportJob.next_attempt_at).limit(LIST_LIMIT)).all()
    rows += [JobRow(j, "waiting for quota" if j.parked else "retrying", j.last_error or "") for j in retrying]
    return rows


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


@dataclass
class FailedGroup:
    provider: str
    kind: str | None
    count: int = 0
    upcoming: int = 0  # whose day has not passed: a retry can still deliver them
    messages: Counter = field(default_factory=Counter)

    @property
    def reason(self) -> str:
        return REASONS.get(self.kind, self.kind or "")


def failed_sessions() -> list[FailedGroup]:
    """FAILED sessions by provider and the kind of their last failure, most first."""
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.export_status == ExportStatus.FAILED)).all()
    ids = [s.id for s in sessions]
    kinds = {}
    if ids:
        latest = (select(ExportJob.session_id, func.max(ExportJob.id).label("id"))
                  .where(ExportJob.session_id.in_(ids), ExportJob.status == JobStatus.FAILED)
                  .group_by(ExportJob.session_id).subquery())
        kinds = dict(db.session.execute(select(ExportJob.session_id, ExportJob.failure_kind)
                                        .join(latest, ExportJob.id == latest.c.id)).all())
    # "Upcoming" by UTC, a day of slack for the athletes' time zones (a retry checks exactly).
    earliest = clock.now().date() - timedelta(days=1)
    groups: dict[tuple, FailedGroup] = {}
    for session in sessions:
        key = (session.export_provider or "-", kinds.get(session.id))
        group = groups.setdefault(key, FailedGroup(*key))
        group.count += 1
        group.upcoming += session.date >= earliest
        group.messages[(session.last_export_error or "")[:200]] += 1
    return sorted(groups.values(), key=lambda g: (-g.count, g.provider))


def reconnect_needed() -> tuple[int, list[DeviceConnection]]:
    query = select(DeviceConnection).where(DeviceConnection.status == ConnectionStatus.REVOKED)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(selectinload(DeviceConnection.athlete))
                              .order_by(DeviceConnection.updated_at.desc()).limit(LIST_LIMIT)).all()
    return total, rows


def quota_state() -> list[tuple[str, str, int, int]]:
    """(provider, window, limit, left) of every app-wide window."""
    return [(provider, window.name, limit, left)
            for provider in current_app.config["PROVIDERS"] for window, limit, left in quota.budgets(provider)]


# -- actions -----------------------------------------------------------------------------------

class ActionRefused(Exception):
    pass


def requeue(job_id: int) -> ExportJob:
    """Queue an open job again now (a stuck or idle one); the caller commits."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status not in JobStatus.OPEN:
        raise ActionRefused("Only an open job (PENDING or PROCESSING) can be requeued.")
    if job.status == JobStatus.PROCESSING and job.lease_expires_at and job.lease_expires_at > real_now():
        raise ActionRefused("This job is running on a worker now; requeue it only once its lease has expired.")
    outbox.requeue(job, clock.now())
    return job


def retry_failed(provider: str) -> tuple[int, Counter]:
    """Retry every FAILED session of ``provider`` (after its outage), as a bulk push within its
    quota; returns how many were retried and why the others were not.  The caller commits."""
    if provider not in current_app.config["PROVIDERS"]:
        raise ActionRefused(f"Unknown provider {provider!r}.")
    sessions = db.session.scalars(select(TrainingSession).where(
        TrainingSession.export_status == ExportStatus.FAILED, TrainingSession.export_provider == provider)
        .order_by(TrainingSession.date, TrainingSession.id)).all()
    retried, refused, budget = 0, Counter(), bulk_budget()
    for session in sessions:
        try:
            retry(session, BULK, budget=budget)
            retried += 1
        except RetryRefused as error:
            refused[str(error)] += 1
    return retried, refused
