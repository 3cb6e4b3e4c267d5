"""The workout profile (workouts/profile.py): what each bar says about its step, and the words
beside it.  Plain functions, no Flask."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, workout
from workouts import Thresholds, normalize
from workouts.profile import CEILING, draw

FTP = Thresholds(ftp_watts=280, max_heart_rate=190, threshold_pace_sec_per_km=240)
SVG = "{http://www.w3.org/2000/svg}"


def drawn(w, thresholds=FTP, **kw):
    return draw(normalize(w, thresholds), thresholds, **kw)


def test_bars_follow_the_steps_with_repeats_expanded_and_bracketed():
    p = drawn(SPEC_EXAMPLE)
    # warm-up, 4 x (effort, recovery), cool-down
    assert len(p.bars) == 1 + 4 * 2 + 1
    assert [b.seconds for b in p.bars[1:3]] == [480, 120]
    assert p.brackets == ((600.0, 600.0 + 4 * 600, 4),)
    starts = [b.start for b in p.bars]
    assert starts == sorted(starts) and all(b.start + b.seconds == n.start for b, n in zip(p.bars, p.bars[1:]))


def test_height_is_a_share_of_the_athletes_threshold_and_colour_its_zone():
    p = drawn(SPEC_EXAMPLE)
    effort, recovery = p.bars[1], p.bars[2]
    assert effort.height == pytest.approx(257.5 / 280)  # 250-265 W of an FTP of 280
    assert effort.zone == 4  # 92 % of FTP: threshold
    assert recovery.zone == 1
    stronger = drawn(SPEC_EXAMPLE, Thresholds(ftp_watts=220))
    assert stronger.bars[1].height > 1 and stronger.bars[1].zone == 5  # the same watts are VO2 for her (117 %)


def test_without_thresholds_zones_give_the_height_and_labels_the_rest():
    p = drawn(workout(SPEC_EXAMPLE, steps=[
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 300}, "target": {"type": "POWER", "zone": 5}},
        {"intensity": "REST", "duration": {"type": "TIME", "value": 60}},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 300}, "target": {"type": "POWER", "min": 300, "max": 320}},
    ]), Thresholds())
    assert p.bars[0].zone == 5 and p.bars[0].height > 1
    assert p.bars[1].height < p.bars[0].height
    assert 0 < p.bars[2].height < 1  # watts with no FTP: drawn by its label, not guessed


def test_distance_steps_are_timed_by_the_athletes_pace_and_marked_estimated():
    run = {"sport": "RUN", "name": "Tempo", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 5000},
         "target": {"type": "PACE", "min": 250, "max": 270}}]}
    p = drawn(run)
    assert p.bars[0].estimated
    assert p.bars[0].seconds == pytest.approx(5 * 260)
    assert p.summary.startswith("About 21 min")


def test_svg_is_accessible_scaled_and_ids_unique():
    p = drawn(SPEC_EXAMPLE, ident="card-7", title="Tuesday threshold")
    root = ET.fromstring(p.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "card-7-t card-7-d"
    assert root.find(f"{SVG}title").text == "Tuesday threshold"
    assert root.find(f"{SVG}desc").text == p.summary
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == len(p.bars)
    widths = [float(r.get("width")) for r in rects]
    assert widths[1] == pytest.approx(widths[3]) and widths[1] == pytest.approx(4 * widths[2] + 3, abs=1)
    assert all(r.find(f"{SVG}title").text for r in rects)  # every bar says what it is
    assert {r.get("class").split()[0] for r in rects} >= {"z1", "z2", "z4"}
    assert "4×" in p.svg
    other = drawn(SPEC_EXAMPLE, ident="card-8")
    assert not set(re.findall(r'id="([^"]+)"', p.svg)) & set(re.findall(r'id="([^"]+)"', other.svg))


def test_tall_efforts_stay_inside_the_chart():
    sprint = workout(SPEC_EXAMPLE, steps=[{"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 30},
                                           "target": {"type": "POWER", "min": 900, "max": 1000}}])
    p = drawn(sprint)
    assert p.bars[0].height > CEILING
    y = float(ET.fromstring(p.svg).find(f"{SVG}rect").get("y"))
    assert y >= 0


def test_summary_says_the_length_distance_and_main_set():
    assert drawn(SPEC_EXAMPLE).summary.startswith("About ")
    assert "4 × (8 min" in drawn(SPEC_EXAMPLE).summary
    assert drawn(EASY_RUN).summary == "45 min · 45 min 130–145 bpm"
