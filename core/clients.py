"""The provider clients of this process, built once from the settings and shared.

Provider base URLs point at the sandbox by default (webapp/config.py) and at the real
providers by configuration; nothing else in the product knows where they are.  Every call
spends from the provider's quota first (jobs/quota.py), Wahoo's rate-limit headers feed
it back, and its status is counted for /metrics (services/metrics.py).
"""

from __future__ import annotations

from flask import current_app

from providers.delivery import Client
from providers.garmin import api as garmin_api
from providers.http import ProviderHttp
from providers.wahoo import api as wahoo_api

from . import metrics, quota

MODULES = {"GARMIN": garmin_api, "WAHOO": wahoo_api}
CLASSES = {"GARMIN": garmin_api.GarminApi, "WAHOO": wahoo_api.WahooApi}


def api(provider: str) -> Client:
    """The API client of ``provider`` (GARMIN or WAHOO) for the current app."""
    apis = current_app.extensions.setdefault("provider_apis", {})
    if provider not in apis:
        config = current_app.config
        transport = config.get("PROVIDER_HTTP_TRANSPORT")  # tests may plug in httpx.MockTransport
        http = ProviderHttp(provider, config[f"{provider}_API_BASE"], config["HTTP_TIMEOUT_SECONDS"], transport,
                            before_call=lambda method, path: quota.spend(provider),
                            after_response=_feedback(provider), statuses=MODULES[provider].STATUSES,
                            on_status=lambda status: metrics.provider_call(provider, status))
        apis[provider] = CLASSES[provider](http)
    return apis[provider]


def _feedback(provider: str):
    if provider != "WAHOO":
        return None
    return lambda response: quota.observe(provider, wahoo_api.rate_state(response))


def oauth_settings(provider: str) -> dict:
    config = current_app.config
    return {
        "client_id": config[f"{provider}_CLIENT_ID"],
        "client_secret": config[f"{provider}_CLIENT_SECRET"],
        "authorize_url": config[f"{provider}_AUTHORIZE_URL"],
        "token_url": config[f"{provider}_TOKEN_URL"],
    }
