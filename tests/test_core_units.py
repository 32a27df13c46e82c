"""Unit tests of the core's pure parts: no database, no Slack."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.alert_input import AlertInvalid, parse_alert
from bot.categories import Category, classify
from bot.durations import format_duration, parse_duration
from bot.i18n import CATALOGUES, placeholders, translate
from bot.post_keys import post_key
from bot.settings import Settings
from bot.severity import Severity, SeverityInput, assess
from models.session import async_url

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_GROUPS = {
    "error", "usage", "thread", "intake", "roster", "list", "status", "timeline", "root",
    "button", "help", "owner", "actor", "page", "sandbox",
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        (" 1.5h ", 5400),
        (30, 30),
    ],
)
def test_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "soon", "-5m", "0", "5 minutes", "1w", "m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h 30m"
    assert format_duration(timedelta(days=2, hours=3, minutes=4)) == "2d 3h"


def test_settings_read_durations_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACK_TIMEOUT", "90s")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.ack_timeout == timedelta(seconds=90)
    assert settings.reminder_interval == timedelta(hours=2)
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.slack_bot_token is None and not settings.slack_enabled
    assert (settings.port, settings.language) == (3000, "en")
    assert settings.database_url == "sqlite:///./crisisbot.db"


@pytest.mark.parametrize(
    ("written", "used"),
    [
        (
            "postgres://shop:s3cr3t@db.example.com:5432/shop?sslmode=require",
            "postgresql+asyncpg://shop:***@db.example.com:5432/shop?ssl=require",
        ),
        ("postgresql+psycopg2://shop@db/shop", "postgresql+asyncpg://shop@db/shop"),
        (
            "postgresql://shop@pgbouncer/shop?prepared_statement_cache_size=0",
            "postgresql+asyncpg://shop@pgbouncer/shop?prepared_statement_cache_size=0",
        ),
        ("sqlite:///./crisisbot.db", "sqlite+aiosqlite:///./crisisbot.db"),
    ],
)
def test_database_urls_as_hosting_services_write_them(written: str, used: str) -> None:
    assert async_url(written).render_as_string(hide_password=True) == used


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("mysql://shop:s3cr3t@db/shop", "must be sqlite:///… or postgresql://…, not mysql"),
        ("postgresql://shop:s3cr3t@db/shop?sslmode=always", "has an sslmode other than disable"),
        ("postgresql://shop:s3cr3t@db/shop?sslmode=require&ssl=disable", "disagree"),
        (
            "postgresql://shop:s3cr3t@db/shop?connect_timeout=5",
            "has connect_timeout, which the bot cannot pass on to PostgreSQL",
        ),
    ],
)
def test_a_database_url_the_bot_cannot_use_is_refused_at_start_saying_why(
    monkeypatch: pytest.MonkeyPatch, written: str, reason: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", written)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    [error] = refused.value.errors()
    # What the CLI prints: the setting and the reason, never the password.
    assert error["loc"] == ("database_url",)
    assert reason in error["msg"] and "s3cr3t" not in error["msg"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Czekam na paczkę od trzech tygodni, kurier nic nie wie", Category.delivery_delay),
        ("My order still hasn't arrived after 3 weeks, terrible delivery", Category.delivery_delay),
        ("Kurtka jest zupełnie inna niż na zdjęciu, niezgodna z opisem", Category.not_as_described),
        ("The item arrived damaged and is not as described", Category.not_as_described),
        ("Sklep odrzucił moją reklamację bez powodu", Category.complaint_rejected),
        ("They rejected my complaint about a broken zipper", Category.complaint_rejected),
        ("Po zamówieniu zmienili cenę i każą dopłacić", Category.price_change),
        ("They changed the price after I ordered, now I have to pay more", Category.price_change),
        (
            "Infolinia nie odpowiada od tygodnia, obsługa klienta to dramat",
            Category.customer_service,
        ),
        ("Customer service ignored my emails, no reply at all", Category.customer_service),
        ("Nie polecam tego sklepu.", Category.other),
    ],
)
def test_categories_from_polish_and_english(text: str, category: Category) -> None:
    assert classify(text) is category


def test_severity_thresholds() -> None:
    def level(
        reach: int = 0, followers: int = 0, sentiment: float | None = None, alerts: int = 1
    ) -> Severity:
        return assess(SeverityInput(reach, followers, sentiment, alerts))

    assert level() is Severity.low
    assert level(reach=999) is Severity.low
    assert level(reach=1_000) is Severity.medium
    assert level(followers=10_000) is Severity.high
    assert level(reach=100_000) is Severity.critical
    assert level(alerts=20) is Severity.high
    assert level(reach=1_000, sentiment=-0.9) is Severity.high
    assert level(reach=100_000, sentiment=-1) is Severity.critical


def test_post_keys_ignore_spelling_and_trackers() -> None:
    key = post_key("https://facebook.com/shop/posts/1")
    for same in (
        "http://www.facebook.com/shop/posts/1/",
        "https://m.facebook.com/shop/posts/1?utm_source=x&fbclid=abc#comments",
        "HTTPS://FACEBOOK.COM/shop/posts/1",
    ):
        assert post_key(same) == key
    assert post_key("https://facebook.com/shop/posts/2") != key
    assert post_key("https://facebook.com/story.php?story_fbid=1&id=2") != post_key(
        "https://facebook.com/story.php?story_fbid=3&id=2"
    )


def test_alert_validation_names_the_field() -> None:
    good = {"id": 12345, "source": "google_reviews", "url": "https://g.co/r/1", "text": "zły sklep"}
    assert parse_alert(good).id == "12345"
    cases = {
        "id": {**good, "id": ""},
        "source": {**good, "source": "myspace"},
        "text": {**good, "text": "   "},
        "author.name": {**good, "author": {"name": 5}},
        "reach": {**good, "reach": True},
        "created_at": {**good, "created_at": "2026-11-23T10:00:00"},  # no time zone
    }
    for field, data in cases.items():
        with pytest.raises(AlertInvalid) as refused:
            parse_alert(data)
        assert refused.value.field == field, data
    with pytest.raises(AlertInvalid):
        parse_alert(["not", "an", "object"])


def test_both_languages_have_the_same_messages_and_placeholders() -> None:
    en, pl = CATALOGUES["en"], CATALOGUES["pl"]
    assert set(en) == set(pl)
    for key in en:
        assert placeholders(en[key]) == placeholders(pl[key]), key
    assert translate("pl", "intake.opened", n=3) == "Otwarto kryzys #3."
    # A missing parameter shows its name rather than failing a message to a user.
    assert translate("en", "intake.opened") == "Crisis #{n} opened."


def test_every_message_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if (
                    value.split(".")[0] in MESSAGE_GROUPS
                    and "." in value
                    and " " not in value
                    and not value.endswith(".")
                ):
                    used.add(value)
    missing = sorted(key for key in used if key not in CATALOGUES["en"])
    assert len(used) > 30 and missing == []


def test_the_core_knows_nothing_of_slack_or_teams() -> None:
    for path in ROOT.glob("bot/**/*.py"):
        if path.name == "app.py":  # assembly wires the edges in
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("slack", "botbuilder", "handlers")), (path, name)
