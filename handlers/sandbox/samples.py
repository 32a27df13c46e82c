"""Realistic negative posts the sandbox page can send as alerts, in Polish and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    key: str
    label: str
    source: str
    url: str
    text: str
    author: str
    handle: str
    followers: int
    reach: int
    sentiment: float
    brand: str
    language: str

    def alert(self, number: int, created_at: str) -> dict[str, Any]:
        """The alert body for the `number`th sending: a new post id each time, so sending
        again shows grouping (same author and brand) rather than a duplicate."""
        return {
            "id": f"sandbox-{self.key}-{number}",
            "source": self.source,
            "url": f"{self.url}?sandbox={number}",
            "text": self.text,
            "author": {"name": self.author, "handle": self.handle, "followers": self.followers},
            "reach": self.reach,
            "sentiment": self.sentiment,
            "brand": self.brand,
            "language": self.language,
            "created_at": created_at,
        }


SAMPLES = (
    Sample(
        key="late-parcel",
        label="Facebook (PL): paczka nie dotarła od 3 tygodni",
        source="facebook",
        url="https://www.facebook.com/sklepkwiatek/posts/1001",
        text=(
            "Zamówiłam kurtkę trzy tygodnie temu i nadal czekam na paczkę. Kurier nic nie wie, "
            "a paczka od tygodnia stoi w miejscu. Sklep Kwiatek, to jakiś żart? Nigdy więcej!"
        ),
        author="Anna Kowalska",
        handle="anna.kowalska",
        followers=2300,
        reach=12000,
        sentiment=-0.8,
        brand="Sklep Kwiatek",
        language="pl",
    ),
    Sample(
        key="rejected-complaint",
        label="Opinie Google (PL): reklamacja odrzucona",
        source="google_reviews",
        url="https://maps.google.com/review/sklepkwiatek/2002",
        text=(
            "Buty rozkleiły się po tygodniu, a reklamację odrzucono bez podania przyczyny. "
            "Zero kontaktu, maile bez odpowiedzi. Jedna gwiazdka to i tak za dużo."
        ),
        author="Piotr Zieliński",
        handle="piotr.z",
        followers=150,
        reach=900,
        sentiment=-0.9,
        brand="Sklep Kwiatek",
        language="pl",
    ),
    Sample(
        key="not-as-described",
        label="Instagram (EN): hoodie not as described",
        source="instagram",
        url="https://www.instagram.com/p/bloomandco3003/",
        text=(
            "Ordered a size M hoodie from Bloom & Co and got something that looks nothing like "
            "the photos: thin fabric, wrong colour. Not as described at all. Want my money back."
        ),
        author="Jess Taylor",
        handle="jess.makes.things",
        followers=48000,
        reach=60000,
        sentiment=-0.7,
        brand="Bloom & Co",
        language="en",
    ),
    Sample(
        key="price-change",
        label="X (EN): price changed after paying",
        source="x",
        url="https://x.com/markb/status/4004",
        text=(
            "@bloomandco changed the price of my order AFTER I paid, and now says the item is "
            "out of stock anyway?? Unbelievable. Anyone else?"
        ),
        author="Mark Brown",
        handle="markb",
        followers=3100,
        reach=5200,
        sentiment=-0.6,
        brand="Bloom & Co",
        language="en",
    ),
)
