"""The RQ worker that runs every job inside an app context of one app, made at start.

Production runs ``rq worker`` processes with this class (README, "Production")::

    rq worker -c jobs.rq_settings --worker-class jobs.worker.AppWorker --with-scheduler

A ``SimpleWorker`` (no fork per job: RQ costs about 9 ms a job this way) whose app is made
once from the factory path ``APP_FACTORY`` (``webapp:create_app`` unless set), as RQ workers
in the Flask world do: the worker depends on the app, never the reverse, and no module of
``jobs`` imports the web app.  Each job gets a fresh app context and database session.
"""

from __future__ import annotations

import os

from rq import SimpleWorker
from werkzeug.utils import import_string

from core.db import db

DEFAULT_FACTORY = "webapp:create_app"


def make_app():
    """The app the jobs run in, from the factory named by APP_FACTORY."""
    return import_string(os.environ.get("APP_FACTORY") or DEFAULT_FACTORY)()


class AppWorker(SimpleWorker):
    def __init__(self, *args, app=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app if app is not None else make_app()

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()
