"""The OAuth2 authorization-code flow over HTTP: sign-in, consent, code, token, and
every way it must refuse."""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.support.accounts import make_user_with_password, register_client

REDIRECT = "https://app.example/callback"
PASSWORD = "correct horse battery"


@pytest.fixture
def oauth_server(start_server, tmp_path):
    data = tmp_path / "oauth"
    make_user_with_password("alice", PASSWORD, data)
    client_id, secret = register_client("Example App", REDIRECT, data)
    server = start_server("--testing", data_dir=data)
    return server, client_id, secret, data


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def authorize_url(client_id, scope="time_data", redirect=REDIRECT, **extra):
    params = {"client_id": client_id, "redirect_uri": redirect, "response_type": "code",
              "scope": scope, "state": "s-123", **extra}
    return "/oauth/authorize?" + urlencode(params)


def sign_in(browser: httpx.Client, next_url: str) -> httpx.Response:
    page = browser.get("/login", params={"next": next_url})
    return browser.post("/login", data={"username": "alice", "password": PASSWORD,
                                        "csrf": csrf_of(page.text), "next": next_url})


def consent(browser, client_id, decision="allow", **extra) -> httpx.Response:
    url = authorize_url(client_id, **extra)
    first = browser.get(url)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    signed_in = sign_in(browser, url)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == url
    page = browser.get(url)
    assert page.status_code == 200
    assert "Example App" in page.text and "time_data" in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    original = re.search(r'name="request" value="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    return browser.post("/oauth/authorize", data={"csrf": csrf_of(page.text), "request": original,
                                                  "decision": decision})


def code_from(response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s-123"]
    return query["code"][0]


def exchange(server, client_id, secret, code, redirect=REDIRECT, as_json=True, **extra):
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
            "client_id": client_id, "client_secret": secret, **extra}
    if as_json:
        return httpx.post(f"{server.url}/oauth/token", json=body)
    return httpx.post(f"{server.url}/oauth/token/", data=body)


def test_full_flow_then_revocation(oauth_server):
    server, client_id, secret, _ = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        code = code_from(consent(browser, client_id, scope="time_data category_data"))
        token = exchange(server, client_id, secret, code)
        assert token.status_code == 200, token.text
        body = token.json()
        assert body["token_type"] == "Bearer" and body["scope"] == "time_data category_data"
        assert "refresh_token" not in body and body["created_at"] > 0
        access = body["access_token"]
        # an application's token never opens the ActivityWatch API
        assert httpx.get(f"{server.api}/buckets/", params={"access_token": access}).status_code == 403

        apps = browser.get("/oauth/authorized_applications")
        assert "Example App" in apps.text and "category_data" in apps.text
        revoked = browser.post(f"/oauth/authorized_applications/{client_id}/revoke",
                               data={"csrf": csrf_of(apps.text)})
        assert revoked.status_code == 303
        assert httpx.get(f"{server.api}/buckets/", params={"access_token": access}).status_code == 401
        assert "No application" in browser.get("/oauth/authorized_applications").text


def test_code_is_single_use_and_form_bodies_work(oauth_server):
    server, client_id, secret, _ = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        code = code_from(consent(browser, client_id))
    assert exchange(server, client_id, secret, code, as_json=False).status_code == 200
    again = exchange(server, client_id, secret, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_expired_code_refused(oauth_server):
    server, client_id, secret, data = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        code = code_from(consent(browser, client_id))
    with sqlite3.connect(data / "hourwise-testing.db") as db:  # 11 minutes later
        db.execute("UPDATE oauth_codes SET expires = expires - 660000000")
    assert exchange(server, client_id, secret, code).json()["error"] == "invalid_grant"


def test_redirect_uri_and_client_checks(oauth_server):
    server, client_id, secret, _ = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        code = code_from(consent(browser, client_id))
        wrong_redirect = exchange(server, client_id, secret, code, redirect=REDIRECT + "/other")
        assert wrong_redirect.status_code in (400, 401) and "error" in wrong_redirect.json()
        wrong_secret = exchange(server, client_id, "not-the-secret", code)
        assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
        # the code survived those attempts and still works once
        assert exchange(server, client_id, secret, code).status_code == 200
        # an unregistered redirect or client is shown an error, never redirected
        for url in (authorize_url(client_id, redirect="https://evil.example/steal"),
                    authorize_url("no-such-client")):
            response = browser.get(url)
            assert response.status_code == 400 and "location" not in response.headers
        unknown_scope = browser.get(authorize_url(client_id, scope="everything"))
        assert unknown_scope.status_code == 302
        assert "error=invalid_scope" in unknown_scope.headers["location"]


def test_deny_and_csrf(oauth_server):
    server, client_id, _, _ = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        denied = consent(browser, client_id, decision="deny")
        assert denied.status_code == 302
        assert "error=access_denied" in denied.headers["location"]
        forged = browser.post("/oauth/authorize", data={
            "csrf": "forged", "request": authorize_url(client_id).split("?", 1)[1], "decision": "allow"})
        assert forged.status_code == 400 and "location" not in forged.headers


def test_pkce(oauth_server):
    server, client_id, secret, _ = oauth_server
    verifier = "a-long-enough-code-verifier-for-pkce-0123456789abcdef"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with httpx.Client(base_url=server.url) as browser:
        code = code_from(consent(browser, client_id, code_challenge=challenge,
                                 code_challenge_method="S256"))
    assert exchange(server, client_id, secret, code).status_code == 400  # verifier missing
    assert exchange(server, client_id, secret, code, code_verifier="wrong" * 10).status_code == 400
    assert exchange(server, client_id, secret, code, code_verifier=verifier).status_code == 200


def test_sign_in_refusals(oauth_server):
    server, _, _, _ = oauth_server
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get("/login")
        wrong = browser.post("/login", data={"username": "alice", "password": "nope",
                                             "csrf": csrf_of(page.text)})
        assert wrong.status_code == 401
        no_csrf = browser.post("/login", data={"username": "alice", "password": PASSWORD})
        assert no_csrf.status_code == 400
        evil_next = browser.post("/login", data={"username": "alice", "password": PASSWORD,
                                                 "csrf": csrf_of(page.text), "next": "//evil.example"})
        assert evil_next.headers["location"] == "/oauth/authorized_applications"


def test_token_endpoint_rejects_garbage(oauth_server):
    server, _, _, _ = oauth_server
    for kwargs in ({"content": b"{", "headers": {"content-type": "application/json"}},
                   {"content": b"[1]", "headers": {"content-type": "application/json"}},
                   {"data": {"grant_type": "password", "username": "a", "password": "b"}},
                   {"data": {}}):
        response = httpx.post(f"{server.url}/oauth/token", **kwargs)
        assert 400 <= response.status_code < 500 and "error" in response.json()
