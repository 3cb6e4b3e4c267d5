"""deploy/prometheus/alerts.yml: valid for promtool, its unit tests pass, and every series it
names is one /metrics exports (a typo would make an alert that can never fire)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core import metrics

pytestmark = pytest.mark.integration
RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        pytest.fail("promtool is missing: run `make test` (it installs Debian's prometheus package)")
    return found


def test_the_rules_are_valid_and_fire_when_they_should():
    checked = subprocess.run([promtool(), "check", "rules", "alerts.yml"], cwd=RULES, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run([promtool(), "test", "rules", "alerts_test.yml"], cwd=RULES, capture_output=True, text=True)
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def test_every_series_the_alerts_name_is_exported(app, client):
    with app.app_context():
        for counter in metrics.COUNTERS:
            metrics.count(counter, *["X"] * len(counter.labels))
    exported = {sample.name for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
                for sample in family.samples}
    named = set(re.findall(r"\bhybridpeaks_[a-z_]+", (RULES / "alerts.yml").read_text()))
    assert named and named <= exported, named - exported
