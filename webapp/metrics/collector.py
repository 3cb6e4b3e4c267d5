"""What /metrics reports, gathered at scrape time (services/metrics.py says why the counters
live in Redis): the counters and the attempt-duration histogram from Redis, and the states
(queues, waiting jobs, quota left, connections to reconnect, FAILED sessions) read from RQ,
the database and the quota windows as they are now.

Each source is read on its own: with Redis down, the database's part still answers, and
``hybridpeaks_metrics_source_up`` says which part is missing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import current_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from rq import Queue, Worker
from rq.job import Job
from sqlalchemy import func, select

from core import clock, metrics, quota
from core.db import db
from core.models import (
    ConnectionStatus,
    DeviceConnection,
    ExportJob,
    ExportStatus,
    JobStatus,
    TrainingSession,
)
from core.queue import QUEUES, rq

logger = logging.getLogger(__name__)


class StateCollector:
    """A prometheus_client collector over this app's Redis and database (an app context is
    needed while it collects)."""

    def collect(self):
        up = GaugeMetricFamily("hybridpeaks_metrics_source_up", "1 when /metrics could read this source.",
                               labels=["source"])
        for source, read in (("redis", self._redis), ("database", self._database), ("quota", self._quota)):
            try:
                families = list(read())
            except Exception:  # an outage of one source must not hide the others
                logger.warning("metrics source unreadable", extra={"fields": {"source": source}}, exc_info=True)
                db.session.rollback()
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    # -- Redis: counters, the histogram, the queues --------------------------------------------

    def _redis(self):
        values = metrics.counters()
        for counter in metrics.COUNTERS:
            family = CounterMetricFamily(counter.name, counter.help, labels=list(counter.labels))
            for labels, value in sorted(values[counter.name].items()):
                family.add_metric(list(labels), value)
            yield family
        histogram = HistogramMetricFamily(metrics.DURATION, metrics.DURATION_HELP, labels=["provider"])
        for provider, (buckets, total, count) in metrics.durations().items():
            histogram.add_metric([provider], buckets, total)
        yield histogram
        depth = GaugeMetricFamily("hybridpeaks_queue_depth", "RQ jobs waiting in each queue.", labels=["queue"])
        scheduled = GaugeMetricFamily("hybridpeaks_queue_scheduled", "RQ jobs scheduled for later (retries, "
                                      "sessions waiting for their window), by queue.", labels=["queue"])
        oldest = GaugeMetricFamily("hybridpeaks_queue_oldest_job_age_seconds",
                                   "How long the job at the head of each queue has waited.", labels=["queue"])
        connection = rq.queue.connection
        now = datetime.now(timezone.utc)
        for name in QUEUES:
            queue = Queue(name, connection=connection)
            depth.add_metric([name], queue.count)
            scheduled.add_metric([name], queue.scheduled_job_registry.count)
            head = queue.get_job_ids(0, 1)
            job = Job.fetch(head[0], connection=connection) if head else None
            enqueued = job.enqueued_at if job is not None and job.enqueued_at else None
            if enqueued is not None and enqueued.tzinfo is None:
                enqueued = enqueued.replace(tzinfo=timezone.utc)
            oldest.add_metric([name], max(0.0, (now - enqueued).total_seconds()) if enqueued else 0.0)
        yield depth
        yield scheduled
        yield oldest
        yield GaugeMetricFamily("hybridpeaks_workers", "RQ workers alive (their heartbeat is in Redis).",
                                value=Worker.count(connection=connection))

    # -- the database: jobs waiting, FAILED sessions, connections -------------------------------

    def _database(self):
        now = clock.now()
        open_jobs = GaugeMetricFamily(
            "hybridpeaks_export_jobs_open", "Export jobs not finished: due (waiting for a worker), later "
            "(a retry or a delivery window), parked (waiting for quota), processing.", labels=["state"])
        counts = dict.fromkeys(("due", "later", "parked", "processing"), 0)
        due = (ExportJob.next_attempt_at <= now).label("due")  # grouped by its name: one bound "now"
        rows = db.session.execute(
            select(ExportJob.status, ExportJob.parked, due, func.count())
            .where(ExportJob.status.in_(JobStatus.OPEN))
            .group_by(ExportJob.status, ExportJob.parked, due)).all()
        for status, parked, due, n in rows:
            state = ("processing" if status == JobStatus.PROCESSING else "parked" if parked
                     else "due" if due else "later")
            counts[state] += n
        for state, n in counts.items():
            open_jobs.add_metric([state], n)
        yield open_jobs
        first_due = db.session.scalar(select(func.min(ExportJob.next_attempt_at)).where(
            ExportJob.status == JobStatus.PENDING, ExportJob.parked.is_(False), ExportJob.next_attempt_at <= now))
        yield GaugeMetricFamily("hybridpeaks_oldest_waiting_job_seconds",
                                "How long the export job due the longest has waited for a worker (0: none).",
                                value=(now - first_due).total_seconds() if first_due else 0.0)
        failed = GaugeMetricFamily("hybridpeaks_sessions_failed", "Sessions whose export FAILED, by provider.",
                                   labels=["provider"])
        by_provider = dict(db.session.execute(
            select(TrainingSession.export_provider, func.count())
            .where(TrainingSession.export_status == ExportStatus.FAILED)
            .group_by(TrainingSession.export_provider)).all())
        for provider in current_app.config["PROVIDERS"]:
            failed.add_metric([provider], by_provider.get(provider, 0))
        yield failed
        reconnect = GaugeMetricFamily("hybridpeaks_connections_reconnect_needed",
                                      "Device connections the athlete must reconnect, by provider.", labels=["provider"])
        revoked = dict(db.session.execute(
            select(DeviceConnection.provider, func.count())
            .where(DeviceConnection.status == ConnectionStatus.REVOKED)
            .group_by(DeviceConnection.provider)).all())
        for provider in current_app.config["PROVIDERS"]:
            reconnect.add_metric([provider], revoked.get(provider, 0))
        yield reconnect
        db.session.rollback()  # end the read transaction

    # -- quota windows -----------------------------------------------------------------------------

    def _quota(self):
        remaining = GaugeMetricFamily("hybridpeaks_quota_remaining",
                                      "Calls each app-wide quota window still allows now.", labels=["provider", "window"])
        limit = GaugeMetricFamily("hybridpeaks_quota_limit", "Each app-wide quota window's limit.",
                                  labels=["provider", "window"])
        blocked = GaugeMetricFamily("hybridpeaks_quota_blocked_seconds", "Seconds until a provider's own block "
                                    "(a 429, or its rate-limit headers at zero) ends (0: not blocked).", labels=["provider"])
        for provider in current_app.config["PROVIDERS"]:
            for window, cap, left in quota.budgets(provider):
                remaining.add_metric([provider, window.name], left)
                limit.add_metric([provider, window.name], cap)
            until = quota.blocked_until(provider)
            blocked.add_metric([provider], max(0.0, (until - datetime.utcnow()).total_seconds()) if until else 0.0)
        yield remaining
        yield limit
        yield blocked
