"""The problem category guessed from a post, measured on a labelled set of realistic posts.

`tests/data/categories.jsonl` holds one post a line: `text`, `lang` (pl or en), `category`, and
`"split": "holdout"` on the rows never used to tune the rules, so their accuracy estimates how
the classifier does on posts it has not seen.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TypedDict

import pytest

from bot.categories import Category, classify, fold

DATA = Path(__file__).parent / "data" / "categories.jsonl"


class Post(TypedDict, total=False):
    text: str
    lang: str
    category: str
    split: str


def _load() -> list[Post]:
    with DATA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


POSTS = _load()


def _accuracy(posts: list[Post]) -> float:
    return sum(classify(post["text"]) == post["category"] for post in posts) / len(posts)


def _mistakes(posts: list[Post]) -> str:
    """The confusions, so a failing bar says what went wrong rather than only by how much."""
    wrong = Counter(
        (post["category"], classify(post["text"]).value)
        for post in posts
        if classify(post["text"]) != post["category"]
    )
    return ", ".join(f"{want}->{got}: {n}" for (want, got), n in wrong.most_common())


def test_the_data_set_is_well_formed() -> None:
    assert len(POSTS) >= 120
    texts = [post["text"] for post in POSTS]
    assert len(set(texts)) == len(texts), "a post is listed twice"
    for post in POSTS:
        assert post["lang"] in {"pl", "en"}, post
        assert post["category"] in Category.__members__, post
        assert post.get("split", "dev") in {"dev", "holdout"}, post
        assert post["text"].strip(), post


def test_the_data_set_is_half_polish_half_english() -> None:
    polish = sum(post["lang"] == "pl" for post in POSTS)
    assert 0.45 <= polish / len(POSTS) <= 0.55


@pytest.mark.parametrize("category", list(Category))
def test_every_category_has_enough_examples(category: Category) -> None:
    assert sum(post["category"] == category for post in POSTS) >= 15
    for lang in ("pl", "en"):
        assert any(post["category"] == category and post["lang"] == lang for post in POSTS)


def test_about_a_fifth_is_held_out() -> None:
    held_out = sum(post.get("split") == "holdout" for post in POSTS)
    assert 0.15 <= held_out / len(POSTS) <= 0.30


def test_accuracy_on_the_whole_set() -> None:
    accuracy = _accuracy(POSTS)
    print(f"category accuracy: {accuracy:.1%} of {len(POSTS)} posts")
    assert accuracy >= 0.90, _mistakes(POSTS)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_accuracy_per_language(lang: str) -> None:
    posts = [post for post in POSTS if post["lang"] == lang]
    accuracy = _accuracy(posts)
    print(f"category accuracy ({lang}): {accuracy:.1%} of {len(posts)} posts")
    assert accuracy >= 0.85, _mistakes(posts)


def test_accuracy_on_held_out_posts() -> None:
    posts = [post for post in POSTS if post.get("split") == "holdout"]
    accuracy = _accuracy(posts)
    print(f"category accuracy (held out): {accuracy:.1%} of {len(posts)} posts")
    assert accuracy >= 0.80, _mistakes(posts)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The inflected forms named in the requirement.
        ("Od dwóch tygodni nie ma mojej przesyłki", Category.delivery_delay),
        ("Przesyłka utknęła gdzieś po drodze", Category.delivery_delay),
        ("Czekam na paczki od miesiąca", Category.delivery_delay),
        ("Sklep odrzucił moją reklamację", Category.complaint_rejected),
        ("Nie uznali reklamacji, bo niby to moja wina", Category.complaint_rejected),
        # Written without diacritics, as many people type on a phone.
        ("przesylka dalej nie doszla", Category.delivery_delay),
        ("dostawa nie doszla a minal tydzien", Category.delivery_delay),
        ("kurier zgubil moja paczke", Category.delivery_delay),
        ("reklamacje mi odrzucili bez slowa", Category.complaint_rejected),
        ("zmienili cene po zamowieniu i kaza doplacic", Category.price_change),
        ("obsluga klienta nie odpisuje od tygodnia", Category.customer_service),
        ("towar niezgodny z opisem", Category.not_as_described),
    ],
)
def test_polish_inflection_and_missing_diacritics(text: str, category: Category) -> None:
    assert classify(text) is category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("What I recieved is nothing like the pictures", Category.not_as_described),
        ("delivary was due last week, still waiting for my parcle", Category.delivery_delay),
        ("customer servise never replyed to my emails", Category.customer_service),
        ("the pakage never arived", Category.delivery_delay),
        ("my waranty claim got rejectd", Category.complaint_rejected),
    ],
)
def test_english_typos(text: str, category: Category) -> None:
    assert classify(text) is category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Slang and noise around a cue do not hide it ...
        ("ziomki, paczka idzie już 3 tygodnie, masakra", Category.delivery_delay),
        ("wtf, they raised the price after I ordered lol", Category.price_change),
        ("support ghosted me again smh", Category.customer_service),
        ("MASAKRA!!! reklamacja odrzucona 😡😡", Category.complaint_rejected),
        # ... and on their own they name no problem.
        ("masakra ziomki", Category.other),
        ("wtf lol smh", Category.other),
        ("", Category.other),
    ],
)
def test_slang(text: str, category: Category) -> None:
    assert classify(text) is category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A refused complaint is what the shop did last, whatever the complaint was about.
        ("Reklamacja spóźnionej paczki odrzucona, bo to wina kuriera", Category.complaint_rejected),
        ("They rejected my complaint about the late delivery", Category.complaint_rejected),
        ("Refund for the broken lamp denied", Category.complaint_rejected),
        # A price raised after ordering is about the price, though it mentions the order.
        ("Po złożeniu zamówienia cena wzrosła, a wysyłka wstrzymana", Category.price_change),
        ("After I ordered they raised the price and held the shipment", Category.price_change),
        # The supplier (dostawca) is not the delivery (dostawa).
        ("Dostawca podniósł ceny, więc każą dopłacić do zamówienia", Category.price_change),
        # Waiting for an answer is about the service, not about the goods.
        ("Czekam na odpowiedź od tygodnia", Category.customer_service),
        ("Been waiting 10 days for a reply", Category.customer_service),
        # Failing in use is a defect; a refused complaint about one is still a refused complaint.
        ("Bluzka rozpruła się po pierwszym praniu", Category.product_defect),
        ("The kettle broke after two days", Category.product_defect),
        ("Reklamację wadliwego czajnika odrzucili", Category.complaint_rejected),
        # A price rant with nothing changed after ordering, and a plain rant.
        ("Ceny jak w Paryżu, jakość jak z bazaru", Category.other),
        ("Nie polecam tego sklepu.", Category.other),
    ],
)
def test_priority_between_problems(text: str, category: Category) -> None:
    assert classify(text) is category


def test_fold_drops_case_and_polish_diacritics() -> None:
    assert fold("Przesyłkę z ŁODZI źle zaadresowano") == "przesylke z lodzi zle zaadresowano"
