"""The negativity judgement: stars and a given sentiment decide first, then the post's words."""

from __future__ import annotations

import pytest

from bot.negativity import judge


@pytest.mark.parametrize(("stars", "negative"), [(1, True), (2, True), (4, False), (5, False)])
def test_stars_decide_whatever_the_text_says(stars: int, negative: bool) -> None:
    assert judge("great, love it", stars=stars).negative is negative
    assert judge("nie polecam, masakra", stars=stars).negative is negative
    assert judge(None, stars=stars).negative is negative


def test_three_stars_are_judged_by_the_text() -> None:
    assert judge("nie polecam, masakra", stars=3).negative
    assert not judge("Dziękuję, wszystko ok", stars=3).negative
    assert not judge(None, stars=3).negative


@pytest.mark.parametrize(("sentiment", "negative"), [(-1.0, True), (-0.1, True), (0.2, False)])
def test_a_given_sentiment_decides(sentiment: float, negative: bool) -> None:
    assert judge("great, love it", sentiment=sentiment).negative is negative
    assert judge("worst shop ever", sentiment=sentiment).negative is negative


def test_a_neutral_or_missing_sentiment_leaves_it_to_the_text() -> None:
    assert judge("worst shop ever, never again", sentiment=0).negative
    assert not judge("love it", sentiment=0).negative
    assert judge("worst shop ever, never again", sentiment=None).negative


@pytest.mark.parametrize("text", [None, "", "   "])
def test_nothing_to_judge_is_not_negative(text: str | None) -> None:
    verdict = judge(text)
    assert not verdict.negative
    assert verdict.score == 0.0
