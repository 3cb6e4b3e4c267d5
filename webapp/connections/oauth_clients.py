"""Authlib's Flask OAuth clients, one per provider of the registry (authorization code, with
PKCE S256 where the provider takes it).

One registry per app rather than a module-level one: Authlib caches each client with the
configuration it was first built with, and the tests build many apps with different
provider URLs.  Scopes, PKCE and how the client authenticates at the token endpoint are
each provider's (providers/<name>/__init__.py).
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from providers import registry


def init_oauth(app: Flask) -> None:
    oauth = OAuth(app)
    for provider in registry.providers():
        client_kwargs = {"token_endpoint_auth_method": provider.oauth.token_auth,
                         "timeout": app.config["HTTP_TIMEOUT_SECONDS"]}
        if provider.oauth.pkce:
            client_kwargs["code_challenge_method"] = "S256"
        if provider.oauth.scope:
            client_kwargs["scope"] = provider.oauth.scope
        oauth.register(
            provider.slug,
            client_id=app.config[provider.setting("CLIENT_ID")],
            client_secret=app.config[provider.setting("CLIENT_SECRET")],
            authorize_url=app.config[provider.setting("AUTHORIZE_URL")],
            access_token_url=app.config[provider.setting("TOKEN_URL")],
            client_kwargs=client_kwargs,
        )
    app.extensions["hybridpeaks_oauth"] = oauth


def oauth_client(slug: str):
    return current_app.extensions["hybridpeaks_oauth"].create_client(slug)
