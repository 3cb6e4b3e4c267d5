"""The HTTP layer every provider call goes through: httpx with timeouts, and each failure
turned into one of providers.errors, with any token redacted from its text.

Hooks let the product's quota and metrics see every call without this module knowing them:
``before_call(method, path)`` runs before a request is sent (it may wait, or raise to
refuse the call), ``after_response(response)`` sees every answer (Wahoo's rate-limit
headers ride on all of them), ``on_status(status)`` hears how each call ended: the HTTP
status, or "network" when no answer came.
"""

from __future__ import annotations

from datetime import datetime, timezone
from http.cookiejar import CookieJar
from typing import Callable, Iterable

import httpx

from .errors import (
    Forbidden,
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
# What 403 and 412 mean, per provider (providers.md): Garmin's 403 is "not allowed" and its
# 412 a missing WORKOUT_IMPORT permission; Wahoo's 403 is a scope the token lacks.
DEFAULT_STATUSES: dict[int, type[ProviderError]] = {403: Forbidden, 412: PermissionMissing}


class NoCookies(CookieJar):
    """A jar that keeps nothing: the client is shared by every athlete's calls, so a cookie a
    provider (or its CDN) sets on one athlete's answer must not ride on the next athlete's
    call (httpx#2992: httpx has no switch for it; this is its maintainers' answer)."""

    def extract_cookies(self, response, request) -> None:
        pass

    def set_cookie(self, cookie) -> None:
        pass


class ProviderHttp:
    """One provider's API base URL, on a pooled httpx client shared by the process."""

    def __init__(self, provider: str, base_url: str, timeout: float = 10.0, transport: httpx.BaseTransport | None = None,
                 before_call: Callable[[str, str], None] | None = None,
                 after_response: Callable[[httpx.Response], None] | None = None,
                 statuses: dict[int, type[ProviderError]] | None = None,
                 on_status: Callable[[int | str], None] | None = None):
        self.provider = provider
        self.on_status = on_status or (lambda status: None)
        self.before_call = before_call
        self.after_response = after_response
        self.statuses = {**DEFAULT_STATUSES, **(statuses or {})}
        self.client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
                                   transport=transport, headers={"User-Agent": "HybridPeaks/0.2"}, cookies=NoCookies())

    def call(self, method: str, path: str, token: str, *, secrets: Iterable[str] = (), **kwargs) -> httpx.Response:
        secrets = [token, *secrets]
        if self.before_call is not None:
            self.before_call(method, path)
        try:
            response = self.client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        except httpx.TransportError as error:
            self.on_status("network")
            raise self._transport_error(error, method, path) from None
        self.on_status(response.status_code)
        if self.after_response is not None:
            self.after_response(response)
        if response.is_success:
            return response
        raise error_for(self.provider, response, secrets, self.statuses)

    def _transport_error(self, error: httpx.TransportError, method: str, path: str) -> Transient:
        if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
            # Nothing reached the provider: a retry cannot duplicate anything.
            return Transient(self.provider, f"connection failed ({type(error).__name__})", ambiguous=False)
        if isinstance(error, httpx.TimeoutException):
            return Transient(self.provider, f"no answer in time ({method} {path})")
        return Transient(self.provider, f"connection failed ({type(error).__name__})")

    def close(self) -> None:
        self.client.close()


def error_for(provider: str, response: httpx.Response, secrets: Iterable[str] = (),
              statuses: dict[int, type[ProviderError]] | None = None) -> ProviderError:
    status = response.status_code
    detail = redact(_detail(response), secrets)[:MAX_DETAIL]
    statuses = statuses or DEFAULT_STATUSES
    if status == 401:
        return TokenExpired(provider, "the access token was refused (401)", status)
    if status == 429:
        return RateLimited(provider, "over the provider's rate limit (429)", reset_at(response))
    if status in statuses:
        kind = statuses[status]
        fallback = {Forbidden: "not allowed", PermissionMissing: "permission missing"}.get(kind, "refused")
        return kind(provider, f"{detail or fallback} ({status})", status)
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
    """When a 429 resets, from Wahoo's X-RateLimit-Reset (seconds until the reset; an epoch
    time is accepted too).  Garmin documents no reset header: None."""
    value = response.headers.get("X-RateLimit-Reset")
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    now = datetime.now(timezone.utc).timestamp()
    return datetime.fromtimestamp(number if number > 1e9 else now + number, timezone.utc)
