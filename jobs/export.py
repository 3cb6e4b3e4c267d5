"""The export job: one session revision to the athlete's Garmin or Wahoo calendar.

normalize -> validate -> convert -> create the workout with the athlete's own token ->
schedule it on the session's date -> the session reads SENT.

Delivery is at least once (a job can run twice, a worker can die half way), so the job is
idempotent:

- it claims its ExportJob row (PENDING -> PROCESSING) in one UPDATE; a duplicate delivery
  finds it claimed and stops, and a partial unique index lets only one job per session
  be PROCESSING, so two revisions never race at the provider;
- each provider id is committed the moment it exists (the workout before it is
  scheduled), so a retry continues where the last try stopped instead of creating a
  second workout;
- the session is marked SENT only if it still has the revision this job exported; if the
  coach changed it meanwhile the job is superseded and its workout is removed.

Failures by class: a validation problem or a payload the provider rejects fails at once
with the reason; network errors, timeouts, 5xx and 429 are retried with backoff (RQ
retries any exception, so the job catches them and schedules its own next attempt, with
jitter and the provider's reset time); a revoked token or a missing permission turns the
session NOT_CONNECTED with a message that tells the athlete what to do.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from rq import get_current_job
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from providers import garmin, wahoo
from providers.errors import PayloadRejected, PermissionMissing, TokenRevoked, Transient
from webapp.extensions import db
from webapp.logs import log_event
from webapp.models import (
    AttemptOutcome,
    ConnectionStatus,
    DeviceConnection,
    ExportAttempt,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobKind,
    JobStatus,
    Provider,
    RevokedReason,
    TrainingSession,
    User,
)
from webapp.services import connections, exports, providers, tokens
from webapp.timeutil import utcnow
from workouts import WorkoutInvalid, prepare

from . import queueing
from .backoff import retry_delay
from .ratelimit import Throttled

logger = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 5


class NotConnected(Exception):
    """The athlete has no usable connection to the job's provider."""


class Superseded(Exception):
    """The coach changed or removed the session since this job was written."""


@dataclass
class Run:
    job: ExportJob
    attempt: ExportAttempt
    started: float


def run_export(job_id: int, seq: int = 0) -> str:
    """Run ExportJob ``job_id`` (the RQ job carries the row's sequence number, so a stale
    wake-up of a rescheduled row does nothing)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.kind != JobKind.EXPORT:
        return "missing"
    if job.status != JobStatus.PENDING or job.enqueue_seq != seq:
        return f"skipped: {job.status.lower()} (sequence {job.enqueue_seq})"
    if _is_superseded(job):
        _finish(job, JobStatus.SUPERSEDED)
        _remove_created(job)
        db.session.commit()
        _log(job, None, AttemptOutcome.SUPERSEDED, 0.0)
        return "superseded"
    claim = _claim(job)
    if claim == "busy":
        _reschedule(job, utcnow() + timedelta(seconds=BUSY_RETRY_SECONDS))
        _log(job, None, "BUSY", 0.0)
        return "busy: another export of this session is under way"
    if claim == "taken":
        return "skipped: claimed by another worker"
    run = Run(job, _start_attempt(job), time.perf_counter())
    try:
        refs, external_id = _deliver(job)
    except Superseded:
        _finish(job, JobStatus.SUPERSEDED)
        _remove_created(job)
        return _end(run, AttemptOutcome.SUPERSEDED, None)
    except Throttled as throttled:
        return _throttled(run, throttled.retry_at)
    except WorkoutInvalid as error:
        return _fail(run, FailureKind.VALIDATION, error.message)
    except PayloadRejected as error:
        return _fail(run, FailureKind.REJECTED, f"{error} (not retried: the workout must change)")
    except PermissionMissing as error:
        _revoke_connection(job, RevokedReason.PERMISSION_MISSING)
        return _not_connected(run, _reconnect_text(job, str(error)))
    except TokenRevoked as error:
        return _not_connected(run, _reconnect_text(job, str(error)))
    except NotConnected as error:
        return _not_connected(run, str(error))
    except Transient as error:
        return _retry_or_fail(run, error.message, getattr(error, "reset_at", None))
    except Exception as error:  # a bug or an outage we did not foresee: retry, keep the trace
        logger.exception("export crashed", extra={"fields": {"job_id": job.id, "session_id": job.session_id}})
        db.session.rollback()
        return _retry_or_fail(run, f"internal error ({type(error).__name__}); HybridPeaks will try again", None)
    return _complete(run, refs, external_id)


# -- claiming ------------------------------------------------------------------------------

def _claim(job: ExportJob) -> str:
    try:
        return "claimed" if queueing.claim(job) else "taken"
    except IntegrityError:  # uq_export_jobs_one_processing_per_session
        db.session.rollback()
        return "busy"


def _start_attempt(job: ExportJob) -> ExportAttempt:
    attempt = ExportAttempt(export_job_id=job.id, session_id=job.session_id, provider=job.provider,
                            attempt=job.attempts, started_at=utcnow())
    db.session.add(attempt)
    db.session.commit()
    return attempt


# -- the provider steps ---------------------------------------------------------------------------

def _is_superseded(job: ExportJob) -> bool:
    session = job.session
    return session is None or session.revision != job.revision or not session.is_endurance


def _remove_created(job: ExportJob) -> None:
    """A superseded job may already have created a workout: it must not stay behind."""
    if job.external_refs:
        exports.schedule_removal(job.athlete_id, {"provider": job.provider, **job.external_refs})


def _deliver(job: ExportJob) -> tuple[dict, str]:
    if job.session is not None:
        db.session.refresh(job.session)
    if _is_superseded(job):
        raise Superseded()
    session = job.session
    connection = connections.find(job.athlete_id, job.provider)
    label = Provider.LABELS[job.provider]
    if connection is None:
        raise NotConnected(f"{label} is not connected: connect {label} (or another device) to receive this workout.")
    if not connection.is_active:
        raise NotConnected(connection.reconnect_message)
    athlete = db.session.get(User, job.athlete_id)
    thresholds = athlete.thresholds()
    normalized = prepare(session.workout, thresholds)
    if job.provider == Provider.GARMIN:
        return _deliver_garmin(job, session, connection.id, normalized)
    return _deliver_wahoo(job, session, connection.id, normalized, thresholds, athlete)


def _deliver_garmin(job: ExportJob, session: TrainingSession, connection_id: int, normalized: dict):
    payload = garmin.convert(normalized, source_id=garmin.source_id(session.id, job.revision))
    api = providers.api(Provider.GARMIN)
    refs = dict(job.external_refs or {})
    if "workoutId" not in refs:
        refs["workoutId"] = tokens.with_token(connection_id, lambda token: api.create_workout(token, payload))
        _save_refs(job, refs)  # before scheduling: a retry schedules this workout, not a new one
    if "scheduleId" not in refs:
        refs["scheduleId"] = tokens.with_token(
            connection_id, lambda token: api.schedule(token, refs["workoutId"], session.date))
        _save_refs(job, refs)
    return refs, refs["workoutId"]


def _deliver_wahoo(job, session, connection_id, normalized, thresholds, athlete):
    plan = wahoo.plan(normalized, ftp=thresholds.ftp_watts)
    api = providers.api(Provider.WAHOO)
    external = wahoo.external_id(session.id, job.revision)
    refs = dict(job.external_refs or {})
    if "planId" not in refs:
        form = wahoo.plan_form(plan, external, _aware(session.updated_at))
        refs["planId"] = tokens.with_token(connection_id, lambda token: api.create_plan(token, form))
        _save_refs(job, refs)
    if "workoutId" not in refs:
        form = wahoo.workout_form(refs["planId"], session.title, _morning(session, athlete),
                                  wahoo.planned_minutes(normalized), normalized["sport"], external)
        refs["workoutId"] = tokens.with_token(connection_id, lambda token: api.create_workout(token, form))
        _save_refs(job, refs)
    return refs, refs["workoutId"]


def _save_refs(job: ExportJob, refs: dict) -> None:
    job.external_refs = dict(refs)
    flag_modified(job, "external_refs")
    db.session.commit()


def _morning(session: TrainingSession, athlete: User) -> datetime:
    """The session's date at a morning hour in the athlete's time zone (Wahoo wants a time)."""
    zone = ZoneInfo(athlete.timezone)
    hour = current_app.config["EXPORT_MORNING_HOUR"]
    return datetime(session.date.year, session.date.month, session.date.day, hour, tzinfo=zone)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=ZoneInfo("UTC"))


# -- outcomes ----------------------------------------------------------------------------------------

def _complete(run: Run, refs: dict, external_id: str) -> str:
    job = run.job
    session = db.session.get(TrainingSession, job.session_id) if job.session_id else None
    if session is not None:
        db.session.refresh(session)
    previous = session.external_refs if session is not None else None
    sent_refs = {"provider": job.provider, **refs}
    # Only if the session still has the revision we exported: a coach's edit meanwhile wins.
    marked = session is not None and _update_session(
        job, export_status=ExportStatus.SENT, export_provider=job.provider, exported_at=utcnow(),
        external_workout_id=str(external_id), last_export_error=None, external_refs=sent_refs)
    if marked:
        _finish(job, JobStatus.COMPLETED)
        if previous and previous != sent_refs:
            exports.schedule_removal(job.athlete_id, previous)  # one version on the calendar
        outcome = AttemptOutcome.SENT
    else:
        _finish(job, JobStatus.SUPERSEDED)
        exports.schedule_removal(job.athlete_id, sent_refs)  # the stale revision we just created
        outcome = AttemptOutcome.SUPERSEDED
    return _end(run, outcome, None)


def _fail(run: Run, kind: str, message: str) -> str:
    _finish(run.job, JobStatus.FAILED, kind, message)
    _remove_created(run.job)  # a workout created but never scheduled must not linger
    _update_session(run.job, export_status=ExportStatus.FAILED, export_provider=run.job.provider,
                    last_export_error=message)
    return _end(run, AttemptOutcome.FAILED, message)


def _not_connected(run: Run, message: str) -> str:
    _finish(run.job, JobStatus.FAILED, FailureKind.NOT_CONNECTED, message)
    _remove_created(run.job)  # tried when the athlete reconnects; harmless if that never happens
    _update_session(run.job, export_status=ExportStatus.NOT_CONNECTED, export_provider=run.job.provider,
                    last_export_error=message)
    return _end(run, AttemptOutcome.NOT_CONNECTED, message)


def _retry_or_fail(run: Run, message: str, reset_at: datetime | None) -> str:
    job = run.job
    config = current_app.config
    delays = config["EXPORT_RETRY_DELAYS"]
    delay = retry_delay(job.attempts, delays, config["EXPORT_RETRY_JITTER"],
                        reset_at.replace(tzinfo=None) if reset_at else None, utcnow())
    if delay is None:
        return _fail(run, FailureKind.TRANSIENT, f"{message} (gave up after {job.attempts} attempts)")
    job.last_error = message
    _update_session(job, export_status=ExportStatus.PENDING, last_export_error=message)
    _record(run, AttemptOutcome.RETRY, message)
    _reschedule(job, utcnow() + timedelta(seconds=delay))
    _log(job, run, AttemptOutcome.RETRY, run.started, message)
    return f"retry in {delay:.0f} s"


def _throttled(run: Run, retry_at: datetime) -> str:
    job = run.job
    db.session.delete(run.attempt)  # no provider call was made for it
    job.attempts -= 1
    _reschedule(job, retry_at)
    _log(job, None, "THROTTLED", run.started)
    return "throttled"


def _reschedule(job: ExportJob, at: datetime) -> None:
    queueing.requeue(job, at)
    db.session.commit()


def _finish(job: ExportJob, status: str, kind: str | None = None, error: str | None = None) -> None:
    job.status, job.failure_kind, job.finished_at, job.lease_expires_at = status, kind, utcnow(), None
    if error is not None:
        job.last_error = error


def _update_session(job: ExportJob, **values) -> bool:
    """Update the session's export fields if it still has this job's revision."""
    if job.session_id is None:
        return False
    values.setdefault("updated_at", TrainingSession.updated_at)  # bookkeeping, not an edit
    result = db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == job.session_id, TrainingSession.revision == job.revision)
        .values(**values)
    )
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
    label = Provider.LABELS[job.provider]
    return f"Reconnect {label} to receive workouts ({detail})."


def _record(run: Run, outcome: str, error: str | None) -> None:
    run.attempt.finished_at = utcnow()
    run.attempt.outcome, run.attempt.error = outcome, error
    run.attempt.duration_ms = int((time.perf_counter() - run.started) * 1000)


def _end(run: Run, outcome: str, error: str | None) -> str:
    _record(run, outcome, error)
    db.session.commit()
    _log(run.job, run, outcome, run.started, error)
    return outcome.lower()


def _log(job: ExportJob, run: Run | None, outcome: str, started: float, error: str | None = None) -> None:
    current = get_current_job()
    fields = {"session_id": job.session_id, "export_job_id": job.id, "rq_job_id": current.id if current else None,
              "provider": job.provider, "revision": job.revision, "attempt": job.attempts, "outcome": outcome,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else 0.0}
    if error:
        fields["error"] = error
    level = logging.WARNING if outcome in (AttemptOutcome.FAILED, AttemptOutcome.RETRY) else logging.INFO
    log_event(logger, "export attempt", level=level, **fields)

