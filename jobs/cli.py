"""The ``flask`` commands that run jobs, added to Flask's CLI by this package's entry points
(``flask.commands`` in pyproject.toml), so that the app itself knows nothing of its workers:

- ``flask serve``: the whole product in one process, for ``make run``: the app, its sandbox
  and, without REDIS_URL, the jobs (jobs/embedded.py);
- ``flask run``: Flask's own command, which on the embedded default serves the same way
  (the jobs need the main thread, so its reloader is off there; with REDIS_URL it is
  Flask's command unchanged, and says to start a worker).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import ScriptInfo, pass_script_info, run_command, with_appcontext
from werkzeug.serving import run_simple

from . import embedded


def _serve_forever(app, host: str, port: int, debug: bool = False):
    # Threaded: the app calls its own mounted sandbox over HTTP while serving a request.
    return lambda: run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=debug)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """Serve the app, the provider sandbox and (without REDIS_URL) the jobs, in this process."""
    app = current_app._get_current_object()
    public = urlsplit(app.config["PUBLIC_URL"])
    if public.port != port:
        click.echo(f"Warning: PUBLIC_URL is {app.config['PUBLIC_URL']} but this serves port {port}; "
                   f"provider calls go to PUBLIC_URL. Run with PUBLIC_URL=http://{host}:{port}.", err=True)
    click.echo(f"HybridPeaks at http://{host}:{port}  (Ctrl+C to stop)")
    if not app.config["EMBEDDED_QUEUE"]:
        click.echo(f"Jobs are queued on {urlsplit(app.config['REDIS_URL']).hostname}: start a worker with "
                   "`make worker`.")
        _serve_forever(app, host, port)()
        return
    click.echo("Jobs run in this process (no REDIS_URL): an embedded RQ worker on in-memory queues.")
    embedded.run(app, _serve_forever(app, host, port))


@click.command("run", help=run_command.help, params=run_command.params, context_settings=run_command.context_settings)
@pass_script_info
@click.pass_context
def run(ctx, info: ScriptInfo, **options):
    app = info.load_app()
    if not app.config.get("EMBEDDED_QUEUE"):
        click.echo(f" * Jobs are queued on {urlsplit(app.config['REDIS_URL'] or '').hostname}: start a worker "
                   "with `make worker` (rq worker -c jobs.rq_settings ...), or nothing is sent.")
        return ctx.invoke(run_command, **options)
    click.echo(" * Jobs run in this process (no REDIS_URL): an embedded RQ worker on in-memory queues"
               + (" (the reloader is off: the jobs hold the main thread)." if options.get("reload") else "."))
    debug = bool(options.get("debugger"))
    embedded.run(app, _serve_forever(app, options["host"], options["port"], debug))
