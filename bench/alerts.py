"""Alert bodies as a social-listening tool sends them, signed."""

from __future__ import annotations

import json
import time
from typing import Any

from bench.load import Request
from bench.server import ALERT_SECRET
from bot import alert_signature

_TEXTS = [
    "Zamówiłam kurtkę trzy tygodnie temu i nadal czekam na paczkę. Kurier nic nie wie!",
    "Ordered a jacket three weeks ago and it still has not arrived. Nobody answers emails.",
    "Reklamację odrzucono bez powodu, a buty rozkleiły się po tygodniu.",
    "The colour is nothing like the photos and the size chart is wrong. Not as described.",
    "Cena wzrosła po złożeniu zamówienia, a obsługa nie odpowiada od tygodnia.",
]


def post(run: str, index: int, **fields: Any) -> dict[str, Any]:
    """A post that opens a crisis of its own: its own URL and author, no brand (a brand's
    burst of mentions would join the brand's spike crisis instead)."""
    body: dict[str, Any] = {
        "id": f"{run}-{index}",
        "source": "facebook",
        "url": f"https://www.facebook.com/bench/posts/{run}-{index}",
        "text": _TEXTS[index % len(_TEXTS)],
        "author": {"name": f"Author {index}", "handle": f"{run}.{index}", "followers": 400},
        "reach": 900,
        "sentiment": -0.6,
        "language": "pl" if index % 2 == 0 else "en",
    }
    body.update(fields)
    return body


def comment(run: str, index: int, parent_url: str) -> dict[str, Any]:
    """A comment under `parent_url`: it joins that post's crisis."""
    return post(
        run,
        index,
        url=f"{parent_url}/comments/{run}-{index}",
        parent_url=parent_url,
        reach=50,
    )


def signed(payload: Any) -> Request:
    body = json.dumps(payload).encode()
    return body, alert_signature.sign(ALERT_SECRET, body, int(time.time()))
