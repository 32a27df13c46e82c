"""Helpers for the native sources' tests: fixtures in the vendors' shapes, signed as they sign."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from models import InboxItem, ItemStatus
from models.session import Database

DATA = Path(__file__).parent / "data" / "sources"
META_SECRET = "meta-app-secret"
META_VERIFY = "meta-verify-token"
TRUSTPILOT_TOKEN = "tp-token-0123456789"
GENERIC_TOKEN = "generic-token-0123456789"
PAGE = "104857600000001"
IG_ACCOUNT = "17841400000000001"

SOURCE_SETTINGS: dict[str, Any] = {
    "meta_app_secret": META_SECRET,
    "meta_verify_token": META_VERIFY,
    "meta_page_brands": f"{PAGE}=Sklep,{IG_ACCOUNT}=Sklep",
    "trustpilot_webhook_token": TRUSTPILOT_TOKEN,
    "trustpilot_brand": "Sklep",
    "generic_webhook_token": GENERIC_TOKEN,
}


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_meta(
    http: aiohttp.ClientSession, url: str, body: bytes, *, secret: str = META_SECRET
) -> tuple[int, Any]:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(body, secret),
    }
    async with http.post(url + "/sources/meta", data=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def post_json(http: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    async with http.post(url, data=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def items_finished(db: Database, count: int, within: float = 20.0) -> list[InboxItem]:
    """Wait until `count` inbox items are done or refused; returns every item, in order."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with db.sessions() as session:
            finished = await session.scalar(
                select(func.count())
                .select_from(InboxItem)
                .where(InboxItem.status != ItemStatus.pending.value)
            )
            if finished >= count:
                rows = await session.scalars(select(InboxItem).order_by(InboxItem.id))
                return list(rows.all())
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {finished} of {count} inbox items finished")
        await asyncio.sleep(0.05)


def meta_batch(changes: int, *, page: str = PAGE) -> bytes:
    """One Meta delivery with `changes` new comments under one post, as Meta batches them."""
    entries = []
    for n in range(changes):
        entries.append(
            {
                "id": page,
                "time": 1795435200,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": f"9100000{n:08d}", "name": f"Person {n}"},
                            "message": "Nie polecam, paczka nie dotar\u0142a, oszustwo!"
                            if n % 2 == 0
                            else "Dzi\u0119kuj\u0119, wszystko super!",
                            "post_id": f"{page}_700000000000999",
                            "comment_id": f"700000000000999_8{n:014d}",
                            "created_time": 1795435200 + n,
                            "item": "comment",
                            "parent_id": f"{page}_700000000000999",
                            "verb": "add",
                        },
                    }
                ],
            }
        )
    # Meta escapes non-ASCII and does not add spaces: the signature is over these bytes.
    return json.dumps({"object": "page", "entry": entries}, separators=(",", ":")).encode()
