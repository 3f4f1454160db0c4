"""Sign-in, OAuth2 authorization (consent), the token endpoint and connected applications.

Pages authenticate with a signed session cookie; every form carries a CSRF token that
must match the session's. Token requests authenticate the client by its secret.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from oauthlib.oauth2 import AccessDeniedError, FatalClientError, OAuth2Error
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hourwise.errors import HourwiseError
from hourwise.services.oauth import OAUTH_SCOPES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok(request: Request, form: Any) -> bool:
    expected = request.session.get("csrf")
    given = form.get("csrf")
    return bool(expected and isinstance(given, str) and hmac.compare_digest(expected, given))


def _user(request: Request):
    user_id = request.session.get("user_id")
    return request.app.state.services.accounts.store.get_user(user_id) if user_id else None


def _page(request: Request, name: str, status: int = 200, form_targets: str = "", **context):
    response = templates.TemplateResponse(
        request, name, {"csrf": _csrf(request), "user": _user(request), **context},
        status_code=status,
    )
    # Pages have no scripts at all; forms may post here (and the consent form's
    # redirect goes on to the application's registered address).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
        f"base-uri 'none'; form-action 'self' {form_targets}".strip()
    )
    return response


def _safe_next(target: str | None) -> str:
    # Only paths on this server: never an absolute or protocol-relative URL.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/oauth/authorized_applications"


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return _page(request, "login.html", next=_safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    limiter = request.app.state.auth_limiter
    address = _client_address(request)
    target = _safe_next(form.get("next"))
    if not _csrf_ok(request, form):
        return _page(request, "login.html", 400, error="The form expired; please try again.",
                     next=target)
    if limiter.retry_after(address):
        return _page(request, "login.html", 429, error="Too many attempts; wait a minute.",
                     next=target)
    accounts = request.app.state.services.accounts
    user = await run_in_threadpool(
        accounts.check_password, str(form.get("username", "")), str(form.get("password", ""))
    )
    if user is None:
        limiter.failed(address)
        return _page(request, "login.html", 401, error="Wrong user name or password.",
                     next=target)
    request.session.clear()  # a new session on sign-in (no fixation)
    request.session["user_id"] = user.id
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    if _csrf_ok(request, form):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _oauth(request: Request):
    return request.app.state.oauth


@router.get("/oauth/authorize")
@router.get("/oauth/authorize/")
def authorize_page(request: Request) -> Response:
    uri = str(request.url)
    try:
        scopes, credentials = _oauth(request).validate_authorization_request(uri)
    except FatalClientError as exc:
        # Unknown client or unregistered redirect: never redirect anywhere.
        return _page(request, "login.html", 400, error=f"Invalid request: {exc.description}")
    except OAuth2Error as exc:
        return RedirectResponse(exc.in_uri(exc.redirect_uri), status_code=302)
    if _user(request) is None:
        return RedirectResponse(
            "/login?" + urlencode({"next": f"/oauth/authorize?{request.url.query}"}), 303
        )
    client = _oauth(request).client(credentials["client_id"])
    redirect_uri = credentials["redirect_uri"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(redirect_uri))
    return _page(
        request, "consent.html", form_targets=origin, client=client, redirect_uri=redirect_uri,
        scopes=[(scope, OAUTH_SCOPES[scope]) for scope in scopes], original=request.url.query,
    )


@router.post("/oauth/authorize")
@router.post("/oauth/authorize/")
async def authorize(request: Request) -> Response:
    form = await request.form()
    user = _user(request)
    if user is None or not _csrf_ok(request, form):
        return _page(request, "login.html", 400, error="Your session expired; please sign in.")
    uri = f"{request.url.scheme}://{request.url.netloc}/oauth/authorize?{form.get('request', '')}"
    oauth = _oauth(request)
    try:
        scopes, credentials = oauth.validate_authorization_request(uri)
    except FatalClientError as exc:
        return _page(request, "login.html", 400, error=f"Invalid request: {exc.description}")
    except OAuth2Error as exc:
        return RedirectResponse(exc.in_uri(exc.redirect_uri), status_code=302)
    if form.get("decision") != "allow":
        denied = AccessDeniedError(state=credentials.get("state"))
        return RedirectResponse(denied.in_uri(credentials["redirect_uri"]), status_code=302)
    credentials.pop("request", None)
    headers, _, status = await run_in_threadpool(
        oauth.create_authorization_response, uri, user.id, scopes, credentials
    )
    return Response(status_code=status, headers=headers)


def _token_form(body: bytes, content_type: str, authorization: str) -> dict[str, str]:
    """The token request's parameters from a JSON or form body (RescueTime documents
    JSON; OAuth libraries send forms), plus client credentials from Basic auth."""
    if content_type.startswith("application/json"):
        decoded = orjson.loads(body or b"{}")
        if not isinstance(decoded, dict):
            raise ValueError("the token request must be a JSON object")
        params = {str(k): str(v) for k, v in decoded.items() if v is not None}
    else:
        params = dict(parse_qsl(body.decode("utf-8")))
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic" and "client_secret" not in params:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        params.setdefault("client_id", user)
        params["client_secret"] = password
    return params


@router.post("/oauth/token")
@router.post("/oauth/token/")
async def token(request: Request) -> Response:
    try:
        params = _token_form(
            await request.body(), request.headers.get("content-type", ""),
            request.headers.get("authorization", ""),
        )
    except (ValueError, binascii.Error, UnicodeDecodeError, orjson.JSONDecodeError):
        return Response(orjson.dumps({"error": "invalid_request"}), 400,
                        media_type="application/json")
    try:
        headers, body, status = await run_in_threadpool(
            _oauth(request).create_token_response, str(request.url), urlencode(params),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    except HourwiseError:  # a code used twice at once: the loser is refused
        return Response(orjson.dumps({"error": "invalid_grant"}), 400,
                        media_type="application/json")
    if status == 200:
        payload = orjson.loads(body)
        payload["created_at"] = int(time.time())
        body = orjson.dumps(payload)
    return Response(body, status, headers={**headers, "Cache-Control": "no-store"},
                    media_type="application/json")


@router.get("/oauth/authorized_applications")
def connected_apps(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return RedirectResponse("/login?next=/oauth/authorized_applications", 303)
    oauth = _oauth(request)
    apps = [
        {"client_id": app.client_id, "name": app.name, "scopes": app.scopes}
        for app in oauth.connected_apps(user.id)
    ]
    return _page(request, "apps.html", apps=apps)


@router.post("/oauth/authorized_applications/{client_id}/revoke")
async def revoke_app(request: Request, client_id: str) -> Response:
    form = await request.form()
    user = _user(request)
    if user is None or not _csrf_ok(request, form):
        return _page(request, "login.html", 400, error="Your session expired; please sign in.")
    await run_in_threadpool(_oauth(request).revoke_app, user.id, client_id)
    return RedirectResponse("/oauth/authorized_applications", status_code=303)
