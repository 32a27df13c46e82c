"""The alert webhook's body: what a social-listening tool reports, validated."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
)


class Source(enum.StrEnum):
    facebook = "facebook"
    instagram = "instagram"
    linkedin = "linkedin"
    x = "x"
    tiktok = "tiktok"
    google_reviews = "google_reviews"
    trustpilot = "trustpilot"
    forum = "forum"
    other = "other"


# The database's INTEGER columns hold reach and followers (a few billion is more than any
# network has people).
MAX_COUNT = 2**31 - 1
# Posts are dated within this range; outside it a date is a sender's bug (and the far edges
# of `datetime` overflow when converted to UTC).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def check_url(value: str) -> str:
    """An http(s) URL with a host and, if any, a port that exists."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise ValueError("must be an http(s) URL with a port from 0 to 65535") from None
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text, and no real post contains one.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return utc


def _id_as_text(value: Any) -> Any:
    # Many sources number their posts; the id is text to us either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


NoNul = AfterValidator(_no_nul)
Url = Annotated[str, Field(min_length=1, max_length=2048), NoNul, AfterValidator(check_url)]
ShortText = Annotated[str, Field(max_length=200), NoNul]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
PostedAt = Annotated[AwareDatetime, Field(strict=False), AfterValidator(_in_range)]


class Author(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    name: ShortText | None = None
    handle: ShortText | None = None
    followers: Count | None = None


class AlertIn(BaseModel):
    """One reported post or comment. Unknown fields are ignored so tools can send more."""

    model_config = ConfigDict(extra="ignore", strict=True, str_strip_whitespace=True)

    id: Annotated[str, BeforeValidator(_id_as_text), Field(min_length=1, max_length=200), NoNul]
    source: Annotated[Source, Field(strict=False)]
    url: Url
    text: Annotated[str, Field(min_length=1, max_length=40_000), NoNul]
    author: Author | None = None
    parent_url: Url | None = None
    brand: ShortText | None = None
    sentiment: Annotated[float, Field(ge=-1, le=1)] | None = None
    reach: Count | None = None
    language: Annotated[str, Field(max_length=16), NoNul] | None = None
    created_at: PostedAt | None = None

    @property
    def author_name(self) -> str | None:
        return self.author.name if self.author else None

    @property
    def author_handle(self) -> str | None:
        return self.author.handle if self.author else None

    @property
    def author_followers(self) -> int | None:
        return self.author.followers if self.author else None


class AlertInvalid(ValueError):
    def __init__(self, error: str, field: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.field = field


def parse_alert(data: Any) -> AlertIn:
    """Validate one alert; the first problem becomes an error that names its field."""
    if not isinstance(data, dict):
        raise AlertInvalid("an alert must be a JSON object", None)
    try:
        return AlertIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = first["msg"]
        if first["type"] == "missing":
            message = "is required"
        elif first["type"] == "enum":
            message = "must be one of " + ", ".join(s.value for s in Source)
        raise AlertInvalid(f"{field}: {message}" if field else message, field) from None
