"""The native sources' parsers: pure functions from a delivery's JSON (in the vendors' real
shapes) to items in our alert schema."""

from __future__ import annotations

import json
from typing import Any

from bot.alert_input import parse_alert
from bot.source_items import ItemError, ItemKind, SourceItem
from handlers.sources import generic, meta, trustpilot
from tests.conftest import make_settings
from tests.sources import PAGE, SOURCE_SETTINGS, fixture

SETTINGS = make_settings(**SOURCE_SETTINGS)


def parsed(module: Any, name: str, **settings: Any) -> list[SourceItem | ItemError]:
    return list(
        module.parse(json.loads(fixture(name)), make_settings(**{**SOURCE_SETTINGS, **settings}))
    )


def test_a_facebook_comment_becomes_an_alert_with_links_from_the_ids() -> None:
    [item] = parsed(meta, "meta_comment_add.json")
    assert isinstance(item, SourceItem) and item.kind is ItemKind.added
    alert = parse_alert(item.alert)
    assert alert.url == (
        "https://www.facebook.com/104857600000001_700000000000101"
        "?comment_id=700000000000101_800000000000201"
    )
    assert alert.parent_url == "https://www.facebook.com/104857600000001_700000000000101"
    assert (alert.id, alert.source.value, alert.brand) == (
        "700000000000101_800000000000201",
        "facebook",
        "Sklep",
    )
    assert (alert.author_name, alert.author_handle) == ("Ewa Nowak", "900000000000301")
    assert (
        alert.created_at is not None and alert.created_at.isoformat() == "2026-11-23T12:00:00+00:00"
    )
    assert alert.text.startswith("Nie polecam, trzeci tydzień")


def test_an_unmapped_page_is_its_own_brand() -> None:
    [item] = parsed(meta, "meta_comment_add.json", meta_page_brands="")
    assert isinstance(item, SourceItem) and item.alert["brand"] == PAGE


def test_edits_removals_and_hides_carry_what_they_need() -> None:
    [edit] = parsed(meta, "meta_comment_edited.json")
    assert isinstance(edit, SourceItem) and edit.kind is ItemKind.edited
    assert edit.alert["id"] == "700000000000101_800000000000201"
    assert edit.alert["text"].startswith("Nie polecam. Czwarty")
    # The whole comment: an edit of one never stored as a complaint may open a crisis.
    edited = parse_alert(edit.alert)
    assert edited.url == (
        "https://www.facebook.com/104857600000001_700000000000101"
        "?comment_id=700000000000101_800000000000201"
    )
    assert edited.author_name == "Ewa Nowak"
    [removal] = parsed(meta, "meta_comment_remove.json")
    assert removal == SourceItem(
        "meta", ItemKind.removed, {"id": "700000000000101_800000000000201", "source": "facebook"}
    )
    [hide] = parsed(meta, "meta_status_hide.json")
    assert hide == SourceItem(
        "meta", ItemKind.hidden, {"id": "104857600000001_700000000000101", "source": "facebook"}
    )


def test_reactions_are_not_posts_and_bad_changes_are_refused_with_a_reason() -> None:
    payload = {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "changes": [
                    {
                        "field": "feed",
                        "value": {"item": "reaction", "verb": "add", "post_id": "1_2"},
                    },
                    {"field": "feed", "value": {"item": "comment", "verb": "add"}},
                    {"field": "feed", "value": 7},
                ],
            },
            "nonsense",
        ],
    }
    results = meta.parse(payload, SETTINGS)
    assert [r.reason for r in results if isinstance(r, ItemError)] == [
        "a feed change without post_id",
        "a change without a value object",
        "an entry is not an object",
    ]
    assert not [r for r in results if isinstance(r, SourceItem)]


def test_both_instagram_envelopes_give_the_same_kind_of_item() -> None:
    [changes] = parsed(meta, "meta_instagram_changes.json")
    [flat] = parsed(meta, "meta_instagram_flat.json")
    for item, comment_id in ((changes, "17800000000000601"), (flat, "17800000000000602")):
        assert isinstance(item, SourceItem)
        alert = parse_alert(item.alert)
        assert (alert.id, alert.source.value, alert.brand) == (comment_id, "instagram", "Sklep")
        assert alert.parent_url == "https://www.instagram.com/media/17900000000000501"


def test_trustpilot_events_map_to_kinds_with_stars() -> None:
    [created] = parsed(trustpilot, "trustpilot_created.json")
    assert isinstance(created, SourceItem)
    assert (created.kind, created.stars) == (ItemKind.added, 1)
    alert = parse_alert(created.alert)
    assert alert.text.startswith("Never again\nOrdered three weeks ago")
    assert (alert.brand, alert.language, alert.author_name) == ("Sklep", "en", "John Smith")
    # The webhook's link is the review in Trustpilot's API: the team gets its page instead.
    assert alert.url == "https://www.trustpilot.com/reviews/6750f1c2a0b1c2d3e4f50001"
    [updated] = parsed(trustpilot, "trustpilot_updated.json")
    assert isinstance(updated, SourceItem) and updated.kind is ItemKind.edited
    [deleted] = parsed(trustpilot, "trustpilot_deleted.json")
    assert deleted == SourceItem(
        "trustpilot", ItemKind.removed, {"id": "6750f1c2a0b1c2d3e4f50001", "source": "trustpilot"}
    )
    # The sample review of Trustpilot's webhook guide (what its test button is likely to
    # send) is a test, however many stars it has.
    sample = json.loads(fixture("trustpilot_created.json"))
    sample["events"][0]["eventData"]["id"] = "53bffd360000640002975387"
    [tested] = trustpilot.parse(sample, SETTINGS)
    assert isinstance(tested, SourceItem) and tested.kind is ItemKind.test
    odd = trustpilot.parse(
        {"events": [{"eventName": "service-review-liked", "eventData": {"id": "x"}}]}, SETTINGS
    )
    assert [r.reason for r in odd if isinstance(r, ItemError)] == [
        "an unknown eventName 'service-review-liked'"
    ]


def test_the_generic_map_takes_dotted_paths_constants_and_numbers_as_text() -> None:
    field_map = {
        "id": "data.post_id",
        "source": "=forum",
        "url": "data.link",
        "text": "data.body",
        "author.name": "data.user.display",
        "author.followers": "data.user.karma",
        "reach": "data.views",
    }
    alert = generic.mapped(json.loads(fixture("generic_zapier.json")), field_map)
    assert alert == {
        "id": "48213",
        "source": "forum",
        "url": "https://forum.example.com/t/48213",
        "text": "Third week without my refund. This shop is a scam.",
        "author": {"name": "angry_buyer", "followers": 1204},
        "reach": 5300,
    }
    assert parse_alert(alert).reach == 5300
