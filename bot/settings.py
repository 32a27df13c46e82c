"""Configuration from the environment or a `.env` file (names are public: see DESIGN.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.durations import parse_duration
from bot.schedule import cron_trigger
from bot.severity import SeverityRules

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # Errors name the setting and what is wrong, never its value: many are secrets.
        hide_input_in_errors=True,
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
    # The sandbox's own database, made afresh at every start (a SQLite file is deleted first):
    # its fake workspace lives in memory, so a restart must not show an empty channel over
    # crises kept from before, and trying the sandbox never touches DATABASE_URL.
    sandbox_database_url: str = "sqlite:///./crisisbot-sandbox.db"

    # Native sources (see DESIGN "Native sources"). Meta: the app secret signs each delivery,
    # the verify token answers the subscription handshake; pages and Instagram accounts map to
    # brands as `<page or IG account id>=<brand>,…` (an id missing there is its own brand).
    meta_app_secret: SecretStr | None = None
    meta_verify_token: SecretStr | None = None
    meta_page_brands: str = ""
    # Instagram-Login apps sign with their Instagram app secret. Unset: META_APP_SECRET.
    instagram_app_secret: SecretStr | None = None
    # Page access tokens `<page or IG account id>=<token>,…`: an item of such a page or account
    # gets its post's permalink from the Graph API (base URL below) instead of one built from
    # the ids. Secrets: never logged, so not checked here either (pydantic's errors quote the
    # value); a malformed list is reported without them when it is read.
    meta_page_tokens: SecretStr | None = None
    meta_graph_api_url: str = "https://graph.facebook.com/v21.0"
    # Instagram-Login apps: `<IG account id>=<Instagram user access token>,…`. Their tokens
    # are only valid on graph.instagram.com, not on the Facebook Graph API above.
    instagram_tokens: SecretStr | None = None
    instagram_graph_api_url: str = "https://graph.instagram.com/v21.0"
    # Trustpilot signs nothing: the token in the webhook's path is the secret.
    trustpilot_webhook_token: SecretStr | None = None
    trustpilot_brand: str | None = None
    # Zapier, Make and the like: the token in the path, and a JSON object mapping our field
    # names (dotted for nested ones) to dotted paths in the sender's JSON, or `=constant`.
    # Empty: the body is in our /alerts schema.
    generic_webhook_token: SecretStr | None = None
    generic_field_map: str = ""

    # Dates people give (exports) and the weekly digest's schedule are in this time zone.
    timezone: str = "Europe/Warsaw"
    # The weekly digest: a cron expression (minute hour day month weekday) in TIMEZONE.
    digest_schedule: str = "0 9 * * 1"
    # Bearer token of `GET /export/crises.csv`. Unset: the route does not exist.
    export_token: SecretStr | None = None
    # Google Business Profile reviews: Pub/Sub pushes carry Google's OIDC token for this
    # audience (the push subscription's) and service account; the review is then read from
    # the Business Profile API with the account owner's OAuth refresh token.
    google_pubsub_audience: str | None = None
    google_pubsub_service_account: str | None = None
    google_oauth_client_id: str | None = None
    google_oauth_client_secret: SecretStr | None = None
    google_oauth_refresh_token: SecretStr | None = None
    google_brand: str | None = None
    google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_business_api_url: str = "https://mybusiness.googleapis.com/v4"
    # Brand24 has no webhooks: each project `<project id>=<brand>,…` is polled.
    brand24_api_key: SecretStr | None = None
    brand24_projects: str = ""
    brand24_api_url: str = "https://api-data.brand24.com"
    brand24_poll_interval: Duration = timedelta(minutes=5)
    # Mention: each alert `<alert id>=<brand>,…` of the account is polled.
    mention_access_token: SecretStr | None = None
    mention_account_id: str | None = None
    mention_alerts: str = ""
    mention_api_url: str = "https://api.mention.net/api"
    mention_poll_interval: Duration = timedelta(minutes=5)

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
        "meta_app_secret",
        "meta_verify_token",
        "instagram_app_secret",
        "meta_page_tokens",
        "instagram_tokens",
        "trustpilot_webhook_token",
        "trustpilot_brand",
        "generic_webhook_token",
        "export_token",
        "google_pubsub_audience",
        "google_pubsub_service_account",
        "google_oauth_client_id",
        "google_oauth_client_secret",
        "google_oauth_refresh_token",
        "google_brand",
        "brand24_api_key",
        "mention_access_token",
        "mention_account_id",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", "sandbox_database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        # Refused at start with the reason, rather than by the driver at the first
        # connection (`connect() got an unexpected keyword argument 'sslmode'`).
        from models.session import async_url

        async_url(value)
        return value

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

    @field_validator("timezone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"{value!r} is not a time zone, e.g. Europe/Warsaw or UTC") from None
        return value.strip()

    @field_validator("digest_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            cron_trigger(value, ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a cron expression (minute hour day month weekday), "
                f"e.g. 0 9 * * 1: {exc}"
            ) from None
        return value.strip()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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

    @field_validator("meta_page_brands")
    @classmethod
    def _page_brand_pairs(cls, value: str) -> str:
        parse_page_brands(value)
        return value

    @field_validator("meta_page_tokens")
    @classmethod
    def _page_token_pairs(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_page_tokens(value.get_secret_value())
        return value

    @field_validator("instagram_tokens")
    @classmethod
    def _instagram_token_pairs(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_page_tokens(value.get_secret_value(), _INSTAGRAM_TOKEN_PAIR)
        return value

    @field_validator("brand24_projects", "mention_alerts")
    @classmethod
    def _feed_brand_pairs(cls, value: str) -> str:
        parse_feed_brands(value)
        return value

    @field_validator("brand24_poll_interval", "mention_poll_interval")
    @classmethod
    def _poll_interval(cls, value: timedelta) -> timedelta:
        if value <= timedelta():
            raise ValueError("a duration above zero, e.g. 5m")
        return value

    @field_validator(
        "brand24_api_url",
        "mention_api_url",
        "google_business_api_url",
        "meta_graph_api_url",
        "instagram_graph_api_url",
    )
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @field_validator("generic_field_map")
    @classmethod
    def _field_map(cls, value: str) -> str:
        parse_field_map(value)
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


def parse_page_brands(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        account, sep, brand = item.partition("=")
        if not sep or not account.strip() or not brand.strip():
            raise ValueError(
                "pairs of page or Instagram account id=brand separated by commas, "
                "e.g. 104857600000001=Sklep"
            )
        pairs[account.strip()] = brand.strip()
    return pairs


_PAGE_TOKEN_PAIR = "page or Instagram account id=page access token"
_INSTAGRAM_TOKEN_PAIR = "Instagram account id=Instagram user access token"


def parse_page_tokens(value: str, pair: str = _PAGE_TOKEN_PAIR) -> dict[str, str]:
    """META_PAGE_TOKENS: `<page or IG account id>=<page access token>,…` (INSTAGRAM_TOKENS
    alike, `pair` naming what each pair holds). Its errors never quote the tokens."""
    pairs: dict[str, str] = {}
    for number, item in enumerate(value.split(","), start=1):
        if not item.strip():
            continue
        account, sep, token = item.partition("=")
        if not sep or not account.strip() or not token.strip():
            raise ValueError(f"pair {number} is not {pair} (pairs separated by commas)")
        pairs[account.strip()] = token.strip()
    return pairs


def parse_feed_brands(value: str) -> dict[str, str]:
    """BRAND24_PROJECTS and MENTION_ALERTS: `<project or alert id>=<brand>,…`."""
    pairs: dict[str, str] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        feed_id, sep, brand = item.partition("=")
        if not sep or not feed_id.strip() or not brand.strip():
            raise ValueError(
                "pairs of project or alert id=brand separated by commas, e.g. 123=Sklep"
            )
        pairs[feed_id.strip()] = brand.strip()
    return pairs


def parse_field_map(value: str) -> dict[str, str]:
    """GENERIC_FIELD_MAP: our field (dotted) -> a dotted path in the sender's JSON, or
    `=constant`. Empty: no map."""
    if not value.strip():
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        raise ValueError(
            'a JSON object, e.g. {"id": "data.id", "text": "data.body", "source": "=forum"}'
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in data.items()
    ):
        raise ValueError("a JSON object of our field names to paths (strings)")
    return data
