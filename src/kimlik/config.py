"""Settings, read once from the environment (``KIMLIK_*``) and passed in explicitly.

Nothing here is built at import time: ``Settings()`` is called by the delivery layer
(the CLI today) and handed to the services that need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from kimlik.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///kimlik.db"
#: Only good for a laptop: ``check_secrets`` refuses it outside development.
DEVELOPMENT_SECRET = "development-only-secret-change-me"
MIB = 1 << 20


class Settings(BaseSettings):
    """Everything configurable about a Kimlik installation."""

    model_config = SettingsConfigDict(env_prefix="KIMLIK_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the store; PostgreSQL uses postgresql+psycopg://.",
    )
    import_batch_size: int = Field(
        default=5000, ge=1, le=100_000, description="Rows standardized and written per batch."
    )
    import_workers: int | None = Field(
        # Workers clean while the parent reads and writes: worth it when the CPUs are free
        # (docs/performance.md); unset picks one per CPU, 0 forces in-process.
        default=None,
        ge=0,
        le=64,
        description=(
            "Processes that standardize rows in parallel; 0 standardizes in-process; "
            "unset: one per CPU (at least 2, at most 4) on machines with 2 or more CPUs."
        ),
    )
    parallel_threshold_bytes: int = Field(
        default=2_000_000,
        ge=0,
        description="Files smaller than this are standardized in-process (a pool costs ~0.3 s).",
    )
    upload_max_bytes: int = Field(
        default=200 * MIB,
        ge=1,
        description="Largest file the web UI accepts for an import (as uploaded, so .gz counts "
        "compressed); the command line has no limit.",
    )
    upload_dir: Path | None = Field(
        default=None,
        description=(
            "Where web uploads wait for their import, each in a private (0700) directory; "
            "default: kimlik-uploads-<uid> in the system temporary directory."
        ),
    )
    resolve_link_weight: float = Field(
        # Measured on the synthetic customer benchmark (docs/resolve.md): best F1 near 2-3.
        default=3.0,
        description="Match weight (log2 odds) at or above which two records are linked.",
    )
    resolve_review_weight: float = Field(
        default=-2.0,
        description="Pairs between this weight and the link weight go to the review queue.",
    )
    resolve_max_block: int = Field(
        default=60,
        ge=2,
        description="Blocking values shared by more records than this are skipped (crowds).",
    )
    resolve_identifiers: list[str] = Field(
        default_factory=list,
        description=(
            "Custom attributes that identify a person (loyalty card, national id), as a JSON "
            "list: '[\"loyalty_card\"]'. Shared values link records like a shared email."
        ),
    )
    resolve_index: str | None = Field(
        default=None,
        description=(
            "Match index file kept between resolve runs (fast incremental runs); default: "
            "beside a SQLite database, none for a server database; 'memory' keeps none."
        ),
    )
    survivorship_rules: Path | None = Field(
        default=None,
        description="YAML/JSON survivorship rules file; the shipped defaults when unset.",
    )
    environment: Literal["development", "production"] = Field(
        default="development",
        description="'production' refuses default secrets and marks cookies Secure (HTTPS).",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET),
        description="Derives CSRF tokens; set a long random value outside development.",
    )
    session_hours: int = Field(
        default=12, ge=1, le=24 * 30, description="How long a web sign-in lasts."
    )
    collect_max_batch_bytes: int = Field(
        default=8 * MIB,
        ge=64 << 10,
        description="Largest SDK batch accepted, decompressed (RudderStack cuts at 4 MiB).",
    )
    collect_max_message_bytes: int = Field(
        default=32 << 10, ge=1 << 10, description="Largest single SDK message accepted."
    )
    collect_rate_limit: int | None = Field(
        default=None,
        ge=1,
        description="Events per second one write key may send (429 beyond); unset: no limit.",
    )
    stitch: bool = Field(
        default=True,
        description="Attach collected events to people and profiles as they arrive.",
    )
    stitch_interval: float = Field(
        default=0.2, gt=0, le=60, description="Seconds between looks for new events."
    )
    stitch_max_users_per_device: int = Field(
        default=1,
        ge=1,
        description=(
            "An anonymousId that has carried more signed-in users than this is a shared "
            "device: its anonymous events stay unattributed."
        ),
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins per account and address per window."
    )
    login_window_seconds: int = Field(
        default=300, ge=1, description="The window of ``login_attempts``."
    )

    def check_secrets(self) -> None:
        """Refuse the development secret outside development."""
        if (
            self.environment != "development"
            and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ConfigurationError(
                "KIMLIK_SECRET_KEY is the development default; set a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ConfigurationError("KIMLIK_SECRET_KEY must be at least 32 characters")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with ``overrides`` (command-line options) on top.

    A value that does not parse is a ``ConfigurationError`` naming the variable, so the
    user reads one line instead of a validation traceback. The value itself is left out:
    a database URL may hold a password.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [
            f"KIMLIK_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        raise ConfigurationError("invalid setting " + "; ".join(problems)) from None
