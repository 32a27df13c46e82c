"""What the listening tools' mentions (Brand24, Mention, their exports) have in common:
the network a link belongs to, and an id for mentions that bring none of their own."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

from bot.alert_input import Source

# The text a mention without any gets (our alerts need one): it reads as no complaint, so
# such a mention is judged by its sentiment alone.
NO_TEXT = "[a mention without text]"
_MAX_ID = 200
_HOSTS = {
    "facebook.com": Source.facebook,
    "fb.com": Source.facebook,
    "fb.watch": Source.facebook,
    "instagram.com": Source.instagram,
    "twitter.com": Source.x,
    "x.com": Source.x,
    "t.co": Source.x,
    "tiktok.com": Source.tiktok,
    "linkedin.com": Source.linkedin,
    "trustpilot.com": Source.trustpilot,
}
_CATEGORIES = {
    "facebook": Source.facebook,
    "instagram": Source.instagram,
    "twitter": Source.x,
    "x": Source.x,
    "tiktok": Source.tiktok,
    "linkedin": Source.linkedin,
    "forum": Source.forum,
    "forums": Source.forum,
    "reviews": Source.other,
}


def network(url: str | None, category: str | None = None) -> Source:
    """The network of a link (by its host), else of the tool's category, else other."""
    host = (urlsplit(url).hostname or "") if url else ""
    for known, source in _HOSTS.items():
        if host == known or host.endswith("." + known):
            return source
    return _CATEGORIES.get((category or "").strip().lower(), Source.other)


def canonical_url(url: str) -> str:
    """The link without its fragment, with a lower-case host and no trailing slash: the
    same post linked twice gets one id."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def url_id(url: str) -> str:
    """The mention's id from its link (a hash when the link is too long to be an id)."""
    canonical = canonical_url(url)
    if len(canonical) <= _MAX_ID:
        return canonical
    return "url-sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def content_id(*parts: str | None) -> str:
    """An id for a mention with no link: a hash of what it says and when."""
    joined = "\x1f".join(part or "" for part in parts)
    return "text-sha256:" + hashlib.sha256(joined.encode()).hexdigest()


def http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    return (
        value if urlsplit(value).scheme in ("http", "https") and urlsplit(value).hostname else None
    )
