"""``flask workouts validate | normalize | check | import | export``: the engine from the command line.

The commands run the same code as the export job (workouts.prepare and the converters
under providers/), so what they accept, refuse and write is what an athlete's device
would get.  Exit codes: 0 done, 1 the workout breaks a rule (one line per problem) or the
provider cannot take it at all, 2 a usage error.  A workout a provider takes with
adaptations is written, and its notes go to standard error.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timezone
from pathlib import Path

import click
from flask.cli import AppGroup

from providers import registry
from providers.compatibility import UNSUPPORTED, fit_for, report, summary_line
from workouts import Thresholds, WorkoutInvalid, check_workout, prepare
from workouts.constants import SPORTS
from workouts.formats import MAX_BYTES, READERS, WRITERS, ReadError, format_for, read, write

MAX_FILE_BYTES = 1024 * 1024
TARGETS = [p.slug for p in registry.providers()] + list(WRITERS)  # --to: a provider's payload, or a file

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
@click.option("--to", "target", type=click.Choice(TARGETS), help="Also check that provider's or format's limits.")
@threshold_options
def validate_command(file, target, ftp, max_hr, threshold_pace, swim_pace):
    """Print `valid`, or one line per problem (step path: rule) and exit 1."""
    workout = read_workout(file)
    problems = [str(p) for p in check_workout(workout)]
    thresholds = _thresholds(ftp, max_hr, threshold_pace, swim_pace)
    if not problems and target:
        try:
            normalized = prepare(workout, thresholds)
            if target in WRITERS:
                made = write(target, normalized, thresholds)
                problems, notes = ([], made.notes) if made.available else (list(made.notes), ())
            else:
                result = fit_for(registry.by_slug(target).name, normalized, thresholds)
                problems, notes = (list(result.notes), ()) if result.level == UNSUPPORTED else ([], result.notes)
            _notes(notes, "adapted")
        except WorkoutInvalid as error:
            problems = _problems(error)
    if problems:
        _fail(problems)
    click.echo("valid")


@workouts.command("check", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='{"<PROVIDER>": {"level", "notes"}, ...}')
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


@workouts.command("import", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(READERS), help="The file's format (default: its extension; .txt is text).")
@click.option("--sport", type=click.Choice(SPORTS), help="The session's sport, for formats that do not say (text).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
def import_command(file, fmt, sport, output):
    """Read a workout written elsewhere (.zwo, .erg, .mrc, .fit, text) and print it in our format;
    what was read differently goes to standard error, and FILE:LINE: problem lines with exit 1
    when it cannot be read."""
    path = Path(file)
    if not path.is_file():
        raise click.ClickException(f"{file}: no such file")
    fmt = fmt or format_for(path.name)
    if fmt is None:
        raise click.UsageError(f"{file}: say --format ({', '.join(READERS)}): the extension does not tell")
    try:
        imported = read(path.read_bytes()[:MAX_BYTES + 1], fmt, sport)
    except ReadError as error:
        _fail([f"{file}:{problem}" for problem in error.problems])
    for note in imported.notes:
        click.echo(f"note: {note}", err=True)
    _write(json.dumps(imported.workout, indent=2, ensure_ascii=False).encode() + b"\n", output, binary=False)


@workouts.command("export", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--to", "target", required=True, type=click.Choice(TARGETS))
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The session's date: also prints the provider's schedule request (to stderr).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@threshold_options
def export_command(file, target, day, output, ftp, max_hr, threshold_pace, swim_pace):
    """Write what a provider would be sent (its JSON payload) or a file (.fit, .zwo, .erg, .mrc, text)."""
    workout = read_workout(file)
    thresholds = _thresholds(ftp, max_hr, threshold_pace, swim_pace)
    try:
        normalized = prepare(workout, thresholds)
    except WorkoutInvalid as error:
        _fail(_problems(error))
    if target in WRITERS:
        created = datetime.combine(day.date(), time(6), tzinfo=timezone.utc) if day else None
        made = write(target, normalized, thresholds, created=created)
        _notes(made.notes, "unsupported" if not made.available else "adapted")
        if not made.available:
            sys.exit(1)
        _write(made.content, output, binary=target == "fit")
        return
    provider = registry.by_slug(target)
    result = fit_for(provider.name, normalized, thresholds)
    if result.level == UNSUPPORTED:
        _fail(list(result.notes))
    _notes(result.notes, "adapted")
    if day and provider.schedule_preview:
        click.echo(f"schedule: {json.dumps(provider.schedule_preview(normalized, result, day.date()))}", err=True)
    _write((json.dumps(result.payload, indent=2) + "\n").encode(), output, binary=False)


def _notes(notes, label: str) -> None:
    for note in notes:
        click.echo(f"{label}: {note}", err=True)


def _write(data: bytes, output: str | None, binary: bool) -> None:
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data):,} bytes)", err=True)
    elif binary and sys.stdout.isatty():
        raise click.UsageError("this file is binary: give -o OUT")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
