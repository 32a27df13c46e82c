"""Structured logs (structlog) on standard error; secrets never reach them."""

from __future__ import annotations

import logging
import sys

import structlog

_NOISY = (
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "apscheduler",
    "asyncio",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "botbuilder",
    "botframework",
    "msrest",
    "msal",
    "urllib3",
    "requests_oauthlib",
    "playwright",
    "tzlocal",
)


def configure(level: str = "info") -> None:
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    logging.basicConfig(stream=sys.stderr, level=numeric, format="%(message)s")
    # Libraries and database drivers log every request, query and tick at debug (Bolt and
    # slack_sdk with request bodies, msrest with headers): our own lines would drown in them,
    # so they only speak up from warnings on, whatever LOG_LEVEL says.
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    # The migrations say which revisions ran; their debug is Alembic's own bookkeeping.
    logging.getLogger("alembic").setLevel(max(numeric, logging.INFO))
    # Alembic is loaded only when a database is behind (bot.migrations), so after this; as it
    # loads, its plugin registry says so for each of its own modules: bookkeeping too.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False)
            if sys.stderr.isatty()
            else structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
