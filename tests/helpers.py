"""Small builders shared by tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.actors import Actor
from bot.alert_input import AlertIn, parse_alert
from models.session import Database


def alert(**fields: Any) -> AlertIn:
    post_id = str(fields.get("id", "fb-1"))
    data: dict[str, Any] = {
        "id": post_id,
        "source": "facebook",
        "url": "https://www.facebook.com/shop/posts/1",
        "text": "Czekam na paczkę od trzech tygodni, kurier nic nie wie!",
        # A different author per post: one author's posts about a brand group together.
        "author": {"name": f"Anna {post_id}", "handle": f"@anna{post_id}", "followers": 1500},
        "reach": 4000,
        "sentiment": -0.6,
        "brand": "Sklep",
    }
    data.update(fields)
    return parse_alert(data)


def slack_user(user_id: str, name: str | None = None) -> Actor:
    return Actor("slack", user_id, name)


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
