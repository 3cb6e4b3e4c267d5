"""Authlib's Flask OAuth clients for Garmin and Wahoo (authorization code + PKCE S256).

One registry per app rather than a module-level one: Authlib caches each client with the
configuration it was first built with, and the tests build many apps with different
provider URLs.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

# Wahoo: only what we use ("applications must only request permission for resources they
# intend to access"): the user id, writing plans and workouts, and reading them back, which
# finding a plan or workout again after an unanswered create needs (plans_read, workouts_read).
# Garmin's permissions are chosen by the athlete on Garmin's consent page.
SCOPES = {"GARMIN": None, "WAHOO": "user_read plans_read plans_write workouts_read workouts_write"}


def init_oauth(app: Flask) -> None:
    registry = OAuth(app)
    for provider in ("GARMIN", "WAHOO"):
        client_kwargs = {"code_challenge_method": "S256", "token_endpoint_auth_method": "client_secret_post",
                         "timeout": app.config["HTTP_TIMEOUT_SECONDS"]}
        if SCOPES[provider]:
            client_kwargs["scope"] = SCOPES[provider]
        registry.register(
            provider.lower(),
            client_id=app.config[f"{provider}_CLIENT_ID"],
            client_secret=app.config[f"{provider}_CLIENT_SECRET"],
            authorize_url=app.config[f"{provider}_AUTHORIZE_URL"],
            access_token_url=app.config[f"{provider}_TOKEN_URL"],
            client_kwargs=client_kwargs,
        )
    app.extensions["hybridpeaks_oauth"] = registry


def oauth_client(provider: str):
    return current_app.extensions["hybridpeaks_oauth"].create_client(provider.lower())
