"""Reading a request's raw body with a size limit, for the webhooks that sign it."""

from __future__ import annotations

from aiohttp import web


async def read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The raw body exactly as sent, or None when it is over `limit` bytes (reading no
    further than that)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    # read(n) returns what has arrived so far, not n bytes: keep reading to the end.
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        return None
    return b"".join(chunks)
