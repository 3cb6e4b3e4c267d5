"""RQ workers that run every job inside an app context of one app made at start.

Production runs ``rq worker`` processes with this class (README, "Production")::

    rq worker -c jobs.rq_settings --worker-class jobs.worker.AppWorker --with-scheduler

pallets-eco's flask-rq sets up our queues and connections, but its own worker starts a
``flask`` subprocess per job (hundreds of milliseconds each, more than an export takes);
so jobs run in an ``AppWorker`` instead: a ``SimpleWorker`` (no fork per job; RQ costs
about 9 ms a job this way) whose app is created once, each job getting a fresh app context
and database session.

The embedded default (``make run``) has no Redis server: :class:`EmbeddedWorker` runs the
same jobs in a thread of the web process, on the in-process fakeredis queues.
"""

from __future__ import annotations

import logging
import threading
import time

from rq import SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

logger = logging.getLogger(__name__)


def _create_app():
    from webapp import create_app

    return create_app()


class AppWorker(SimpleWorker):
    def __init__(self, *args, app=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app if app is not None else _create_app()

    @property
    def dequeue_timeout(self) -> int:
        # RQ blocks up to worker_ttl - 15 (405 s) waiting for a job, and runs its maintenance
        # (which re-schedules the relay after a Redis restart) only between waits: an idle
        # worker must wake up at least every maintenance interval.
        return max(1, min(int(self.maintenance_interval), self.worker_ttl - 15))

    def perform_job(self, job, queue, execution):
        from webapp.extensions import db

        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()

    def work(self, *args, **kwargs):
        self._ensure_relay()
        return super().work(*args, **kwargs)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._ensure_relay()

    def _ensure_relay(self) -> None:
        """The periodic jobs (the relay, the retention) are scheduled, whatever happened to Redis."""
        from . import relay, retention

        try:
            with self.app.app_context():
                relay.ensure_scheduled()
                retention.ensure_scheduled()
        except Exception:  # Redis down: the next maintenance round tries again
            logger.warning("could not schedule the periodic jobs", exc_info=True)


class EmbeddedWorker(AppWorker):
    """An AppWorker in a thread of the web process (no Redis server, no signals, no fork).

    SIGALRM-based job timeouts and signal handlers only work in a main thread, and RQ's
    scheduler normally runs in a forked process, which would not share the in-memory
    queues: here the timeouts use a timer, and the scheduler runs in a second thread.
    """

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass

    def _start_scheduler(self, burst=False, *args, **kwargs):
        self.scheduler = RQScheduler(self.queues, connection=self.connection, serializer=self.serializer)
        threading.Thread(target=self._schedule_forever, name="rq-scheduler", daemon=True).start()

    def _schedule_forever(self) -> None:
        while not self._stop_requested:
            try:
                self.scheduler.acquire_locks()
                if self.scheduler.acquired_locks:
                    self.scheduler.enqueue_scheduled_jobs()
            except Exception:
                logger.warning("embedded scheduler round failed", exc_info=True)
            time.sleep(1)

    def run_maintenance_tasks(self):
        # Not SimpleWorker's: it would restart the scheduler as a forked process.
        self.clean_registries()
        self._ensure_relay()


def start_embedded_worker(app) -> threading.Thread:
    """Run the app's jobs in a daemon thread of this process (the embedded default)."""
    from webapp.extensions import rq
    from webapp.queue import QUEUES

    with app.app_context():
        queues = [rq.get_queue(name) for name in QUEUES]
    worker = EmbeddedWorker(queues, connection=queues[0].connection, app=app, maintenance_interval=30)
    thread = threading.Thread(target=worker.work, kwargs={"with_scheduler": True}, name="rq-worker", daemon=True)
    thread.start()
    thread.worker = worker  # type: ignore[attr-defined]
    return thread
