"""The RQ worker that runs every job inside an app context of one app, made at start.

Production runs ``rq worker`` processes with this class (README, "Production")::

    rq worker -c jobs.rq_settings --worker-class jobs.worker.AppWorker --with-scheduler

A ``SimpleWorker`` (no fork per job: RQ costs about 9 ms a job this way) whose app is made
once from the factory path ``APP_FACTORY`` (``webapp:create_app`` unless set), as RQ workers
in the Flask world do: the worker depends on the app, never the reverse, and no module of
``jobs`` imports the web app.  Each job gets a fresh app context and database session.
"""

from __future__ import annotations

import logging
import os
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker
from werkzeug.utils import import_string

from core.db import db
from core.logs import log_event

logger = logging.getLogger(__name__)
REDIS_WAIT_MAX_SECONDS = 10

DEFAULT_FACTORY = "webapp:create_app"


def make_app():
    """The app the jobs run in, from the factory named by APP_FACTORY."""
    return import_string(os.environ.get("APP_FACTORY") or DEFAULT_FACTORY)()


class AppWorker(SimpleWorker):
    def __init__(self, *args, app=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app if app is not None else make_app()

    def execute_job(self, job, queue):
        """As RQ's, but a Redis that goes away around a job (a restart, a failover) does not end
        the worker: RQ would quit with "found an unhandled exception".  The job's outcome is in
        the database; its RQ record went with the rest of Redis, and the relay requeues what is
        unfinished.  The worker waits for Redis (RQ's loop writes to it at once), then goes on."""
        try:
            super().execute_job(job, queue)
        except RedisConnectionError as error:
            log_event(logger, "redis lost during a job", level=logging.WARNING, rq_job_id=job.id,
                      outcome="waiting for redis", error=type(error).__name__)
            self._wait_for_redis()

    def _wait_for_redis(self) -> None:
        delay = 0.5
        while not self._stop_requested:
            try:
                self.connection.ping()
                log_event(logger, "redis back", outcome="worker goes on")
                return
            except RedisConnectionError:
                time.sleep(delay)
                delay = min(delay * 2, REDIS_WAIT_MAX_SECONDS)

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()
