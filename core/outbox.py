"""Putting jobs on the queue, and only after the transaction that wrote them commits.

Enqueueing before the commit is a race: a fast worker loads a row that does not exist
yet (microblog#220).  So a plan save stashes what it wants enqueued on the database
session; an ``after_commit`` hook enqueues it, an ``after_rollback`` hook drops it.

Enqueueing never fails a save.  When Redis is down the export row simply waits: the relay
(jobs/relay.py) enqueues it later.  After one failure, enqueues are skipped for a few
seconds so that saves do not each wait for Redis' connect timeout.

An ExportJob row names the RQ job that may run it by its sequence number: ``requeue``
bumps it, so an older wake-up of the row does nothing, and ``claim`` lets only the wake-up
with the current number take the row.  ``park`` leaves a row with no wake-up at all, on
purpose: it waits for its delivery window or for quota, and the periodic job
(jobs/relay.py) releases it when due, nearest session first.

Times in the rows are the pipeline's clock (webapp/clock.py); RQ's scheduler is given the
matching real time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import bindparam, event, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import clock
from .clock import real_now
from .db import db, execute
from .delivery import priority
from .logs import log_event
from .models.export import ExportJob, JobKind, JobStatus, rq_job_id
from .queue import rq

logger = logging.getLogger(__name__)
# The row's own writes by the worker holding it: Core statements, built once.
_JOBS = ExportJob.__table__
_CLAIM = (_JOBS.update()
          .where(_JOBS.c.id == bindparam("b_job_id"), _JOBS.c.status == JobStatus.PENDING,
                 _JOBS.c.enqueue_seq == bindparam("b_seq"))
          .values(status=JobStatus.PROCESSING, lease_expires_at=bindparam("b_lease"), attempts=_JOBS.c.attempts + 1)
          .returning(_JOBS.c.attempts))
_WRITE_JOB = _JOBS.update().where(_JOBS.c.id == bindparam("b_job_id"))

RUN_EXPORT = "jobs.export.run_export"
RUN_REMOVAL = "jobs.removal.run_removal"
PUSH_WAITING = "jobs.push.push_waiting"
RESULT_TTL = 3600
FAILURE_TTL = 7 * 24 * 3600
BREAKER_SECONDS = 5.0
_STASH = "hybridpeaks_enqueue"
_redis_down_until = 0.0


@dataclass(frozen=True)
class Wakeup:
    """One RQ job to enqueue: a function name, its arguments, its id and queue."""

    func: str
    args: tuple
    job_id: str | None
    queue: str
    at: datetime | None = None
    retry_intervals: tuple[int, ...] = ()  # RQ retries a failed job after these many seconds
    at_front: bool = False  # a session of today or tomorrow (core/delivery/priority.py)


def wakeup_for(job) -> Wakeup:
    """The RQ job that runs an ExportJob row (by its id and current sequence number)."""
    func = RUN_REMOVAL if job.kind == JobKind.REMOVE else RUN_EXPORT
    now = clock.now()
    at = clock.real(job.next_attempt_at) if job.next_attempt_at and job.next_attempt_at > now else None
    # The session only when it is at hand (a save, a connect, Retry): never a query per job.
    session = job.__dict__.get("session")
    first = session is not None and priority.goes_first(session.date, now.date())
    return Wakeup(func, (job.id, job.enqueue_seq), rq_job_id(job.id, job.enqueue_seq), job.queue, at, at_front=first)


def scheduler_time(at: datetime) -> datetime:
    """``at`` (naive UTC, as the database stores it) as RQ's scheduler must be given it.

    RQ reads a naive datetime as the server's local time (hours off wherever TZ is not
    UTC), and keeps only whole seconds, rounding down: a retry due at 12:00:04.87 would be
    released from 12:00:04.00, up to a second before its backoff ends.  So: aware UTC,
    rounded up to the next whole second.
    """
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    if at.microsecond:
        at = at.replace(microsecond=0) + timedelta(seconds=1)
    return at


# -- the rows: what is to be done, written in the caller's transaction ------------------------------

def add_delivery(session, provider: str, queue: str, kind: str = JobKind.EXPORT, refs: dict | None = None,
                 wait_until: datetime | None = None, held: bool = False) -> ExportJob:
    """An ExportJob for the session's current revision: woken after the commit, or parked
    (``wait_until`` its window opens, or ``held`` for a bulk push's budget) for the relay."""
    parked = wait_until is not None or held
    job = ExportJob(kind=kind, session=session, athlete_id=session.plan.athlete_id, provider=provider,
                    revision=session.revision, status=JobStatus.PENDING, queue=queue,
                    next_attempt_at=wait_until or clock.now(), parked=parked,
                    external_refs=provider_ids(refs) if refs else None)
    db.session.add(job)
    if not parked:
        after_commit(job)
    return job


def add_removal(athlete_id: int, provider: str, refs: dict, queue: str = priority.INTERACTIVE) -> ExportJob:
    """Delete what ``refs`` points at (a workout we created) from ``provider``."""
    job = ExportJob(kind=JobKind.REMOVE, session_id=None, athlete_id=athlete_id, provider=provider,
                    status=JobStatus.PENDING, queue=queue, external_refs={"provider": provider, **provider_ids(refs)},
                    next_attempt_at=clock.now())
    db.session.add(job)
    after_commit(job)
    return job


def provider_ids(refs: dict) -> dict:
    """The provider's ids among a job's or a session's refs (workoutId, scheduleId, planId...),
    without our own markers."""
    return {key: value for key, value in refs.items() if key.endswith("Id")}


def supersede_open(session_ids: list[int]) -> None:
    """Pending jobs of older revisions of these sessions will never run (a job in flight
    notices by itself); one that already created a workout before waiting for a retry gets
    it removed.  One guarded UPDATE: a job a worker claimed meanwhile is PROCESSING and left
    alone."""
    if not session_ids:
        return
    superseded = db.session.execute(
        update(ExportJob)
        .where(ExportJob.session_id.in_(session_ids), ExportJob.status == JobStatus.PENDING,
               ExportJob.kind.in_(JobKind.DELIVERIES))
        .values(status=JobStatus.SUPERSEDED, finished_at=clock.now(), parked=False)
        .returning(ExportJob.athlete_id, ExportJob.provider, ExportJob.kind, ExportJob.external_refs)
        .execution_options(synchronize_session=False)
    ).all()
    for athlete_id, provider, kind, refs in superseded:
        if refs and kind == JobKind.EXPORT and provider_ids(refs):
            add_removal(athlete_id, provider, refs)


# -- waking the rows -----------------------------------------------------------------------------

def requeue(job: ExportJob, at: datetime | None = None) -> None:
    """Run ``job`` again at ``at`` (clock time; else when it is already due), once this
    transaction commits; the caller commits."""
    job.status, job.lease_expires_at, job.parked = JobStatus.PENDING, None, False
    if at is not None:
        job.next_attempt_at = at
    job.enqueue_seq += 1
    after_commit(job)


def park(job: ExportJob, until: datetime) -> None:
    """Leave ``job`` waiting, with no wake-up, until the periodic job releases it at or after
    ``until`` (clock time); the caller commits.  Any older wake-up of it does nothing."""
    job.status, job.lease_expires_at, job.parked = JobStatus.PENDING, None, True
    job.next_attempt_at = until
    job.enqueue_seq += 1


def claim(job: ExportJob, commit: bool = True) -> bool:
    """Take a PENDING row for this worker, with a lease, counting the attempt; False when
    another wake-up took it first.  One guarded UPDATE: two workers holding wake-ups of the
    same row cannot both run it.  An IntegrityError from a unique index is the caller's to
    handle.

    With ``commit=False`` the claim holds the row until the caller commits, which it must
    before any call to a provider (the export job commits it with its first step's mark,
    and writes its attempt row in the same transaction).  The row is not read again: the
    claim knows what it wrote (RETURNING gives the attempt count)."""
    # A lease measures the worker, not the calendar: real time.
    lease = real_now() + timedelta(seconds=current_app.config["EXPORT_LEASE_SECONDS"])
    claimed = execute(_CLAIM, {"b_job_id": job.id, "b_seq": job.enqueue_seq, "b_lease": lease}).first()
    if claimed is None:
        db.session.rollback()  # nothing was written
        return False
    written = {"status": JobStatus.PROCESSING, "lease_expires_at": lease, "attempts": claimed.attempts}
    _loaded(job, written)
    if commit:
        db.session.commit()
        _loaded(job, written)  # again, where the commit expired the row
    return True


class Staged:
    """Changes to a job's row by the worker holding it, written in one UPDATE with the next
    commit (a Core UPDATE: no unit of work for a row no one else writes meanwhile).  The
    loaded row shows them at once; what the ORM itself changed on it (``requeue``,
    ``park``) is flushed beside them as always."""

    def __init__(self, job: ExportJob):
        self.job, self.values = job, {}

    def set(self, **values) -> None:
        self.values.update(values)
        _loaded(self.job, values)

    def again(self) -> None:
        """After a rollback, which expired the row: show what is still to write."""
        _loaded(self.job, self.values)

    def commit(self) -> None:
        if self.values:
            execute(_WRITE_JOB, {**self.values, "b_job_id": self.job.id})
            self.values = {}
        db.session.commit()


def _loaded(job: ExportJob, values: dict) -> None:
    for key, value in values.items():
        set_committed_value(job, key, value)


def after_commit(*items) -> None:
    """Enqueue these (ExportJob rows or Wakeups) once the current transaction commits."""
    db.session.info.setdefault(_STASH, []).extend(items)


def enqueue(wakeups: list[Wakeup]) -> int:
    """Enqueue now; returns how many went in.  Never raises: a row left unqueued waits for
    the relay."""
    global _redis_down_until
    if not wakeups:
        return 0
    if time.monotonic() < _redis_down_until:
        log_event(logger, "enqueue deferred", level=logging.WARNING, jobs=len(wakeups), outcome="redis recently down")
        return 0
    timeout = current_app.config["EXPORT_JOB_TIMEOUT"]
    try:
        immediate: dict[str, list] = {}
        for wakeup in wakeups:
            queue = rq.get_queue(wakeup.queue)
            options = dict(job_id=wakeup.job_id, timeout=timeout, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
                           at_front=wakeup.at_front)
            if wakeup.retry_intervals:
                options["retry"] = Retry(max=len(wakeup.retry_intervals), interval=list(wakeup.retry_intervals))
            if wakeup.at is not None:
                queue.enqueue_at(scheduler_time(wakeup.at), wakeup.func, *wakeup.args, job_timeout=timeout,
                                 job_id=wakeup.job_id, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
                                 retry=options.get("retry"))
            else:
                immediate.setdefault(wakeup.queue, []).append(Queue.prepare_data(wakeup.func, wakeup.args, **options))
        for name, batch in immediate.items():
            # RQ pushes each at_front job onto the front in turn, which would reverse them:
            # given last-first, today's session stays ahead of tomorrow's.
            front = [data for data in batch if data.at_front]
            rq.get_queue(name).enqueue_many(front[::-1] + [data for data in batch if not data.at_front])
        return len(wakeups)
    except RedisError as error:
        _redis_down_until = time.monotonic() + BREAKER_SECONDS
        log_event(logger, "enqueue failed", level=logging.WARNING, jobs=len(wakeups),
                  outcome="left for the relay", error=type(error).__name__)
        return 0


def init_app(app: Flask) -> None:
    """Attach the commit hooks to Flask-SQLAlchemy's sessions (once per process)."""
    if getattr(init_app, "_done", False):
        return
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _on_commit)
    event.listen(Session, "after_rollback", _on_rollback)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _on_rollback(session))
    init_app._done = True


def _before_commit(session: Session) -> None:
    # Read the rows' ids and sequence numbers now, while they are loaded: after the
    # commit they are expired, and reading them would cost a query each.
    items = session.info.get(_STASH)
    if items and any(not isinstance(item, Wakeup) for item in items):
        session.flush()
        session.info[_STASH] = [item if isinstance(item, Wakeup) else wakeup_for(item) for item in items]


def _on_commit(session: Session) -> None:
    wakeups = session.info.pop(_STASH, None)
    if wakeups:
        enqueue(wakeups)


def _on_rollback(session: Session) -> None:
    session.info.pop(_STASH, None)
