"""The Teams app package: the manifest declares the bot, the commands the bot really knows
and the domain placeholders; the icons are the sizes Teams demands; `make teams-package`
fills in the app id and zips it all."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from bot import commands

ROOT = Path(__file__).resolve().parent.parent
TEAMS = ROOT / "teams"
APP_ID = "11111111-2222-3333-4444-555555555555"


def manifest() -> dict[str, object]:
    return json.loads((TEAMS / "manifest.json").read_text(encoding="utf-8"))


def png_size(path: Path) -> tuple[int, int, int]:
    """Width, height and colour type, from the PNG header."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def test_the_manifest_declares_the_bot_and_its_commands() -> None:
    found = manifest()
    assert found["id"] == "{{TEAMS_APP_ID}}"
    [bot] = found["bots"]  # type: ignore[misc]
    assert bot["botId"] == "{{TEAMS_APP_ID}}"
    assert "team" in bot["scopes"]
    assert found["validDomains"] == ["{{BOT_DOMAIN}}"]
    assert found["icons"] == {"color": "color.png", "outline": "outline.png"}
    [command_list] = bot["commandLists"]
    titles = [command["title"] for command in command_list["commands"]]
    assert len(titles) <= 10  # Teams shows at most ten per list
    # Every command offered is one the bot answers.
    known = {*commands._HANDLERS, "here"}
    assert set(titles) <= known, set(titles) - known
    assert {"here", "list", "status", "ack", "resolve", "confirm"} <= set(titles)


def test_the_icons_have_the_sizes_teams_requires() -> None:
    assert png_size(TEAMS / "color.png")[:2] == (192, 192)
    width, height, colour = png_size(TEAMS / "outline.png")
    assert (width, height) == (32, 32)
    assert colour == 6  # RGBA: the outline is white on transparent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_teams_package_zips_the_filled_in_manifest(tmp_path: Path) -> None:
    subprocess.run(
        [
            "make",
            "-s",
            "teams-package",
            f"TEAMS_APP_ID={APP_ID}",
            "BOT_DOMAIN=crisis.example.com",
            f"TEAMS_PACKAGE_DIR={tmp_path}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(tmp_path / "crisisbot-teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        filled = json.loads(package.read("manifest.json"))
    assert filled["id"] == APP_ID and filled["bots"][0]["botId"] == APP_ID
    assert filled["validDomains"] == ["crisis.example.com"]
    assert "{{" not in json.dumps(filled)
