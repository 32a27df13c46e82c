"""Calls to the vendors' APIs (Google, Brand24, Mention): JSON in, a clear error out."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

# A vendor that has not answered by then is treated as down; the next try comes later.
TIMEOUT = aiohttp.ClientTimeout(total=30)
_HINTS = {
    401: "the credentials were refused",
    403: "the credentials lack access",
    404: "not found",
    429: "rate limited",
}


class ApiError(Exception):
    """A failed call, in words fit for `/crisis sources` (never the credentials)."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


async def request_json(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    vendor: str,
    setting: str,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
) -> Any:
    """The JSON answer of a 2xx; otherwise ApiError naming the status and what to check."""
    try:
        async with http.request(
            method, url, headers=headers, params=params, data=data, timeout=TIMEOUT
        ) as response:
            body = await response.read()
            if response.status >= 300:
                hint = _HINTS.get(response.status) or (
                    "the service is failing" if response.status >= 500 else "refused"
                )
                if response.status in (401, 403):
                    hint += f" (check {setting})"
                raise ApiError(
                    f"{vendor} API answered {response.status}: {hint}",
                    response.status,
                    _retry_after(response.headers.get("Retry-After")),
                )
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ApiError(f"{vendor} API not reachable: {exc.__class__.__name__}") from None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(f"{vendor} API answered something that is not JSON") from None


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds <= 86400 else None
