"""The provider clients of this process, built once from the settings and shared.

Provider base URLs point at the sandbox by default (webapp/config.py) and at the real
providers by configuration; nothing else in the product knows where they are.
"""

from __future__ import annotations

from flask import current_app

from jobs import ratelimit
from providers.garmin_api import GarminApi
from providers.http import ProviderHttp
from providers.wahoo_api import WahooApi

APIS = {"GARMIN": GarminApi, "WAHOO": WahooApi}


def api(provider: str):
    """The API client of ``provider`` (GARMIN or WAHOO) for the current app."""
    apis = current_app.extensions.setdefault("provider_apis", {})
    if provider not in apis:
        config = current_app.config
        transport = config.get("PROVIDER_HTTP_TRANSPORT")  # tests may plug in httpx.MockTransport
        http = ProviderHttp(provider, config[f"{provider}_API_BASE"], config["HTTP_TIMEOUT_SECONDS"], transport,
                            before_call=lambda: ratelimit.spend(provider))
        apis[provider] = APIS[provider](http)
    return apis[provider]


def oauth_settings(provider: str) -> dict:
    config = current_app.config
    return {
        "client_id": config[f"{provider}_CLIENT_ID"],
        "client_secret": config[f"{provider}_CLIENT_SECRET"],
        "authorize_url": config[f"{provider}_AUTHORIZE_URL"],
        "token_url": config[f"{provider}_TOKEN_URL"],
    }
