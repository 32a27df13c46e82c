"""The export: `GET /export/crises.csv` behind EXPORT_TOKEN and `crisisbot export`, parsed back."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.e2e import SlackBot, post, running_bot
from tests.teams_e2e import BOSS, running_teams_bot

TOKEN = "s3cret-export-token"
ZONE = ZoneInfo("Europe/Warsaw")


def today() -> str:
    return datetime.now(UTC).astimezone(ZONE).date().isoformat()


async def get(slack: SlackBot, query: str, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with slack.http.get(f"{slack.url}/export/crises.csv{query}", headers=headers) as answer:
        return answer.status, await answer.text()


async def two_crises(slack: SlackBot) -> None:
    await slack.command("roster add <@UANNA|anna> lead", user="UANNA")
    await slack.post_alert(post(id="a", url="https://facebook.com/sklep/posts/1"))
    await slack.post_alert(post(brand="Inny", reach=500))
    # A comment under the second post joins it: two posts, reach added up.
    await slack.post_alert(
        post(id="c", url="https://facebook.com/x/c/1", parent_url=post()["url"], reach=7)
    )
    await slack.wait_thread(2, 1)
    assert (await slack.command("ack 2")).startswith("You are on crisis #2")


async def test_export_over_http_parsed_as_csv(database_url: str) -> None:
    async with running_bot(database_url, export_token=TOKEN) as slack:
        await two_crises(slack)
        status, body = await get(slack, f"?since={today()}")
        assert status == 200
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [row["number"] for row in rows] == ["1", "2"]
        second = rows[1]
        assert second["brand"] == "Inny"
        assert second["source"] == "facebook"
        assert second["category"] == "delivery_delay"
        assert second["status"] == "acknowledged"
        assert second["posts"] == "2"
        assert second["reach"] == "507"
        assert second["escalations"] == "0"
        assert second["confirmed_at"] == "" and second["seconds_to_confirm"] == ""
        opened = datetime.fromisoformat(second["opened_at"])
        acked = datetime.fromisoformat(second["acknowledged_at"])
        assert float(second["seconds_to_ack"]) == round((acked - opened).total_seconds(), 3)
        assert rows[0]["status"] == "open" and rows[0]["acknowledged_at"] == ""

        # Only crises opened in the range: yesterday's export is empty.
        yesterday = (datetime.now(UTC).astimezone(ZONE).date() - timedelta(days=1)).isoformat()
        status, body = await get(slack, f"?since={yesterday}&until={yesterday}")
        assert (status, list(csv.DictReader(io.StringIO(body)))) == (200, [])

        assert (await get(slack, f"?since={today()}", token="wrong"))[0] == 401
        assert (await get(slack, f"?since={today()}", token=None))[0] == 401
        assert await get(slack, "?since=2026-13-01") == (
            400,
            "since must be a date written YYYY-MM-DD, e.g. 2026-11-01\n",
        )
        tomorrow = (datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=1)).isoformat()
        status, text = await get(slack, f"?since={tomorrow}")
        assert (status, text.split(":")[0]) == (400, f"since ({tomorrow}) is in the future")
        assert (await get(slack, ""))[0] == 400


async def test_no_export_token_no_route(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        assert (await get(slack, f"?since={today()}"))[0] == 404


async def crisisbot(database_url: str, *args: str) -> tuple[int, str, str]:
    """Run the `crisisbot` command as a person would, in its own process."""
    env = {**os.environ, "DATABASE_URL": database_url, "SANDBOX": "false"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_export_csv_and_json(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await two_crises(slack)
    code, out, err = await crisisbot(database_url, "export", "--since", today())
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["number"], row["posts"]) for row in rows] == [("1", "1"), ("2", "2")]
    code, out, err = await crisisbot(database_url, "export", "--since", today(), "--format", "json")
    assert code == 0, err
    assert [record["brand"] for record in json.loads(out)] == ["Sklep", "Inny"]

    code, out, err = await crisisbot(database_url, "export", "--since", "yesterday")
    assert (code, out) == (2, "")
    assert "since must be a date written YYYY-MM-DD" in err
    code, out, err = await crisisbot(database_url, "export", "--since", today(), "--format", "xml")
    assert (code, out) == (2, "")
    assert "--format must be one of: csv, json" in err


async def test_crisis_export_puts_the_timeline_csv_in_the_thread(database_url: str) -> None:
    async with running_bot(database_url) as slack:
        await two_crises(slack)
        assert await slack.command("export 2") == (
            "The timeline of crisis #2 is on its way to its thread as a CSV file."
        )
        await slack.fake.wait_for(
            lambda: any(m.get("files") for m in slack.thread(2)), what="CSV in thread #2"
        )
        [message] = [m for m in slack.thread(2) if m.get("files")]
        [shared] = message["files"]
        assert shared["name"] == "crisis-2-timeline.csv" and shared["mimetype"] == "text/csv"
        rows = list(csv.DictReader(io.StringIO(slack.fake.file_content(shared["id"]).decode())))
        kinds = [row["kind"] for row in rows]
        assert kinds[:2] == ["opened", "owner_assigned"]
        assert "alert_grouped" in kinds and kinds[-1] == "acknowledged"
        assert json.loads(rows[1]["detail"])["reason"] == "new"
        assert rows[-1]["actor"].startswith("slack:UANNA")
        assert not any(m.get("files") for m in slack.thread(1))
        assert await slack.command("export 99") == "There is no crisis #99."
        assert (await slack.command("export")).startswith("Usage: /crisis export &lt;n&gt;")
        assert (await slack.command("export two")).startswith("Usage: /crisis export &lt;n&gt;")


async def test_teams_crisis_export_as_a_code_block(database_url: str) -> None:
    async with running_teams_bot(database_url) as teams:
        await teams.say("roster add @Bob lead", BOSS, (BOSS,))
        await teams.say("here", BOSS)
        await teams.post_alert(post())
        await teams.fake.wait_for(lambda: teams.texts(1), what="crisis #1 thread")
        assert (await teams.say("export 1")).startswith("The timeline of crisis #1")
        texts = await teams.wait_texts(
            1, lambda t: any(x.startswith("crisis-1-timeline.csv") for x in t), "CSV"
        )
        block = next(x for x in texts if x.startswith("crisis-1-timeline.csv"))
        content = block.split("```\n", 1)[1].rsplit("```", 1)[0]
        rows = list(csv.DictReader(io.StringIO(content)))
        assert [row["kind"] for row in rows][:2] == ["opened", "owner_assigned"]
