"""All configuration, read from the environment in one place (pydantic-settings)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DB = "fwtrend.db"
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")


def _check_ids(values: list[str], pattern: re.Pattern[str], hint: str) -> list[str]:
    bad = [v for v in values if not pattern.match(v)]
    if bad:
        raise ValueError(f"{', '.join(bad)}: {hint}")
    return values


class Settings(BaseSettings):
    """Every setting fwtrend reads; nothing else looks at ``os.environ``."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    db_path: Path = Field(
        default=Path(DEFAULT_DB),
        validation_alias="FWTREND_DB",
        description="SQLite metrics store; created and loaded from knowledge/ on first use.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="postgresql:// URL of a PostgreSQL store (as Heroku sets it); "
        "when set, it replaces FWTREND_DB.",
    )
    knowledge_dir: Path | None = Field(
        default=None,
        validation_alias="FWTREND_KNOWLEDGE_DIR",
        description="Curated knowledge base to load; defaults to the one shipped with fwtrend.",
    )
    today: date | None = Field(
        default=None,
        validation_alias="FWTREND_TODAY",
        description="Pin 'today' (YYYY-MM-DD) for evidence ages; defaults to the real date.",
    )
    stale_after_days: int = Field(
        default=14,
        ge=1,
        validation_alias="FWTREND_STALE_AFTER_DAYS",
        description="Live figures whose source last succeeded longer ago than this are flagged.",
    )

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias="SLACK_API_URL",
        description="Slack Web API base URL; point it elsewhere for tests and staging.",
    )
    public_url: str | None = Field(
        default=None,
        validation_alias="FWTREND_PUBLIC_URL",
        description="Public base URL of the web process; charts are then served from it.",
    )
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias="FWTREND_ADMINS",
        description="Comma-separated Slack user ids allowed to run admin commands.",
    )
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    host: str = Field(
        default="0.0.0.0",
        validation_alias="FWTREND_HOST",
        description="Interface the web process listens on (127.0.0.1 for local only).",
    )
    answer_processes: int = Field(
        # Two cores: one answers, the other stays free for acknowledgements (and the web
        # server's accept loop), so an ack never waits for a core. One worker also keeps every
        # process together under 300 MB; a second adds ~125 MB. See README.md, "Sizing".
        default=1,
        ge=1,
        le=32,
        validation_alias="FWTREND_ANSWER_PROCESSES",
        description="Worker processes that compute and deliver answers after the acknowledgement.",
    )
    web_threads: int = Field(
        # Each acknowledgement is about a millisecond of Python under one GIL, and it never
        # waits on an answer: more threads than a few only queue at the GIL, in no order, where
        # a request that loses the race several times is the p99. Fewer threads leave the rest
        # waiting in the server's queue, first come first served. See README.md, "Sizing".
        default=8,
        ge=1,
        le=64,
        validation_alias="FWTREND_WEB_THREADS",
        description="Request threads of the acknowledging web process.",
    )

    hf_url: str = Field(
        default="https://huggingface.co/",
        validation_alias="FWTREND_HF_URL",
        description="Hugging Face Hub base URL for live refreshes.",
    )
    github_url: str = Field(
        default="https://api.github.com/",
        validation_alias="FWTREND_GITHUB_URL",
        description="GitHub REST API base URL for live refreshes.",
    )
    stackexchange_url: str = Field(
        default="https://api.stackexchange.com/2.3/",
        validation_alias="FWTREND_STACKEXCHANGE_URL",
        description="Stack Exchange API base URL (with its version) for live refreshes.",
    )
    pypistats_url: str = Field(
        default="https://pypistats.org/api/",
        validation_alias="FWTREND_PYPISTATS_URL",
        description="pypistats.org API base URL for live refreshes.",
    )
    dockerhub_url: str = Field(
        default="https://hub.docker.com/v2/",
        validation_alias="FWTREND_DOCKERHUB_URL",
        description="Docker Hub API base URL for live refreshes.",
    )
    github_token: SecretStr | None = Field(default=None, validation_alias="GITHUB_TOKEN")
    hf_token: SecretStr | None = Field(default=None, validation_alias="HF_TOKEN")
    stackexchange_key: SecretStr | None = Field(default=None, validation_alias="STACKEXCHANGE_KEY")

    digest_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias="FWTREND_DIGEST_CHANNELS",
        description="Comma-separated channel ids that get the weekly digest.",
    )
    digest_cron: str = Field(
        default="0 9 * * mon",
        validation_alias="FWTREND_DIGEST_CRON",
        description="When the clock process posts the digest (crontab: minute hour day month dow).",
    )
    digest_tz: str = Field(
        default="UTC",
        validation_alias="FWTREND_DIGEST_TZ",
        description="Time zone of FWTREND_DIGEST_CRON, e.g. Europe/Berlin.",
    )
    digest_refresh: bool = Field(
        default=True,
        validation_alias="FWTREND_DIGEST_REFRESH",
        description="Refresh the live sources just before each scheduled digest.",
    )
    digest_when_quiet: Literal["post", "skip"] = Field(
        default="post",
        validation_alias="FWTREND_DIGEST_WHEN_QUIET",
        description="A week without moves: post a short note, or nothing.",
    )

    @field_validator("admins", "digest_channels", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in re.split(r"[,\s]+", value) if part]
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _postgres_url(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value == "":
            return None  # set but empty: the SQLite default
        # The message never repeats the value: it may hold a password.
        if isinstance(value, str) and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (or postgres://)")
        return value

    @field_validator("admins")
    @classmethod
    def _user_ids(cls, value: list[str]) -> list[str]:
        return _check_ids(
            value, USER_ID, "Slack user ids look like U0123ABCD (profile → Copy member ID)"
        )

    @field_validator("digest_channels")
    @classmethod
    def _channel_ids(cls, value: list[str]) -> list[str]:
        return _check_ids(value, CHANNEL_ID, "channel ids look like C0123ABCD, not #names")

    @field_validator("digest_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. UTC, Europe/Berlin)") from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab line ({exc}); e.g. '0 9 * * mon'") from None
        return value
