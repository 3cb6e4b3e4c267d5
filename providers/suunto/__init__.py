"""Suunto Cloud API, SuuntoPlus Guides: the converter (convert.py, text.py), the guide's ZIP
(archive.py), the client (api.py), and what the rest of the product needs to know of Suunto
(providers.md, "Suunto"; suunto-research.md).

Choices where Suunto publishes nothing:

- ``delivery_days`` 7: no limit on how far ahead a guide may be dated is published; the watch
  has room for few guides and drops the oldest, and partners send the coming week (a setting);
- quota: no limit is published.  One partner reports 200 calls a week in all on the Developer
  API subscription (then 429) and none on the production ("unlimited") one.  So one weekly
  window per application: tier ``developer`` 200, ``production`` 100,000, our own ceiling
  (about ten calls a minute, far over what a week of deliveries needs), not Suunto's.  Token
  requests go to the OAuth host, which needs no subscription key: not counted;
- OAuth: authorization code at ``cloudapi-oauth.suunto.com`` with HTTP Basic client
  authentication at the token endpoint (S4).  No scope is sent (the published authorize URL
  has none; ``workout`` is the only one known).  PKCE is not mentioned by Suunto; it is sent,
  as it is harmless to a server that ignores it and needed by one that checks it;
- no webhook concerns guides or deauthorization; no permission to check.
"""

from ..spec import APP, OAuth, Provider, QuotaWindow, Setting
from . import api, convert

PROVIDER = Provider(
    name="SUUNTO",
    label="Suunto",
    order=3,
    sports=convert.SPORTS,
    delivery_days=7,
    quota_windows=(QuotaWindow("week", "QUOTA_PER_WEEK", 7 * 86400, APP, counts_oauth=False),),
    quota_tiers={"developer": (200,), "production": (100_000,)},
    quota_tier="production",
    oauth=OAuth(authorize_url="https://cloudapi-oauth.suunto.com/oauth/authorize",
                token_url="https://cloudapi-oauth.suunto.com/oauth/token",
                api_base="https://cloudapi.suunto.com",
                scope=None,
                token_auth="client_secret_basic"),
    fit=convert.fit,
    client=api.SuuntoApi,
    statuses=dict(api.STATUSES),
    extra_settings=(
        # Sent on every API call (Ocp-Apim-Subscription-Key); secret like a client secret.
        Setting("SUBSCRIPTION_KEY", secret=True, default="sandbox-subscription-key"),
        # The application's name in Suunto's OAuth settings: every guide's owner must equal it.
        Setting("GUIDE_OWNER", secret=False, default="HybridPeaks"),
        # Where Suunto's unknowns may need switching without a release (research §6).
        Setting("GUIDE_ARCHIVE", secret=False, default="2-file"),
        Setting("GUIDE_STEP_FORM", secret=False, default="transitions"),
        # Where a disconnect withdraws our access (research: the OAuth host's deauthorize).
        Setting("DEAUTHORIZE_URL", secret=False, default="https://cloudapi-oauth.suunto.com/oauth/deauthorize",
                sandbox_path="oauth/deauthorize"),
    ),
    client_settings={"subscription_key": "SUBSCRIPTION_KEY", "owner": "GUIDE_OWNER", "url": "PUBLIC_URL",
                     "archive_files": "GUIDE_ARCHIVE", "step_form": "GUIDE_STEP_FORM", "client_id": "CLIENT_ID",
                     "deauthorize_url": "DEAUTHORIZE_URL"},
    window_reason="Suunto watches hold few guides and drop the oldest: the coming week is sent",
    workout_ref="guideId",
    replaces=True,  # PUT /v2/guides/files/{id}: one guide per session, whatever changes
    refusal_after_refresh_revokes=True,  # no webhook: a 401 that survives a refresh is a revocation
    sandbox_client_id="hybridpeaks-suunto",
)
