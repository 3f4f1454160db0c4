"""Pages served from files: the API browser at ``/api/`` (Swagger UI from local files,
never a CDN) and, when configured, a built ActivityWatch web UI at ``/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, RedirectResponse

from hourwise.errors import StartupRefused


def _assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install_api_browser(app: FastAPI, openapi_url: str) -> None:
    app.mount("/api/static", StaticFiles(directory=_assets_dir()), name="api-static")

    @app.get("/api/", include_in_schema=False)
    def api_browser() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="Hourwise API",
            swagger_js_url="/api/static/swagger-ui-bundle.js",
            swagger_css_url="/api/static/swagger-ui.css",
            swagger_favicon_url="/api/static/favicon.png",
        )

    @app.get("/api", include_in_schema=False)
    def api_browser_redirect() -> RedirectResponse:
        return RedirectResponse("/api/")


def install_webui(app: FastAPI, directory: Path) -> None:
    """Serve a built ActivityWatch web UI from ``directory`` at ``/``.

    The UI calls relative ``/api/0/...`` URLs and its content security policy allows only
    its own origin, so it must come from the same server as the API. It uses hash
    routing, so plain files suffice. Mounted last: every API route keeps priority.
    """
    if not (directory / "index.html").is_file():
        raise StartupRefused(f"webui_dir {directory} has no index.html")
    app.mount("/", StaticFiles(directory=directory, html=True), name="webui")
