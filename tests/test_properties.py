"""Property-based tests (hypothesis) of hostile input against the real server and a fake Slack.

`/alerts` gets random, oversized, deeply nested, wrongly typed and non-UTF-8 bodies (signed,
unsigned and badly signed, alone and in batches); `/crisis` gets random text for every
subcommand from random users. Whatever arrives: never a 5xx, never a traceback, never a
partial write; posts' text reaches Slack escaped, in blocks Slack accepts.

Each test runs ONE bot for the whole test function, on its own event loop in a thread
(`LiveBot`), and hypothesis drives it synchronously, example after example.

The bugs these properties found are pinned by the named tests at the end of this file.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import string
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import structlog
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from bot import alert_signature
from bot.alert_input import AlertIn, AlertInvalid, Source, parse_alert
from bot.locales import en
from handlers.alerts import MAX_BATCH, MAX_BATCH_BODY, MAX_BODY
from handlers.slack.text import escape
from models import Alert, Crisis, OutboxMessage, TimelineEvent
from models.session import Database
from sandbox import slack_requests
from tests.conftest import PG_URL, reset_postgresql
from tests.e2e import ALERT_SECRET, CHANNEL, SIGNING_SECRET, SlackBot, post, running_bot

T = TypeVar("T")
COUNTED = {"alerts": Alert, "crises": Crisis, "outbox": OutboxMessage, "timeline": TimelineEvent}


def fuzz(examples: int) -> settings:
    """Hypothesis settings for a test against a live bot: no deadline, a bounded run."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


INTERNAL_ERROR = en.MESSAGES["error.internal"]


# ---- a bot in a thread ------------------------------------------------------------------


class LiveBot:
    """One running bot (real server, fake Slack) on its own event loop in a thread, so a
    synchronous hypothesis test can drive it example after example."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.database_url = database_url
        self.backend = "postgresql" if database_url.startswith("postgres") else "sqlite"
        self.settings = settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.slack: SlackBot | None = None
        self.db: Database | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="live-bot", daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced by start() and stop()
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with running_bot(self.database_url, **self.settings) as slack:
            self.slack = slack
            # Our own engine for counting rows, apart from the bot's pool.
            self.db = Database(self.database_url)
            try:
                self._ready.set()
                await self._stop.wait()
            finally:
                await self.db.dispose()

    def start(self) -> LiveBot:
        self._thread.start()
        if not self._ready.wait(60) or self._error is not None:
            raise RuntimeError("the bot did not start") from self._error
        return self

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        if self._error is not None:
            raise self._error

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the bot's loop: the fake Slack's state lives there."""

        async def wrapped() -> T:
            return fn()

        return self.run(wrapped())

    @property
    def bot(self) -> SlackBot:
        assert self.slack is not None
        return self.slack

    def raw_alert(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async def send() -> tuple[int, str]:
            async with self.bot.http.post(
                self.bot.url + "/alerts", data=body, headers=headers
            ) as response:
                return response.status, await response.text()

        return self.run(send())

    def alert(self, payload: Any) -> tuple[int, str]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.raw_alert(body, alert_signature.sign(ALERT_SECRET, body, int(time.time())))

    def command(self, text: str, user: str = "UANNA", user_name: str = "anna") -> tuple[int, str]:
        """`/crisis <text>` as Slack sends it: the HTTP status and the ephemeral answer."""
        key = f"prop-{time.monotonic_ns()}"

        async def send() -> tuple[int, str]:
            request = slack_requests.slash_command(
                SIGNING_SECRET,
                text=text,
                user_id=user,
                user_name=user_name,
                channel_id=CHANNEL,
                response_url=self.bot.fake.response_url(key),
            )
            status = await self.bot.slack(request)
            if status != 200:
                return status, ""
            [response] = await self.bot.fake.wait_for_response(key, timeout=10)
            assert response.http_status == 200, response
            assert response.body.get("response_type") == "ephemeral", response.body
            return status, str(response.body.get("text") or "")

        return self.run(send())

    def alert_keys(self) -> set[tuple[str, str]]:
        """(source, id) of every stored alert: another copy of one is a duplicate."""

        async def keys() -> set[tuple[str, str]]:
            assert self.db is not None
            async with self.db.sessions() as session:
                rows = await session.execute(select(Alert.source, Alert.external_id))
                return {(source, external_id) for source, external_id in rows.all()}

        return self.run(keys())

    def counts(self) -> dict[str, int]:
        async def count() -> dict[str, int]:
            assert self.db is not None
            result: dict[str, int] = {}
            for name, model in COUNTED.items():
                # One short session per table: on SQLite every BEGIN takes the write lock.
                async with self.db.sessions() as session:
                    rows = await session.scalar(select(func.count()).select_from(model))
                    result[name] = int(rows or 0)
            return result

        return self.run(count())


@pytest.fixture(autouse=True)
def plain_tracebacks() -> Iterator[None]:
    """Log tracebacks as plain text while these tests run: the default pretty printer
    (rich, with every local variable) takes seconds per error, and these tests provoke
    errors on purpose (the known bugs)."""
    saved = structlog.get_config()
    processors = [
        p for p in saved["processors"] if not isinstance(p, structlog.dev.ConsoleRenderer)
    ]
    plain = structlog.dev.ConsoleRenderer(
        colors=False, exception_formatter=structlog.dev.plain_traceback
    )
    structlog.configure(processors=[*processors, plain])
    try:
        yield
    finally:
        structlog.configure(**saved)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """`database_url` for synchronous tests (conftest's fixture is async)."""
    return _database(request.param, tmp_path)


def _database(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'crisisbot.db'}"
    if not PG_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    asyncio.run(reset_postgresql(PG_URL))
    return PG_URL


@pytest.fixture
def live(db_url: str) -> Iterator[LiveBot]:
    bot = LiveBot(db_url).start()
    try:
        yield bot
    finally:
        bot.stop()


# ---- known product bugs: steer examples around them ------------------------------------

_INT_LIMIT = {"sqlite": 2**63 - 1, "postgresql": 2**31 - 1}


# ---- checks -----------------------------------------------------------------------------

# What the bot itself writes between angle brackets; anything else is a live token that
# came from someone's text (mentions, @channel, links).
_BOT_TOKENS = (
    re.compile(r"<@[UW][A-Z0-9]+>"),
    re.compile(r"<#[CG][A-Z0-9]+>"),
    re.compile(r"<!date\^\d+\^[^|<>]*\|[^<>]*>"),
    re.compile(r"<https?://[^|<>]+\|[^<>]*>"),
)
_ANGLE = re.compile(r"<[^>]*>?")
_BROADCASTS = ("<!channel", "<!here", "<!everyone", "<!subteam")


def live_tokens(text: str, *, mentions: bool = True) -> list[str]:
    """Every `<…>` in mrkdwn `text` that is not one of the bot's own forms."""
    found = []
    for match in _ANGLE.finditer(text):
        token = match.group()
        allowed = _BOT_TOKENS if mentions else _BOT_TOKENS[1:]
        if not any(pattern.fullmatch(token) for pattern in allowed):
            found.append(token)
    return found


def assert_inert(text: str, *, mentions: bool = True) -> None:
    for broadcast in _BROADCASTS:
        assert broadcast not in text, f"live {broadcast}> in {text[:300]!r}"
    assert not live_tokens(text, mentions=mentions), live_tokens(text, mentions=mentions)


def check_answer(status: int, text: str) -> dict[str, Any]:
    """An `/alerts` answer: no 5xx, no traceback, JSON, and a 4xx says what was wrong."""
    assert status < 500, f"HTTP {status}: {text[:500]}"
    assert "Traceback" not in text and 'File "' not in text, text[:500]
    body = json.loads(text)
    assert isinstance(body, dict), body
    if 400 <= status < 500:
        if "results" in body:  # a batch where nothing was accepted
            assert body["accepted"] == 0 and body["results"], body
            assert all(r["code"] == 400 and r["error"] for r in body["results"]), body
        else:
            assert isinstance(body.get("error"), str) and body["error"], body
    return body


def _template_pattern(key: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(en.MESSAGES[key]):
        parts.append(re.escape(escape(literal)))
        if name is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.DOTALL)


# Answers of refused commands: nothing may have changed then.
REFUSALS = [
    _template_pattern(key)
    for key in en.MESSAGES
    if key.startswith(("error.", "usage.")) and not en.MESSAGES[key].startswith("{")
]


def is_refusal(answer: str) -> bool:
    return any(pattern.fullmatch(answer) for pattern in REFUSALS)


def check_blocks(blocks: Any) -> list[str]:
    """Blocks Slack accepts (slack_sdk's validation and the documented limits); returns
    every mrkdwn text in them."""
    assert isinstance(blocks, list) and 0 < len(blocks) <= 50, blocks
    texts: list[str] = []
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.to_dict()  # validates lengths and required fields
        if raw["type"] == "section":
            if "text" in raw:
                assert len(raw["text"]["text"]) <= 3000, len(raw["text"]["text"])
            assert len(raw.get("fields", [])) <= 10
            for field in raw.get("fields", []):
                assert len(field["text"]) <= 2000, len(field["text"])
        if raw["type"] == "header":
            assert len(raw["text"]["text"]) <= 150
        _collect_mrkdwn(raw, texts)
    return texts


def _collect_mrkdwn(value: Any, into: list[str]) -> None:
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            into.append(value["text"])
        for child in value.values():
            _collect_mrkdwn(child, into)
    elif isinstance(value, list):
        for child in value:
            _collect_mrkdwn(child, into)


# ---- strategies -------------------------------------------------------------------------

SOURCES = [source.value for source in Source]
FIELDS = list(AlertIn.model_fields)
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|@team>",
    "<@U123>",
    "<@U123|boss>",
    "<#C0CRISIS>",
    "<https://evil.example|click>",
    "<mailto:a@b.example|mail>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "*bold*",
    "_it_",
    "~gone~",
    "`code`",
    "```block```",
    "> quote",
    "\n",
    "\u202e",
    "@channel",
    "|",
]

huge_ints = st.integers(min_value=-(2**80), max_value=2**80)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(HOSTILE + SOURCES + ["", " ", "https://x.com/p", "2026-11-23T08:15:00Z"]),
)
# Big strings are built, not drawn character by character (that would be slow).
big_strings = st.builds(
    lambda unit, n: unit * n,
    st.sampled_from(["x", "ż", "&", "<!channel>", "\U0001f600"]),
    st.integers(1, 45_000),
)
keys = st.one_of(st.sampled_from([*FIELDS, "name", "handle", "followers"]), st.text(max_size=12))
json_values = st.recursive(
    st.one_of(scalars, big_strings),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=25,
)


def _nest(value: Any, shape: list[str]) -> Any:
    for kind in shape:
        value = [value] if kind == "list" else {"author" if kind == "author" else "x": value}
    return value


# Deep nesting, under the parser's recursion limit (deeper: its own test below).
deeply_nested = st.builds(
    _nest,
    json_values,
    st.integers(1, 400).flatmap(
        lambda depth: st.lists(
            st.sampled_from(["list", "dict", "author"]), min_size=depth, max_size=depth
        )
    ),
)

hosts = st.one_of(
    st.sampled_from(["www.facebook.com", "x.com", "instagram.com", "example.com", "a"]),
    st.from_regex(r"[a-z0-9-]{1,20}(\.[a-z]{2,5}){0,2}", fullmatch=True),
)
urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["https", "http"]),
    hosts,
    st.one_of(st.text(max_size=60), st.from_regex(r"[a-z0-9/?=&%._-]{0,80}", fullmatch=True)),
)
texts = st.one_of(
    st.text(min_size=1, max_size=200),
    st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(max_size=15)), min_size=1, max_size=20
    ).map("".join),
    st.builds(lambda unit, n: (unit * n)[:40_000], st.sampled_from(HOSTILE), st.integers(1, 8000)),
)
short_texts = st.text(max_size=200)
authors = st.fixed_dictionaries(
    {},
    optional={
        "name": short_texts,
        "handle": short_texts,
        "followers": st.integers(min_value=0, max_value=2**31 - 1),
    },
)
datetimes = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()
).map(lambda at: at.isoformat())

valid_alerts = st.fixed_dictionaries(
    {
        "id": st.one_of(
            st.text(min_size=1, max_size=200), st.integers(min_value=0, max_value=10**15)
        ),
        "source": st.sampled_from(SOURCES),
        "url": urls,
        "text": texts,
    },
    optional={
        "author": authors,
        "parent_url": urls,
        "brand": st.text(max_size=200),
        "sentiment": st.floats(min_value=-1, max_value=1),
        "reach": st.integers(min_value=0, max_value=2**31 - 1),
        "language": st.text(max_size=16),
        "created_at": datetimes,
    },
)
# A field value that is wrong for every field of an alert, or almost right.
bad_values = st.one_of(
    json_values,
    big_strings,
    huge_ints,
    st.sampled_from(["", " ", "ftp://x.com/p", "x.com/p", "https://", "myspace", -1, 1.5, 2]),
    st.sampled_from(["\ud800", "2026-13-45T99:99:99", "2026-11-23T08:15:00", "1e999"]),
)


@st.composite
def broken_alerts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid alert with one to three fields removed or replaced by a wrong value."""
    alert = draw(valid_alerts)
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        if draw(st.booleans()):
            alert.pop(field, None)
        else:
            alert[field] = draw(bad_values)
    if draw(st.booleans()):
        alert["author"] = draw(
            st.dictionaries(
                st.sampled_from(["name", "handle", "followers"]), bad_values, max_size=3
            )
        )
    return alert


any_alert = st.one_of(valid_alerts, broken_alerts(), json_values)
SIGNINGS = ["good", "good", "good", "none", "garbage", "wrong secret", "expired", "future"]


def headers_for(body: bytes, signing: str, garbage: str) -> dict[str, str]:
    now = int(time.time())
    if signing == "good":
        return alert_signature.sign(ALERT_SECRET, body, now)
    if signing == "none":
        return {"Content-Type": "application/json"}
    if signing == "garbage":
        return {
            alert_signature.TIMESTAMP_HEADER: garbage,
            alert_signature.SIGNATURE_HEADER: garbage,
        }
    if signing == "wrong secret":
        return alert_signature.sign("not-the-secret", body, now)
    if signing == "expired":
        return alert_signature.sign(ALERT_SECRET, body, now - alert_signature.MAX_AGE_SECONDS - 60)
    return alert_signature.sign(ALERT_SECRET, body, now + alert_signature.MAX_AGE_SECONDS + 60)


header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=40
)


# ---- /alerts ----------------------------------------------------------------------------


def check_stored(item: Any, result: dict[str, Any], seen: set[tuple[str, str]]) -> int:
    """One accepted alert's result, `seen`: the keys stored before it. Returns how many
    alert rows it added (0: a duplicate)."""
    alert = parse_alert(item)
    key = (alert.source.value, alert.id)
    duplicate = key in seen
    assert (result["status"] == "duplicate") == duplicate, (key, result)
    seen.add(key)
    return 0 if duplicate else 1


def too_large(body: bytes) -> bool:
    """What `/alerts` refuses for its size alone (413), before checking the signature."""
    if len(body) > MAX_BATCH_BODY:
        return True
    return len(body) > MAX_BODY and not body.lstrip().startswith(b"[")


def send_one(live: LiveBot, payload: Any, signing: str = "good", garbage: str = "") -> None:
    """Post one body (JSON data, or bytes) and check the answer and what was written."""
    before = live.counts()
    seen = live.alert_keys()
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if isinstance(payload, bytes):
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            payload = None
    status, text = live.raw_alert(body, headers_for(body, signing, garbage))
    answer = check_answer(status, text)
    after = live.counts()
    if too_large(body):
        assert status == 413, (status, answer)
    elif signing != "good":
        assert status == 401, (status, answer)
    else:
        assert status != 401, (len(body), answer)
    if status == 202 and "results" not in answer:
        added = check_stored(payload, answer, seen)
        assert after["alerts"] == before["alerts"] + added, (before, after)
        assert after["crises"] == before["crises"] + (answer["status"] == "opened")
    elif status == 202:
        check_batch(payload, answer, seen, before, after)
    else:
        # Refused: nothing at all was written.
        assert after == before, (status, answer, before, after)


def check_batch(
    items: list[Any],
    answer: dict[str, Any],
    seen: set[tuple[str, str]],
    before: dict[str, int],
    after: dict[str, int],
) -> None:
    results = answer["results"]
    assert [r["index"] for r in results] == list(range(len(items))), results
    assert answer["accepted"] + answer["rejected"] == len(items)
    added = 0
    for item, result in zip(items, results, strict=True):
        try:
            parse_alert(item)
        except AlertInvalid:
            assert result["code"] == 400 and result["error"], result
            continue
        assert result["code"] == 202, result
        added += check_stored(item, result, seen)
    assert answer["accepted"] == sum(r["code"] == 202 for r in results)
    assert after["alerts"] == before["alerts"] + added, (added, before, after)
    assert after["crises"] >= before["crises"]


@pytest.mark.timeout(300)
def test_alert_json_bodies_never_fail_or_write_half(live: LiveBot) -> None:
    """Any JSON value (an alert, a broken alert, anything nested or huge) signed well or
    badly: an answer without a 5xx or a traceback; refused means nothing stored; accepted
    means exactly one alert row per new (source, id)."""

    @fuzz(120)
    @given(payload=any_alert, signing=st.sampled_from(SIGNINGS), garbage=header_text)
    @example(payload=post(id="fb-1"), signing="good", garbage="")
    @example(payload=post(id="fb-1"), signing="good", garbage="")  # the duplicate
    @example(payload=post(id="fb-2", text="<!channel>" * 4000), signing="good", garbage="")
    @example(payload=post(id="fb-3", text="x" * 40_001), signing="good", garbage="")
    @example(payload=post(id="fb-4", reach=True), signing="good", garbage="")
    @example(payload=post(id="fb-5", author=[1, 2]), signing="good", garbage="")
    @example(payload=post(id="fb-6"), signing="none", garbage="")
    @example(payload=post(id="fb-7"), signing="garbage", garbage="١٢٣")
    def prop(payload: Any, signing: str, garbage: str) -> None:
        send_one(live, payload, signing, garbage)

    prop()


raw_bodies = st.one_of(
    st.binary(max_size=300),
    # Not UTF-8: a valid alert's JSON with bytes that cannot be decoded spliced in.
    st.builds(
        lambda alert, junk, at: (lambda b: b[: at % (len(b) + 1)] + junk + b[at % (len(b) + 1) :])(
            json.dumps(alert).encode()
        ),
        valid_alerts,
        st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80", b"\xf5\x80"]),
        st.integers(0, 10_000),
    ),
    st.builds(lambda alert: json.dumps(alert).encode("utf-16"), valid_alerts),
    st.builds(lambda alert: b"\xef\xbb\xbf" + json.dumps(alert).encode(), valid_alerts),
    # Deeply nested JSON, well under the parser's recursion limit.
    st.builds(lambda depth: b"[" * depth + b"]" * depth, st.integers(1, 400)),
    st.builds(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth, st.integers(1, 400)),
    st.builds(lambda v: json.dumps(v).encode(), deeply_nested),
    # Oversized: one alert over 64 KiB, a batch over 2 MiB.
    st.builds(
        lambda n, fill: json.dumps(post(text=fill * n)).encode(),
        st.integers(MAX_BODY // 10, MAX_BODY // 4),
        st.sampled_from(["x", "&", "ż"]),
    ),
    st.builds(
        lambda n: b"[" + b"1," * n + b"1]",
        st.integers(MAX_BATCH_BODY // 2 - 8, MAX_BATCH_BODY // 2 + 8),
    ),
    st.builds(lambda n: b" " * n + b"{}", st.integers(MAX_BODY - 4, MAX_BODY + 4)),
    # Almost JSON.
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"{}",
            b'"x"',
            b"NaN",
            b"-Infinity",
            b"1e999999",
            b"9" * 5000,
            b'{"id": "1", "id": 2}',
            b'{"text": "\\ud800"}',
            b'{"id":"a","source":"x","url":"https://x.com/a","text":"\\udfff"}',
            b'{"id":"a","source":"x","url":"https://x.com/a","text":"t","sentiment":NaN}',
            b"[" * 10 + b"]",
            b'{"a": 1} trailing',
            b"\x00\x00\x00",
            b"[" + b"{}," * (MAX_BATCH) + b"{}]",
        ]
    ),
)


@pytest.mark.timeout(300)
def test_alert_raw_bodies_never_fail_or_write(live: LiveBot) -> None:
    """Bytes that are not an alert: random, not UTF-8, oversized, deeply nested, almost
    JSON; signed or not. Never a 5xx or a traceback, never a row."""

    @fuzz(80)
    @given(body=raw_bodies, signing=st.sampled_from(SIGNINGS), garbage=header_text)
    def prop(body: bytes, signing: str, garbage: str) -> None:
        send_one(live, body, signing, garbage)

    prop()


@pytest.mark.timeout(300)
def test_alert_batches_store_each_valid_alert_once(live: LiveBot) -> None:
    """A JSON array mixing valid alerts, broken ones, duplicates and junk: one result per
    item in order; each valid alert stored once; an invalid one changes nothing."""

    @fuzz(50)
    @given(
        items=st.lists(
            st.one_of(valid_alerts, broken_alerts(), json_values), min_size=0, max_size=10
        ).flatmap(
            # Sometimes send an item twice within the batch.
            lambda items: st.just(items) | st.just(items + items[:2])
        )
    )
    @example(items=[post(id="b-1"), {"id": "b-2"}, 42, post(id="b-1"), post(id="b-3")])
    @example(items=[[post(id="b-4")]])
    @example(items=[post(id=f"many-{i}", url=f"https://x.com/m/{i}") for i in range(MAX_BATCH + 1)])
    def prop(items: list[Any]) -> None:
        send_one(live, items)

    prop()


# ---- /crisis ----------------------------------------------------------------------------

ROSTER = {"UANNA": "lead", "UBOB": "senior", "UCAROL": "junior"}
users = st.one_of(
    st.sampled_from([*ROSTER, "UANNA", "UANNA"]),
    st.from_regex(r"[UW][A-Z0-9]{2,11}", fullmatch=True),
)
arguments = st.one_of(
    st.sampled_from(["1", "#1", "2", "#2", "3", "0", "-1", "1.5", "999999999", "1234567890"]),
    st.sampled_from(["<@UANNA>", "<@UBOB|bob>", "<@UCAROL>", "<@U0NEW1234|new>", "UBOB", "@UBOB"]),
    st.sampled_from(["<#C0OTHER1|other>", "C12345678", "<#G0PRIV123>", "#C0X", "default"]),
    st.sampled_from(["lead", "senior", "junior", "LEAD", "boss", "show", "add", "remove"]),
    st.sampled_from(["1h", "30m", "4h", "1d", "30d", "31d", "0s", "0", "1e3", "abc", "90"]),
    st.sampled_from(["https://x.com/p/1", "<https://www.facebook.com/p/2>", "http://a", "ftp://x"]),
    st.sampled_from(["<https://evil.example|click>", "https://x.com/p?a=1&b=<2>", "mailto:a@b"]),
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers().map(str),
)
separators = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", " \u3000 "])


numbers = st.one_of(st.sampled_from(["1", "2", "#1", "#2", "3"]), st.integers(0, 10).map(str))
people = st.sampled_from(
    ["<@UANNA>", "<@UBOB|bob>", "<@UCAROL>", "<@U0NEW1234|new>", "UBOB", "<@U123>", "<!channel>"]
)
free_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), max_size=12).map(" ".join),
)
places = st.sampled_from(["<#C0OTHER1|other>", "C12345678", "<#G0PRIV123>", "default", "<!here>"])
levels = st.sampled_from(["lead", "senior", "junior", "boss", "<!channel>"])
durations = st.sampled_from(["1h", "30m", "4h", "1d", "30d", "31d", "0s", "90", "1.5h", "abc"])
post_urls = st.one_of(urls, st.sampled_from(["<https://x.com/p/7>", "<https://e.example/|x>"]))
# Well-formed commands with random content where people type free text.
WELL_FORMED: dict[str, list[st.SearchStrategy[str]]] = {
    "help": [free_text],
    "list": [],
    "stats": [],
    "status": [numbers],
    "ack": [numbers],
    "reopen": [numbers],
    "resolve": [numbers, free_text],
    "confirm": [numbers, free_text],
    "assign": [numbers, people],
    "snooze": [numbers, durations],
    "roster": [],
    "roster add": [people, levels],
    "roster remove": [people],
    "channel": [free_text, places],
    "open": [post_urls, free_text],
}


@st.composite
def command_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["random", "long", "words", "command", "command", "command"]))
    if kind == "random":
        return draw(st.text(max_size=300))
    if kind == "long":
        # Beyond a note's 3,000 characters, up to about 40,000.
        return draw(st.sampled_from([*WELL_FORMED, "resolve 1", "open https://x.com/p/9"])) + (
            " " + draw(st.sampled_from([*HOSTILE, "x", "ż "])) * draw(st.integers(1, 1500))
        )
    if kind == "words":
        name = draw(st.sampled_from(list(WELL_FORMED)))
        words = [name, *draw(st.lists(arguments, max_size=5))]
        return draw(separators).join(words)
    name = draw(st.sampled_from(list(WELL_FORMED)))
    words = [name, *(draw(part) for part in WELL_FORMED[name])]
    if draw(st.integers(0, 5)) == 0:
        words[0] = name.title()
    return draw(st.sampled_from(["", " "])) + draw(separators).join(words)


def seed_commands(live: LiveBot) -> None:
    """A roster and two crises, so commands have something to act on."""
    for user, level in ROSTER.items():
        status, answer = live.command(f"roster add <@{user}> {level}", "UANNA")
        assert status == 200 and "roster" in answer, answer
    for n in (1, 2):
        status, text = live.alert(post(id=f"seed-{n}", url=f"https://x.com/seed/{n}"))
        assert status == 202, text


@pytest.mark.timeout(300)
def test_crisis_commands_answer_every_text_safely(live: LiveBot) -> None:
    """Random text for every subcommand, from roster members and strangers: HTTP 200, one
    ephemeral answer, never an internal error or a traceback, nothing the user typed
    comes back live; a refused command changes nothing."""
    seed_commands(live)

    @fuzz(150)
    @given(text=command_texts(), user=users, user_name=st.sampled_from(["anna", "<!channel>"]))
    @example(text="ack 1", user="UANNA", user_name="anna")
    @example(
        text="resolve 1 <!channel> <@U123|x> <https://evil|x> & *b*", user="UANNA", user_name="anna"
    )
    @example(text="status 1", user="UANNA", user_name="anna")
    @example(text="resolve 2 " + "<!here>" * 6000, user="UANNA", user_name="anna")
    @example(text="<!channel>", user="UEVE1", user_name="<!channel>")
    @example(text="channel <!channel> <#C0OTHER1|x>", user="UANNA", user_name="anna")
    @example(text="channel", user="UANNA", user_name="anna")
    @example(
        text="open <https://x.com/p/<!here>|x> <!channel> & <@U1>", user="UBOB", user_name="bob"
    )
    @example(text="list", user="UBOB", user_name="bob")
    def prop(text: str, user: str, user_name: str) -> None:
        before = live.counts()
        status, answer = live.command(text, user, user_name)
        assert status == 200
        assert answer.strip(), f"empty answer to {text[:100]!r}"
        for trace in ("Traceback", 'File "'):
            assert trace not in answer or trace in text, answer[:500]
        assert answer != INTERNAL_ERROR, f"internal error for {text[:200]!r}"
        assert len(answer) <= 40_000
        assert_inert(answer)
        if is_refusal(answer):
            assert live.counts() == before, (text[:200], answer)

    prop()
    # What the commands wrote into crisis threads (notes, reports) is inert too.
    for message in live.call(lambda: live.bot.fake.messages(CHANNEL)):
        for reply in [
            message,
            *live.call(lambda m=message: live.bot.fake.replies(CHANNEL, m["ts"])),
        ]:
            assert_inert(reply.get("text", ""))
            if reply.get("blocks"):
                for text in check_blocks(reply["blocks"]):
                    assert_inert(text)


# ---- posts in Slack ---------------------------------------------------------------------

hostile_texts = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(max_size=10)), min_size=1, max_size=40
    ).map("".join),
    st.builds(
        lambda parts, n: ("".join(parts) * n)[:40_000],
        st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=5),
        st.integers(1, 10_000),
    ),
)
hostile_names = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=8).map(
    lambda parts: "".join(parts)[:200]
)
PROP_CHANNELS = 100


def _expected_quote(text: str) -> str:
    """How the root message quotes a post: whitespace folded, at most 500 characters."""
    folded = " ".join(text.split())
    return folded if len(folded) <= 500 else folded[:499].rstrip() + "…"


@pytest.mark.timeout(300)
def test_hostile_posts_reach_slack_inert_and_in_valid_blocks(db_url: str) -> None:
    """Posts and comments full of `<!channel>`, mentions, links and markup, up to 40,000
    characters: the root messages and the thread summaries show them escaped, in blocks
    within Slack's limits, and nobody gets pinged."""
    # Each example's crisis goes to its own channel (by brand), so Slack's pacing per
    # channel does not make the test wait.
    channels = {f"prop{i}": f"C0PROP{i:03d}" for i in range(PROP_CHANNELS)}
    brand_channels = ",".join(f"{brand}={channel}" for brand, channel in channels.items())
    live = LiveBot(db_url, brand_channels=brand_channels, summary_interval="1s").start()
    posted: list[tuple[str, int, dict[str, Any]]] = []
    attempts = itertools.count()
    try:

        @fuzz(12)
        @given(text=hostile_texts, name=hostile_names, handle=hostile_names, comment=hostile_texts)
        @example(
            text=("<!channel> <@U123> <https://evil|click> & " * 1000)[:40_000],
            name="<!here> & <@U999|boss>",
            handle="<!channel>",
            comment="<!everyone> " + "&" * 600,
        )
        def prop(text: str, name: str, handle: str, comment: str) -> None:
            # A new post, author group and brand every time (beyond PROP_CHANNELS, the brand
            # has no channel of its own: CRISIS_CHANNEL).
            index = next(attempts)
            brand = f"prop{index}"
            url = f"https://www.facebook.com/prop/{index}"
            root = post(
                id=f"hostile-{index}",
                url=url,
                text=text,
                brand=brand,
                author={"name": name, "handle": handle, "followers": 10},
            )
            reply = post(
                id=f"hostile-{index}-c",
                url=f"{url}/comment",
                parent_url=url,
                text=comment,
                brand=brand,
                author={"name": handle, "handle": name},
            )
            sent = []
            for alert in (root, reply):
                try:
                    parse_alert(alert)
                except AlertInvalid:
                    reject()  # e.g. only whitespace
                sent.append(alert)
            status, answer = live.alert(sent[0])
            assert status == 202 and json.loads(answer)["status"] == "opened", answer
            crisis = json.loads(answer)["crisis"]
            status, answer = live.alert(sent[1])
            assert status == 202 and json.loads(answer)["crisis"] == crisis, answer
            posted.append((channels.get(brand, CHANNEL), crisis, sent[0]))

        prop()

        def roots_and_summaries() -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
            found = []
            for channel, crisis, _ in posted:
                for message in live.bot.fake.messages(channel):
                    header = message["blocks"][0]["text"]["text"]
                    if header.split(" ")[1] == f"#{crisis}":
                        replies = live.bot.fake.replies(channel, message["ts"])
                        found.append((message, replies))
            return found

        def all_delivered() -> bool:
            found = roots_and_summaries()
            return len(found) == len(posted) and all(
                any(r.get("blocks") for r in replies) for _, replies in found
            )

        live.run(live.bot.fake.wait_for(all_delivered, timeout=30, what="roots and summaries"))
        # Let the summaries' and roots' edits settle.
        time.sleep(1.5)
        for (message, replies), (_, crisis, alert) in zip(
            live.call(roots_and_summaries), posted, strict=True
        ):
            assert_inert(message["text"], mentions=False)
            texts = check_blocks(message["blocks"])
            for text in texts:
                assert_inert(text, mentions=False)
            quote = texts[0].rsplit("\n", 1)[0]
            assert quote.startswith("> ")
            shown = html.unescape(quote.removeprefix("> "))
            assert shown == _expected_quote(parse_alert(alert).text), crisis
            for reply in replies:
                assert_inert(reply.get("text", ""), mentions=False)
                if reply.get("blocks"):
                    for text in check_blocks(reply["blocks"]):
                        assert_inert(text, mentions=False)
    finally:
        live.stop()


# ---- known bugs -------------------------------------------------------------------------


@pytest.fixture
def sqlite_bot(tmp_path: Path) -> Iterator[LiveBot]:
    bot = LiveBot(_database("sqlite", tmp_path)).start()
    try:
        yield bot
    finally:
        bot.stop()


@pytest.fixture
def postgresql_bot(tmp_path: Path) -> Iterator[LiveBot]:
    bot = LiveBot(_database("postgresql", tmp_path)).start()
    try:
        yield bot
    finally:
        bot.stop()


def test_deeply_nested_json_is_refused_not_a_500(sqlite_bot: LiveBot) -> None:
    status, text = sqlite_bot.alert(b"[" * 5000 + b"]" * 5000)
    check_answer(status, text)


def test_large_signed_batch_is_not_refused_as_unsigned(sqlite_bot: LiveBot) -> None:
    text = "Zamówiłam kurtkę trzy tygodnie temu i nadal czekam. " * 30
    items = [post(id=f"big-{i}", url=f"https://x.com/big/{i}", text=text) for i in range(400)]
    body = json.dumps(items).encode()
    assert MAX_BODY < len(body) < MAX_BATCH_BODY and len(items) <= MAX_BATCH
    status, answer = sqlite_bot.alert(body)
    check_answer(status, answer)
    assert status == 202, answer


@pytest.mark.parametrize("timestamp", ["²", "9" * 5000])
def test_unparsable_signature_timestamp_is_401(sqlite_bot: LiveBot, timestamp: str) -> None:
    headers = {
        alert_signature.TIMESTAMP_HEADER: timestamp,
        alert_signature.SIGNATURE_HEADER: "v1=00",
        "Content-Type": "application/json",
    }
    status, text = sqlite_bot.raw_alert(json.dumps(post()).encode(), headers)
    check_answer(status, text)
    assert status == 401


@pytest.mark.parametrize("field", ["url", "parent_url"])
def test_alert_url_with_an_invalid_port_is_refused(sqlite_bot: LiveBot, field: str) -> None:
    status, text = sqlite_bot.alert(post(**{field: "https://x.com:99999/p"}))
    check_answer(status, text)
    assert status == 400


def test_crisis_open_with_an_invalid_port_answers_usage(sqlite_bot: LiveBot) -> None:
    status, answer = sqlite_bot.command("open https://x.com:99999/p")
    assert status == 200
    assert answer != INTERNAL_ERROR


@pytest.mark.parametrize("field", ["reach", "followers"])
def test_alert_integer_beyond_the_database_column_is_refused(db_url: str, field: str) -> None:
    live = LiveBot(db_url).start()
    try:
        big = _INT_LIMIT[live.backend] + 1
        alert = (
            post(reach=big) if field == "reach" else post(author={"name": "A", "followers": big})
        )
        status, text = live.alert(alert)
        check_answer(status, text)
    finally:
        live.stop()


def test_total_reach_beyond_int32_is_not_a_5xx_on_postgresql(postgresql_bot: LiveBot) -> None:
    url = "https://www.facebook.com/sklep/posts/viral"
    status, text = postgresql_bot.alert(post(id="v-1", url=url, reach=2**31 - 1))
    assert status == 202, text
    status, text = postgresql_bot.alert(post(id="v-2", url=url, reach=2**31 - 1))
    check_answer(status, text)


def test_alert_created_at_near_the_datetime_limits_is_not_a_5xx(sqlite_bot: LiveBot) -> None:
    status, text = sqlite_bot.alert(post(created_at="9999-12-31T23:59:59-14:00"))
    check_answer(status, text)


def test_nul_character_in_an_alert_is_not_a_5xx_on_postgresql(postgresql_bot: LiveBot) -> None:
    status, text = postgresql_bot.alert(post(text="a\u0000b"))
    check_answer(status, text)


def test_nul_character_in_crisis_open_is_not_an_internal_error(postgresql_bot: LiveBot) -> None:
    status, answer = postgresql_bot.command("open https://x.com/p/1 a\x00b")
    assert status == 200
    assert answer != INTERNAL_ERROR


@pytest.mark.parametrize(
    "fields",
    [
        {"brand": "\ufdfa" * 200},
        {"brand": "b", "author": {"name": "\ufdfa" * 200, "handle": "\ufdfa" * 200}},
        {"url": "https://x.com/p?q=" + "é" * 1000},
    ],
    ids=["brand", "author", "query"],
)
def test_derived_keys_longer_than_their_columns_are_not_a_5xx_on_postgresql(
    postgresql_bot: LiveBot, fields: dict[str, Any]
) -> None:
    status, text = postgresql_bot.alert(post(**fields))
    check_answer(status, text)


def test_root_message_of_a_long_url_and_escaped_text_reaches_slack(sqlite_bot: LiveBot) -> None:
    # 500 escaped `&` (2,500 characters) and a link of about 1,550: over 3,000.
    url = "https://www.facebook.com/p/1?ref=" + "a" * 1500
    status, text = sqlite_bot.alert(post(url=url, text="&" * 600))
    assert status == 202, text
    fake = sqlite_bot.bot.fake
    sqlite_bot.run(fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1))
    check_blocks(sqlite_bot.call(lambda: fake.messages(CHANNEL))[0]["blocks"])


@pytest.mark.parametrize("duration", ["99999999999999d", "3000000d"])
def test_snooze_with_a_huge_duration_answers_bad_snooze(sqlite_bot: LiveBot, duration: str) -> None:
    status, answer = sqlite_bot.command(f"snooze 1 {duration}")
    assert status == 200
    assert answer != INTERNAL_ERROR


def test_roster_display_name_longer_than_its_column(postgresql_bot: LiveBot) -> None:
    status, answer = postgresql_bot.command("roster add <@UXX|" + "n" * 300 + "> lead")
    assert status == 200
    assert answer != INTERNAL_ERROR
