"""Retention: export history is trimmed, so that export_jobs and export_attempts do not grow by
tens of millions of rows a year (docs/scaling.md).

Deleted: finished export jobs (COMPLETED, SUPERSEDED, FAILED) and their attempts, once
finished for EXPORT_HISTORY_DAYS (FAILED ones EXPORT_FAILED_HISTORY_DAYS: a failure is what
someone comes back to ask about).  Kept whatever their age: each session's latest delivery
job and its attempts, so the session page still says how (and whether) the workout got
to the device.  Open jobs are never touched.

Deletes go by primary key in batches of RETENTION_BATCH, one commit each: every batch
locks a few hundred rows for milliseconds, never the table, and a crash half way loses
nothing but the rest of the round.  A periodic job (jobs/periodic.py), every
RETENTION_INTERVAL_SECONDS.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import aliased

from core import clock
from core.db import db
from core.logs import log_event
from core.models import ExportAttempt, ExportJob, JobKind, JobStatus

logger = logging.getLogger(__name__)
FINISHED = (JobStatus.COMPLETED, JobStatus.SUPERSEDED, JobStatus.FAILED)


def trim() -> str:
    jobs, attempts = trim_history()
    if jobs:
        log_event(logger, "retention", jobs_deleted=jobs, attempts_deleted=attempts, outcome="trimmed")
    return f"deleted {jobs} jobs, {attempts} attempts"


def trim_history(now=None) -> tuple[int, int]:
    """Delete what is past its time, batch by batch; (jobs, attempts) deleted."""
    config = current_app.config
    now = now or clock.now()
    done_before = now - timedelta(days=config["EXPORT_HISTORY_DAYS"])
    failed_before = now - timedelta(days=config["EXPORT_FAILED_HISTORY_DAYS"])
    newer = aliased(ExportJob)
    superseded_by_newer = exists().where(
        newer.session_id == ExportJob.session_id, newer.id > ExportJob.id, newer.kind.in_(JobKind.DELIVERIES))
    old = select(ExportJob.id).where(
        ExportJob.status.in_(FINISHED),
        or_(and_(ExportJob.status != JobStatus.FAILED, ExportJob.finished_at < done_before),
            and_(ExportJob.status == JobStatus.FAILED, ExportJob.finished_at < failed_before)),
        or_(ExportJob.session_id.is_(None), ExportJob.kind == JobKind.REMOVE, superseded_by_newer),
    ).order_by(ExportJob.id).limit(config["RETENTION_BATCH"])
    jobs = attempts = 0
    while ids := list(db.session.scalars(old)):
        attempts += db.session.execute(delete(ExportAttempt).where(ExportAttempt.export_job_id.in_(ids))).rowcount
        jobs += db.session.execute(delete(ExportJob).where(ExportJob.id.in_(ids))).rowcount
        db.session.commit()
    return jobs, attempts
