"""One exception per way a provider call can fail, so callers decide by type, not by text.

Every message is safe to store in ``lastExportError`` and to show an athlete: it names the
provider and the reason, and passes through redaction, so it never carries a token.
"""

from __future__ import annotations

from datetime import datetime

LABELS = {"GARMIN": "Garmin", "WAHOO": "Wahoo"}


class ProviderError(Exception):
    retryable = False

    def __init__(self, provider: str, message: str, status: int | None = None):
        self.provider, self.status = provider, status
        super().__init__(f"{LABELS.get(provider, provider)}: {message}")

    @property
    def message(self) -> str:
        return str(self)


class Transient(ProviderError):
    """A network error, a timeout or a 5xx: worth trying again later."""

    retryable = True


class RateLimited(Transient):
    """429: over the provider's quota; ``reset_at`` is when it resets, where the provider says."""

    def __init__(self, provider: str, message: str, reset_at: datetime | None = None):
        super().__init__(provider, message, 429)
        self.reset_at = reset_at


class TokenExpired(ProviderError):
    """401 on a call: refresh the access token and try again at once."""


class TokenRevoked(ProviderError):
    """The provider refuses the refresh token (invalid_grant) or the athlete revoked access."""


class PermissionMissing(ProviderError):
    """The athlete did not grant the permission this call needs (Garmin's 412)."""


class PayloadRejected(ProviderError):
    """400/422: the provider refused what we sent; its message says why. Not retried."""


class NotFound(ProviderError):
    """404: the thing is not (or no longer) at the provider."""
