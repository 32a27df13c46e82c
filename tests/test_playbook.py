"""The playbook: the seeds' five steps and remedies, and their words in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from bot.categories import Category
from bot.i18n import placeholders
from bot.locales import playbook_en, playbook_pl
from bot.playbook import (
    CATEGORY_REMEDIES,
    CLOSING_CHECKLIST,
    REVIEW_CLOSING_CHECKLIST,
    STEPS,
    Remedy,
    Step,
    next_step,
    remedies_for,
    remedy_name_key,
    remedy_reply_key,
    reply_variant_keys,
    step_hint_key,
    step_title_key,
)

CATALOGUES = {"en": playbook_en.MESSAGES, "pl": playbook_pl.MESSAGES}
SLACK_OPTION_TEXT_LIMIT = 75
REPLY_LIMIT = 2000
POLISH_LETTERS = re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")

# DESIGN.md's table, written out by hand so a change to the code cannot also change the test.
DESIGN_TABLE = {
    "customer_service": ("apology_discount",),
    "not_as_described": ("free_return", "compensation"),
    "delivery_delay": ("refund",),
    "price_change": ("old_price", "free_cancellation"),
    "complaint_rejected": ("review_decision", "repair_or_replacement", "refund"),
    "product_defect": ("repair_or_replacement", "refund"),
    "other": ("apology_discount",),
}


def expected_keys() -> set[str]:
    keys = {*CLOSING_CHECKLIST, *REVIEW_CLOSING_CHECKLIST, *reply_variant_keys()}
    keys |= {"reply.greeting", "reply.greeting_anonymous"}
    for step in Step:
        keys |= {step_title_key(step), step_hint_key(step)}
    for remedy in Remedy:
        keys |= {remedy_name_key(remedy), remedy_reply_key(remedy)}
    return keys


def test_the_five_steps_in_the_seeds_order() -> None:
    assert [str(step) for step in STEPS] == ["apologise", "admit", "fix", "improve", "compensate"]
    assert tuple(Step) == STEPS


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ([], Step.apologise),
        (["apologise"], Step.admit),
        (["apologise", "admit"], Step.fix),
        # A later step done out of order does not hide an earlier one that is still open.
        (["admit", "fix"], Step.apologise),
        (["apologise", "admit", "improve"], Step.fix),
        ({Step.apologise, Step.admit, Step.fix, Step.improve}, Step.compensate),
        (["apologise", "admit", "fix", "improve", "compensate"], None),
        # Unknown names (an old row, a typo) are ignored, not counted as steps.
        (["apologise", "unknown"], Step.admit),
        (iter(["compensate", "improve", "fix", "admit", "apologise"]), None),
    ],
)
def test_next_step(done: Iterable[str], expected: Step | None) -> None:
    assert next_step(done) == expected


def test_every_category_has_remedies() -> None:
    assert set(CATEGORY_REMEDIES) == {str(category) for category in Category}
    for category in Category:
        assert remedies_for(category), category
        assert remedies_for(category.value) == remedies_for(category)


@pytest.mark.parametrize("category", list(Category))
def test_remedies_match_the_design_table(category: Category) -> None:
    assert [str(remedy) for remedy in remedies_for(category)] == list(DESIGN_TABLE[category])


def test_an_unknown_category_falls_back_to_the_generic_remedies() -> None:
    assert remedies_for("teleport_malfunction") == remedies_for(Category.other)
    assert remedies_for("") == (Remedy.apology_discount,)


def test_every_remedy_is_offered_somewhere() -> None:
    offered = {remedy for remedies in CATEGORY_REMEDIES.values() for remedy in remedies}
    assert offered == set(Remedy)


def test_the_closing_checklist_follows_the_seed() -> None:
    assert CLOSING_CHECKLIST == (
        "playbook.closing.remove_comment",
        "playbook.closing.public_summary",
    )


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_each_catalogue_has_exactly_the_playbook_keys(language: str) -> None:
    assert set(CATALOGUES[language]) == expected_keys()


def test_both_languages_have_the_same_placeholders() -> None:
    en, pl = CATALOGUES["en"], CATALOGUES["pl"]
    for key in expected_keys():
        assert placeholders(en[key]) == placeholders(pl[key]), key


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_remedy_names_fit_a_slack_option(language: str) -> None:
    for remedy in Remedy:
        name = CATALOGUES[language][remedy_name_key(remedy)]
        assert 0 < len(name) <= SLACK_OPTION_TEXT_LIMIT, (language, remedy, name)


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_replies_are_short_and_name_nobody(language: str) -> None:
    replies = [remedy_reply_key(remedy) for remedy in Remedy] + list(reply_variant_keys())
    for key in replies:
        reply = CATALOGUES[language][key]
        assert 0 < len(reply) <= REPLY_LIMIT, (language, key)
        # The greeting names the customer; a stray brace would show in a public reply.
        assert placeholders(reply) == set(), (language, key)
        assert "{" not in reply and "}" not in reply, (language, key)
        # It follows the greeting, so it goes on in lower case.
        assert reply[0].islower(), (language, key)


@pytest.mark.parametrize("language", list(CATALOGUES))
def test_no_message_is_blank(language: str) -> None:
    for key, text in CATALOGUES[language].items():
        assert text.strip() == text and text, (language, key)


def test_polish_is_written_in_polish() -> None:
    en, pl = CATALOGUES["en"], CATALOGUES["pl"]
    for key, text in pl.items():
        assert text != en[key], key
        # Every Polish text of a sentence or more has diacritics (a short name may not): their
        # absence means a text was left in English or stripped to ASCII.
        if len(text) > 80:
            assert POLISH_LETTERS.search(text), key
