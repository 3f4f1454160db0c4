"""``create_app(settings)``: builds the store, the services and the web application."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from hourwise import __version__
from hourwise.api.activitywatch import build_router as build_activitywatch_router
from hourwise.api.activitywatch.fastpath import WriteFastPath
from hourwise.api.auth_gate import AuthGate
from hourwise.api.body import hoist_defs
from hourwise.api.cors import OriginAwareCORS
from hourwise.api.docs import install_api_browser, install_webui
from hourwise.api.errors import install_error_handlers
from hourwise.api.keys import router as keys_router
from hourwise.api.inline import InlineHeartbeats
from hourwise.api.middleware import HostCheck, OriginPolicy, RequestGuard
from hourwise.api.rescuetime.contexts import RescueTimeContexts
from hourwise.api.rescuetime.routes import build_router as build_rescuetime_router
from hourwise.api.schedules import router as schedules_router
from hourwise.api.security_headers import HtmlSecurityHeaders
from hourwise.auth.ratelimit import FailedAuthLimiter
from hourwise.errors import StartupRefused
from hourwise.services import Services
from hourwise.services.oauth import OAuthService
from hourwise.settings import Settings
from hourwise.store import Store
from hourwise.web.pages import router as pages_router

OPENAPI_URL = "/api/openapi.json"

# The official aw-watcher-web extension for Chrome; Firefox extension ids are random.
AW_WATCHER_WEB_CHROME = "chrome-extension://nglaklhklhcoonedhgnpgddginnjdadi"


def origin_lists(settings: Settings) -> tuple[list[str], list[str]]:
    """Allowed browser origins: the server's own, configured ones, browser extensions."""
    port = settings.effective_port
    exact = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"]
    exact += settings.cors_origins
    patterns = [AW_WATCHER_WEB_CHROME, r"moz-extension://[0-9a-f-]+"]
    if settings.testing:
        exact += ["http://127.0.0.1:27180", "http://localhost:27180"]
        patterns.append(r"chrome-extension://[a-p]{32}")
    patterns += settings.cors_origin_regexes
    return exact, patterns


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """A complete Hourwise application for these settings.

    Opens (and migrates) the database unless a store is given. Nothing is shared
    between two apps, so tests can build as many as they need.
    """
    if store is None:
        store = Store(settings.database_url)
    store.migrate()
    services = Services.build(settings, store)
    if settings.mode == "local" and not settings.is_loopback:
        store.close()
        raise StartupRefused(
            f"refusing mode=local on {settings.host}: local mode trusts every request, "
            "which is only safe on a loopback address"
        )
    server_mode = settings.server_mode
    if server_mode and not services.accounts.anyone_can_sign_in():
        store.close()
        raise StartupRefused(
            f"refusing to start in server mode on {settings.host}: every request must "
            "authenticate, and no user has a password or an API key yet. Create one first: "
            "hourwise user add NAME, then hourwise key create --user NAME --label LABEL"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.rescuetime.close()
        store.close()

    app = FastAPI(
        title="Hourwise",
        version=__version__,
        description="Self-hosted time tracking. Speaks the ActivityWatch REST API.",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
        lifespan=lifespan,
        # FastAPI's built-in OpenTelemetry bridge looks up the global tracer, meter and
        # logger providers on every request (a tenth of a heartbeat's cost); Hourwise
        # configures no OpenTelemetry, so the bridge stays off.
        telemetry={"tracing": False, "metrics": False, "logs": False,
                   "operation_spans": False},
    )
    app.state.settings = settings
    app.state.services = services
    install_error_handlers(app)
    app.include_router(build_activitywatch_router())
    app.include_router(keys_router)
    app.include_router(schedules_router)
    app.include_router(pages_router)
    contexts = RescueTimeContexts(services)
    app.state.rescuetime = contexts
    app.include_router(build_rescuetime_router(contexts.key_context, contexts.token_context))
    oauth = OAuthService(store)
    limiter = FailedAuthLimiter()
    app.state.oauth = oauth
    app.state.auth_limiter = limiter
    install_api_browser(app, OPENAPI_URL)
    if settings.webui_dir is not None:
        install_webui(app, settings.webui_dir)

    default_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = hoist_defs(default_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # Middleware added first sits innermost:
    # guard -> CORS -> authentication -> write fast path -> HTML headers -> sessions
    # -> routes. Heartbeats (once a second per watcher) and event inserts skip the layers
    # below the fast path (plain local heartbeats skip them all: see the end).
    app.add_middleware(
        SessionMiddleware,
        # one signing secret per database, made on first start, so sessions survive restarts
        secret_key=store.set_meta_default("session_secret", secrets.token_urlsafe(48)),
        session_cookie="hourwise_session",
        same_site="lax",
        https_only=server_mode,
        max_age=14 * 86_400,
    )
    app.add_middleware(HtmlSecurityHeaders)
    app.add_middleware(
        WriteFastPath, services=services, inline_writes=store.dialect == "sqlite"
    )
    app.add_middleware(
        AuthGate,
        accounts=services.accounts,
        oauth=oauth,
        server_mode=server_mode,
        limiter=limiter,
        inline_lookups=store.dialect == "sqlite",
    )
    exact, patterns = origin_lists(settings)
    app.add_middleware(
        OriginAwareCORS,
        allow_origins=exact,
        allow_origin_regex="|".join(f"(?:{p})" for p in patterns),
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        allow_credentials=False,
    )
    host_check = settings.is_loopback or bool(settings.allowed_hosts)
    hosts = HostCheck((settings.allowed_hosts + [settings.host]) if host_check else None)
    app.add_middleware(
        RequestGuard,
        hosts=hosts,
        origins=OriginPolicy(exact, patterns),
        max_body=settings.max_body_bytes,
        large_body_paths={"/api/0/import": settings.max_import_bytes},
    )
    # Plain local heartbeats skip all of the above (hourwise serve's HTTP protocol
    # answers them with the same checks, see api/inline.py); only SQLite writes are quick
    # enough to run on the event loop, and server mode authenticates every request.
    app.state.inline_heartbeats = (
        InlineHeartbeats(services, hosts, settings.max_body_bytes)
        if store.dialect == "sqlite" and not server_mode else None
    )
    return app
