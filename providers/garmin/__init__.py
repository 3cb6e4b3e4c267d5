"""Garmin Connect Training API V2: the converter (convert.py), the client (api.py), and what
the rest of the product needs to know of Garmin (providers.md, "Garmin Training API V2")."""

from ..spec import APP, ATHLETE, DEREGISTRATION, PERMISSIONS, OAuth, Provider, QuotaWindow, Webhook
from . import api, convert

PROVIDER = Provider(
    name="GARMIN",
    label="Garmin",
    order=1,
    # GENERIC holds rows and the rest, which some Garmin devices play (the converter says so);
    # STRENGTH_TRAINING, CARDIO_TRAINING and MULTI_SPORT the third round's sports.
    sports=("BIKE", "RUN", "SWIM", "ROW", "OTHER", "STRENGTH", "CARDIO", "MULTISPORT"),
    delivery_days=14,
    # Quotas (2.6): per partner per rolling minute, OAuth included; per user per rolling 24 h, OAuth not.
    quota_windows=(QuotaWindow("partner minute", "QUOTA_PARTNER_PER_MINUTE", 60, APP, counts_oauth=True),
                   QuotaWindow("athlete day", "QUOTA_ATHLETE_PER_DAY", 86400, ATHLETE, counts_oauth=False)),
    quota_tiers={"evaluation": (100, 200), "production": (3000, 1000)},
    quota_tier="production",
    oauth=OAuth(authorize_url="https://connect.garmin.com/oauth2Confirm",
                token_url="https://diauth.garmin.com/di-oauth2-service/oauth/token",
                api_base="https://apis.garmin.com"),
    fit=convert.fit,
    schedule_preview=convert.schedule_preview,
    client=api.GarminApi,
    statuses=api.STATUSES,
    # Start Guide 3: deregistration and user-permission pings, named by our (public) client id.
    webhooks=(Webhook("deregistration", "deregistrations", DEREGISTRATION, "garmin-client-id"),
              Webhook("permissions", "userPermissionsChange", PERMISSIONS, "garmin-client-id")),
    required_permission="WORKOUT_IMPORT",
    permission_label="Workout import",
    sandbox_client_id="hybridpeaks-garmin",
)
