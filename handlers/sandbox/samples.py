"""Realistic negative posts the sandbox page can send as alerts, in Polish and English, and
deliveries as Meta, Trustpilot, the pollers and a Zapier zap send them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
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


@dataclass(frozen=True)
class SourceSample:
    """A delivery as a native source sends it (Meta, Trustpilot), posted to its route, or what
    a poller (Brand24, Mention) or the Google review reader stores in the inbox."""

    key: str
    label: str
    feed: str
    # The delivery's JSON for the `number`th sending (new ids each time) at `epoch` seconds.
    body: Callable[[int, int], dict[str, Any]]


SANDBOX_PAGE = "104857600000001"
SANDBOX_IG_ACCOUNT = "17841400000000001"


def _facebook_comment(text: str, author: str) -> Callable[[int, int], dict[str, Any]]:
    def body(number: int, epoch: int) -> dict[str, Any]:
        post = f"{SANDBOX_PAGE}_700000000000101"
        return {
            "object": "page",
            "entry": [
                {
                    "id": SANDBOX_PAGE,
                    "time": epoch,
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "from": {"id": f"90000000000{number:04d}", "name": author},
                                "message": text,
                                "post_id": post,
                                "comment_id": f"700000000000101_8000000{number:08d}",
                                "created_time": epoch,
                                "item": "comment",
                                "parent_id": post,
                                "verb": "add",
                            },
                        }
                    ],
                }
            ],
        }

    return body


def _instagram_comment(number: int, epoch: int) -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [
            {
                "id": SANDBOX_IG_ACCOUNT,
                "time": epoch,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": f"1784140000000{number:04d}", "username": "kasia_w"},
                            "media": {"id": "17900000000000501", "media_product_type": "FEED"},
                            "id": f"178000000{number:08d}",
                            "text": "Masakra, paczka zgubiona drugi raz. Nie polecam!",
                        },
                    }
                ],
            }
        ],
    }


def _trustpilot_review(stars: int, title: str, text: str) -> Callable[[int, int], dict[str, Any]]:
    def body(number: int, epoch: int) -> dict[str, Any]:
        review = f"6750f1c2a0b1c2d3{number:08x}"
        return {
            "events": [
                {
                    "eventName": "service-review-created",
                    "version": "1.0",
                    "eventData": {
                        "id": review,
                        "language": "en",
                        "title": title,
                        "text": text,
                        "stars": stars,
                        "createdAt": datetime.fromtimestamp(epoch, UTC).isoformat(),
                        "link": f"https://www.trustpilot.com/reviews/{review}",
                        "consumer": {"id": f"6750f1c2a0b1c2d4{number:08x}", "name": "Sam Green"},
                    },
                }
            ]
        }

    return body


# What the sandbox's zap sends, and the GENERIC_FIELD_MAP that reads it (set by the sandbox
# when none is).
ZAPIER_FIELD_MAP = {
    "id": "data.post_id",
    "source": "=forum",
    "url": "data.link",
    "text": "data.body",
    "author.name": "data.user.display",
    "author.followers": "data.user.karma",
    "reach": "data.views",
    "brand": "=Sklep Kwiatek",
    "language": "=pl",
}


def _zapier_post(number: int, epoch: int) -> dict[str, Any]:
    """A forum post as a "Webhooks by Zapier" POST sends it: the trigger's fields as text."""
    return {
        "data": {
            "post_id": str(48000 + number),
            "link": f"https://forum.example.pl/t/kwiaty-{48000 + number}",
            "body": "Oszustwo! Trzeci tydzień czekam na zwrot pieniędzy za zwiędnięte kwiaty.",
            "user": {"display": "zawiedziona_klientka", "karma": "1,204"},
            "views": "5300",
            "posted": datetime.fromtimestamp(epoch, UTC).isoformat(),
        }
    }


def _brand24_page(number: int, epoch: int) -> dict[str, Any]:
    posted = datetime.fromtimestamp(epoch, UTC)
    return {
        "project": "1234567",
        "brand": "Sklep Kwiatek",
        "results": [
            {
                "date": posted.date().isoformat(),
                "time": posted.time().isoformat(timespec="seconds"),
                "title": "",
                "content": "",
                "source": f"Tweet-ID: 18612345678{number:08d}",
                "host": "twitter.com",
                "category": "twitter",
                "sentiment": -1,
            }
        ],
    }


def _mention_page(number: int, epoch: int) -> dict[str, Any]:
    return {
        "alert": "2345678",
        "brand": "Sklep Kwiatek",
        "mentions": [
            {
                "id": str(90_000_000 + number),
                "title": "Kwiaciarnia nie oddaje pieniędzy",
                "description": "Zamówienie anulowane tydzień temu, zwrotu dalej brak. Nie polecam.",
                "original_url": f"https://forum.example.pl/t/kwiaciarnia-{number}",
                "published_at": datetime.fromtimestamp(epoch, UTC).isoformat(),
                "source_type": "forums",
                "language_code": "pl",
                "tone": -1,
            }
        ],
    }


GOOGLE_LOCATION = "accounts/108000000000000000001/locations/4200000000000000001"


def _google_review(number: int, epoch: int) -> dict[str, Any]:
    """A review as the bot stores it once it has read it from the Business Profile API after
    Google's Pub/Sub push named it (the sandbox has neither Google nor its signed push)."""
    review_id = f"AbFvOqk{number:08d}"
    name = f"{GOOGLE_LOCATION}/reviews/{review_id}"
    created = datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")
    return {
        "notification": {"type": "NEW_REVIEW", "review": name, "location": GOOGLE_LOCATION},
        "review": {
            "name": name,
            "reviewId": review_id,
            "reviewer": {"displayName": "Marta Wiśniewska", "isAnonymous": False},
            "starRating": "TWO",
            "comment": "Bukiet przyszedł zwiędnięty, a na reklamację nikt nie odpowiada.",
            "createTime": created,
            "updateTime": created,
        },
    }


SOURCE_SAMPLES = (
    SourceSample(
        key="meta-complaint",
        label="Facebook page webhook (PL): complaint under a post",
        feed="meta",
        body=_facebook_comment(
            "Nie polecam, trzeci tydzień czekam na zwrot pieniędzy i nikt nie odpisuje!",
            "Ewa Nowak",
        ),
    ),
    SourceSample(
        key="meta-praise",
        label="Facebook page webhook (PL): thanks under the same post (not negative)",
        feed="meta",
        body=_facebook_comment("Dziękuję, wszystko super!", "Olek Nowak"),
    ),
    SourceSample(
        key="instagram-complaint",
        label="Instagram webhook (PL): complaint under a photo",
        feed="meta",
        body=_instagram_comment,
    ),
    SourceSample(
        key="trustpilot-one-star",
        label="Trustpilot webhook (EN): a one-star review",
        feed="trustpilot",
        body=_trustpilot_review(
            1, "Never again", "Three weeks and still no parcel. Support does not answer."
        ),
    ),
    SourceSample(
        key="trustpilot-five-stars",
        label="Trustpilot webhook (EN): a five-star review (not negative)",
        feed="trustpilot",
        body=_trustpilot_review(5, "Great", "Quick delivery, lovely flowers, thank you!"),
    ),
    SourceSample(
        key="google-two-stars",
        label="Google reviews (PL): a two-star review, as read after Google's push",
        feed="google",
        body=_google_review,
    ),
    SourceSample(
        key="zapier-forum",
        label="Zapier (Webhooks by Zapier, PL): a forum complaint, read with a field map",
        feed="generic",
        body=_zapier_post,
    ),
    SourceSample(
        key="brand24-tweet",
        label="Brand24 poller: a tweet without text, negative by Brand24's sentiment",
        feed="brand24",
        body=_brand24_page,
    ),
    SourceSample(
        key="mention-forum",
        label="Mention poller (PL): a forum complaint",
        feed="mention",
        body=_mention_page,
    ),
)
