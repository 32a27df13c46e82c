"""Configuration from the environment or a `.env` file (names are public: see DESIGN.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.durations import parse_duration
from bot.severity import SeverityRules

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///./crisisbot.db"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    crisis_channel: str | None = None

    alert_webhook_secret: SecretStr | None = None

    ack_timeout: Duration = timedelta(minutes=15)
    reminder_interval: Duration = timedelta(hours=2)
    language: Literal["en", "pl"] = "en"

    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)

    teams_app_id: str | None = None
    teams_app_password: SecretStr | None = None
    teams_app_tenant_id: str | None = None
    # Unset: Teams is on when TEAMS_APP_ID is set. true without TEAMS_APP_ID: a local
    # emulator, unauthenticated. Off, nothing is queued for Teams (a Slack-only deployment
    # keeps no messages waiting for a Teams channel that will never come).
    teams_enabled: bool | None = None
    # Where botbuilder gets the Bot Framework's signing keys, and the issuer its tokens carry.
    # Unset: the public cloud's. Tests and sovereign clouds point them elsewhere.
    teams_openid_metadata_url: str | None = None
    teams_token_issuer: str = "https://api.botframework.com"

    # Triage. An author's posts about the same brand join their open crisis within this
    # window after their last one.
    author_group_window: Duration = timedelta(hours=24)
    # The live summary of a crisis (root message and summary reply) is edited at most this
    # often while alerts keep coming: a storm costs a few Slack calls, not one per alert.
    summary_interval: Duration = timedelta(seconds=30)
    # Severity: the audience (the larger of reach and author followers), the number of posts
    # and comments, and the tone. Each list holds the smallest value for medium, high, critical.
    severity_audience: str = "1000,10000,100000"
    severity_volume: str = "5,20,100"
    # A sentiment at or below this lifts the severity one level.
    severity_very_negative: float = Field(default=-0.7, ge=-1, le=1)
    # Spike detection: mentions of a brand in the current hour against the same brand's hourly
    # counts over the baseline period: a spike is at least mean + SIGMAS standard deviations
    # and at least MIN_COUNT mentions.
    spike_sigmas: float = Field(default=3.0, gt=0)
    spike_min_count: int = Field(default=10, ge=1)
    spike_baseline: Duration = timedelta(days=7)
    # After a spike, further mentions of the brand join the spike's crisis for this long after
    # the last one.
    spike_group_window: Duration = timedelta(hours=2)
    # Brands with their own crisis channel: `Brand One=C0123,Other=C0456` (unmapped brands go to
    # CRISIS_CHANNEL). `/crisis channel` changes this at run time.
    brand_channels: str = ""

    # After a crisis closes, new negative posts about the same post or by the same author
    # reopen it (instead of opening a new crisis) for this long.
    relapse_window: Duration = timedelta(days=7)

    # Where people reach this server from outside (the customer's confirmation page).
    # Unset: no confirmation links, and the thread says why.
    public_base_url: str | None = None
    # Signs confirmation links. Unset: one is generated and kept in the database, shared by
    # every replica. Changing it voids the links already sent.
    confirmation_secret: SecretStr | None = None
    confirmation_link_ttl: Duration = timedelta(days=14)

    # The local sandbox: a fake Slack workspace in the browser at /sandbox. Unset: on when no
    # chat platform is configured (no Slack credentials, no TEAMS_APP_ID), so a fresh clone
    # shows something; anyone who reaches the port can act as any roster member there.
    sandbox: bool | None = None

    # Intake commits the alerts that queue together in one transaction: at most this many (on
    # SQLite a batch holds the one write lock, so a person's click waits for it), and a batch
    # that is not full waits this long for more (group commit).
    intake_batch_max: int = Field(default=100, ge=1, le=5000)
    intake_batch_wait: Duration = timedelta(milliseconds=2)

    log_level: str = "info"
    # How often the reminder sweep looks for due reminders (a reminder fires at most this
    # late), and how often outbox delivery looks for work when nothing woke it.
    sweep_interval: Duration = timedelta(seconds=0.5)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL and needs the trailing slash.
        return value if value.endswith("/") else value + "/"

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "alert_webhook_secret",
        "teams_app_password",
        "crisis_channel",
        "teams_app_id",
        "teams_app_tenant_id",
        "public_base_url",
        "confirmation_secret",
        "sandbox",
        "teams_openid_metadata_url",
        "teams_enabled",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("an absolute http(s) URL, e.g. https://crisisbot.example.com")
        return value.strip().rstrip("/")

    @field_validator("confirmation_link_ttl", "relapse_window")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta():
            raise ValueError("a duration above zero, e.g. 14d")
        return value

    @model_validator(mode="after")
    def _sandbox_only_without_slack(self) -> Settings:
        if self.sandbox and self.slack_enabled:
            raise ValueError(
                "SANDBOX is on but Slack credentials are set: the sandbox replaces Slack; "
                "unset SANDBOX or the SLACK_ variables"
            )
        return self

    @field_validator("severity_audience", "severity_volume")
    @classmethod
    def _three_rising_numbers(cls, value: str) -> str:
        numbers = parse_thresholds(value)
        if len(numbers) != 3 or not numbers[0] < numbers[1] < numbers[2]:
            raise ValueError("three rising whole numbers (medium,high,critical), e.g. 5,20,100")
        return value

    @field_validator("brand_channels")
    @classmethod
    def _brand_channel_pairs(cls, value: str) -> str:
        parse_brand_channels(value)
        return value

    @property
    def teams_on(self) -> bool:
        return self.teams_enabled if self.teams_enabled is not None else bool(self.teams_app_id)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def sandbox_enabled(self) -> bool:
        if self.sandbox is not None:
            return self.sandbox
        return not self.slack_enabled and not self.teams_on


def parse_thresholds(value: str) -> list[int]:
    try:
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError("whole numbers separated by commas, e.g. 5,20,100") from None


def parse_brand_channels(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        brand, sep, channel = item.partition("=")
        if not sep or not brand.strip() or not channel.strip():
            raise ValueError("pairs of brand=channel id separated by commas, e.g. Sklep=C0123")
        pairs[brand.strip()] = channel.strip()
    return pairs


def severity_rules(settings: Settings) -> SeverityRules:
    audience = parse_thresholds(settings.severity_audience)
    volume = parse_thresholds(settings.severity_volume)
    return SeverityRules(
        audience=(audience[0], audience[1], audience[2]),
        volume=(volume[0], volume[1], volume[2]),
        very_negative=settings.severity_very_negative,
    )
