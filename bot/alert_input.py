"""The alert webhook's body: what a social-listening tool reports, validated."""

from __future__ import annotations

import enum
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


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value


def _id_as_text(value: Any) -> Any:
    # Many sources number their posts; the id is text to us either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Url = Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(_check_url)]
ShortText = Annotated[str, Field(max_length=200)]


class Author(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    name: ShortText | None = None
    handle: ShortText | None = None
    followers: Annotated[StrictInt, Field(ge=0)] | None = None


class AlertIn(BaseModel):
    """One reported post or comment. Unknown fields are ignored so tools can send more."""

    model_config = ConfigDict(extra="ignore", strict=True, str_strip_whitespace=True)

    id: Annotated[str, BeforeValidator(_id_as_text), Field(min_length=1, max_length=200)]
    source: Annotated[Source, Field(strict=False)]
    url: Url
    text: Annotated[str, Field(min_length=1, max_length=40_000)]
    author: Author | None = None
    parent_url: Url | None = None
    brand: ShortText | None = None
    sentiment: Annotated[float, Field(ge=-1, le=1)] | None = None
    reach: Annotated[StrictInt, Field(ge=0)] | None = None
    language: Annotated[str, Field(max_length=16)] | None = None
    created_at: Annotated[AwareDatetime, Field(strict=False)] | None = None

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
