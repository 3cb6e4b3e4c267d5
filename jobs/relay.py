"""The relay, the pipeline's periodic job: no export row stays PENDING forever.

Every RELAY_INTERVAL_SECONDS (a periodic job: jobs/periodic.py) it

- takes back rows whose worker died mid-export (PROCESSING past their lease) and queues
  them again: the job is idempotent, and continues from the provider ids it stored;
- releases parked rows that are due: sessions entering their delivery window, jobs that
  waited for quota, the tail of a bulk push.  Interactive first, then the nearest session,
  and per provider no more than its quota has room for now (core/delivery/priority.py);
- queues rows that are due but have no live RQ job: enqueued while Redis was down, or
  lost when Redis restarted.

Two relays never run at once (a lock in Redis): one that finds the lock held leaves the
round to the other.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq.job import Job
from rq.job import JobStatus as RqStatus
from sqlalchemy import and_, func, or_, select, update

from core import clock, outbox, quota
from core.clock import real_now
from core.db import db
from core.delivery import priority
from core.logs import log_event
from core.models import AttemptOutcome, ExportAttempt, ExportJob, JobStatus, TrainingSession
from core.queue import rq

logger = logging.getLogger(__name__)
ALIVE = {RqStatus.QUEUED, RqStatus.STARTED, RqStatus.SCHEDULED, RqStatus.DEFERRED}
RELEASE_BATCH = 1000


def relay() -> str:
    lock = rq.queue.connection.lock("hybridpeaks:relay", timeout=max(60, 4 * current_app.config["RELAY_INTERVAL_SECONDS"]),
                                    blocking_timeout=0)
    if not lock.acquire():
        return "skipped: another relay is running"
    try:
        recovered, released, requeued = _recover_abandoned(), _release_parked(), _requeue_orphans()
    finally:
        lock.release()
    if recovered or released or requeued:
        log_event(logger, "relay", recovered=recovered, released=released, requeued=requeued)
    return f"recovered {recovered}, released {released}, requeued {requeued}"


def _recover_abandoned() -> int:
    now = clock.now()
    stale = db.session.scalars(select(ExportJob).where(
        ExportJob.status == JobStatus.PROCESSING, ExportJob.lease_expires_at < real_now())).all()  # leases: real time
    for job in stale:
        outbox.requeue(job, now)
        db.session.execute(
            update(ExportAttempt)
            .where(ExportAttempt.export_job_id == job.id, ExportAttempt.finished_at.is_(None))
            .values(outcome=AttemptOutcome.ABANDONED, finished_at=now,
                    error="The worker stopped during this attempt; HybridPeaks tried again."))
        log_event(logger, "export recovered", level=logging.WARNING, export_job_id=job.id,
                  session_id=job.session_id, provider=job.provider, attempt=job.attempts, outcome="ABANDONED")
    db.session.commit()
    return len(stale)


def _release_parked() -> int:
    """Wake parked rows that are due, in priority order, within each provider's room."""
    due = db.session.execute(
        select(ExportJob, TrainingSession.date)
        .outerjoin(TrainingSession, ExportJob.session_id == TrainingSession.id)
        .where(ExportJob.status == JobStatus.PENDING, ExportJob.parked.is_(True),
               ExportJob.next_attempt_at <= clock.now())
        .order_by(*priority.release_order(ExportJob, TrainingSession))
        .limit(RELEASE_BATCH)).all()
    if not due:
        return 0
    room: dict[tuple[str, bool], int] = {}
    ahead = _queued_ahead()

    def take(provider: str, bulk: bool) -> bool:
        keys = [(provider, False)] + ([(provider, True)] if bulk else [])
        for key in keys:
            if key not in room:
                # What is queued already spends the room first: releasing past it would let a
                # later session take the calls a nearer one, queued before it, finds gone.
                room[key] = priority.jobs_within(quota.available(provider, bulk=key[1])) - ahead.get(key, 0)
        if any(room[key] <= 0 for key in keys):
            return False
        for key in {(provider, False), (provider, True)}:
            if key in room:
                room[key] -= 1
        return True

    released = []
    for job, _ in due:
        if take(job.provider, job.queue == priority.BULK):
            outbox.requeue(job)
            released.append(job)
    session_ids = [job.session_id for job in released if job.session_id]
    if session_ids:
        db.session.execute(update(TrainingSession).where(TrainingSession.id.in_(session_ids))
                           .values(export_scheduled_for=None, updated_at=TrainingSession.updated_at)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return len(released)


def _queued_ahead() -> dict[tuple[str, bool], int]:
    """Open jobs not parked, due or under way, by (provider, False) (all of them) and
    (provider, True) (the bulk ones): they will spend the provider's room before any released now."""
    rows = db.session.execute(
        select(ExportJob.provider, ExportJob.queue, func.count())
        .where(or_(ExportJob.status == JobStatus.PROCESSING,
                   and_(ExportJob.status == JobStatus.PENDING, ExportJob.parked.is_(False),
                        ExportJob.next_attempt_at <= clock.now())))
        .group_by(ExportJob.provider, ExportJob.queue)).all()
    ahead: dict[tuple[str, bool], int] = {}
    for provider, queue, count in rows:
        ahead[(provider, False)] = ahead.get((provider, False), 0) + count
        if queue == priority.BULK:
            ahead[(provider, True)] = ahead.get((provider, True), 0) + count
    return ahead


def _requeue_orphans() -> int:
    cutoff = real_now() - timedelta(seconds=current_app.config["RELAY_GRACE_SECONDS"])  # a grace is real time
    due = db.session.scalars(select(ExportJob).where(
        ExportJob.status == JobStatus.PENDING, ExportJob.parked.is_(False),
        ExportJob.next_attempt_at <= clock.from_real(cutoff), ExportJob.updated_at <= cutoff)).all()
    if not due:
        return 0
    queue = rq.get_queue("default")
    found = Job.fetch_many([job.rq_job_id for job in due], connection=queue.connection)
    orphans = [job for job, rq_job in zip(due, found) if rq_job is None or rq_job.get_status() not in ALIVE]
    for job in orphans:
        outbox.requeue(job)
    db.session.commit()
    return len(orphans)
