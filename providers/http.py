"""The HTTP layer every provider call goes through: httpx with timeouts, and each failure
turned into one of providers.errors, with any token redacted from its text."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable

import httpx

from .errors import (
    NotFound,
    PayloadRejected,
    PermissionMissing,
    ProviderError,
    RateLimited,
    TokenExpired,
    Transient,
)
from .redaction import redact

MAX_DETAIL = 300


class ProviderHttp:
    """One provider's API base URL, on a pooled httpx client shared by the process."""

    def __init__(self, provider: str, base_url: str, timeout: float = 10.0, transport: httpx.BaseTransport | None = None,
                 before_call: Callable[[], None] | None = None):
        self.provider = provider
        self.before_call = before_call  # e.g. spend one call of the provider's quota
        self.client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
                                   transport=transport, headers={"User-Agent": "HybridPeaks/0.1"})

    def call(self, method: str, path: str, token: str, *, secrets: Iterable[str] = (), **kwargs) -> httpx.Response:
        secrets = [token, *secrets]
        if self.before_call is not None:
            self.before_call()
        try:
            response = self.client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        except httpx.TimeoutException:
            raise Transient(self.provider, f"no answer in time ({method} {path})") from None
        except httpx.TransportError as error:
            raise Transient(self.provider, f"connection failed ({type(error).__name__})") from None
        if response.is_success:
            return response
        raise error_for(self.provider, response, secrets)

    def close(self) -> None:
        self.client.close()


def error_for(provider: str, response: httpx.Response, secrets: Iterable[str] = ()) -> ProviderError:
    status = response.status_code
    detail = redact(_detail(response), secrets)[:MAX_DETAIL]
    if status == 401:
        return TokenExpired(provider, "the access token was refused (401)", status)
    if status in (403, 412):
        return PermissionMissing(provider, detail or "permission missing", status)
    if status == 429:
        return RateLimited(provider, "over the provider's rate limit (429)", reset_at(response))
    if status == 404:
        return NotFound(provider, detail or "not found", status)
    if status >= 500:
        return Transient(provider, f"the service is unavailable ({status})", status)
    return PayloadRejected(provider, detail or f"request refused ({status})", status)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()
    if isinstance(body, dict):
        for key in ("errorMessage", "error_description", "error", "message", "errors"):
            value = body.get(key)
            if value:
                return "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return str(body)


def reset_at(response: httpx.Response) -> datetime | None:
    """When a 429 resets, from Wahoo's X-RateLimit-Reset (epoch seconds, or seconds from now)."""
    value = response.headers.get("X-RateLimit-Reset")
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    now = datetime.now(timezone.utc).timestamp()
    return datetime.fromtimestamp(number if number > 1e9 else now + number, timezone.utc)
