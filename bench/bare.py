"""The yardstick for intake: a bare aiohttp endpoint that checks the same signature as
`POST /alerts` and answers 202, run as its own process like the real server.

    python -m bench.bare PORT SECRET
"""

from __future__ import annotations

import sys
import time

from aiohttp import web

from bot import alert_signature


def make_app(secret: str) -> web.Application:
    async def alerts(request: web.Request) -> web.Response:
        body = await request.read()
        valid = alert_signature.is_valid(
            [secret],
            request.headers.get(alert_signature.TIMESTAMP_HEADER),
            request.headers.get(alert_signature.SIGNATURE_HEADER),
            body,
            time.time(),
        )
        if not valid:
            return web.json_response({"error": "bad signature"}, status=401)
        return web.json_response({"status": "accepted"}, status=202)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "ready": True})

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post("/alerts", alerts)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2]
    web.run_app(make_app(secret), host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
