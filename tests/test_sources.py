"""Native sources end to end: Meta, Trustpilot and the generic webhook through the inbox into
crises in the fake Slack."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from bot.source_items import SourceItem
from handlers.sources import meta
from models import Alert, Crisis, InboxDelivery, InboxItem, TimelineEvent
from tests.e2e import running_bot
from tests.helpers import count
from tests.sources import (
    GENERIC_TOKEN,
    META_VERIFY,
    SOURCE_SETTINGS,
    TRUSTPILOT_TOKEN,
    fixture,
    items_finished,
    meta_batch,
    meta_signature,
    post_json,
    post_meta,
)
from tests.teams_e2e import running_teams_bot


async def test_meta_handshake_echoes_the_challenge_only_for_our_verify_token(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        async with slack.http.get(
            slack.url + "/sources/meta", params={**query, "hub.verify_token": META_VERIFY}
        ) as response:
            assert (response.status, await response.text()) == (200, "1158201444")
        async with slack.http.get(
            slack.url + "/sources/meta", params={**query, "hub.verify_token": "guess"}
        ) as response:
            assert response.status == 403


async def test_meta_comment_opens_a_crisis_with_a_link_built_from_the_ids(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        status, _ = await post_meta(slack.http, slack.url, fixture("meta_comment_add.json"))
        assert status == 200
        [item] = await items_finished(slack.bot.db, 1)
        assert (item.outcome, item.negative, item.crisis_id) == ("opened", True, 1)
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
        text = str(slack.root(1)["blocks"])
        assert "Ewa Nowak" in text
        assert "trzeci tydzień czekam na zwrot pieniędzy" in text
        url = "https://www.facebook.com/104857600000001_700000000000101"
        assert f"{url}?comment_id=700000000000101_800000000000201" in text
        async with slack.bot.db.sessions() as session:
            crisis = await session.get(Crisis, 1)
            assert crisis is not None
            assert (crisis.brand, crisis.source, crisis.reported_by) == (
                "Sklep",
                "facebook",
                "webhook:meta",
            )


async def test_meta_signature_wrong_or_missing_is_refused_and_nothing_stored(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        body = fixture("meta_comment_add.json")
        status, answer = await post_meta(slack.http, slack.url, body, secret="not-the-secret")
        assert status == 401
        assert "X-Hub-Signature-256" in answer["error"]
        async with slack.http.post(slack.url + "/sources/meta", data=body) as response:
            assert response.status == 401
        # Re-serialised JSON (spaces, unescaped letters) is not what Meta signed.
        signed_elsewhere = json.dumps(json.loads(body), ensure_ascii=False).encode()
        async with slack.http.post(
            slack.url + "/sources/meta",
            data=signed_elsewhere,
            headers={"X-Hub-Signature-256": meta_signature(body)},
        ) as response:
            assert response.status == 401
        assert await count(slack.bot.db, InboxDelivery) == 0


async def test_instagram_secret_signs_when_set_and_meta_secret_still_accepted(
    database_url: str,
) -> None:
    settings = {**SOURCE_SETTINGS, "instagram_app_secret": "ig-secret"}
    async with running_bot(database_url, **settings) as slack:
        ig = fixture("meta_instagram_flat.json")
        assert (await post_meta(slack.http, slack.url, ig, secret="ig-secret"))[0] == 200
        fb = fixture("meta_comment_add.json")
        assert (await post_meta(slack.http, slack.url, fb))[0] == 200
        assert (await post_meta(slack.http, slack.url, fb, secret="other"))[0] == 401
        assert await count(slack.bot.db, InboxDelivery) == 2


async def test_meta_redelivery_counts_once(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        body = fixture("meta_comment_add.json")
        for _ in range(3):
            assert (await post_meta(slack.http, slack.url, body))[0] == 200
        items = await items_finished(slack.bot.db, 3)
        assert [i.outcome for i in items] == ["opened", "duplicate", "duplicate"]
        assert await count(slack.bot.db, Crisis) == 1
        assert await count(slack.bot.db, Alert) == 1


async def test_meta_edit_updates_the_text_remove_and_hide_are_recorded(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        for name in (
            "meta_comment_add.json",
            "meta_comment_edited.json",
            "meta_comment_remove.json",
            "meta_status_hide.json",
        ):
            assert (await post_meta(slack.http, slack.url, fixture(name)))[0] == 200
            await items_finished(slack.bot.db, await count(slack.bot.db, InboxItem))
        items = await items_finished(slack.bot.db, 4)
        assert [(i.kind, i.outcome) for i in items] == [
            ("added", "opened"),
            ("edited", "edited"),
            ("removed", "removed"),
            ("hidden", "hidden"),
        ]
        assert await count(slack.bot.db, Crisis) == 1
        async with slack.bot.db.sessions() as session:
            alert = await session.scalar(select(Alert))
            crisis = await session.get(Crisis, 1)
            kinds = list(
                (
                    await session.scalars(
                        select(TimelineEvent.kind).where(TimelineEvent.crisis_id == 1)
                    )
                ).all()
            )
        assert alert is not None and crisis is not None
        assert alert.text.startswith("Nie polecam. Czwarty tydzień")
        assert crisis.text == alert.text
        assert "alert_edited" in kinds and "alert_removed" in kinds


async def test_meta_dashboard_test_is_recorded_as_a_test(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        body = fixture("meta_dashboard_test.json")
        assert (await post_meta(slack.http, slack.url, body))[0] == 200
        [item] = await items_finished(slack.bot.db, 1)
        assert (item.kind, item.outcome, item.crisis_id) == ("test", "test", None)
        assert await count(slack.bot.db, Crisis) == 0


async def test_both_instagram_envelopes_are_taken(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        for name in ("meta_instagram_changes.json", "meta_instagram_flat.json"):
            assert (await post_meta(slack.http, slack.url, fixture(name)))[0] == 200
        items = await items_finished(slack.bot.db, 2)
        assert [(i.source, i.external_id, i.outcome) for i in items] == [
            ("instagram", "17800000000000601", "opened"),
            # A comment under the same media joins the crisis of the first.
            ("instagram", "17800000000000602", "grouped"),
        ]
        async with slack.bot.db.sessions() as session:
            crisis = await session.get(Crisis, 1)
        assert crisis is not None and crisis.brand == "Sklep"


async def test_praise_never_opens_but_joins_the_crisis_of_its_post(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        praise = json.loads(fixture("meta_comment_add.json"))
        value = praise["entry"][0]["changes"][0]["value"]
        value.update(message="Dziękuję, wszystko super!")
        value["comment_id"] = "700000000000101_800000000000202"
        body = json.dumps(praise).encode()
        assert (await post_meta(slack.http, slack.url, body))[0] == 200
        [alone] = await items_finished(slack.bot.db, 1)
        assert (alone.outcome, alone.negative, alone.crisis_id) == ("not_negative", False, None)
        assert await count(slack.bot.db, Crisis) == 0

        assert (await post_meta(slack.http, slack.url, fixture("meta_comment_add.json")))[0] == 200
        value["comment_id"] = "700000000000101_800000000000203"
        body = json.dumps(praise).encode()
        assert (await post_meta(slack.http, slack.url, body))[0] == 200
        items = await items_finished(slack.bot.db, 3)
        assert [(i.outcome, i.crisis_id) for i in items] == [
            ("not_negative", None),
            ("opened", 1),
            ("not_negative", 1),
        ]
        async with slack.bot.db.sessions() as session:
            crisis = await session.get(Crisis, 1)
        assert crisis is not None and crisis.alert_count == 2


async def test_a_batch_with_a_malformed_change_keeps_the_valid_ones(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        batch = json.loads(meta_batch(40))
        del batch["entry"][5]["changes"][0]["value"]["comment_id"]
        batch["entry"][6]["changes"][0]["value"] = "not an object"
        body = json.dumps(batch, separators=(",", ":")).encode()
        assert (await post_meta(slack.http, slack.url, body))[0] == 200
        items = await items_finished(slack.bot.db, 40)
        refused = [i for i in items if i.outcome == "refused"]
        assert sorted(i.last_error for i in refused) == [
            "a change without a value object",
            "a comment change without comment_id",
        ]
        outcomes = [i.outcome for i in items if i.outcome != "refused"]
        # Every comment is under one post: one crisis, the praise joins it as comments.
        assert outcomes.count("opened") == 1
        assert outcomes.count("grouped") == 19 - 1
        assert outcomes.count("not_negative") == 19
        assert await count(slack.bot.db, Crisis) == 1


async def test_bad_bodies_are_refused_clearly(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        status, answer = await post_meta(slack.http, slack.url, b"{not json")
        assert (status, answer) == (400, {"error": "the body must be JSON (UTF-8)"})
        huge = b'{"object":"page","entry":[],"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}'
        assert (await post_meta(slack.http, slack.url, huge))[0] == 413
        url = f"{slack.url}/sources/trustpilot/{TRUSTPILOT_TOKEN}"
        assert (await post_json(slack.http, url, b"[1, 2]"))[0] == 400
        assert await count(slack.bot.db, InboxDelivery) == 0


async def test_a_delivery_answered_before_a_restart_is_processed_after_it(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        # The inbox worker is gone (the process is about to die) when the delivery comes.
        await slack.bot.inbox.stop()
        assert (await post_meta(slack.http, slack.url, fixture("meta_comment_add.json")))[0] == 200
        assert await count(slack.bot.db, InboxItem) == 0
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        [item] = await items_finished(slack.bot.db, 1)
        assert item.outcome == "opened"
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")


async def test_trustpilot_review_opens_update_edits_delete_is_recorded(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        url = f"{slack.url}/sources/trustpilot/{TRUSTPILOT_TOKEN}"
        for name in ("trustpilot_created.json", "trustpilot_updated.json"):
            assert await post_json(slack.http, url, fixture(name)) == (200, {"ok": True})
        await items_finished(slack.bot.db, 2)
        assert (await post_json(slack.http, url, fixture("trustpilot_deleted.json")))[0] == 200
        items = await items_finished(slack.bot.db, 3)
        assert [(i.kind, i.outcome, i.crisis_id) for i in items] == [
            ("added", "opened", 1),
            ("edited", "edited", 1),
            ("removed", "removed", 1),
        ]
        assert items[0].negative is True  # one star, whatever the text says
        await slack.fake.wait_for(lambda: len(slack.roots()) == 1, what="root message")
        text = str(slack.root(1)["blocks"])
        assert "Never again" in text and "John Smith" in text
        async with slack.bot.db.sessions() as session:
            alert = await session.scalar(select(Alert))
        assert alert is not None and alert.text.endswith("nothing happened.")


async def test_trustpilot_five_stars_do_not_open_and_a_wrong_token_is_404(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        review = json.loads(fixture("trustpilot_created.json"))
        review["events"][0]["eventData"].update(stars=5, id="6750f1c2a0b1c2d3e4f50002")
        wrong = f"{slack.url}/sources/trustpilot/{TRUSTPILOT_TOKEN}x"
        assert (await post_json(slack.http, wrong, json.dumps(review).encode()))[0] == 404
        assert await count(slack.bot.db, InboxDelivery) == 0
        url = f"{slack.url}/sources/trustpilot/{TRUSTPILOT_TOKEN}"
        assert (await post_json(slack.http, url, json.dumps(review).encode()))[0] == 200
        [item] = await items_finished(slack.bot.db, 1)
        assert (item.outcome, item.negative) == ("not_negative", False)
        assert await count(slack.bot.db, Crisis) == 0


GENERIC_MAP = json.dumps(
    {
        "id": "data.post_id",
        "source": "=forum",
        "url": "data.link",
        "text": "data.body",
        "author.handle": "data.user.display",
        "author.followers": "data.user.karma",
        "reach": "data.views",
        "brand": "=Sklep",
    }
)


async def test_generic_webhook_maps_fields_and_opens_a_crisis(database_url: str) -> None:
    settings = {**SOURCE_SETTINGS, "generic_field_map": GENERIC_MAP}
    async with running_bot(database_url, **settings) as slack:
        url = f"{slack.url}/sources/generic/{GENERIC_TOKEN}"
        assert await post_json(slack.http, url, fixture("generic_zapier.json")) == (
            200,
            {"ok": True},
        )
        [item] = await items_finished(slack.bot.db, 1)
        assert (item.source, item.external_id, item.outcome) == ("forum", "48213", "opened")
        async with slack.bot.db.sessions() as session:
            alert = await session.scalar(select(Alert))
        assert alert is not None
        assert (alert.reach, alert.author_followers, alert.author_handle) == (
            5300,
            1204,
            "angry_buyer",
        )


async def test_generic_webhook_names_a_missing_field_and_stores_nothing(
    database_url: str,
) -> None:
    settings = {**SOURCE_SETTINGS, "generic_field_map": GENERIC_MAP}
    async with running_bot(database_url, **settings) as slack:
        body = json.loads(fixture("generic_zapier.json"))
        del body["data"]["body"]
        url = f"{slack.url}/sources/generic/{GENERIC_TOKEN}"
        status, answer = await post_json(slack.http, url, json.dumps(body).encode())
        assert (status, answer["field"]) == (400, "text")
        assert (await post_json(slack.http, url + "x", fixture("generic_zapier.json")))[0] == 404
        assert await count(slack.bot.db, InboxDelivery) == 0


async def test_generic_webhook_without_a_map_takes_our_alert_schema(database_url: str) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        url = f"{slack.url}/sources/generic/{GENERIC_TOKEN}"
        alert = {
            "id": "f-1",
            "source": "forum",
            "url": "https://forum.example.com/t/1",
            "text": "Great shop, thank you!",
            "brand": "Sklep",
        }
        assert (await post_json(slack.http, url, json.dumps(alert).encode()))[0] == 200
        [item] = await items_finished(slack.bot.db, 1)
        assert item.outcome == "not_negative"
        status, answer = await post_json(slack.http, url, json.dumps({"id": "x"}).encode())
        assert status == 400 and answer["field"] == "source"


async def test_crisis_sources_shows_each_source_today_and_its_last_error(
    database_url: str,
) -> None:
    settings = {**SOURCE_SETTINGS, "meta_page_brands": "", "trustpilot_webhook_token": None}
    async with running_bot(database_url, **settings) as slack:
        for name in ("meta_comment_add.json", "meta_comment_add.json", "meta_dashboard_test.json"):
            assert (await post_meta(slack.http, slack.url, fixture(name)))[0] == 200
        batch = json.loads(meta_batch(2))
        del batch["entry"][1]["changes"][0]["value"]["comment_id"]
        assert (await post_meta(slack.http, slack.url, json.dumps(batch).encode()))[0] == 200
        await items_finished(slack.bot.db, 5)
        text = await slack.command("sources")
        lines = text.splitlines()
        assert lines[0] == "Native sources (today's items):"
        [meta] = [line for line in lines if line.startswith("meta:")]
        assert meta.startswith("meta: configured · last delivery ")
        assert meta.endswith("· 2 opened, 0 grouped, 0 not negative, 1 duplicates, 1 tests")
        assert "last error: a comment change without comment_id" in text
        assert "not in META_PAGE_BRANDS (each taken as its own brand): 104857600000001" in text
        assert any(
            line.startswith("trustpilot: not configured · last delivery never") for line in lines
        )


async def test_teams_sources_text_command(database_url: str) -> None:
    async with running_teams_bot(database_url, **SOURCE_SETTINGS) as teams:
        assert (await post_meta(teams.http, teams.url, fixture("meta_comment_add.json")))[0] == 200
        await items_finished(teams.bot.db, 1)
        answer = await teams.say("sources")
        assert "meta: configured" in answer and "1 opened" in answer
        assert "generic: configured · last delivery never" in answer


async def test_a_path_token_never_reaches_the_logs(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:

        async def broken(feed: str, body: str) -> int:
            raise RuntimeError("unexpected")

        monkeypatch.setattr(slack.bot.inbox, "receive", broken)
        url = f"{slack.url}/sources/trustpilot/{TRUSTPILOT_TOKEN}"
        with capture_logs() as logs:
            status, _ = await post_json(slack.http, url, fixture("trustpilot_created.json"))
        assert status == 500
        assert logs and logs[0]["route"] == "/sources/trustpilot/{token}"
        assert TRUSTPILOT_TOKEN not in repr(logs)


async def test_a_delivery_of_a_thousand_changes_is_stored_whole_and_answered(
    database_url: str,
) -> None:
    async with running_bot(database_url, **SOURCE_SETTINGS) as slack:
        await slack.bot.inbox.stop()
        body = meta_batch(1000)
        assert await post_meta(slack.http, slack.url, body) == (200, {"ok": True})
        async with slack.bot.db.sessions() as session:
            [stored] = (await session.scalars(select(InboxDelivery))).all()
        # Stored byte for byte as Meta sent it (its \u escapes included), parsed later.
        assert stored.body.encode() == body
        items = meta.parse(json.loads(stored.body), slack.bot.settings)
        assert len(items) == 1000 and all(isinstance(i, SourceItem) for i in items)
