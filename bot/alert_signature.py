"""The alert webhook's signature, made like Slack's so tools can reuse their code.

`X-Crisis-Signature: v1=<hex HMAC-SHA256(secret, "v1:<timestamp>:<raw body>")>` with
`X-Crisis-Timestamp: <unix seconds>`; older than five minutes is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TIMESTAMP_HEADER = "X-Crisis-Timestamp"
SIGNATURE_HEADER = "X-Crisis-Signature"
MAX_AGE_SECONDS = 300
# ASCII digits only (str.isdigit() takes '²'), and no more than a Unix time needs.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    base = f"v1:{timestamp}:".encode() + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """Headers a sender adds to a request (used by tests, the sandbox and scripts)."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def is_valid(
    secrets: list[str], timestamp: str | None, sig: str | None, body: bytes, now: float
) -> bool:
    """True when any active secret signed this body within the last five minutes."""
    if not timestamp or not sig or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    valid = False
    for secret in secrets:
        # Check every secret, so the time taken does not tell which one matched.
        valid |= hmac.compare_digest(signature(secret, timestamp, body), sig)
    return valid
