"""OAuth2 authorization-code flow, as RescueTime documents it, on oauthlib's server core.

oauthlib does the protocol (request checks, PKCE, error responses, token format); this
module supplies its ``RequestValidator`` backed by our store. Codes, tokens and client
secrets are stored only as SHA-256 hashes. Codes live 10 minutes and work once;
redirect URIs must match a registered one exactly; tokens are long-lived (RescueTime's
do not expire) and revocable by the user per application.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from oauthlib.oauth2 import RequestValidator, WebApplicationServer

from hourwise.errors import InvalidInput
from hourwise.models import now_us
from hourwise.store import Store
from hourwise.store.oauth import AccessToken, AuthorizationCode, ConnectedApp, OAuthClient

OAUTH_SCOPES = {
    "time_data": "your activity history and time summaries, and posting offline time",
    "category_data": "time per category (no individual activities)",
    "productivity_data": "time per productivity level (no individual activities)",
    "alert_data": "your alert history",
    "highlight_data": "reading and posting daily highlights",
    "focustime_data": "FocusTime history, and starting and stopping sessions",
}
CODE_LIFETIME_US = 10 * 60 * 1_000_000
TOKEN_LIFETIME_S = 10 * 365 * 86_400  # RescueTime tokens are long-lived


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


class _Validator(RequestValidator):
    """oauthlib's questions, answered from the store."""

    def __init__(self, store: Store):
        self.store = store

    # -- clients ---------------------------------------------------------------------

    def _client(self, client_id: str | None) -> OAuthClient | None:
        return self.store.get_oauth_client(client_id) if client_id else None

    def validate_client_id(self, client_id, request, *args, **kwargs) -> bool:
        client = self._client(client_id)
        request.client = client
        return client is not None

    def client_authentication_required(self, request, *args, **kwargs) -> bool:
        return True  # every registered client is confidential and has a secret

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        client = self._client(request.client_id)
        secret = request.client_secret or ""
        if client is None:
            hmac.compare_digest(_digest(secret), _digest("x"))  # same work either way
            return False
        if not hmac.compare_digest(client.secret_hash, _digest(secret)):
            return False
        request.client = client
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs) -> bool:
        return False  # public clients are not supported

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs) -> bool:
        client = self._client(client_id)
        return client is not None and redirect_uri in client.redirect_uris

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        client = self._client(client_id)
        # Only when exactly one is registered is there an unambiguous default.
        return client.redirect_uris[0] if client and len(client.redirect_uris) == 1 else None

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == "authorization_code"

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        return bool(scopes) and all(scope in OAUTH_SCOPES for scope in scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return ["time_data"]

    # -- codes -----------------------------------------------------------------------

    def save_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        self.store.save_oauth_code(
            _digest(code["code"]),
            AuthorizationCode(
                client_id=client_id,
                user_id=request.user_id,
                redirect_uri=request.redirect_uri,
                scopes=tuple(request.scopes),
                code_challenge=request.code_challenge,
                code_challenge_method=request.code_challenge_method,
                expires=now_us() + CODE_LIFETIME_US,
                used=False,
            ),
        )

    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        record = self.store.get_oauth_code(_digest(code))
        if record is None or record.client_id != client_id or record.used:
            return False
        if record.expires < now_us():
            return False
        request.user_id = record.user_id
        request.user = record.user_id
        request.scopes = list(record.scopes)
        request.code_record = record
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        record = getattr(request, "code_record", None) or self.store.get_oauth_code(_digest(code))
        return record is not None and record.redirect_uri == redirect_uri

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs) -> None:
        self.store.use_oauth_code(_digest(code))

    def is_pkce_required(self, client_id, request) -> bool:
        return False  # supported when the client sends a challenge; not demanded

    def get_code_challenge(self, code, request):
        record = self.store.get_oauth_code(_digest(code))
        return record.code_challenge if record else None

    def get_code_challenge_method(self, code, request):
        record = self.store.get_oauth_code(_digest(code))
        return record.code_challenge_method if record else None

    # -- tokens ----------------------------------------------------------------------

    def save_bearer_token(self, token, request, *args, **kwargs) -> None:
        # A code works once even when two token requests race: the first to mark it
        # used wins, the other is refused.
        code_record = getattr(request, "code_record", None)
        if code_record is not None and not self.store.use_oauth_code(_digest(request.code)):
            raise InvalidInput("authorization code already used")
        self.store.save_oauth_token(
            _digest(token["access_token"]),
            request.client_id,
            request.user_id,
            list(request.scopes),
            now_us() + TOKEN_LIFETIME_S * 1_000_000,
        )

    def validate_bearer_token(self, token, scopes, request) -> bool:
        return self.store.find_oauth_token(_digest(token or "")) is not None


class OAuthService:
    """Client registration, the authorization and token endpoints, connected apps."""

    def __init__(self, store: Store):
        self.store = store
        self.server = WebApplicationServer(_Validator(store), token_expires_in=TOKEN_LIFETIME_S)
        # RescueTime has no refresh grant; tokens are long-lived and revocable instead.
        self.server.auth_grant.refresh_token = False

    def add_client(self, name: str, redirect_uris: list[str]) -> tuple[str, str]:
        """Register an application; returns (client_id, client_secret). The secret is not
        stored and cannot be shown again."""
        if not name.strip():
            raise InvalidInput("an application needs a name")
        for uri in redirect_uris:
            if not (uri.startswith("https://") or uri.startswith("http://127.0.0.1")
                    or uri.startswith("http://localhost")):
                raise InvalidInput(f"redirect URIs must be https (or loopback http): {uri}")
        if not redirect_uris:
            raise InvalidInput("register at least one redirect URI")
        client_id = secrets.token_urlsafe(24)
        secret = secrets.token_urlsafe(32)
        self.store.add_oauth_client(client_id, _digest(secret), name.strip(), redirect_uris)
        return client_id, secret

    def clients(self) -> list[OAuthClient]:
        return self.store.list_oauth_clients()

    def client(self, client_id: str) -> OAuthClient | None:
        return self.store.get_oauth_client(client_id)

    def validate_authorization_request(self, uri: str) -> tuple[list[str], dict[str, Any]]:
        """Check an /oauth/authorize request; (scopes, credentials) or an oauthlib error."""
        return self.server.validate_authorization_request(uri, "GET")

    def create_authorization_response(self, uri: str, user_id: int, scopes: list[str],
                                      credentials: dict[str, Any]) -> tuple[dict, str, int]:
        """The redirect (with a code) after the user consented."""
        return self.server.create_authorization_response(
            uri, "GET", None, None, scopes, {**credentials, "user_id": user_id}
        )

    def create_token_response(self, uri: str, body: str, headers: dict[str, str]):
        return self.server.create_token_response(uri, "POST", body, headers)

    def authenticate_token(self, token: str) -> AccessToken | None:
        return self.store.find_oauth_token(_digest(token))

    def connected_apps(self, user_id: int) -> list[ConnectedApp]:
        return self.store.connected_apps(user_id)

    def revoke_app(self, user_id: int, client_id: str) -> int:
        """Revoke every token an application holds for a user."""
        return self.store.revoke_oauth_tokens(user_id, client_id)
