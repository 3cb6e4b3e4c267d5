"""A small scripted browser over real HTTP (requests): follows redirects, keeps cookies and
submits the forms it finds, the way a person clicks through the pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._button: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "fields": [], "buttons": []})
        elif not self.forms:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "submit":
                self.forms[-1]["buttons"].append([a.get("name"), a.get("value", ""), a.get("value", "")])
            elif a.get("name"):
                self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button = [a.get("name"), a.get("value", ""), ""]
            self.forms[-1]["buttons"].append(self._button)
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1]["fields"].append((self._textarea, ""))

    def handle_data(self, data):
        if self._button is not None:
            self._button[2] += data.strip()
        if self._textarea and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _localhost_is_secure(response, *args, **kwargs):
    """What browsers do for http://127.0.0.1, a secure context: keep and send the Secure
    cookies production sets (requests would drop them over http).  A response hook runs
    before requests reads the cookies, on every hop of a redirect."""
    original = getattr(response.raw, "_original_response", None)
    cookies = original.msg.get_all("Set-Cookie") if original is not None else None
    if cookies:
        del original.msg["Set-Cookie"]
        for cookie in cookies:
            original.msg["Set-Cookie"] = re.sub(r";\s*secure\b", "", cookie, flags=re.IGNORECASE)
    return response


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.hooks["response"].append(_localhost_is_secure)

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/")) if not path.startswith("http") else path

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url(path), timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.session.post(self.url(path), timeout=30, **kwargs)

    def submit(self, page: requests.Response, button: str | None = None, form_index: int | None = None,
               data: dict | None = None, drop: tuple = (), action: str | None = None, **kwargs) -> requests.Response:
        """Submit a form of ``page``: the one holding ``button`` (by its text, value or name),
        optionally the one whose action contains ``action``, or the one at ``form_index``."""
        forms = forms_of(page.text)
        chosen = None
        for index, form in enumerate(forms):
            if form_index is not None and index != form_index:
                continue
            if action is not None and action not in form["action"]:
                continue
            match = [b for b in form["buttons"] if button is None or button in (b[0], b[1], b[2])]
            if match or (button is None and form_index is not None):
                chosen, pressed = form, (match[0] if match else None)
                break
        assert chosen is not None, f"no form with button {button!r} on {page.url}"
        fields = [(k, v) for k, v in chosen["fields"] if k not in drop and k not in (data or {})]
        fields += list((data or {}).items())
        if pressed and pressed[0]:
            fields.append((pressed[0], pressed[1]))
        target = urljoin(page.url, chosen["action"]) if chosen["action"] else page.url
        if chosen["method"] == "post":
            return self.session.post(target, data=fields, timeout=30, **kwargs)
        return self.session.get(target, params=fields, timeout=30, **kwargs)

    def csrf(self, path: str = "/login") -> str:
        import re

        html = self.get(path).text
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def login(self, email: str, password: str) -> requests.Response:
        page = self.get("/login")
        response = self.submit(page, button="Log in", data={"email": email, "password": password})
        assert "/login" not in response.url, "login failed"
        return response

    def connect(self, provider: str, allow: bool = True, data: dict | None = None, drop: tuple = ()):
        """Through the provider's consent page: Allow (or Deny), back on our callback."""
        consent = self.get(f"/connections/{provider}/connect")
        assert "sandbox" in consent.text, consent.text[:300]
        return self.submit(consent, button="allow" if allow else "deny", data=data, drop=drop)


def pkce_token(live, provider: str, scope: str, account: str = "scoped-user") -> str:
    """An access token from the sandbox's own OAuth flow (authorization code + PKCE S256),
    granted ``scope``: as another app, or an older HybridPeaks, would hold one."""
    import base64
    import hashlib
    import secrets
    from urllib.parse import parse_qs, urlsplit

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = f"{live.url}/callback"
    params = {"response_type": "code", "client_id": f"hybridpeaks-{provider}", "redirect_uri": redirect, "state": "s",
              "code_challenge": challenge, "code_challenge_method": "S256", "scope": scope, "account": account,
              "decision": "allow"}
    answer = live.sandbox("POST", f"/{provider}/oauth/authorize", data=params, allow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = live.sandbox("POST", f"/{provider}/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier,
        "client_id": f"hybridpeaks-{provider}", "client_secret": "sandbox-secret"})
    return token.json()["access_token"]
