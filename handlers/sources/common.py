"""What every native source's route does alike: a bounded body, JSON, storing, answering."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any

import structlog
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.inbox import Inbox
from bot.metrics import SOURCE_DELIVERIES
from handlers.bodies import read_at_most

# Meta batches up to 1,000 changes in one POST; nothing a source sends is larger.
MAX_BODY = 2 * 1024 * 1024

log = structlog.get_logger(__name__)


class Refused(Exception):
    """A delivery refused before anything is stored: the status and a clear reason."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def answer(feed: str, status: int, body: dict[str, Any]) -> web.Response:
    SOURCE_DELIVERIES.labels(source=feed, code=str(status)).inc()
    return web.json_response(body, status=status)


async def read_body(request: web.Request) -> bytes:
    """The raw body (signatures are computed over these exact bytes), at most MAX_BODY."""
    body = await read_at_most(request, MAX_BODY)
    if body is None:
        raise Refused(413, f"the body is over {MAX_BODY} bytes")
    return body


def decode_json(body: bytes) -> tuple[Any, str]:
    """The JSON value and the body as text (stored as it came)."""
    try:
        text = body.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "the body must be JSON (UTF-8)") from None
    except RecursionError:
        raise Refused(400, "the JSON is nested too deeply") from None
    if "\x00" in text:
        raise Refused(400, "the body must not contain NUL characters")
    return data, text


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so the answer's timing tells nothing about the secret."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


async def store(inbox: Inbox, feed: str, text: str) -> web.Response | None:
    """Store the delivery; None when stored, else the answer that says it was not (the
    sender retries: nothing was kept)."""
    try:
        await inbox.receive(feed, text)
    except (SQLAlchemyError, OSError, TimeoutError):
        log.exception("source delivery not stored", source=feed)
        return answer(feed, 503, {"error": "the delivery could not be stored; retry"})
    return None


def rfc3339(value: Any) -> str | None:
    """A time as sources send it (epoch seconds, or an ISO 8601 text) in RFC 3339, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed.isoformat() if parsed.tzinfo else parsed.replace(tzinfo=UTC).isoformat()
    return None


def id_text(value: Any) -> str | None:
    """An id as text: sources send numbers (Meta's sender_id) or strings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def object_at(data: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object under `key`; an empty one when it is missing or not an object."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}
