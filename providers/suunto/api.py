"""Suunto's Cloud API for SuuntoPlus Guides, called with the athlete's own token.

Follows suunto-research.md §1 (auth: the subscription key, the token's ``user`` claim, the
deauthorize call) and §3 (endpoints, envelopes, statuses), with §6's unknowns each tolerated:

- every call carries ``Authorization: Bearer <jwt>`` and the application's
  ``Ocp-Apim-Subscription-Key`` (added to requests for the API's own host only: the OAuth host
  does not need it).  The key is a secret like a client secret: it is redacted from every
  error text and never logged;
- create is ``POST /v2/guides/files`` with the raw ZIP (``application/zip``), answered 201 with
  ``{"error", "payload": {<guide info>}, "metadata"}``; replace is ``PUT /v2/guides/files/{id}``
  (200), which keeps the guide's id and whether the athlete pinned it, so a date move or a
  changed session is one call on the same guide; remove is ``DELETE /v2/guides/files/{id}``;
- no look-up by ``externalId`` exists: a guide is found again by paging ``GET /v2/guides/items``
  (this application's guides only, newest ``fileModificationTime`` first, ``offset``/``limit``,
  ``fileSince``) and matching ``externalId``.  A row without ``externalId`` (the shape of
  Suunto's private API) that could be ours (same day and name) is read back
  (``GET /v2/guides/files/{id}``), whose ``guide.json`` keeps it.  This runs after a create
  whose answer was lost (``find``) and on a 409, Suunto's answer to an ``externalId`` it
  already holds, which names no id;
- a reply is read as the documented envelope or as its bare payload; a listing as a list, or
  an object holding one;
- what a status means (there is no webhook: a revoked athlete shows only as refused calls):

  ======  =====================================================================================
  401     the token is expired or revoked: :class:`TokenExpired` (the core refreshes and tries
          again; a 401 that survives a refresh means the athlete revoked access).  But a 401
          (or 403) from Azure API Management (``WWW-Authenticate: AzureApiManagementKey``, or
          its ``{"statusCode", "message"}`` body) refuses the *subscription key*: that is our
          configuration, not the athlete: :class:`SubscriptionKeyRefused`
  403     the subscription or account is not entitled to Guides: :class:`GuidesForbidden`
  404     no such guide, or another user's or application's (Suunto conflates them):
          :class:`NotFound`
  409     a guide with this ``externalId`` exists: :class:`DuplicateExternalId` (create looks
          for it; :class:`GuideConflict` when it is not among ours)
  429     over the quota: :class:`RateLimited`, ``reset_at`` from ``Retry-After`` where sent
  400     the guide broke a rule; Suunto's one-line ``error.description`` says which:
          :class:`PayloadRejected`
  5xx     :class:`Transient`
  ======  =====================================================================================

ProviderHttp maps every 401 to TokenExpired and reads only ``X-RateLimit-Reset``; so this
client reads Suunto's error answers itself, in a response hook on its own httpx pool, and
tells ProviderHttp's ``on_status`` and ``after_response`` hooks about them as ProviderHttp would.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import httpx

from ..delivery import Item, Run
from ..errors import (
    ApplicationRefused,
    NotFound,
    PayloadRejected,
    ProviderError,
    RateLimited,
    TokenExpired,
    Transient,
)
from ..http import MAX_DETAIL, ProviderHttp, reset_at
from ..redaction import redact
from .archive import DEFAULT_ARCHIVE, DEFAULT_STYLE, archive, external_id, guide_document, read_archive

PROVIDER = "SUUNTO"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
FILES, ITEMS = "/v2/guides/files", "/v2/guides/items"
PAGE_SIZE = 50  # Suunto's default; its maximum is not published
MAX_PAGES = 20
FIND_MARGIN = timedelta(days=1)  # fileSince: a guide we sent is newer than its session's last edit
DEFAULT_OWNER = "HybridPeaks"
DEFAULT_URL = "https://hybridpeaks.app/"


class SubscriptionKeyRefused(ApplicationRefused):
    """Azure API Management refused the application's subscription key (missing, wrong, or
    not subscribed to this API): every athlete's calls fail alike until an operator fixes it."""


class GuidesForbidden(ApplicationRefused):
    """403: the subscription or the account is not entitled to SuuntoPlus Guides."""


class DuplicateExternalId(PayloadRejected):
    """409: a guide with this ``externalId`` already exists (Suunto's answer names no id)."""


class GuideConflict(DuplicateExternalId):
    """409, and no guide of ours has the ``externalId``: another application's, or one this
    application cannot list.  Not retried."""


STATUSES: dict[int, type[ProviderError]] = {403: GuidesForbidden, 409: DuplicateExternalId}


class SuuntoApi:
    provider = PROVIDER

    def __init__(self, http: ProviderHttp, *, subscription_key: str | None = None, owner: str = DEFAULT_OWNER,
                 url: str = DEFAULT_URL, archive_files: str = DEFAULT_ARCHIVE, step_form: str = DEFAULT_STYLE,
                 client_id: str | None = None, deauthorize_url: str | None = None, page_size: int = PAGE_SIZE):
        """``subscription_key``: the application's key (sent on every API call); ``owner``: the
        application's name in Suunto's OAuth settings (every guide's ``owner`` must equal it);
        ``url``: the guides' "read more" link; ``archive_files``: "2-file" or "3-file";
        ``step_form``: "transitions" or "trigger"; ``client_id`` and ``deauthorize_url``: for
        :meth:`revoke` (both, or it does nothing)."""
        self.http, self.key = http, subscription_key
        self.owner, self.url = owner, url
        self.archive_files, self.step_form = archive_files, step_form
        self.client_id, self.deauthorize_url = client_id, deauthorize_url
        self.page_size = page_size
        self._install_hooks()

    # -- the subscription key and Suunto's error answers ------------------------------------

    def _install_hooks(self) -> None:
        client = self.http.client
        api = str(client.base_url).rstrip("/")

        def add_key(request: httpx.Request) -> None:
            if not str(request.url).startswith(api + "/"):
                return  # another host (the OAuth one) needs no key, and gets none
            if self.key:
                request.headers[KEY_HEADER] = self.key
            if request.method in ("POST", "PUT") and FILES in request.url.path:
                # The guide goes as the raw ZIP, not multipart (ProviderHttp sets only Authorization).
                request.headers["Content-Type"] = "application/zip"

        def classify(response: httpx.Response) -> None:
            if response.is_success:
                return
            response.read()
            error = error_for(response, self._secrets(response.request))
            self.http.on_status(response.status_code)
            if self.http.after_response is not None:
                self.http.after_response(response)
            raise error

        add_key.suunto = classify.suunto = True  # one client per ProviderHttp: replace, never stack
        hooks = client.event_hooks
        client.event_hooks = {
            "request": [hook for hook in hooks.get("request", []) if not getattr(hook, "suunto", False)] + [add_key],
            "response": [hook for hook in hooks.get("response", []) if not getattr(hook, "suunto", False)] + [classify],
        }

    def _secrets(self, request: httpx.Request | None = None) -> list[str]:
        secrets = [self.key] if self.key else []
        if request is not None:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            secrets.append(token or scheme)
        return secrets

    def _call(self, method: str, path: str, token: str, **kwargs) -> httpx.Response:
        return self.http.call(method, path, token, secrets=self._secrets(), **kwargs)

    # -- the athlete's account ------------------------------------------------------------------

    def user_id(self, token: str) -> str:
        """The Suunto username: the access token's (a JWT's) ``user`` claim, which Suunto
        documents as the stable account identity; webhooks name the same value."""
        claims = jwt_claims(token)
        for claim in ("user", "user_name"):
            if isinstance(claims.get(claim), str) and claims[claim]:
                return claims[claim]
        raise ProviderError(PROVIDER, "the access token names no Suunto user")

    def revoke(self, token: str) -> None:
        """``GET /oauth/deauthorize?client_id=`` on the OAuth host with the athlete's token.
        Not on any stored Suunto page (partners use it; research §1.6): without a
        ``deauthorize_url`` and ``client_id`` this does nothing (disconnect then only forgets
        the tokens)."""
        if not (self.deauthorize_url and self.client_id):
            return
        self._call("GET", self.deauthorize_url, token, params={"client_id": self.client_id})

    def permissions(self, token: str) -> list[str]:
        """Suunto has one published scope and no permission list: what the token carries."""
        scope = jwt_claims(token).get("scope") or []
        return [str(s) for s in (scope if isinstance(scope, list) else str(scope).split())]

    # -- guides -----------------------------------------------------------------------------------

    def create_guide(self, token: str, body: bytes, external: str, since: datetime | None = None,
                     day: date | None = None, name: str | None = None) -> str:
        """The new guide's id.  ``since``, ``day`` and ``name`` narrow the look-up that a 409 or
        an uncertain answer needs (see :meth:`find_guide`)."""
        try:
            response = self._call("POST", FILES, token, content=body)
        except DuplicateExternalId:
            # An earlier try of ours got there (its answer lost), or another guide holds the id.
            found = self.find_guide(token, external, since, day, name)
            if found is None:
                raise GuideConflict(PROVIDER, f"a guide with externalId {external} exists, and none of this "
                                              "application's guides has it (409)", 409) from None
            return found
        found = guide_id(_json(response))
        if found is not None and response.status_code == 201:
            return found
        # Another 2xx, or no id in it: what happened is uncertain; look rather than guess.
        listed = self.find_guide(token, external, since, day, name)
        if listed is not None:
            return listed
        if found is not None:
            return found
        raise Transient(PROVIDER, f"the guide create was answered {response.status_code} with no guide id")

    def replace_guide(self, token: str, guide: str, body: bytes) -> None:
        self._call("PUT", f"{FILES}/{guide}", token, content=body)

    def delete_guide(self, token: str, guide: str) -> None:
        self._call("DELETE", f"{FILES}/{guide}", token)

    def read_guide(self, token: str, guide: str) -> dict:
        """A guide's ``guide.json`` as Suunto holds it (re-serialised: compare content, not bytes)."""
        return read_archive(self._call("GET", f"{FILES}/{guide}", token).content)

    def guides(self, token: str, offset: int = 0, since: datetime | None = None) -> list[dict]:
        params = {"offset": offset, "limit": self.page_size}
        if since is not None:
            params["fileSince"] = int(since.timestamp() * 1000)
        return [row for row in rows(_json(self._call("GET", ITEMS, token, params=params))) if isinstance(row, dict)]

    def find_guide(self, token: str, external: str, since: datetime | None = None,
                   day: date | None = None, name: str | None = None) -> str | None:
        """The id of this application's guide with ``externalId`` ``external``, or None."""
        unnamed = []  # rows without an externalId that could be ours: read back if none matches
        for page in range(MAX_PAGES):
            batch = self.guides(token, page * self.page_size, since)
            for row in batch:
                if row.get("owner") not in (None, self.owner) or row.get("id") is None:
                    continue
                if row.get("externalId") == external:
                    return str(row["id"])
                if "externalId" not in row and _could_be(row, day, name):
                    unnamed.append(str(row["id"]))
            if len(batch) < self.page_size:
                break
        for guide in unnamed:
            try:
                if self.read_guide(token, guide).get("externalId") == external:
                    return guide
            except (NotFound, ValueError):
                continue
        return None

    # -- the delivery operations (providers/delivery.py) ------------------------------------------

    def document(self, item: Item) -> tuple[str, bytes]:
        """The externalId and the ZIP of one session revision on its day."""
        external = external_id(item.session_id, item.revision)
        document = guide_document(item.payload, owner=self.owner, url=self.url, external=external, day=item.day,
                                  style=self.step_form)
        return external, archive(document, self.archive_files)

    def create(self, run: Run, item: Item) -> None:
        external, body = self.document(item)
        since = item.updated_at - FIND_MARGIN
        name = item.payload.get("name")
        run.step("guideId", lambda token: self.create_guide(token, body, external, since, item.day, name),
                 find=lambda token: self.find_guide(token, external, since, item.day, name))

    def replace(self, run: Run, item: Item) -> None:
        """The guide on the item's day with the item's content: one PUT, the same guide (its id
        and pinning kept).  A guide deleted at Suunto meanwhile: NotFound (send it anew)."""
        _, body = self.document(item)
        run.call(lambda token: self.replace_guide(token, run.refs["guideId"], body))

    move = replace  # a date move is a replace: the day is in the guide (localDate)

    def remove(self, run: Run) -> None:
        if "guideId" in run.refs:
            try:
                run.call(lambda token: self.delete_guide(token, run.refs["guideId"]))
            except NotFound:
                pass  # already gone: that is what we wanted
            run.gone("guideId")


# -- Suunto's answers ---------------------------------------------------------------------------------

def payload(body):
    """The ``payload`` of Suunto's ``{error, payload, metadata}`` envelope, or a bare body."""
    if isinstance(body, dict) and "payload" in body and set(body) <= {"error", "payload", "metadata"}:
        return body["payload"]
    return body


def guide_id(body) -> str | None:
    found = payload(body)
    if isinstance(found, dict):
        for key in ("id", "guideId"):
            if isinstance(found.get(key), (str, int)) and not isinstance(found.get(key), bool) and str(found[key]):
                return str(found[key])
    return None


def rows(body) -> list:
    """A listing's rows: a list, or an object holding one (the envelope's payload or a bare
    answer)."""
    found = payload(body)
    if isinstance(found, list):
        return found
    if isinstance(found, dict):
        lists = [value for value in found.values() if isinstance(value, list)]
        if len(lists) == 1:
            return lists[0]
    raise ValueError("the guide listing is not a list")


def description(body) -> str:
    """What an error answer says: ``error.description`` (or its ``message``), a bare ``error``
    string, or Azure API Management's ``message``."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            for key in ("description", "message", "detail"):
                if error.get(key):
                    return str(error[key])
        elif isinstance(error, str) and error:
            return error
        for key in ("message", "error_description", "description"):
            if body.get(key):
                return str(body[key])
        return ""
    return str(body or "").strip()


def is_gateway_refusal(response: httpx.Response, body) -> bool:
    """Azure API Management's answer about the subscription key, told by its header or its
    body's shape (``{"statusCode", "message"}``, no envelope), never by its wording."""
    if response.headers.get("WWW-Authenticate", "").lower().startswith("azureapimanagementkey"):
        return True
    return (response.status_code == 401 and isinstance(body, dict) and "statusCode" in body
            and not {"error", "payload"} & set(body))


def error_for(response: httpx.Response, secrets: list[str]) -> ProviderError:
    status = response.status_code
    body = _json(response, default=response.text)
    detail = redact(description(body), secrets)[:MAX_DETAIL]
    if status in (401, 403) and is_gateway_refusal(response, body):
        return SubscriptionKeyRefused(PROVIDER, f"HybridPeaks' subscription key was refused ({status}); an "
                                                "operator must check it", status)
    if status == 401:
        return TokenExpired(PROVIDER, "the access token was refused (401)", status)
    if status == 403:
        return GuidesForbidden(PROVIDER, f"{detail or 'not entitled to SuuntoPlus Guides'} (403)", status)
    if status == 404:
        return NotFound(PROVIDER, detail or "no such guide", status)
    if status == 409:
        return DuplicateExternalId(PROVIDER, f"{detail or 'Conflict'} (409)", status)
    if status == 429:
        return RateLimited(PROVIDER, "over Suunto's rate limit (429)", retry_at(response))
    if status >= 500:
        return Transient(PROVIDER, f"the service is unavailable ({status})", status)
    return PayloadRejected(PROVIDER, detail or f"request refused ({status})", status)


def retry_at(response: httpx.Response) -> datetime | None:
    """When a 429 may be tried again: ``Retry-After`` (seconds or an HTTP date), else an
    ``X-RateLimit-Reset``; None when neither is sent (Suunto documents none)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if value:
        try:
            return datetime.now(timezone.utc) + timedelta(seconds=max(0.0, float(value)))
        except ValueError:
            pass
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return reset_at(response)


def jwt_claims(token: str) -> dict:
    """The claims of a JWT, unverified: the token came to us from Suunto's token endpoint over
    TLS; we only read who it names."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _json(response: httpx.Response, default=None):
    try:
        return response.json()
    except ValueError:
        return default


def _could_be(row: dict, day: date | None, name: str | None) -> bool:
    if day is not None and row.get("localDate") not in (None, day.isoformat()):
        return False
    return name is None or row.get("name") in (None, name)
