"""`crisisbot serve` as a user runs it: a real process, configured by its environment."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from pathlib import Path

import aiohttp

from bot import alert_signature
from tests.e2e import post


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> dict:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert process.returncode is None, "the server exited"
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not come up")


async def start_server(tmp_path: Path, **settings: str) -> tuple[asyncio.subprocess.Process, str]:
    """`crisisbot serve` on a free port, configured only by `settings` (nothing Slack, Teams
    or channel-related is inherited from the environment)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "CRISIS_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", PORT=str(port), HOST="127.0.0.1")
    env.update(settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve",
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


async def test_serve_without_slack_migrates_takes_alerts_and_says_slack_is_off(
    tmp_path: Path,
) -> None:
    process, url = await start_server(tmp_path, ALERT_WEBHOOK_SECRET="s3cret", SANDBOX="off")
    try:
        health = await wait_healthy(url, process)
        assert health == {
            "status": "ok",
            "ready": True,
            "database": "ok",
            "slack": "off",
            "teams": "off",
        }
        body = json.dumps(post()).encode()
        async with aiohttp.ClientSession() as http:
            headers = alert_signature.sign("s3cret", body, int(time.time()))
            async with http.post(url + "/alerts", data=body, headers=headers) as response:
                assert response.status == 202
                assert await response.json() == {
                    "crisis": 1,
                    "status": "opened",
                    "category": "delivery_delay",
                    "severity": "critical",
                }
            async with http.post(url + "/slack/events", data=b"x") as response:
                assert response.status == 503
            async with http.get(url + "/sandbox") as response:
                assert response.status == 404
            async with http.get(url + "/metrics") as response:
                metrics = await response.text()
        assert 'crisisbot_alerts_received_total{status="opened"} 1.0' in metrics
        assert "crisisbot_crises_opened_total 1.0" in metrics
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    log = stderr.decode()
    assert "Slack delivery is OFF" in log
    assert process.returncode == 0
    assert (tmp_path / "bot.db").exists()


async def test_serve_with_no_chat_platform_starts_the_sandbox(tmp_path: Path) -> None:
    # What `make run` does on a fresh clone: no Slack, no Teams, nothing configured.
    process, url = await start_server(tmp_path)
    try:
        health = await wait_healthy(url, process)
        assert health["slack"] == "on"  # the bot's real Slack side, talking to the sandbox
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/sandbox") as response:
                assert response.status == 200
                assert "Send sample alert" in await response.text()
            async with http.post(
                url + "/sandbox/alert", json={"sample": "price-change"}
            ) as response:
                assert response.status == 200
                assert (await response.json())["answer"]["status"] == "opened"
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert "SANDBOX MODE" in stderr.decode()
    assert process.returncode == 0


async def test_a_restarted_sandbox_starts_fresh_and_says_so(tmp_path: Path) -> None:
    """The fake workspace lives in memory: after a restart its channel is empty, so the
    database under it is fresh too, never crises the page cannot show."""
    (tmp_path / "crisisbot.db").write_bytes(b"the user's own database, not for the sandbox")
    for run in (1, 2):
        process, url = await start_server(tmp_path, DATABASE_URL="sqlite:///./crisisbot.db")
        try:
            await wait_healthy(url, process)
            async with aiohttp.ClientSession() as http:
                async with http.get(url + "/sandbox/state") as response:
                    channels = (await response.json())["channels"]
                    assert all(not channel["messages"] for channel in channels), run
                async with http.post(url + "/sandbox/alert", json={"sample": "price-change"}) as r:
                    answer = (await r.json())["answer"]
                    assert (answer["crisis"], answer["status"]) == (1, "opened"), run
        finally:
            process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
        assert "starts on a fresh database at every start" in stderr.decode()
    assert (tmp_path / "crisisbot-sandbox.db").exists()
    assert (tmp_path / "crisisbot.db").read_bytes().startswith(b"the user's own database")


async def test_secrets_never_reach_the_log(tmp_path: Path) -> None:
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-very-secret-token",
        "SLACK_SIGNING_SECRET": "signing-secret-value-123",
        "ALERT_WEBHOOK_SECRET": "alert-secret-value-456",
    }
    process, url = await start_server(
        tmp_path,
        LOG_LEVEL="debug",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        CRISIS_CHANNEL="C0CRISIS",
        **secrets,
    )
    try:
        await wait_healthy(url, process)
        body = json.dumps(post()).encode()
        async with aiohttp.ClientSession() as http:
            # Signed right (the alert is stored and Slack, unreachable, is retried and logged),
            # signed wrong, and a forged Slack request.
            for secret in (secrets["ALERT_WEBHOOK_SECRET"], "wrong"):
                headers = alert_signature.sign(secret, body, int(time.time()))
                async with http.post(url + "/alerts", data=body, headers=headers) as response:
                    await response.read()
            async with http.post(url + "/slack/events", data=b"command=/crisis") as response:
                assert response.status == 401
            await asyncio.sleep(1.5)
    finally:
        process.terminate()
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    log = stdout.decode() + stderr.decode()
    assert "delivery postponed" in log  # the log did see the failing Slack calls
    for name, value in secrets.items():
        assert value not in log, f"{name} leaked into the log"


async def test_the_log_has_a_line_per_decision_and_debug_is_not_drowned(tmp_path: Path) -> None:
    process, url = await start_server(
        tmp_path, LOG_LEVEL="debug", ALERT_WEBHOOK_SECRET="s3cret", SANDBOX="off"
    )
    try:
        await wait_healthy(url, process)
        async with aiohttp.ClientSession() as http:
            for _ in range(2):
                body = json.dumps(post()).encode()
                headers = alert_signature.sign("s3cret", body, int(time.time()))
                async with http.post(url + "/alerts", data=body, headers=headers) as response:
                    assert response.status == 202
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    lines = stderr.decode().splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    ours = [(e["event"], e.get("crisis")) for e in events if e.get("crisis") is not None]
    assert ours == [("crisis no owner", 1), ("alert opened", 1), ("alert duplicate", 1)]
    # Besides ours, only the migrations speak: no database driver or HTTP library chatter.
    others = [line for line in lines if not line.startswith("{")]
    assert all(
        line.startswith(("Context impl", "Will assume", "Running upgrade")) for line in others
    ), others


async def test_a_port_in_use_is_one_clear_line_and_a_failed_exit(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, _ = await start_server(tmp_path, PORT=str(port), SANDBOX="off")
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert stderr.decode().strip().splitlines()[-1] == f"port {port} is in use: set PORT"
    assert "Traceback" not in stderr.decode()
