"""The provider clients of this process, built once from the settings and shared.

Provider base URLs point at the sandbox by default (core/config.py) and at the real
providers by configuration; nothing else in the product knows where they are.  Every call
spends from the provider's quota first (core/quota.py), its rate-limit headers (where the
provider sends them) feed it back, and its status is counted for /metrics (core/metrics.py).
"""

from __future__ import annotations

from flask import current_app

from providers import registry
from providers.delivery import Client
from providers.http import ProviderHttp

from . import metrics, quota


def api(provider: str) -> Client:
    """The API client of ``provider`` (a registry name) for the current app."""
    apis = current_app.extensions.setdefault("provider_apis", {})
    if provider not in apis:
        spec, config = registry.get(provider), current_app.config
        transport = config.get("PROVIDER_HTTP_TRANSPORT")  # tests may plug in httpx.MockTransport
        http = ProviderHttp(provider, config[spec.setting("API_BASE")], config["HTTP_TIMEOUT_SECONDS"], transport,
                            before_call=lambda method, path: quota.spend(provider),
                            after_response=_feedback(spec), statuses=spec.statuses,
                            on_status=lambda status: metrics.provider_call(provider, status))
        options = {keyword: config[suffix if suffix == "PUBLIC_URL" else spec.setting(suffix)]
                   for keyword, suffix in spec.client_settings.items()}
        apis[provider] = spec.client(http, **options)
    return apis[provider]


def _feedback(spec):
    if spec.rate_state is None:
        return None
    return lambda response: quota.observe(spec.name, spec.rate_state(response))


def oauth_settings(provider: str) -> dict:
    spec, config = registry.get(provider), current_app.config
    return {
        "client_id": config[spec.setting("CLIENT_ID")],
        "client_secret": config[spec.setting("CLIENT_SECRET")],
        "authorize_url": config[spec.setting("AUTHORIZE_URL")],
        "token_url": config[spec.setting("TOKEN_URL")],
        "token_auth": spec.oauth.token_auth,
    }


def enabled() -> list:
    """The providers this deployment offers (PROVIDERS), in the registry's order."""
    return [p for p in registry.providers() if p.name in current_app.config["PROVIDERS"]]
