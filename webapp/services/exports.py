"""What a plan save, a connect or a Retry means for the export pipeline.

Everything here runs inside the caller's transaction and never calls a provider: a save
sets the session's export fields, writes an ExportJob row, and asks for it to be enqueued
after the commit (jobs/queueing.py).  The job itself is jobs/export.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select, update

from jobs import queueing

from ..extensions import db
from ..models import (
    ConnectionStatus,
    DeviceConnection,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobKind,
    JobStatus,
    Provider,
    SessionType,
    TrainingSession,
    WeeklyPlan,
)
from ..timeutil import utcnow
from . import connections

INTERACTIVE, BULK = "high", "default"


class RetryRefused(Exception):
    """A Retry that cannot start; the message says why (HTTP 409)."""


# -- plan saves ------------------------------------------------------------------------------

@dataclass
class Saved:
    """One session written by a plan save, and whether what the device gets changed."""

    session: TrainingSession
    changed: bool
    was_endurance: bool


def sessions_saved(saved: list[Saved]) -> None:
    """The sessions of one plan save (one athlete): every created or changed ENDURANCE
    session gets an export, the provider being chosen once for them all."""
    to_export = []
    for item in saved:
        session = item.session
        if not session.is_endurance:
            if item.was_endurance or session.external_refs:
                _supersede_open_jobs([session])
                _remove_sent_workout(session)
            clear_export_fields(session)
        elif item.changed:  # a re-save that changes nothing pushes nothing
            to_export.append(session)
    if not to_export:
        return
    athlete_id = to_export[0].plan.athlete_id
    _supersede_open_jobs(to_export)
    provider = connections.export_provider(athlete_id)
    reason = None if provider else _why_not_connected(athlete_id)
    for session in to_export:
        if provider is None:
            session.export_status, session.export_provider = ExportStatus.NOT_CONNECTED, None
            session.last_export_error = reason
        else:
            start_export(session, provider, INTERACTIVE)


def session_deleted(session: TrainingSession) -> None:
    """A session left the plan: its workout leaves the athlete's calendar too."""
    _supersede_open_jobs([session])
    _remove_sent_workout(session)


def _why_not_connected(athlete_id: int) -> str | None:
    """What the athlete can do, when a connection of theirs needs reconnecting."""
    waiting = db.session.scalars(select(DeviceConnection).where(
        DeviceConnection.athlete_id == athlete_id, DeviceConnection.status != ConnectionStatus.ACTIVE)).first()
    return waiting.reconnect_message if waiting else None


def start_export(session: TrainingSession, provider: str, queue: str) -> ExportJob:
    session.export_status, session.export_provider, session.last_export_error = ExportStatus.PENDING, provider, None
    job = ExportJob(kind=JobKind.EXPORT, session=session, athlete_id=session.plan.athlete_id, provider=provider,
                    revision=session.revision, status=JobStatus.PENDING, queue=queue, next_attempt_at=utcnow())
    db.session.add(job)
    queueing.after_commit(job)
    return job


def schedule_removal(athlete_id: int, refs: dict, queue: str = INTERACTIVE) -> ExportJob:
    """Delete what ``refs`` points at (a workout we created) from its provider."""
    job = ExportJob(kind=JobKind.REMOVE, session_id=None, athlete_id=athlete_id, provider=refs["provider"],
                    status=JobStatus.PENDING, queue=queue, external_refs=dict(refs), next_attempt_at=utcnow())
    db.session.add(job)
    queueing.after_commit(job)
    return job


def clear_export_fields(session: TrainingSession) -> None:
    session.export_status = session.export_provider = session.exported_at = None
    session.external_workout_id = session.last_export_error = session.external_refs = None


def _remove_sent_workout(session: TrainingSession) -> None:
    if session.external_refs:
        schedule_removal(session.plan.athlete_id, session.external_refs)
        session.external_refs = None


def _supersede_open_jobs(sessions: list[TrainingSession]) -> None:
    """Pending jobs of older revisions will never run (a job in flight notices by itself);
    one that already created a workout before waiting for a retry gets it removed.

    One guarded UPDATE: a job a worker claimed meanwhile is PROCESSING and left alone."""
    ids = [s.id for s in sessions if s.id is not None]
    if not ids:
        return
    superseded = db.session.execute(
        update(ExportJob)
        .where(ExportJob.session_id.in_(ids), ExportJob.status == JobStatus.PENDING, ExportJob.kind == JobKind.EXPORT)
        .values(status=JobStatus.SUPERSEDED, finished_at=utcnow())
        .returning(ExportJob.athlete_id, ExportJob.provider, ExportJob.external_refs)
        .execution_options(synchronize_session=False)
    ).all()
    for athlete_id, provider, refs in superseded:
        if refs:
            schedule_removal(athlete_id, {"provider": provider, **refs})


# -- connects -----------------------------------------------------------------------------------

def athlete_connected(athlete_id: int, provider: str) -> None:
    """An athlete connected (or reconnected) a device: after this commit, one background job
    pushes every session that was waiting for one."""
    queueing.after_commit(queueing.Wakeup(queueing.PUSH_WAITING, (athlete_id,), None, BULK))


def waiting_sessions(athlete_id: int) -> list[TrainingSession]:
    """ENDURANCE sessions never sent for want of a connection, or FAILED for a transient
    reason, with no export under way."""
    open_job = exists().where(ExportJob.session_id == TrainingSession.id, ExportJob.status.in_(JobStatus.OPEN))
    transient_failure = exists().where(
        ExportJob.session_id == TrainingSession.id, ExportJob.revision == TrainingSession.revision,
        ExportJob.status == JobStatus.FAILED, ExportJob.failure_kind == FailureKind.TRANSIENT)
    statement = (
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete_id, TrainingSession.type == SessionType.ENDURANCE, ~open_job,
               or_(TrainingSession.export_status == ExportStatus.NOT_CONNECTED,
                   and_(TrainingSession.export_status == ExportStatus.FAILED, transient_failure)))
        .order_by(TrainingSession.date, TrainingSession.id)
    )
    return list(db.session.scalars(statement))


# -- Retry ------------------------------------------------------------------------------------------

def retry(session: TrainingSession, queue: str = INTERACTIVE) -> ExportJob:
    """A new attempt with the provider of the original attempt; RetryRefused says why not."""
    if not session.is_endurance:
        raise RetryRefused("Only ENDURANCE sessions are sent to a device.")
    if db.session.scalar(select(ExportJob.id).where(ExportJob.session_id == session.id,
                                                    ExportJob.status.in_(JobStatus.OPEN)).limit(1)):
        raise RetryRefused("An export of this session is already under way.")
    if session.export_status == ExportStatus.SENT:
        raise RetryRefused("This session is already on the device.")
    athlete_id = session.plan.athlete_id
    provider = session.export_provider or connections.export_provider(athlete_id)
    if provider is None:
        raise RetryRefused("No device is connected: connect Garmin or Wahoo first.")
    connection = connections.find(athlete_id, provider)
    if connection is None or not connection.is_active:
        label = Provider.LABELS[provider]
        raise RetryRefused(f"{label} is no longer connected: reconnect {label} first.")
    return start_export(session, provider, queue)


def retry_all_failed(athlete_id: int) -> tuple[list[TrainingSession], dict[int, str]]:
    """Retry every FAILED session of the athlete; returns those retried and why others were not."""
    failed = db.session.scalars(
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete_id, TrainingSession.export_status == ExportStatus.FAILED)
        .order_by(TrainingSession.date, TrainingSession.id)
    ).all()
    retried, refused = [], {}
    for session in failed:
        try:
            retry(session)
            retried.append(session)
        except RetryRefused as error:
            refused[session.id] = str(error)
    return retried, refused
