"""``flask serve``: the whole product in one process, for ``make run``."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
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
