"""Fakes of the APIs the bot fetches from, served over real HTTP on 127.0.0.1 for tests:
Google (signing certificates, OAuth token endpoint, Business Profile reviews), Brand24's
mentions and Mention's mentions. Each keeps the calls it answered, and can be told to fail
the next calls with a status (401, 429 with Retry-After, 5xx) the way the vendors do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

GOOGLE_CLIENT_ID = "fake-client.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "fake-client-secret"
GOOGLE_REFRESH_TOKEN = "1//fake-refresh-token"
GOOGLE_KEY_ID = "fake-key-1"
BRAND24_KEY = "fake-brand24-key"
MENTION_TOKEN = "fake-mention-token"
_ACCESS_TOKEN = "ya29.fake-access-token"


@dataclass(frozen=True)
class Call:
    api: str
    path: str
    query: dict[str, str]
    status: int


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    # Calls answered normally before this failure.
    after: int = 0


def new_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_pem(key: rsa.RSAPrivateKey) -> str:
    """A self-signed certificate for the key, as Google publishes its signing keys."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake google signer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def sign_token(
    claims: dict[str, Any], key: rsa.RSAPrivateKey, *, key_id: str = GOOGLE_KEY_ID
) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id})


@dataclass
class FakeSources:
    """`async with FakeSources() as fake:` then point the settings at `fake.url(...)`."""

    signing_key: rsa.RSAPrivateKey = field(default_factory=new_signing_key)
    # Business Profile reviews by resource name.
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Brand24 mentions per project, in the order the API pages them.
    brand24: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    brand24_page_size: int = 500
    # Mention mentions per alert (ids ascending; the API answers newest first).
    mention: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    mention_page_size: int = 100
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _port: int = 0

    def url(self, api: str) -> str:
        return f"http://127.0.0.1:{self._port}/{api}"

    @property
    def certs_url(self) -> str:
        return self.url("google/certs")

    def fail(
        self,
        api: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` calls to `api` ("google", "brand24", "mention") fail, once
        `after` calls have been answered."""
        self.failures.setdefault(api, []).extend(
            Failure(status, retry_after, after if n == 0 else 0) for n in range(times)
        )

    def push_token(self, audience: str, email: str, **claims: Any) -> str:
        """A Pub/Sub push token as Google signs it; claims override the defaults."""
        now = int(time.time())
        values: dict[str, Any] = {
            "iss": "https://accounts.google.com",
            "aud": audience,
            "azp": "1234567890",
            "email": email,
            "email_verified": True,
            "iat": now,
            "exp": now + 3600,
            "sub": "1234567890",
        }
        values.update(claims)
        return sign_token(values, self.signing_key)

    def calls_to(self, api: str) -> list[Call]:
        return [call for call in self.calls if call.api == api]

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/google/certs", self._certs)
        app.router.add_post("/google/token", self._token)
        app.router.add_get("/google/v4/{name:.+}", self._review)
        app.router.add_get("/brand24/api-data/v1/project/{project}/mentions", self._brand24)
        app.router.add_get("/mention/accounts/{account}/alerts/{alert}/mentions", self._mention)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _answer(self, api: str, request: web.Request, body: Any, status: int = 200) -> web.Response:
        pending = self.failures.get(api) or []
        headers: dict[str, str] = {}
        if pending and status == 200 and pending[0].after > 0:
            pending[0].after -= 1
        elif pending and status == 200:
            failure = pending.pop(0)
            status, body = failure.status, {"error": f"fake {api} failure"}
            if failure.retry_after is not None:
                headers["Retry-After"] = failure.retry_after
        self.calls.append(Call(api, request.path, dict(request.query), status))
        return web.json_response(body, status=status, headers=headers)

    async def _certs(self, request: web.Request) -> web.Response:
        return self._answer(
            "google-certs", request, {GOOGLE_KEY_ID: certificate_pem(self.signing_key)}
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != GOOGLE_REFRESH_TOKEN
            or form.get("client_id") != GOOGLE_CLIENT_ID
            or form.get("client_secret") != GOOGLE_CLIENT_SECRET
        ):
            return self._answer("google", request, {"error": "invalid_grant"}, 400)
        return self._answer("google", request, {"access_token": _ACCESS_TOKEN, "expires_in": 3599})

    async def _review(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {_ACCESS_TOKEN}":
            return self._answer("google", request, {"error": "unauthenticated"}, 401)
        review = self.reviews.get(request.match_info["name"])
        if review is None:
            return self._answer("google", request, {"error": "not found"}, 404)
        return self._answer("google", request, review)

    async def _brand24(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Api-Key") != BRAND24_KEY:
            return self._answer("brand24", request, {"status": "error"}, 401)
        query = request.query
        limit = int(query.get("limit", "100"))
        if limit > 500:
            return self._answer("brand24", request, {"status": "error"}, 400)
        day_from, day_to = query.get("date_from", ""), query.get("date_to", "9999")
        found = [
            m
            for m in self.brand24.get(request.match_info["project"], [])
            if day_from <= m.get("date", "") <= day_to
        ]
        start = int(query.get("cursor") or 0)
        size = min(limit, self.brand24_page_size)
        page = found[start : start + size]
        more = start + size < len(found)
        body = {
            "status": "success",
            "message": {
                "results": page,
                "has_more_mentions": more,
                "cursor": str(start + size) if more else None,
            },
        }
        return self._answer("brand24", request, body)

    async def _mention(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {MENTION_TOKEN}":
            return self._answer("mention", request, {"error": "invalid_grant"}, 401)
        query = request.query
        since = int(query.get("since_id") or 0)
        before = int(query.get("before_id") or 0)
        limit = min(int(query.get("limit", "20")), self.mention_page_size)
        newest_first = sorted(
            self.mention.get(request.match_info["alert"], []), key=lambda m: -int(m["id"])
        )
        found = [
            m
            for m in newest_first
            if int(m["id"]) > since and (not before or int(m["id"]) < before)
        ]
        page = found[:limit]
        links: dict[str, Any] = {}
        if len(found) > limit:
            links["more"] = {
                "href": f"{request.path}?since_id={since}&before_id={page[-1]['id']}&limit={limit}"
            }
        return self._answer("mention", request, {"mentions": page, "_links": links})
