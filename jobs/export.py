"""The export job: one session revision to the athlete's device (its provider's calendar).

normalize -> validate -> convert (what the provider will get, adapted where it must be) ->
create (or move) it with the athlete's own token -> the session reads SENT.  The job knows
no provider by name: the provider's client (providers/delivery.py) does the provider's
steps, and this job gives it a :class:`jobs.steps.Run` to store each id as it appears.

Delivery is at least once (a job can run twice, a worker can die half way), so the job is
idempotent:

- it reads its row, the session, the athlete and the connection in one statement, and
  claims the row (PENDING -> PROCESSING) in one UPDATE, committed with its attempt row and
  the first step's mark (a crash of ours before that takes the claim again, so the attempt
  counts); a duplicate delivery finds it claimed and stops, and a partial unique index
  lets only one job per session be PROCESSING, so two revisions never race at the provider;
- each provider id is committed the moment it exists (the workout before it is
  scheduled), so a retry continues where the last try stopped instead of creating a
  second workout; a step whose create may have reached the provider unanswered is marked
  before the call, and the next try looks for what it made (the client's ``find``) before
  creating again;
- the session is marked SENT only if it still has the revision this job exported; if the
  coach changed it meanwhile the job is superseded and its workout is removed.

Failures by class: a validation problem, a workout the provider cannot take, or a payload
it rejects fails at once with the reason; network errors, timeouts and 5xx are retried
with capped backoff until the session's day has passed in the athlete's time zone
(core/retry.py); a quota wait (our budget, or a 429) parks the job until the window
frees, without counting an attempt; a revoked token or a missing permission turns the
session NOT_CONNECTED with a message that tells the athlete what to do.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from flask import current_app
from rq import get_current_job
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from core import clients, clock, connections, messages, metrics, outbox, quota
from core import db as core_db
from core.db import db
from core.delivery import window
from core.delivery.priority import BULK
from core.logs import log_event
from core.models import (
    AttemptOutcome,
    ConnectionStatus,
    DeviceConnection,
    ExportAttempt,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobKind,
    JobStatus,
    RevokedReason,
    TrainingSession,
    User,
    WaitKind,
)
from core.retry import retry_at
from providers import registry
from providers.compatibility import fit_for
from providers.delivery import Item
from providers.errors import (
    Forbidden,
    NotFound,
    PayloadRejected,
    PermissionMissing,
    RateLimited,
    TokenRevoked,
    Transient,
)
from workouts import WorkoutInvalid, prepare

from .steps import Run

logger = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 5


class NotConnected(Exception):
    """The athlete has no usable connection to the job's provider."""


class DayPassed(Exception):
    """The session's day has passed in the athlete's time zone: nothing is worth sending."""

    def __init__(self, day, zone: str):
        super().__init__(messages.day_passed(day, zone))
        self.day, self.zone = day, zone


@dataclass
class Attempt:
    job: ExportJob
    writes: outbox.Staged  # the job row's changes, written with the next commit
    row_id: int  # its ExportAttempt row
    started: float
    athlete: User
    connection: DeviceConnection | None
    seconds: float = 0.0  # how long it took, once recorded
    run: Run | None = None  # its side of the provider conversation, once it starts

    @property
    def claim_committed(self) -> bool:
        """The claim and this row are committed with the first step's mark."""
        return self.run is not None and self.run.committed


# The job, its session, its athlete (with the profile) and the athlete's connection to the
# job's provider: one statement, built once.
_LOAD = (
    select(ExportJob, User, DeviceConnection)
    .join(User, User.id == ExportJob.athlete_id)
    .outerjoin(DeviceConnection, (DeviceConnection.athlete_id == ExportJob.athlete_id)
               & (DeviceConnection.provider == ExportJob.provider))
    .options(joinedload(ExportJob.session), joinedload(User.profile))
    .where(ExportJob.id == bindparam("job_id"))
)


def run_export(job_id: int, seq: int = 0) -> str:
    """Run ExportJob ``job_id`` (the RQ job carries the row's sequence number, so a stale
    wake-up of a rescheduled row does nothing).

    Its commits keep what it loaded (no re-reading of the job, session, athlete and
    connection rows after each one): what may change under it is read again on purpose
    (the session's refs, when it is marked, and the mark only if its revision is still the
    job's), the job's row is this worker's while it holds the lease, and the job writes it
    with Core statements (outbox.Staged).  Everything is expired at the end, as a commit
    would have."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        # Its provider calls and its outcome counted in one round trip, at the end; its
        # three transactions on one connection.
        with metrics.batch(), core_db.one_connection():
            return _run(job_id, seq)
    finally:
        session.expire_on_commit = expire_on_commit
        session.expire_all()


def _run(job_id: int, seq: int) -> str:
    loaded = db.session.execute(_LOAD, {"job_id": job_id}).first()
    if loaded is None or loaded.ExportJob.kind not in JobKind.DELIVERIES:
        return "missing"
    job = loaded.ExportJob
    if job.status != JobStatus.PENDING or job.enqueue_seq != seq:
        return f"skipped: {job.status.lower()} (sequence {job.enqueue_seq})"
    writes = outbox.Staged(job)
    if _is_superseded(job):
        _finish(writes, JobStatus.SUPERSEDED)
        _remove_created(job)
        writes.commit()
        metrics.count(metrics.EXPORTS, job.provider, AttemptOutcome.SUPERSEDED)
        _log(job, None, AttemptOutcome.SUPERSEDED)
        return "superseded"
    claim = _claim(job)
    if claim is not Claim.CLAIMED:
        return _not_claimed(writes, claim)
    attempt = Attempt(job, writes, _start_attempt(job), time.perf_counter(), loaded.User, loaded.DeviceConnection)
    try:
        with quota.calling(bulk=job.queue == BULK):
            refs = _deliver(attempt)
    except DayPassed as passed:
        if job.last_error:  # it was being retried: say what kept it from arriving
            return _fail(attempt, FailureKind.TRANSIENT, messages.gave_up(job.last_error, passed.day, passed.zone))
        return _fail(attempt, FailureKind.DAY_PASSED, str(passed))
    except quota.Throttled as throttled:
        return _wait_for_quota(attempt, clock.from_real(throttled.retry_at), str(throttled), counted=False)
    except RateLimited as error:
        until = clock.from_real(quota.rate_limited(job.provider, error.reset_at))
        return _wait_for_quota(attempt, until, str(error), counted=True)
    except WorkoutInvalid as error:  # Unsupported included: the provider cannot take it
        return _fail(attempt, FailureKind.VALIDATION, error.message)
    except (PayloadRejected, Forbidden) as error:
        return _fail(attempt, FailureKind.REJECTED, messages.refused(str(error)))
    except PermissionMissing as error:
        _revoke_connection(job, RevokedReason.PERMISSION_MISSING)
        return _not_connected(attempt, _reconnect_text(job, str(error)))
    except TokenRevoked as error:
        return _not_connected(attempt, _reconnect_text(job, str(error)))
    except NotConnected as error:
        return _not_connected(attempt, str(error))
    except Transient as error:
        return _retry_or_fail(attempt, error.message)
    except Exception as error:  # a bug or an outage we did not foresee: retry, keep the trace
        logger.exception("export crashed", extra={"fields": {"export_job_id": job.id, "session_id": job.session_id}})
        db.session.rollback()
        claim = _after_rollback(attempt)
        if claim is not Claim.CLAIMED:
            return _not_claimed(attempt.writes, claim)
        return _retry_or_fail(attempt, messages.crashed(type(error).__name__))
    return _complete(attempt, refs)


# -- claiming ------------------------------------------------------------------------------

class Claim(Enum):
    CLAIMED = "claimed"
    TAKEN = "taken"  # by another wake-up of the same row
    BUSY = "busy"  # another job of the session is PROCESSING


def _claim(job: ExportJob) -> Claim:
    """Claim the row, uncommitted: its attempt row and the first step's mark go with it."""
    try:
        return Claim.CLAIMED if outbox.claim(job, commit=False) else Claim.TAKEN
    except IntegrityError:  # uq_export_jobs_one_processing_per_session
        db.session.rollback()
        return Claim.BUSY


def _not_claimed(writes: outbox.Staged, claim: Claim) -> str:
    if claim is Claim.BUSY:
        _reschedule(writes, clock.now() + timedelta(seconds=BUSY_RETRY_SECONDS))
        _log(writes.job, None, AttemptOutcome.BUSY)
        return "busy: another export of this session is under way"
    return "skipped: claimed by another worker"


def _after_rollback(attempt: Attempt) -> Claim:
    """After a crash's rollback: the ids the provider gave (not yet committed) go into the
    job's next commit, and a claim the rollback undid is taken again, so the attempt counts
    (the claim's outcome: another worker may have taken the row or its session meanwhile)."""
    attempt.writes.again()
    if attempt.claim_committed:
        return Claim.CLAIMED
    claim = _claim(attempt.job)
    if claim is Claim.CLAIMED:
        attempt.row_id = _start_attempt(attempt.job)
    return claim


def _start_attempt(job: ExportJob) -> int:
    return core_db.execute(_START_ATTEMPT, {
        "export_job_id": job.id, "session_id": job.session_id, "provider": job.provider, "attempt": job.attempts,
        "started_at": clock.now()}).scalar_one()


# -- the delivery -----------------------------------------------------------------------------------

def _is_superseded(job: ExportJob) -> bool:
    session = job.session
    return session is None or session.revision != job.revision or not session.is_delivered


def _remove_created(job: ExportJob) -> None:
    """A superseded job may already have created a workout: it must not stay behind."""
    if job.kind == JobKind.EXPORT and outbox.provider_ids(job.external_refs or {}):
        outbox.add_removal(job.athlete_id, job.provider, job.external_refs)


def _deliver(attempt: Attempt) -> dict:
    # The session was read with the job, in the claim's transaction: a coach's edit committed
    # before the claim superseded the row (the claim then failed), one committed after it is
    # found when the session is marked (_complete), and its workout removed.
    job, athlete, connection = attempt.job, attempt.athlete, attempt.connection
    session = job.session
    if window.day_passed(session.date, athlete.timezone, clock.now()):
        raise DayPassed(session.date, athlete.timezone)
    if connection is None:
        raise NotConnected(messages.not_connected(job.provider))
    if not connection.is_active:
        raise NotConnected(connection.reconnect_message)
    thresholds = athlete.thresholds()
    normalized = prepare(session.workout, thresholds)
    fit = fit_for(job.provider, normalized, thresholds)
    item = Item(session_id=session.id, revision=job.revision, title=session.title, day=session.date,
                starts=_morning(session, athlete), updated_at=_aware(session.updated_at),
                normalized=normalized, payload=fit.sendable(), extra=fit.extra)
    run = attempt.run = Run(attempt.writes, connection)
    client = clients.api(job.provider)
    if job.kind == JobKind.MOVE:
        try:
            client.move(run, item)
        except NotFound:  # the athlete deleted it at the provider meanwhile: send it anew
            run.refs = {}
            client.create(run, item)
    else:
        client.create(run, item)
    return {**{k: v for k, v in run.refs.items() if not k.startswith("_")},
            "payloadHash": fit.payload_hash, "day": session.date.isoformat()}


def _morning(session: TrainingSession, athlete: User) -> datetime:
    """The session's date at a morning hour in the athlete's time zone (Wahoo wants a time)."""
    zone = ZoneInfo(athlete.timezone)
    hour = current_app.config["EXPORT_MORNING_HOUR"]
    return datetime(session.date.year, session.date.month, session.date.day, hour, tzinfo=zone)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=ZoneInfo("UTC"))


# -- outcomes ----------------------------------------------------------------------------------------

# The job's own statements, built once (constructing one costs more than running it).
_ATTEMPTS, _SESSIONS = ExportAttempt.__table__, TrainingSession.__table__
_START_ATTEMPT = _ATTEMPTS.insert().returning(_ATTEMPTS.c.id)
_END_ATTEMPT = _ATTEMPTS.update().where(_ATTEMPTS.c.id == bindparam("b_attempt_id"))
_DROP_ATTEMPT = _ATTEMPTS.delete().where(_ATTEMPTS.c.id == bindparam("b_attempt_id"))
# The session's export fields, if it still has the job's revision (updated_at kept: bookkeeping, not an edit).
_MARK_SESSION = (_SESSIONS.update()
                 .where(_SESSIONS.c.id == bindparam("b_session_id"), _SESSIONS.c.revision == bindparam("b_revision"))
                 .values(updated_at=_SESSIONS.c.updated_at))


def _complete(attempt: Attempt, refs: dict) -> str:
    job = attempt.job
    # The session is marked only if it still has the revision we exported: a coach's edit
    # meanwhile wins.  What it sent before is its refs as read with the job: while a job of
    # it is open, nothing else writes them without a new revision (a plan save, a threshold
    # or routing change make one; Retry and a connect's push skip a session with an open
    # job), and with a new revision the mark fails.
    previous = job.session.external_refs if job.session is not None else None
    sent_refs = {"provider": job.provider, **refs}
    marked = _update_session(
        job, export_status=ExportStatus.SENT, export_provider=job.provider, exported_at=clock.now(),
        external_workout_id=str(refs.get(registry.get(job.provider).workout_ref)), last_export_error=None,
        external_refs=sent_refs,
        export_scheduled_for=None, export_waiting=None)
    if marked:
        _finish(attempt.writes, JobStatus.COMPLETED)
        old = outbox.provider_ids(previous or {})
        if old and old != outbox.provider_ids(sent_refs):
            outbox.add_removal(job.athlete_id, previous["provider"], old)  # one version on the calendar
        outcome = AttemptOutcome.SENT
    else:
        _finish(attempt.writes, JobStatus.SUPERSEDED)
        if job.kind == JobKind.EXPORT:
            outbox.add_removal(job.athlete_id, job.provider, sent_refs)
        outcome = AttemptOutcome.SUPERSEDED
    return _end(attempt, outcome, None)


def _fail(attempt: Attempt, kind: str, message: str) -> str:
    _finish(attempt.writes, JobStatus.FAILED, kind, message)
    _remove_created(attempt.job)  # a workout created but never scheduled must not linger
    _update_session(attempt.job, export_status=ExportStatus.FAILED, export_provider=attempt.job.provider,
                    last_export_error=message, export_scheduled_for=None, export_waiting=None)
    return _end(attempt, AttemptOutcome.FAILED, message)


def _not_connected(attempt: Attempt, message: str) -> str:
    _finish(attempt.writes, JobStatus.FAILED, FailureKind.NOT_CONNECTED, message)
    _remove_created(attempt.job)  # tried when the athlete reconnects; harmless if that never happens
    _update_session(attempt.job, export_status=ExportStatus.NOT_CONNECTED, export_provider=attempt.job.provider,
                    last_export_error=message, export_scheduled_for=None, export_waiting=None)
    return _end(attempt, AttemptOutcome.NOT_CONNECTED, message)


def _deadline(attempt: Attempt) -> datetime:
    session = attempt.job.session
    return window.deadline(session.date, attempt.athlete.timezone) if session is not None else clock.now()


def _retry_or_fail(attempt: Attempt, message: str) -> str:
    job = attempt.job
    config = current_app.config
    at = retry_at(job.attempts, clock.now(), _deadline(attempt), config["EXPORT_RETRY_DELAYS"],
                  config["EXPORT_RETRY_JITTER"])
    if at is None:
        return _fail(attempt, FailureKind.TRANSIENT, messages.gave_up_after(message, job.attempts))
    job.last_error = message
    _update_session(job, export_status=ExportStatus.PENDING, last_export_error=message, export_scheduled_for=at,
                    export_waiting=WaitKind.RETRY)
    _record(attempt, AttemptOutcome.RETRY, message)
    _reschedule(attempt.writes, at)
    _counted(attempt, AttemptOutcome.RETRY)
    _log(job, attempt, AttemptOutcome.RETRY, message, next_attempt_at=at)
    return f"retry at {at.isoformat(timespec='seconds')}Z"


def _wait_for_quota(attempt: Attempt, until: datetime, reason: str, counted: bool) -> str:
    """Over a quota: park the job until the window frees (not an attempt when no call was
    made), unless the session's day passes first."""
    job = attempt.job
    if until >= _deadline(attempt):
        return _fail(attempt, FailureKind.TRANSIENT, messages.quota_past_day(reason))
    if counted:
        _record(attempt, AttemptOutcome.RETRY, reason)
    else:
        core_db.execute(_DROP_ATTEMPT, {"b_attempt_id": attempt.row_id})  # no provider call was made for it
        job.attempts -= 1
    job.last_error = reason
    _update_session(job, export_status=ExportStatus.PENDING, export_scheduled_for=until, export_waiting=WaitKind.QUOTA,
                    last_export_error=reason if counted else None)
    outbox.park(job, until)
    attempt.writes.commit()
    if counted:
        _counted(attempt, AttemptOutcome.RETRY)
    _log(job, attempt if counted else None, AttemptOutcome.QUOTA_WAIT, reason, next_attempt_at=until)
    return "waiting for quota"


def _reschedule(writes: outbox.Staged, at: datetime) -> None:
    outbox.requeue(writes.job, at)
    writes.commit()


def _finish(writes: outbox.Staged, status: str, kind: str | None = None, error: str | None = None) -> None:
    values = {"status": status, "failure_kind": kind, "finished_at": clock.now(), "lease_expires_at": None,
              "parked": False}
    if error is not None:
        values["last_error"] = error
    writes.set(**values)


def _update_session(job: ExportJob, **values) -> bool:
    """Update the session's export fields if it still has this job's revision."""
    if job.session_id is None:
        return False
    result = core_db.execute(_MARK_SESSION, {**values, "b_session_id": job.session_id, "b_revision": job.revision})
    return result.rowcount == 1


def _revoke_connection(job: ExportJob, reason: str) -> None:
    db.session.execute(
        update(DeviceConnection)
        .where(DeviceConnection.athlete_id == job.athlete_id, DeviceConnection.provider == job.provider)
        .values(status=ConnectionStatus.REVOKED, status_reason=reason)
    )


def _reconnect_text(job: ExportJob, detail: str) -> str:
    connection = connections.find(job.athlete_id, job.provider)
    if connection is not None:
        db.session.refresh(connection)
        if connection.reconnect_message:
            return connection.reconnect_message
    return messages.reconnect(job.provider, detail)


def _record(attempt: Attempt, outcome: str, error: str | None) -> None:
    """The attempt's row says how it ended; its metrics are counted once that is committed
    (:func:`_counted`)."""
    seconds = time.perf_counter() - attempt.started
    core_db.execute(_END_ATTEMPT, {"b_attempt_id": attempt.row_id, "finished_at": clock.now(), "outcome": outcome,
                                   "error": error, "duration_ms": int(seconds * 1000)})
    attempt.seconds = seconds


def _counted(attempt: Attempt, outcome: str, finished: bool = False) -> None:
    metrics.attempt(attempt.job.provider, outcome, attempt.seconds, finished=finished)


def _end(attempt: Attempt, outcome: str, error: str | None) -> str:
    _record(attempt, outcome, error)
    attempt.writes.commit()
    _counted(attempt, outcome, finished=True)
    _log(attempt.job, attempt, outcome, error)
    return outcome.lower()


def _log(job: ExportJob, attempt: Attempt | None, outcome: str, error: str | None = None, **extra) -> None:
    current = get_current_job()
    fields = {"session_id": job.session_id, "export_job_id": job.id, "rq_job_id": current.id if current else None,
              "provider": job.provider, "kind": job.kind, "revision": job.revision, "attempt": job.attempts,
              "queue": job.queue, "outcome": outcome,
              "duration_ms": round((time.perf_counter() - attempt.started) * 1000, 1) if attempt else 0.0}
    if error:
        fields["error"] = error
    fields.update({k: (v.isoformat(timespec="seconds") + "Z" if isinstance(v, datetime) else v) for k, v in extra.items()})
    level = logging.WARNING if outcome in (AttemptOutcome.FAILED, AttemptOutcome.RETRY) else logging.INFO
    log_event(logger, "export attempt", level=level, **fields)

