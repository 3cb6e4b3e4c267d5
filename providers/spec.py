"""What a provider package declares, so that the rest of the product names no provider.

Each provider is one package under ``providers/`` whose ``__init__`` holds ``PROVIDER``, a
:class:`Provider`: its name and label, the sports it takes, its delivery window, its quota
windows per key tier, its OAuth endpoints and scopes, its settings, its converter, its client,
its webhooks and its texts.  ``providers.registry`` finds the packages; the settings, the
connect flow, the delivery core, the webhooks, the pages and the metrics iterate over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from datetime import date

    import httpx

    from workouts import Thresholds

    from .delivery import Client
    from .errors import ProviderError
    from .http import ProviderHttp
    from .verdict import Fit

APP, ATHLETE = "app", "athlete"  # a quota window per application, or per athlete


@dataclass(frozen=True)
class QuotaWindow:
    """One published rate limit: ``limit`` calls per ``seconds``, per app or per athlete."""

    name: str  # as operators read it: "partner minute", "athlete day", "5 minutes"...
    suffix: str  # its setting is <PROVIDER>_<suffix>, e.g. GARMIN_QUOTA_PARTNER_PER_MINUTE
    seconds: int
    scope: str  # APP or ATHLETE
    counts_oauth: bool  # whether token requests count against it


@dataclass(frozen=True)
class Webhook:
    """A ping a provider sends us (POST /webhooks/<slug>/<kind>), only ever a hint: each
    connection it names is checked with the provider, with the athlete's own token."""

    kind: str  # the URL's last part: "deregistration", "permissions"
    key: str  # the body's list of users: {"deregistrations": [{"userId": ...}]}
    check: str  # DEREGISTRATION (the token is refused) or PERMISSIONS (the permission list)
    sender_header: str  # the header naming our client id (public: it authenticates nothing)


DEREGISTRATION, PERMISSIONS = "deregistration", "permissions"


@dataclass(frozen=True)
class OAuth:
    """The provider's OAuth 2.0 endpoints (production values; the sandbox's are derived)."""

    authorize_url: str
    token_url: str
    api_base: str
    scope: str | None = None  # None: the athlete chooses permissions on the provider's page
    token_auth: str = "client_secret_post"  # how the client authenticates at the token endpoint
    pkce: bool = True


@dataclass(frozen=True)
class Setting:
    """A setting of the provider's own beyond the common ones (a subscription key, a format).

    Outside production it defaults to the sandbox's value (``sandbox_path`` under the
    sandbox's address for this provider, else ``default``); in production a secret has no
    default and must be set, anything else defaults to ``default`` (the provider's value)."""

    suffix: str  # <PROVIDER>_<suffix>
    secret: bool  # never shown or logged; production needs it set, never to the sandbox's
    default: str
    sandbox_path: str | None = None


@dataclass(frozen=True)
class Provider:
    name: str  # stored in rows and used in the API: "GARMIN"
    label: str  # what people read: "Garmin"
    order: int  # where it is listed
    sports: tuple[str, ...]  # the workout sports it takes at all
    delivery_days: int  # default window: today and the next days - 1 (<NAME>_DELIVERY_DAYS)
    quota_windows: tuple[QuotaWindow, ...]
    quota_tiers: dict[str, tuple[int, ...]]  # key tier -> one limit per window, in order
    quota_tier: str  # the default tier (<NAME>_QUOTA_TIER)
    oauth: OAuth
    fit: Callable[[dict, "Thresholds"], "Fit"]  # the converter: a normalized workout -> verdict and payload
    client: Callable[["ProviderHttp"], "Client"]  # the API client class
    statuses: dict[int, type["ProviderError"]] = field(default_factory=dict)  # what 403, 412... mean here
    # Rate-limit headers, for the quota: an object with ``exhausted`` (the windows at zero),
    # ``reset_seconds`` (or None) and ``exhausted_seconds`` (the longest of them), or None.
    rate_state: Callable[["httpx.Response"], object] | None = None
    # The client's keyword arguments beyond ``http``: keyword -> the setting suffix it takes
    # (``PUBLIC_URL`` is the app's own address).
    client_settings: dict[str, str] = field(default_factory=dict)
    webhooks: tuple[Webhook, ...] = ()
    # The ref naming what the athlete has, shown as the session's externalWorkoutId.
    workout_ref: str = "workoutId"
    # A changed workout is replaced in place by the client's ``move`` (one item per session:
    # Suunto's guide PUT), instead of a new one created and the old one removed.
    replaces: bool = False
    # A 401 that a fresh token does not cure means the athlete withdrew our access (a provider
    # with no deauthorization ping: Suunto), rather than a passing fault.
    refusal_after_refresh_revokes: bool = False
    required_permission: str | None = None  # without it nothing can be sent (checked at connect)
    permission_label: str | None = None  # how the provider's consent page names it: "Workout import"
    extra_settings: tuple[Setting, ...] = ()
    # What would follow the payload to put it on the athlete's day (``flask workouts export --date``).
    schedule_preview: Callable[[dict, "Fit", "date"], dict] | None = None
    window_reason: str | None = None  # why the window is what it is, for the badge: "as Wahoo shows them"
    sandbox_client_id: str = ""  # the sandbox's built-in client id (production refuses it)

    @property
    def slug(self) -> str:
        """The provider in URLs: /connections/garmin/connect."""
        return self.name.lower()

    def setting(self, suffix: str) -> str:
        return f"{self.name}_{suffix}"

    def takes(self, sport: str) -> bool:
        return sport in self.sports
