"""``flask serve``: the whole product in one process, for ``make run``; and the same for
``flask run``, the command every Flask developer types first.

On the embedded default (no REDIS_URL) the jobs run in a worker thread of the serving
process.  ``flask run`` loads the app in its own way (twice with the reloader: a watcher
and the server), so :func:`run_jobs_under_flask_run` starts the thread only in the process
that serves; with REDIS_URL it says how to start workers instead.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask.helpers import get_debug_flag
from werkzeug.serving import run_simple


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Serve the app, the provider sandbox and (without REDIS_URL) an in-process worker."""
    app = current_app._get_current_object()
    public = urlsplit(app.config["PUBLIC_URL"])
    if public.port != port:
        click.echo(f"Warning: PUBLIC_URL is {app.config['PUBLIC_URL']} but this serves port {port}; "
                   f"provider calls go to PUBLIC_URL. Run with PUBLIC_URL=http://{host}:{port}.", err=True)
    if app.config["EMBEDDED_QUEUE"]:
        from jobs.worker import start_embedded_worker

        start_embedded_worker(app)
        click.echo("Jobs run in this process (no REDIS_URL): an embedded RQ worker on in-memory queues.")
    click.echo(f"HybridPeaks at http://{host}:{port}  (Ctrl+C to stop)")
    # Threaded: the app calls its own mounted sandbox over HTTP while serving a request.
    # (Werkzeug directly: Flask ignores app.run() inside a `flask` command.)
    run_simple(host, port, app, threaded=True, use_reloader=False)


def run_jobs_under_flask_run(app: Flask) -> None:
    """Called by create_app: under ``flask run``, run the jobs too (or say how to)."""
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run" or app.config["TESTING"]:
        return
    reload = context.params.get("reload")
    if (get_debug_flag() if reload is None else reload) and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return  # the reloader's watcher: the server is its child process
    if app.config["EMBEDDED_QUEUE"]:
        from jobs.worker import start_embedded_worker

        start_embedded_worker(app)
        click.echo(" * Jobs run in this process (no REDIS_URL): an embedded RQ worker on in-memory queues.")
    else:
        click.echo(f" * Jobs are queued on {urlsplit(app.config['REDIS_URL']).hostname}: start a worker with "
                   "`make worker` (rq worker -c jobs.rq_settings ...), or nothing is sent.")
