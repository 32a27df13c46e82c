"""One key per post, whatever tracking parameters or spelling of its URL an alert uses."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The lengths of the columns that hold the keys (crises.post_key, crises.brand_key).
POST_KEY_MAX = 2100
BRAND_KEY_MAX = 200

_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "igshid", "mc_cid", "mc_eid", "ref", "si"})


# A storm of comments under one post, and each alert's keys read before and while it is
# decided, parse the same URLs again and again.
@lru_cache(maxsize=8192)
def post_key(url: str) -> str:
    """Normalise a post URL: scheme and host case, `www.`, trailing slash, fragment, trackers."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.port:
        host = f"{host}:{parts.port}"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in _TRACKING_PARAMS and not name.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/") or "/"
    return bounded(urlunsplit(("https", host, path, urlencode(query), "")), POST_KEY_MAX)


def bounded(key: str, limit: int) -> str:
    """`key`, or when it outgrows its column (normalising can lengthen a valid input): a
    prefix and a digest of the whole, so distinct keys stay distinct."""
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return key[: limit - len(digest) - 1] + "#" + digest
