"""The guide as Suunto receives it: the per-delivery fields, the step form, and the ZIP.

Follows suunto-research.md §2.1 (ZIP layout), §2.3 (owner, url, localDate, externalId), §2.4
(two generations of the step format) and §5.4 (readback):

- ``owner`` must equal the application's name in Suunto's OAuth settings (an upload is
  refused otherwise), ``url`` is the "read more" link, ``localDate`` the athlete's day and
  ``externalId`` one per session revision, so a retry finds the guide it already sent;
- the step ending is written as ``transitions`` (S2's reference, used live by two partners;
  the default) or as the 2021 ``trigger`` of Suunto's published sample, where a step's
  notification is a ``notification`` step of its own before it;
- the ZIP holds ``guide.json`` and ``icon.png`` (Suunto's page: "a ZIP with 2 files"; what
  most live partners send; the default), or those and ``manifest.json`` (the newer PDF's three
  files, sent live by one partner).  Files at the top, DEFLATE, fixed timestamps: the same
  guide is the same bytes;
- ``icon.png`` is a plain 300 × 300 PNG (what partners report Suunto requires), with nothing
  personal in it: Suunto may serve it from a public URL;
- Suunto's readback re-serialises ``guide.json`` (``60`` as ``60.0``, ``"type": "default"``
  added to notifications): a readback is compared by content, not bytes.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from .convert import TRANSITIONS, TRIGGER

TWO_FILES, THREE_FILES = "2-file", "3-file"
ARCHIVES = (TWO_FILES, THREE_FILES)
STYLES = (TRANSITIONS, TRIGGER)
DEFAULT_ARCHIVE, DEFAULT_STYLE = TWO_FILES, TRANSITIONS
OWNER_MAX, URL_MAX, EXTERNAL_MAX = 64, 256, 64
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
ICON_SIZE = 300
ICON_COLOUR = (0x1F, 0x6F, 0x8B)


def external_id(session_id: int, revision: int) -> str:
    """Unique per session revision (≤64 characters of ``[a-z0-9-]``)."""
    return f"hybridpeaks-{session_id}-r{revision}"


def guide_document(guide: dict, *, owner: str, url: str, external: str, day: date,
                   style: str = DEFAULT_STYLE) -> dict:
    """The converter's guide with the fields of one delivery, its steps in ``style``.

    A wrong ``owner``, ``url`` or ``external`` is a configuration mistake: ValueError."""
    if not 1 <= len(owner or "") <= OWNER_MAX:
        raise ValueError(f"the guide owner (the Suunto application's name) must be 1 to {OWNER_MAX} characters")
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        raise ValueError(f"the guide url must be an http(s) URL of at most {URL_MAX} characters")
    if not 1 <= len(external or "") <= EXTERNAL_MAX:
        raise ValueError(f"the externalId must be 1 to {EXTERNAL_MAX} characters")
    if style not in STYLES:
        raise ValueError(f"the step form must be one of {', '.join(STYLES)}")
    document = {key: value for key, value in guide.items() if key != "steps"}
    document.update(owner=owner, url=url, localDate=day.isoformat(), externalId=external)
    document["steps"] = in_style(guide["steps"], style)
    return document


def in_style(steps: list[dict], style: str) -> list[dict]:
    """Steps in the ``transitions`` form (as the converter writes them) or the 2021 ``trigger``
    form, where a fields step's notification is a notification step before it."""
    if style == TRANSITIONS:
        return json.loads(json.dumps(steps))  # a copy: the converter's payload stays as it was
    out: list[dict] = []
    for step in steps:
        if step["type"] == "repeat":
            out.append({**step, "steps": in_style(step["steps"], style)})
            continue
        if step["type"] != "fields":
            out.append(dict(step))
            continue
        fields_step = {"type": "fields"}
        if "title" in step:
            fields_step["title"] = step["title"]
        if step.get("transitions"):
            fields_step["trigger"] = as_trigger(step["transitions"][0]["condition"])
        if "createManualLap" in step:
            fields_step["createManualLap"] = step["createManualLap"]
        fields_step["fields"] = json.loads(json.dumps(step.get("fields", [])))
        text = (step.get("notification") or {}).get("text")
        if text:
            out.append({"type": "notification", "fields": [{"type": "text", "value": text}]})
        out.append(fields_step)
    return out


def as_trigger(condition: dict) -> dict:
    """A transition's condition as a 2021 trigger (a compound one lists ``triggers``)."""
    if condition["type"] in ("or", "and"):
        return {"type": condition["type"], "triggers": [as_trigger(c) for c in condition["conditions"]]}
    return dict(condition)


def manifest(document: dict) -> dict:
    """``manifest.json`` of the three-file form: the guide's own values."""
    return {"name": document["name"], "type": document["type"], "owner": document["owner"],
            "description": document["description"]}


def archive(document: dict, files: str = DEFAULT_ARCHIVE) -> bytes:
    """The ZIP Suunto takes, in the two-file or the three-file form."""
    if files not in ARCHIVES:
        raise ValueError(f"the guide archive must be one of {', '.join(ARCHIVES)}")
    entries = []
    if files == THREE_FILES:
        entries.append(("manifest.json", _json(manifest(document))))
    entries += [("guide.json", _json(document)), ("icon.png", icon_png())]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zipped.writestr(info, data)
    return buffer.getvalue()


def read_archive(data: bytes) -> dict:
    """``guide.json`` from a guide ZIP (Suunto's readback); ValueError if there is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            return json.loads(zipped.read("guide.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a guide archive ({type(error).__name__})") from None


def _json(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@cache
def icon_png() -> bytes:
    """A 300 × 300 PNG of one colour (RGB, 8 bits), written with the standard library."""
    row = b"\x00" + bytes(ICON_COLOUR) * ICON_SIZE  # filter type 0, then the pixels
    raw = row * ICON_SIZE

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", ICON_SIZE, ICON_SIZE, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
