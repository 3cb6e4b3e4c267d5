"""Wahoo Cloud API: the converter (convert.py), the client (api.py), and what the rest of the
product needs to know of Wahoo (providers.md, "Wahoo Cloud API")."""

from ..spec import APP, OAuth, Provider, QuotaWindow
from . import api, convert

PROVIDER = Provider(
    name="WAHOO",
    label="Wahoo",
    order=2,
    sports=("BIKE", "RUN"),
    # The display window: a plan shows only when its workout is scheduled from today to six days ahead.
    delivery_days=7,
    # Limits: three windows at once per app, every call counted (OAuth included).
    quota_windows=(QuotaWindow("5 minutes", "QUOTA_PER_5MIN", 300, APP, counts_oauth=True),
                   QuotaWindow("hour", "QUOTA_PER_HOUR", 3600, APP, counts_oauth=True),
                   QuotaWindow("day", "QUOTA_PER_DAY", 86400, APP, counts_oauth=True)),
    quota_tiers={"sandbox": (25, 100, 250), "production": (200, 1000, 5000)},
    quota_tier="production",
    # Only what we use ("applications must only request permission for resources they intend
    # to access"): the user id, writing plans and workouts, and reading them back, which
    # finding one again after an unanswered create needs.
    oauth=OAuth(authorize_url="https://api.wahooligan.com/oauth/authorize",
                token_url="https://api.wahooligan.com/oauth/token",
                api_base="https://api.wahooligan.com",
                scope="user_read plans_read plans_write workouts_read workouts_write"),
    fit=convert.fit,
    schedule_preview=convert.schedule_preview,
    client=api.WahooApi,
    statuses=api.STATUSES,
    rate_state=api.rate_state,
    window_reason="as Wahoo shows them",  # a plan shows only from today to six days ahead
    sandbox_client_id="hybridpeaks-wahoo",
)
