"""Suunto's Cloud API for SuuntoPlus Guides, held to suunto-research.md §3 (endpoints), §1.3
(the subscription key) and §5 (what partners saw).

Every call first meets Azure API Management: without one of the application's subscription
keys (``Ocp-Apim-Subscription-Key``, primary or secondary; APIM also reads a
``subscription-key`` query parameter) it is refused with 401 (or 403,
``keyRefusedStatus``), ``WWW-Authenticate: AzureApiManagementKey ...`` and APIM's
``{"statusCode", "message"}`` body, before the token is looked at.  Then the quota (faults.py:
``developer`` 200 calls a week, 429), then the bearer token (a JWT; sandbox/oauth.py).

- ``POST /v2/guides/files``: the raw ZIP as ``application/zip`` (suunto_rules.py checks it):
  201 ``{"error": null, "payload": {<guide info>}, "metadata": {"ts"}}``; 400
  ``{"error": {"description"}}``; 409 ``{"error": {"description": "Conflict"}}`` for an
  ``externalId`` already held;
- ``GET /v2/guides/items?offset=&limit=&fileSince=``: this application's guides of this user,
  newest ``fileModificationTime`` first, 50 by default (at most 100);
- ``GET /v2/guides/files/{id}``: the guide's ZIP as read back;
- ``PUT /v2/guides/files/{id}``: replaces the content; the id and ``pinned`` stay (200);
- ``DELETE /v2/guides/files/{id}``: 200 (or 204, ``deleteStatus``);
- another user's or application's guide, or none: 404 (Suunto conflates them).

Guide ids are 8 lowercase letters, times epoch milliseconds, ``username`` the token's ``user``.

What is not published plays either way (``PUT /_admin/faults``, provider "suunto"):
``archive`` "either" | "two" | "three"; ``icon`` "required" | "optional"; ``stepEnds``
"either" | "trigger" | "transitions"; ``idsInRepeats`` "refuse" | "accept"; ``stepCount``
"once" | "expanded"; ``duplicateExternalId`` "refuse" (409) | "accept";
``externalIdScope`` "user" | "app" | "global" (who a repeated externalId conflicts with);
``listingExternalId`` "present" | "absent" (rows of the private API's shape); ``envelope``
"full" | "bare"; ``readback`` "reserialise" (numbers as floats, ``notification.type``
"default" added, no manifest) | "verbatim"; ``retryAfter`` false | true | seconds (a 429's
``Retry-After``); ``keyRefusedStatus`` 401 | 403; ``guidesEntitled`` true | false (403);
``deleteStatus`` 200 | 204; and, for OAuth (oauth.py), ``oauthState``, ``pkce``,
``refreshRotation``, ``revokedRefresh``, ``authorizationScheme``.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

from flask import Blueprint, Response, current_app, g, jsonify, request

from . import faults, oauth
from .suunto_rules import Archive, Refused, Rules, check_guide, read_archive

bp = Blueprint("sandbox_suunto", __name__, url_prefix="/suunto")

KEY_HEADER = "Ocp-Apim-Subscription-Key"
DEFAULT_KEYS = ("sandbox-subscription-key", "sandbox-subscription-key-secondary")
DEFAULT_APP_NAME = "HybridPeaks"
ICON_URL = "https://suuntoplusplugins.blob.core.windows.net/sandbox/{id}.png"
ID_SPACE = 26 ** 8
ID_FACTOR, ID_OFFSET = 48271, 20_827_231  # row id <-> 8 letters (ID_FACTOR is coprime to 26)
PAGE_DEFAULT, PAGE_MAX = 50, 100


def setting(name: str, default=None):
    return faults.setting("suunto", name, default)


# -- the gateway, the quota, the token -----------------------------------------------------------

@bp.before_request
def check_call():
    refused = _gateway()
    if refused is not None:
        return refused
    limited = faults.before_api_call("suunto")
    if limited is not None:
        return limited
    oauth.authenticate("suunto")
    if not setting("guidesEntitled", True):
        return error("Forbidden: the subscription has no access to SuuntoPlus Guides.", 403)
    return None


@bp.after_request
def after_call(response):
    response = faults.after_api_call(response)
    if response.status_code == 429:
        wait = setting("retryAfter", False)
        if wait is True:
            response.headers["Retry-After"] = str(max(1, int(getattr(g, "retry_after", 60) + 0.999)))
        elif isinstance(wait, (int, float)) and not isinstance(wait, bool):
            response.headers["Retry-After"] = str(int(wait))
    return response


def _gateway():
    """Azure API Management's check of the subscription key, before anything else."""
    keys = current_app.config.get("SANDBOX_SUUNTO_KEYS", DEFAULT_KEYS)
    given = request.headers.get(KEY_HEADER) or request.args.get("subscription-key")
    if given and given in keys:
        return None
    status = int(setting("keyRefusedStatus", 401))
    reason = "invalid" if given else "missing"
    response = jsonify(statusCode=status, message=f"Access denied due to {reason} subscription key. Make sure to "
                                                  "provide a valid key for an active subscription.")
    response.status_code = status
    response.headers["WWW-Authenticate"] = ('AzureApiManagementKey realm="https://cloudapi.suunto.com/",'
                                            f'name="{KEY_HEADER}",type="header"')
    return response


def envelope(body, status: int = 200):
    if setting("envelope", "full") == "bare":
        response = jsonify(body)
    else:
        response = jsonify(error=None, payload=body, metadata={"ts": str(int(time.time() * 1000))})
    response.status_code = status
    return response


def error(description: str, status: int = 400):
    return jsonify(error={"description": description}, payload=None,
                   metadata={"ts": str(int(time.time() * 1000))}), status


# -- guide ids ---------------------------------------------------------------------------------------

def guide_id(row_id: int) -> str:
    number = (row_id * ID_FACTOR + ID_OFFSET) % ID_SPACE
    letters = []
    for _ in range(8):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("a") + digit))
    return "".join(reversed(letters))


def row_id(guide: str) -> int | None:
    if len(guide) != 8 or not all("a" <= ch <= "z" for ch in guide):
        return None
    number = 0
    for ch in guide:
        number = number * 26 + ord(ch) - ord("a")
    return (number - ID_OFFSET) * pow(ID_FACTOR, -1, ID_SPACE) % ID_SPACE


# -- guides --------------------------------------------------------------------------------------------

@bp.post("/v2/guides/files")
def create_guide():
    held, problem = _upload()
    if problem is not None:
        return problem
    external = held.guide.get("externalId")
    with oauth.store().transaction() as db:
        if external is not None and _taken(db, external, None) and setting("duplicateExternalId", "refuse") == "refuse":
            return error("Conflict", 409)
        now = _ms()
        body = _body(held, pinned=False, now=now, created=now)
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, key, created, warnings, client_id) "
                            "VALUES ('suunto', 'guide', ?, ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(body), external, time.time(),
                             json.dumps(held.warnings), g.client_id))
        record = cursor.lastrowid
    return envelope(info(_record(record)), 201)


@bp.get("/v2/guides/items")
def list_guides():
    offset = _int_arg("offset", 0, 0)
    limit = min(_int_arg("limit", PAGE_DEFAULT, 1), PAGE_MAX)
    since = _int_arg("fileSince", 0, 0)
    rows = [row for row in _own_rows() if json.loads(row["body"])["fileModificationTime"] >= since]
    rows.sort(key=lambda row: (json.loads(row["body"])["fileModificationTime"], row["id"]), reverse=True)
    shown = [info(row) for row in rows[offset:offset + limit]]
    if setting("listingExternalId", "present") == "absent":
        shown = [{k: v for k, v in item.items() if k != "externalId"} for item in shown]
    return envelope(shown)


@bp.route("/v2/guides/files/<guide>", methods=["GET", "PUT", "DELETE"])
def guide_file(guide: str):
    row = _own(guide)
    if row is None:
        return error("Not Found", 404)
    if request.method == "GET":
        return Response(readback(row), mimetype="application/zip")
    if request.method == "DELETE":
        with oauth.store().transaction() as db:
            db.execute("UPDATE records SET deleted = 1 WHERE id = ?", (row["id"],))
        if int(setting("deleteStatus", 200)) == 204:
            return "", 204
        return envelope(None)
    held, problem = _upload()
    if problem is not None:
        return problem
    external = held.guide.get("externalId")
    with oauth.store().transaction() as db:
        if external is not None and _taken(db, external, row["id"]) and \
                setting("duplicateExternalId", "refuse") == "refuse":
            return error("Conflict", 409)
        kept = json.loads(row["body"])
        body = _body(held, pinned=kept["pinned"], now=_ms(), created=kept["modificationTime"])
        oauth.store().update_body(db, row["id"], body, key=external, warnings=json.dumps(held.warnings))
    return envelope(info(_record(row["id"])))


class _Held:
    def __init__(self, archive: Archive, warnings: list[str]):
        self.archive, self.guide, self.warnings = archive, archive.guide, warnings


def _upload():
    """The request's guide, checked: (held, None) or (None, the refusal)."""
    kind = (request.content_type or "").split(";")[0].strip().lower()
    if kind != "application/zip":
        return None, error(f"Unsupported content type '{kind or 'none'}': send the guide ZIP as application/zip")
    rules = Rules.of(faults.of("suunto"), current_app.config.get("SANDBOX_SUUNTO_APP_NAME", DEFAULT_APP_NAME))
    try:
        archive = read_archive(request.get_data(), rules)
    except Refused as refused:
        return None, error(str(refused))
    checked = check_guide(archive.guide, rules)
    if checked.problems:
        return None, error(checked.problems[0])
    return _Held(archive, checked.warnings), None


def _body(held: _Held, pinned: bool, now: int, created: int) -> dict:
    archive = held.archive
    return {"guide": archive.guide, "guideJson": archive.guide_json.decode("utf-8"), "files": archive.files,
            "manifest": archive.manifest, "icon": base64.b64encode(archive.icon).decode() if archive.icon else None,
            "pinned": pinned, "fileModificationTime": now, "modificationTime": created}


def info(row) -> dict:
    """A guide's info, as the create, update and list calls answer it (§3.4)."""
    body = json.loads(row["body"])
    guide = body["guide"]
    out = {"id": guide_id(row["id"]), "username": row["user_id"], "modificationTime": body["modificationTime"],
           "fileModificationTime": body["fileModificationTime"]}
    for key in ("name", "description", "shortDescription", "owner", "url"):
        out[key] = guide.get(key)
    out["iconUrl"] = ICON_URL.format(id=guide_id(row["id"])) if body.get("icon") else None
    for key in ("type", "activities", "localDate", "usage"):
        out[key] = guide.get(key)
    out["pinned"] = body["pinned"]
    if guide.get("externalId") is not None:
        out["externalId"] = guide["externalId"]
    return out


def readback(row) -> bytes:
    """The guide's ZIP as Suunto gives it back: ``reserialise`` parses and writes guide.json
    again (numbers as floats, ``notification.type`` "default"), without manifest.json;
    ``verbatim`` returns the files uploaded."""
    body = json.loads(row["body"])
    files = []
    if setting("readback", "reserialise") == "verbatim":
        if body.get("manifest") is not None:
            files.append(("manifest.json", json.dumps(body["manifest"]).encode()))
        files.append(("guide.json", body["guideJson"].encode("utf-8")))
    else:
        guide = dict(body["guide"], steps=_reserialised(body["guide"]["steps"]))
        files.append(("guide.json", json.dumps(guide, ensure_ascii=False).encode("utf-8")))
    if body.get("icon"):
        files.append(("icon.png", base64.b64decode(body["icon"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files:
            zipped.writestr(name, data)
    return buffer.getvalue()


def _reserialised(value):
    if isinstance(value, list):
        return [_reserialised(item) for item in value]
    if isinstance(value, dict):
        out = {key: _reserialised(item) for key, item in value.items()}
        if isinstance(out.get("notification"), dict):
            out["notification"] = {**out["notification"], "type": "default"}
        return out
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# -- records ------------------------------------------------------------------------------------------

def _ms() -> int:
    return int(time.time() * 1000)


def _record(record_id: int):
    return oauth.store().one("SELECT * FROM records WHERE id = ?", record_id)


def _own_rows() -> list:
    return oauth.store().query("SELECT * FROM records WHERE provider = 'suunto' AND kind = 'guide' AND user_id = ? "
                               "AND client_id = ? AND deleted = 0", g.user_id, g.client_id)


def _own(guide: str):
    number = row_id(guide)
    if number is None:
        return None
    return oauth.store().one("SELECT * FROM records WHERE id = ? AND provider = 'suunto' AND kind = 'guide' AND "
                             "user_id = ? AND client_id = ? AND deleted = 0", number, g.user_id, g.client_id)


def _taken(db, external: str, other_than: int | None) -> bool:
    """Whether a live guide holds ``external``, within the scope played (``externalIdScope``)."""
    scope = setting("externalIdScope", "user")
    sql = "SELECT id FROM records WHERE provider = 'suunto' AND kind = 'guide' AND key = ? AND deleted = 0"
    args: list = [external]
    if scope in ("user", "app"):
        sql += " AND user_id = ?"
        args.append(g.user_id)
    if scope == "app":
        sql += " AND client_id = ?"
        args.append(g.client_id)
    if other_than is not None:
        sql += " AND id != ?"
        args.append(other_than)
    return db.execute(sql, args).fetchone() is not None


def _int_arg(name: str, default: int, low: int) -> int:
    try:
        return max(low, int(request.args.get(name, default)))
    except ValueError:
        return default
