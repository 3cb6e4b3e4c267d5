"""The embedded default's jobs (``make run``, ``flask run`` without REDIS_URL): a worker in
this process, on the in-memory queues, beside the web server.

The worker runs in the main thread, where RQ installs its signal handlers (Ctrl+C stops it,
and then the process), and the web server in a daemon thread.  RQ's scheduler (retries,
``enqueue_at``) and the periodic jobs run in a second daemon thread through their public
calls: RQ would start its scheduler in a forked process, which does not share in-memory
queues.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable

from rq.cron import CronScheduler
from rq.scheduler import RQScheduler

from core.queue import QUEUES, rq

from .periodic import register_all
from .worker import AppWorker

logger = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 5


def run(app, serve: Callable[[], None]) -> None:
    """Serve (``serve`` in a daemon thread) and run the app's jobs here until stopped."""
    with app.app_context():
        queues = [rq.get_queue(name) for name in QUEUES]
    connection = queues[0].connection
    worker = EmbeddedWorker(queues, connection=connection, app=app)
    threading.Thread(target=schedule_forever, args=(queues, app.config), name="rq-scheduler", daemon=True).start()
    threading.Thread(target=serve, name="web", daemon=True).start()
    worker.work()


class EmbeddedWorker(AppWorker):
    """On Ctrl+C or SIGTERM it stops as RQ's workers do (after the job under way), and the
    process ends at the latest STOP_GRACE_SECONDS later: a development server must not hang."""

    def request_stop(self, signum, frame):
        timer = threading.Timer(STOP_GRACE_SECONDS, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
        super().request_stop(signum, frame)


def schedule_forever(queues, config) -> None:
    """Once a second, until the process ends: move due scheduled jobs to their queues, and
    enqueue due periodic jobs."""
    connection = queues[0].connection
    scheduler = RQScheduler(queues, connection=connection)
    cron = CronScheduler(connection=connection)
    register_all(cron.register, config)
    while True:
        try:
            scheduler.acquire_locks()
            if scheduler.acquired_locks:
                scheduler.enqueue_scheduled_jobs()
            cron.enqueue_jobs()
        except Exception:  # one bad round must not stop the next
            logger.warning("embedded scheduler round failed", exc_info=True)
        time.sleep(1)
