"""`POST /alerts`: the signed webhook social-listening tools and scripts report posts to."""

from __future__ import annotations

import json
import time
from typing import Any

import structlog
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot import alert_signature
from bot.actors import WEBHOOK
from bot.alert_input import AlertIn, AlertInvalid, parse_alert
from bot.context import CoreContext
from bot.intake import IntakeResult, IntakeStatus, ingest, ingest_many
from bot.metrics import ALERTS_REJECTED
from handlers.bodies import read_at_most

MAX_BODY = 64 * 1024
# Meta sends up to 1,000 changes in one delivery.
MAX_BATCH = 1000
# A batch (a JSON array) may be larger than one alert: up to MAX_BATCH alerts of a usual size.
MAX_BATCH_BODY = 4 * 1024 * 1024
log = structlog.get_logger(__name__)
_STORE_ERRORS = (SQLAlchemyError, OSError, TimeoutError)


def _error(status: int, error: str, field: str | None = None) -> web.Response:
    ALERTS_REJECTED.labels(code=str(status)).inc()
    body: dict[str, Any] = {"error": error}
    if field is not None:
        body["field"] = field
    return web.json_response(body, status=status)


async def _read_limited(request: web.Request) -> bytes | None:
    """The raw body, or None when it is too large: over MAX_BODY for one alert, over
    MAX_BATCH_BODY for a batch (reading no further than that)."""
    body = await read_at_most(request, MAX_BATCH_BODY)
    if body is None:
        return None
    if len(body) > MAX_BODY and not body.lstrip().startswith(b"["):
        return None
    return body


def secrets(ctx: CoreContext) -> list[str]:
    """Active secrets: while rotating, ALERT_WEBHOOK_SECRET holds old and new, comma-separated."""
    configured = ctx.settings.alert_webhook_secret
    if configured is None:
        return []
    return [s.strip() for s in configured.get_secret_value().split(",") if s.strip()]


def _accepted(result: IntakeResult) -> dict[str, Any]:
    # The answer's statuses are a public interface (opened, grouped, duplicate): a relapse
    # joins an existing crisis, so it is "grouped", with a flag for tools that care.
    reopened = result.status is IntakeStatus.reopened
    answer: dict[str, Any] = {
        "crisis": result.crisis,
        "status": IntakeStatus.grouped.value if reopened else result.status.value,
        "category": result.category,
        "severity": result.severity,
    }
    if reopened:
        answer["reopened"] = True
    return answer


async def _batch(ctx: CoreContext, items: list[Any]) -> web.Response:
    """Up to MAX_BATCH alerts: one result per alert, in order. An invalid alert is answered
    400 in its own result; the valid ones are stored all the same."""
    if not items:
        return _error(400, "an empty batch: send at least one alert")
    if len(items) > MAX_BATCH:
        return _error(400, f"a batch holds at most {MAX_BATCH} alerts, not {len(items)}")
    results: list[dict[str, Any] | None] = []
    valid: list[tuple[int, AlertIn]] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, parse_alert(item)))
            results.append(None)
        except AlertInvalid as invalid:
            ALERTS_REJECTED.labels(code="400").inc()
            results.append(
                {"index": index, "code": 400, "error": invalid.error, "field": invalid.field}
            )
    # All valid alerts go to the intake writer at once: a large batch costs a few commits.
    outcomes = await ingest_many(ctx, [(alert, WEBHOOK) for _, alert in valid])
    for (index, alert), outcome in zip(valid, outcomes, strict=True):
        if isinstance(outcome, IntakeResult):
            results[index] = {"index": index, "code": 202, **_accepted(outcome)}
        elif isinstance(outcome, _STORE_ERRORS):  # the database is away
            log.error("alert not stored", source=alert.source.value, id=alert.id, exc_info=outcome)
            results[index] = {"index": index, "code": 503, "error": "not stored; retry it"}
        else:
            raise outcome
    answered = [result for result in results if result is not None]
    accepted = sum(1 for r in answered if r["code"] == 202)
    return web.json_response(
        {"accepted": accepted, "rejected": len(answered) - accepted, "results": answered},
        # 202 when anything was accepted (the results say which were not); 400 when nothing.
        status=202 if accepted else 400,
    )


def make_handler(ctx: CoreContext) -> Any:
    async def receive_alert(request: web.Request) -> web.Response:
        active = secrets(ctx)
        if not active:
            return _error(503, "alert intake is off: ALERT_WEBHOOK_SECRET is not set")
        body = await _read_limited(request)
        if body is None:
            return _error(413, f"body over {MAX_BODY} bytes (a batch: over {MAX_BATCH_BODY} bytes)")
        if not alert_signature.is_valid(
            active,
            request.headers.get(alert_signature.TIMESTAMP_HEADER),
            request.headers.get(alert_signature.SIGNATURE_HEADER),
            body,
            time.time(),
        ):
            return _error(401, "missing, wrong or expired signature")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error(415, "the body must be JSON (UTF-8)")
        except RecursionError:
            return _error(400, "the JSON is nested too deeply")
        if isinstance(data, list):
            return await _batch(ctx, data)
        try:
            alert = parse_alert(data)
        except AlertInvalid as invalid:
            return _error(400, invalid.error, invalid.field)
        try:
            result = await ingest(ctx, alert, WEBHOOK)
        except _STORE_ERRORS:  # the database is away
            log.exception("alert not stored", source=alert.source.value, id=alert.id)
            # Nothing was stored: the sender must retry, and the same id stays idempotent.
            return _error(503, "the alert could not be stored; retry")
        return web.json_response(_accepted(result), status=202)

    return receive_alert
