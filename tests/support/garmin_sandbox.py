"""A sandbox of its own for one test: Garmin's Training API with one athlete who granted
WORKOUT_IMPORT, to post a workout as the product does and read back what "Garmin" kept and
what the watch plays, with the unpublished facts played as the test chooses (faults.py)."""

from __future__ import annotations

import time

from sandbox import create_sandbox_app

TOKEN = "gat_test-athlete"


class GarminSandbox:
    def __init__(self, folder):
        app = create_sandbox_app({"SANDBOX_DATABASE": str(folder / "sandbox.db"), "TESTING": True})
        self.store = app.extensions["sandbox_store"]
        self.client = app.test_client()
        now = time.time()
        with self.store.transaction() as db:
            db.execute("INSERT INTO users (provider, user_id, login_hint, permissions, created) "
                       "VALUES ('garmin', 'athlete-1', 'athlete', 'WORKOUT_IMPORT', ?)", (now,))
            db.execute("INSERT INTO tokens (token, provider, kind, user_id, client_id, scope, issued, expires, grant_id) "
                       "VALUES (?, 'garmin', 'access', 'athlete-1', 'hybridpeaks-garmin', '', ?, ?, 'g1')",
                       (TOKEN, now, now + 3600))

    def plays(self, **faults) -> None:
        """What Garmin does where its document is silent (sandbox/garmin.py PLAYS)."""
        self.store.set_faults("garmin", faults)

    def create(self, payload: dict):
        return self.client.post("/garmin/workoutportal/workout/v2", json=payload,
                                headers={"Authorization": f"Bearer {TOKEN}"})

    def kept(self, workout_id: int) -> dict:
        """The workout as Garmin stored it (GET, as the athlete's Connect would show it)."""
        return self.client.get(f"/garmin/training-api/workout/v2/{workout_id}",
                               headers={"Authorization": f"Bearer {TOKEN}"}).get_json()

    def warnings(self, workout_id: int) -> list[str]:
        import json

        return json.loads(self.store.one("SELECT warnings FROM records WHERE id = ?", workout_id)["warnings"])

    def played(self, workout_id: int) -> list[dict]:
        """The steps the watch plays, in order (the sandbox's device view)."""
        return self.client.get(f"/_admin/device?provider=garmin&workoutId={workout_id}").get_json()
