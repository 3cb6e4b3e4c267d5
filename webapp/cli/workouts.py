"""``flask workouts validate | normalize | check | export``: the engine from the command line.

The commands run the same code as the export job (workouts.prepare and the converters
under providers/), so what they accept, refuse and write is what an athlete's device
would get.  Exit codes: 0 done, 1 the workout breaks a rule (one line per problem) or the
provider cannot take it at all, 2 a usage error.  A workout a provider takes with
adaptations is written, and its notes go to standard error.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timezone
from pathlib import Path

import click
from flask.cli import AppGroup

from providers.compatibility import EXACT, UNSUPPORTED, fit_for, report, summary_line
from providers.garmin import convert as garmin
from providers.wahoo import convert as wahoo
from workouts import Thresholds, WorkoutInvalid, check_workout, prepare
from workouts.formats import fit

MAX_FILE_BYTES = 1024 * 1024

workouts = AppGroup("workouts", help="Validate, normalize and convert workout files (workout-format.md).")


class Pace(click.ParamType):
    """Seconds, written as 255 or 4:15."""

    name = "seconds"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        try:
            if ":" in text:
                minutes, seconds = text.split(":")
                result = int(minutes) * 60 + int(seconds)
            else:
                result = float(text)
        except ValueError:
            self.fail(f"{value!r} is not a pace: write seconds (255) or m:ss (4:15)", param, ctx)
        if result <= 0:
            self.fail("a pace must be greater than 0", param, ctx)
        return result


def threshold_options(command):
    options = (
        click.option("--ftp", type=click.FloatRange(min=1, max=3000), help="Functional threshold power, W."),
        click.option("--max-hr", type=click.FloatRange(min=30, max=250), help="Maximum heart rate, bpm."),
        click.option("--threshold-pace", type=Pace(), help="Threshold pace, s/km (or m:ss)."),
        click.option("--swim-pace", type=Pace(), help="Swim threshold pace, s/100 m (or m:ss)."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _thresholds(ftp, max_hr, threshold_pace, swim_pace) -> Thresholds:
    return Thresholds(ftp_watts=ftp, max_heart_rate=max_hr, threshold_pace_sec_per_km=threshold_pace,
                      swim_threshold_pace_sec_per_100m=swim_pace)


def read_workout(path: str):
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path}: no such file")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"{path}: larger than 1 MB; a workout is a few kilobytes")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        detail = str(error) if isinstance(error, ValueError) else "nested too deeply"
        _fail([f"{path}: not valid JSON ({detail})"])


def _fail(lines: list[str]):
    for line in lines:
        click.echo(line)
    sys.exit(1)


def _problems(error: WorkoutInvalid) -> list[str]:
    return [str(problem) for problem in error.problems]


@workouts.command("validate", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "provider", type=click.Choice(["garmin", "wahoo", "fit"]),
              help="Also check that provider's limits.")
@threshold_options
def validate_command(file, provider, ftp, max_hr, threshold_pace, swim_pace):
    """Print `valid`, or one line per problem (step path: rule) and exit 1."""
    workout = read_workout(file)
    problems = [str(p) for p in check_workout(workout)]
    thresholds = _thresholds(ftp, max_hr, threshold_pace, swim_pace)
    if not problems and provider:
        try:
            _convert(prepare(workout, thresholds), provider, thresholds, None)
        except WorkoutInvalid as error:
            problems = _problems(error)
    if problems:
        _fail(problems)
    click.echo("valid")


@workouts.command("check", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='{"GARMIN": {"level", "notes"}, "WAHOO": {...}}')
@threshold_options
def check_command(file, as_json, ftp, max_hr, threshold_pace, swim_pace):
    """What each provider will get: exact, adapted (with a note per change) or unsupported (why)."""
    workout = read_workout(file)
    thresholds = _thresholds(ftp, max_hr, threshold_pace, swim_pace)
    try:
        fits = report(prepare(workout, thresholds), thresholds)
    except WorkoutInvalid as error:
        _fail(_problems(error))
    if as_json:
        click.echo(json.dumps({provider: f.as_json() for provider, f in fits.items()}, indent=2, ensure_ascii=False))
    else:
        for provider, f in fits.items():
            click.echo(summary_line(provider, f))


@workouts.command("normalize", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@threshold_options
def normalize_command(file, ftp, max_hr, threshold_pace, swim_pace):
    """Print the normalized workout as JSON (zones resolved where a threshold is given)."""
    workout = read_workout(file)
    try:
        normalized = prepare(workout, _thresholds(ftp, max_hr, threshold_pace, swim_pace))
    except WorkoutInvalid as error:
        _fail(_problems(error))
    click.echo(json.dumps(normalized, indent=2))


@workouts.command("export", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "provider", required=True, type=click.Choice(["garmin", "wahoo", "fit"]))
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The session's date: also prints the schedule request (to stderr).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@threshold_options
def export_command(file, provider, day, output, ftp, max_hr, threshold_pace, swim_pace):
    """Write the payload that would be sent: Garmin's workout JSON, Wahoo's plan JSON, or a .fit file."""
    workout = read_workout(file)
    thresholds = _thresholds(ftp, max_hr, threshold_pace, swim_pace)
    try:
        normalized = prepare(workout, thresholds)
        payload = _convert(normalized, provider, thresholds, day.date() if day else None)
    except WorkoutInvalid as error:
        _fail(_problems(error))
    if day and provider != "fit":
        click.echo(f"schedule: {json.dumps(_schedule(normalized, provider, day.date()))}", err=True)
    data = payload if isinstance(payload, bytes) else (json.dumps(payload, indent=2) + "\n").encode()
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data):,} bytes)", err=True)
    elif isinstance(payload, bytes) and sys.stdout.isatty():
        raise click.UsageError("a FIT file is binary: give -o OUT.fit")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _convert(normalized: dict, provider: str, thresholds: Thresholds, day: date | None):
    """The payload; an adapted one's notes go to standard error; Unsupported when it cannot go."""
    if provider == "fit":
        created = datetime.combine(day, time(6), tzinfo=timezone.utc) if day else None
        return fit.convert(normalized, created=created)
    result = fit_for(provider.upper(), normalized, thresholds)
    if result.level not in (EXACT, UNSUPPORTED):
        for note in result.notes:
            click.echo(f"adapted: {note}", err=True)
    return result.sendable()


def _schedule(normalized: dict, provider: str, day: date) -> dict:
    if provider == "garmin":
        return {"POST /training-api/schedule/": garmin.schedule_body("<workoutId>", day)}
    starts = datetime.combine(day, time(7), tzinfo=timezone.utc)
    extra = wahoo.fit(normalized).extra
    form = wahoo.workout_form("<plan id>", normalized["name"], starts, extra["minutes"], extra["workout_type_id"],
                              "<workout token>")
    return {"POST /v1/workouts": form}

