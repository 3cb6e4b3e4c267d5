"""HybridPeaks: the Flask application factory.

``create_app()`` reads the settings (core/config.py), binds the extensions created once in
core/db.py, core/queue.py and webapp/extensions.py, registers one blueprint per concern, and, where the sandbox is
enabled, mounts the provider sandbox at /sandbox.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.utils import import_string

from core import outbox
from core.config import INSTANCE, ROOT, load_config
from core.db import db
from core.logs import configure_logging
from core.queue import init_queue
from core.security import init_cipher
from providers import registry

from .connections.oauth_clients import init_oauth
from .extensions import csrf, limiter, login_manager, migrate
from .headers import init_headers
from .inputs import IdConverter
from .templating import register_filters


def create_app(config: dict | None = None, env: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(env, config))
    app.url_map.converters["int"] = IdConverter  # before any route: every <int:id> is bounded
    configure_logging(app.config["LOG_LEVEL"], fmt=app.config["LOG_FORMAT"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."
    csrf.init_app(app)
    limiter.init_app(app)
    init_headers(app)
    init_cipher(app)
    init_queue(app)
    outbox.init_app(app)
    init_oauth(app)

    register_filters(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    if app.config["SANDBOX_ENABLED"]:
        _mount_sandbox(app)

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        if current_user.is_operator:
            return redirect(url_for("operator.index"))
        return redirect(url_for("plans.overview" if current_user.is_coach else "athlete.week"))

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    logging.getLogger(__name__).debug("app created", extra={"fields": {"env": app.config["APP_ENV"]}})
    return app


def _register_blueprints(app: Flask) -> None:
    from . import api, athlete, auth, calendar, connections, library, metrics, operator, plans, webhooks

    app.register_blueprint(auth.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(library.bp)
    app.register_blueprint(athlete.bp)
    app.register_blueprint(connections.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(operator.bp)


def _mount_sandbox(app: Flask) -> None:
    """The provider sandbox under /sandbox, configured with this app's client credentials.

    It is named by a dotted path in the settings (``SANDBOX_APP``), never imported by the
    product's code: it lives outside the product's packages and its wheel, and production
    refuses to start with it on."""
    config = app.config
    create_sandbox_app = import_string(config["SANDBOX_APP"])
    settings = {
        "SANDBOX_DATABASE": config["SANDBOX_DATABASE"],
        "SANDBOX_CLIENTS": {p.slug: (config[p.setting("CLIENT_ID")], config[p.setting("CLIENT_SECRET")])
                            for p in registry.providers()},
    }
    for provider in registry.providers():
        if provider.webhooks:  # where the sandbox sends this provider's pings
            settings[f"SANDBOX_{provider.name}_WEBHOOK_URL"] = f"{config['PUBLIC_URL']}/webhooks/{provider.slug}"
        for extra in provider.extra_settings:  # e.g. a subscription key the sandbox checks
            settings[f"SANDBOX_{provider.setting(extra.suffix)}"] = config[provider.setting(extra.suffix)]
    sandbox = create_sandbox_app(settings)
    app.extensions["sandbox_app"] = sandbox
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/sandbox": sandbox})


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            codes = {400: "malformed_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                     429: "rate_limited"}
            body = {"error": {"code": codes.get(error.code, "error"), "message": error.description, "fields": {}}}
            return jsonify(body), error.code
        if error.code in (403, 404, 429, 413):
            return render_template("error.html", error=error), error.code
        return error


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # The embedded default shares one SQLite file between the web threads, the worker
    # thread and the tests' worker processes: WAL lets readers go on while one writes,
    # and the busy timeout makes writers wait their turn instead of failing.  In WAL mode
    # synchronous=NORMAL is "a good choice for most applications" (SQLite's pragma page): a
    # commit is never lost to a crash of the process, only to one of the machine, and no
    # commit waits on an fsync (about 2 ms each here, at every save and export step).
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
