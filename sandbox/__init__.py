"""A stand-in for Garmin's, Wahoo's and Suunto's OAuth and workout APIs, so that the whole
product runs and is tested with no real account.

It stands for the outside world: it imports nothing from webapp/, jobs/ or the converters,
and checks what it receives by the providers' documented rules, so it catches what the
product gets wrong.  Mounted at /sandbox by the app in the embedded default; on its own:
``python -m sandbox --port 5001``.
"""

from __future__ import annotations

import os
import time

from flask import Flask, jsonify, request

from . import admin, faults, garmin, oauth, suunto, wahoo
from .store import Store

DEFAULT_CLIENTS = {"garmin": ("hybridpeaks-garmin", "sandbox-secret"), "wahoo": ("hybridpeaks-wahoo", "sandbox-secret"),
                   "suunto": ("hybridpeaks-suunto", "sandbox-secret")}
PROVIDERS = tuple(DEFAULT_CLIENTS)


def create_sandbox_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SANDBOX_DATABASE=os.environ.get("SANDBOX_DATABASE", "sandbox.db"),
        SANDBOX_CLIENTS=DEFAULT_CLIENTS,
        SANDBOX_GARMIN_WEBHOOK_URL=os.environ.get("SANDBOX_GARMIN_WEBHOOK_URL"),
        SANDBOX_ADMIN=True,
        # Suunto: the application's subscription keys (primary, secondary) and its name in the
        # OAuth settings, which every guide's owner must equal.
        SANDBOX_SUUNTO_KEYS=suunto.DEFAULT_KEYS,
        SANDBOX_SUUNTO_APP_NAME=suunto.DEFAULT_APP_NAME,
    )
    app.config.update(config or {})
    # The mounting app passes its own Suunto settings by their names (SANDBOX_<SETTING>).
    if app.config.get("SANDBOX_SUUNTO_SUBSCRIPTION_KEY"):
        app.config["SANDBOX_SUUNTO_KEYS"] = (app.config["SANDBOX_SUUNTO_SUBSCRIPTION_KEY"],)
    if app.config.get("SANDBOX_SUUNTO_GUIDE_OWNER"):
        app.config["SANDBOX_SUUNTO_APP_NAME"] = app.config["SANDBOX_SUUNTO_GUIDE_OWNER"]
    # A provider the mounting app names no client for keeps the built-in one.
    app.config["SANDBOX_CLIENTS"] = {**DEFAULT_CLIENTS, **app.config["SANDBOX_CLIENTS"]}
    app.extensions["sandbox_store"] = Store(app.config["SANDBOX_DATABASE"])
    app.register_blueprint(oauth.bp)
    app.register_blueprint(garmin.bp)
    app.register_blueprint(wahoo.bp)
    app.register_blueprint(suunto.bp)
    if app.config["SANDBOX_ADMIN"]:
        app.register_blueprint(admin.bp)

    @app.errorhandler(faults.Dropped)
    def dropped(_error):
        return "", 500  # the socket is already shut; nothing reaches the client

    @app.after_request
    def record(response):
        provider = request.path.strip("/").split("/")[0]
        if provider in PROVIDERS and "/oauth/" not in request.path:
            app.extensions["sandbox_store"].log_request(provider, request.method, request.path, response.status_code)
        return response

    @app.get("/")
    def index():
        return jsonify(sandbox="HybridPeaks provider sandbox", providers=list(PROVIDERS), time=time.time())

    return app
