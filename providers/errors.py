"""One exception per way a provider call can fail, so callers decide by type, not by text.

Every message is safe to store in ``lastExportError`` and to show an athlete: it names the
provider and the reason, and passes through redaction, so it never carries a token.

The statuses mean different things at each provider (providers.md): Garmin answers 401
when the user access token does not exist, 403 when a call is not allowed, 412 when the
athlete has not granted WORKOUT_IMPORT; Wahoo answers 403 when the token lacks a scope.
Each client says which status is which (``providers/http.py``).
"""

from __future__ import annotations

from datetime import datetime

from . import registry


class ProviderError(Exception):
    def __init__(self, provider: str, message: str, status: int | None = None):
        self.provider, self.status = provider, status
        # Named by its label; a failure that belongs to no provider says only what happened.
        super().__init__(f"{registry.label(provider, provider)}: {message}" if provider else message)

    @property
    def message(self) -> str:
        return str(self)


class Transient(ProviderError):
    """A network error, a timeout or a 5xx: worth trying again later.

    ``ambiguous`` is true when the request may have reached the provider (a timeout, a
    dropped connection, a 5xx): a create may then have happened, so a retry looks for it
    before creating again.
    """

    def __init__(self, provider: str, message: str, status: int | None = None, ambiguous: bool = True):
        super().__init__(provider, message, status)
        self.ambiguous = ambiguous


class RateLimited(Transient):
    """429: over the provider's quota; ``reset_at`` is when it resets, where the provider says.

    A quota wait, not a failure: the request was refused before anything happened."""

    def __init__(self, provider: str, message: str, reset_at: datetime | None = None):
        super().__init__(provider, message, 429, ambiguous=False)
        self.reset_at = reset_at


class ApplicationRefused(Transient):
    """The provider refuses our application, not the athlete (a subscription key, an API
    entitlement): every athlete's calls fail alike until an operator fixes the settings.
    Retried like an outage, and never a reason to ask an athlete to reconnect."""

    def __init__(self, provider: str, message: str, status: int | None = None):
        super().__init__(provider, message, status, ambiguous=False)


class TokenExpired(ProviderError):
    """401 on a call: refresh the access token and try again at once."""


class TokenRevoked(ProviderError):
    """The provider refuses the refresh token (invalid_grant) or the athlete revoked access."""


class PermissionMissing(ProviderError):
    """The athlete did not grant what this call needs: Garmin's 412 (WORKOUT_IMPORT) or a
    Wahoo scope (403).  Reconnecting and granting it is the cure."""


class Forbidden(ProviderError):
    """Garmin's 403, "not allowed": neither a token nor a permission problem; not retried."""


class PayloadRejected(ProviderError):
    """400/422: the provider refused what we sent; its message says why. Not retried."""


class NotFound(ProviderError):
    """404: the thing is not (or no longer) at the provider."""
