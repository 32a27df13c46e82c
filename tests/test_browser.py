"""The sandbox in a real browser (Playwright driving the system's Chromium): a crisis from
a sample alert to the customer's confirmation, as a newcomer would click through it. The
screenshots are the README's pictures: `UPDATE_SCREENSHOTS=1 make test` refreshes
docs/sandbox.png, docs/confirmation.png and docs/report.png (otherwise they go to a
temporary folder, so a test run leaves the checkout clean)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import CrisisBot
from tests.conftest import make_settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DOCS = Path(__file__).resolve().parent.parent / "docs"

try:
    from playwright.async_api import Page, async_playwright, expect
except ImportError:  # pragma: no cover - only without the dev extras
    pytest.skip(
        "*** BROWSER TESTS SKIPPED: playwright is not installed (pip install -e '.[dev]') ***",
        allow_module_level=True,
    )
if not shutil.which(CHROMIUM):
    pytest.skip(
        f"*** BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}; install it with "
        "`apt-get install -y chromium` (or point CHROMIUM at one) ***",
        allow_module_level=True,
    )


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    settings = make_settings(
        sandbox_database_url=f"sqlite:///{tmp_path / 'sandbox.db'}",
        sandbox=True,
        host="127.0.0.1",
        port=0,
        sweep_interval="0.2s",
    )
    bot = CrisisBot(settings)
    await bot.start()
    try:
        yield f"http://127.0.0.1:{bot.port}"
    finally:
        await bot.stop()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        # Root in a container cannot use Chromium's own sandbox.
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = await browser.new_context(
            viewport={"width": 1400, "height": 900}, locale="en-GB", timezone_id="Europe/Warsaw"
        )
        try:
            yield await context.new_page()
        finally:
            await browser.close()


async def test_click_through_a_crisis_to_the_customers_confirmation(
    sandbox_url: str, page: Page, screenshots: Path
) -> None:
    await page.goto(sandbox_url + "/sandbox")
    await page.get_by_role("button", name="Add the sample team to the roster").click()
    await expect(page.get_by_role("button", name="Add the sample team")).to_be_hidden()

    await page.locator("#sample").select_option("late-parcel")
    await page.get_by_role("button", name="Send sample alert").click()
    root = page.locator(".message.root").first
    await expect(root).to_contain_text("Crisis #1")
    await expect(root).to_contain_text("delivery delay")
    await expect(root.locator(".fields")).to_contain_text("open")

    await root.get_by_role("button", name="Acknowledge").click()
    await expect(root.locator(".fields")).to_contain_text("acknowledged")
    await expect(page.locator(".ephemeral")).to_contain_text("You are on crisis #1")

    # The playbook checklist in the thread: ticking a step shows on the root message.
    await root.locator(".thread").get_by_label("Apologise").check()
    await expect(root.locator(".block-context")).to_contain_text("Playbook 1/5")

    # Two hours pass in a few clicks: the follow-up reminder appears in the thread.
    for _ in range(2):
        await page.get_by_role("button", name="+1 h").click()
    await page.get_by_role("button", name="+15 min").click()
    await expect(root.locator(".thread")).to_contain_text("reminder for crisis #1")

    await root.get_by_role("button", name="Propose resolution").click()
    modal = page.locator(".modal")
    await expect(modal).to_contain_text("Propose resolution")
    await modal.locator("textarea").fill("Zwrot 199 zł wysłany, przeprosiny przez telefon")
    await modal.get_by_role("button", name="Save").click()
    await expect(modal).to_have_count(0)
    await expect(root.locator(".fields")).to_contain_text("awaiting confirmation")
    link = root.locator(".thread a[href*='/confirm/']")
    await expect(link).to_have_count(1)
    href = await link.get_attribute("href")
    assert href is not None

    # The customer's page, in Polish (the post was), names the shop, not the team.
    customer = await page.context.new_page()
    await customer.goto(href)
    await expect(customer.locator("main")).to_contain_text("Sklep Kwiatek")
    await expect(customer.locator("main")).to_contain_text("opóźniona dostawa")
    assert "Anna Nowak" not in await customer.content()
    await customer.screenshot(path=str(screenshots / "confirmation.png"))
    await customer.get_by_role("button", name="Tak, rozwiązany").click()
    await expect(customer.locator("h1")).to_contain_text("Dziękujemy")
    await customer.close()

    await expect(root.locator(".fields")).to_contain_text("closed")
    await expect(root.locator(".thread")).to_contain_text(
        "The customer confirmed through the confirmation link"
    )
    await page.locator("#channels").evaluate("box => box.scrollTop = 0")
    await page.screenshot(path=str(screenshots / "sandbox.png"))
    assert (screenshots / "sandbox.png").stat().st_size > 10_000

    # The close report follows in the thread, then its chart, uploaded to the fake Slack.
    report = root.locator(".thread .message", has_text="Report on crisis #1")
    await expect(report).to_contain_text("Confirmed by the customer through the link")
    chart = root.locator(".thread img.file-image")
    await expect(chart).to_be_visible(timeout=20_000)
    await chart.evaluate(
        "img => img.complete && img.naturalWidth ? null"
        " : new Promise((done) => img.addEventListener('load', done))"
    )
    assert await chart.evaluate("img => img.naturalWidth") >= 600
    await chart.scroll_into_view_if_needed()
    top, bottom = await report.bounding_box(), await chart.bounding_box()
    assert top is not None and bottom is not None
    await page.screenshot(
        path=str(screenshots / "report.png"),
        clip={
            "x": top["x"] - 8,
            "y": top["y"] - 8,
            "width": max(top["width"], bottom["width"]) + 16,
            "height": bottom["y"] + bottom["height"] - top["y"] + 16,
        },
    )
    assert (screenshots / "report.png").stat().st_size > 10_000


async def test_the_page_renders_people_text_safely(sandbox_url: str, page: Page) -> None:
    # A post's text reaches the page through Slack's escaping; it must stay text.
    await page.goto(sandbox_url + "/sandbox")
    await page.locator("#command").fill(
        "/crisis open https://x.com/a/1 <img src=x onerror=alert(1)>"
    )
    dialogs: list[Any] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog))
    await page.locator("#command").press("Enter")
    root = page.locator(".message.root").first
    await expect(root).to_contain_text("<img src=x onerror=alert(1)>")
    assert await root.locator("img").count() == 0 and dialogs == []
