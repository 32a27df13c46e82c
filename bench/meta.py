"""A Meta delivery of 1,000 changes: how long the answer takes (DESIGN: within 2 s) and how
long until every change is processed from the inbox, against the real server process.

    python -m bench.meta                                  SQLite in a temporary directory
    python -m bench.meta --database-url postgresql://…    a database it may wipe
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.fake import RateLimitedSlack
from bench.server import Server, fresh_database

SECRET = "bench-meta-secret"
PAGE = "104857600000001"
ANSWER_TARGET = 2.0
PROCESSED_TARGET = 10.0


def delivery(changes: int) -> bytes:
    """`changes` comments in one POST, as Meta batches them: a tenth of them complaints,
    spread over 50 posts of one page."""
    entries = []
    for n in range(changes):
        post = f"{PAGE}_7{n % 50:014d}"
        entries.append(
            {
                "id": PAGE,
                "time": 1795435200,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": f"9{n:014d}", "name": f"Person {n}"},
                            "message": "Nie polecam, paczka nie dotar\u0142a, oszustwo!"
                            if n % 10 == 0
                            else "Dzi\u0119kuj\u0119, wszystko super!",
                            "post_id": post,
                            "comment_id": f"7{n % 50:014d}_8{n:014d}",
                            "created_time": 1795435200 + n,
                            "item": "comment",
                            "parent_id": post,
                            "verb": "add",
                        },
                    }
                ],
            }
        )
    return json.dumps({"object": "page", "entry": entries}, separators=(",", ":")).encode()


CHANGES = 1000
# The server's settings for the Meta route: the app secret that signs, the page's brand.
ENV = {"META_APP_SECRET": SECRET, "META_PAGE_BRANDS": f"{PAGE}=Sklep"}


async def send(server: Server, changes: int) -> tuple[float, float]:
    """Seconds from sending the delivery until it is answered, and until every change is
    processed (counted in the server's metrics)."""
    body = delivery(changes)
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    async with aiohttp.ClientSession() as http:
        started = time.perf_counter()
        async with http.post(
            server.url + "/sources/meta",
            data=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        ) as response:
            await response.read()
            answered = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"the delivery was answered {response.status}")
        while True:
            metrics = await server.metrics()
            done = sum(
                value
                for name, value in metrics.items()
                if name.startswith("crisisbot_source_items_total{") and 'source="meta"' in name
            )
            if done >= changes:
                return answered, time.perf_counter() - started
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"only {done:.0f} of {changes} changes processed in 5 min")
            # Not more often: rendering the metrics takes the server's CPU from the work.
            await asyncio.sleep(0.25)


async def measure(
    database_url: str, workdir: Path, changes: int, **env: str
) -> tuple[float, float]:
    """`send` to a fresh server process with a fake Slack."""
    async with RateLimitedSlack(rate_limits=False) as fake:
        server = Server.crisisbot(database_url, fake.base_url, workdir, **ENV, **env)
        async with server:
            return await send(server, changes)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=CHANGES)
    parser.add_argument("--database-url", help="PostgreSQL to use (its data is wiped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # A database left by another benchmark may hold rows (and sequences) in the way.
        backend = "postgresql" if args.database_url else "sqlite"
        url = await fresh_database(backend, workdir, "meta", args.database_url or "")
        answered, processed = await measure(url, workdir, args.changes)
    answer = "met" if answered <= ANSWER_TARGET else "MISSED"
    done = "met" if processed <= PROCESSED_TARGET else "MISSED"
    print(
        f"{backend}: a {args.changes}-change Meta delivery answered in {answered:.3f} s "
        f"(target {ANSWER_TARGET:.0f} s: {answer}); every change processed after "
        f"{processed:.1f} s (target {PROCESSED_TARGET:.0f} s: {done})"
    )


if __name__ == "__main__":
    asyncio.run(main())
