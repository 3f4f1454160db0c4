"""Typed server settings.

Precedence, lowest first: defaults < TOML file < ``HOURWISE_*`` environment variables <
command-line flags. Nothing here touches the disk until ``load_settings`` is called.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PRODUCTION_PORT = 5600
TESTING_PORT = 5666


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ``~/.local/share/hourwise``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hourwise", appauthor=False))


def default_config_file() -> Path:
    """The per-user TOML configuration file, e.g. ``~/.config/hourwise/config.toml``."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("hourwise", appauthor=False)) / "config.toml"


class Settings(BaseSettings):
    """Everything that configures one Hourwise server."""

    model_config = SettingsConfigDict(env_prefix="HOURWISE_", extra="forbid")

    testing: bool = Field(
        False, description="Testing mode: port 5666, a separate database, bucket deletion without ?force=1."
    )
    host: str = Field("127.0.0.1", description="Address to listen on.")
    mode: Literal["auto", "local", "server"] = Field(
        "auto",
        description="local: requests without credentials act as the owner (loopback only); "
        "server: every request but /api/0/info must authenticate; auto: local on a "
        "loopback address, server otherwise.",
    )
    port: int | None = Field(
        None, ge=0, le=65535, description="Port to listen on (default 5600, or 5666 when testing)."
    )
    data_dir: Path | None = Field(None, description="Where the SQLite database and state live.")
    db: str | None = Field(
        None,
        description="Database URL: sqlite:///path or postgresql://user@host/db. "
        "Default: an SQLite file in the data directory.",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra Host header names accepted besides localhost, 127.0.0.1 and [::1].",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra browser origins allowed to call the API."
    )
    cors_origin_regexes: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra browser origins, as regular expressions."
    )
    max_body_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="Largest accepted request body, in bytes."
    )
    max_import_bytes: int = Field(
        1024 * 1024 * 1024, gt=0, description="Largest accepted body for /api/0/import, in bytes."
    )
    hostname: str | None = Field(
        None, description="Hostname the server reports (default: this machine's)."
    )
    log_level: str = Field("info", description="Log level: debug, info, warning or error.")
    webui_dir: Path | None = Field(
        None,
        description="A built ActivityWatch web UI (its index.html folder) to serve at /, on "
        "the API's origin as its content security policy requires.",
    )
    watch_afk_timeout: float = Field(
        180.0, gt=0, description="Seconds without input after which the AFK watcher reports AFK."
    )
    watch_api_key: str | None = Field(
        None, description="API key the watchers started by serve send to the server."
    )
    query_time_limit: float = Field(
        30.0, gt=0, description="Longest a query request may run, in seconds (then 422)."
    )
    query_max_events: int = Field(
        5_000_000, gt=0, description="Most events one query may hold in a single list (then 422)."
    )

    @field_validator("allowed_hosts", "cors_origins", "cors_origin_regexes", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        # Environment variables carry lists as comma-separated text.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return TESTING_PORT if self.testing else PRODUCTION_PORT

    @property
    def effective_data_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else default_data_dir()

    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        name = "hourwise-testing.db" if self.testing else "hourwise.db"
        return f"sqlite:///{self.effective_data_dir / name}"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False

    @property
    def server_mode(self) -> bool:
        """Whether every request must authenticate (see ``mode``)."""
        if self.mode == "auto":
            return not self.is_loopback
        return self.mode == "server"


class _FileSettings(Settings):
    """Settings read from a TOML file as well (used only by ``load_settings``)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_path)
        return (init_settings, env_settings, toml)

    _toml_path: ClassVar[Path | None] = None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from the TOML file, the environment and explicit overrides.

    ``config_file`` defaults to ``$HOURWISE_CONFIG`` or the per-user config path; a
    missing file is simply skipped. ``None`` overrides are ignored, so CLI flags that
    were not given do not mask the file or the environment.
    """
    import os

    path = config_file or (
        Path(os.environ["HOURWISE_CONFIG"]) if os.environ.get("HOURWISE_CONFIG") else default_config_file()
    )
    given = {key: value for key, value in overrides.items() if value is not None}
    source = type("_Loaded", (_FileSettings,), {"_toml_path": path if path.is_file() else None})
    loaded = source(**given)
    return Settings.model_validate(loaded.model_dump())
