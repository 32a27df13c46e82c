"""The check of a Google Pub/Sub push's token: google-auth verifies the JWT against Google's
certificates, then its issuer, service account and `email_verified` are checked here."""

from __future__ import annotations

from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import id_token

from bot.settings import Settings
from handlers.sources.google import CertsUnreachable, NotAuthorised

# Pub/Sub's push tokens come from Google's own issuer.
_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
# Google's clock and ours may differ a little.
_CLOCK_SKEW_SECONDS = 10
_CERTS_TIMEOUT = 10


def verify_push_token(authorization: str | None, settings: Settings) -> dict[str, Any]:
    """The claims of a valid push token (blocking: google-auth fetches the certificates)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorised("missing Authorization: Bearer <token>")
    with requests.Session() as session:
        try:
            claims = id_token.verify_token(
                token.strip(),
                _CertsRequest(session),
                audience=settings.google_pubsub_audience,
                certs_url=settings.google_certs_url,
                clock_skew_in_seconds=_CLOCK_SKEW_SECONDS,
            )
        except google.auth.exceptions.TransportError as exc:
            raise CertsUnreachable(str(exc)) from exc
        except Exception as exc:
            # google-auth raises ValueError and friends for a bad signature, audience or
            # expiry; their messages hold no secret.
            raise NotAuthorised(f"the token is not valid: {str(exc)[:200]}") from None
    if claims.get("iss") not in _ISSUERS:
        raise NotAuthorised("the token was not issued by Google")
    if claims.get("email") != settings.google_pubsub_service_account:
        raise NotAuthorised("the token is not the push subscription's service account")
    if claims.get("email_verified") is not True:
        raise NotAuthorised("the token's email is not verified")
    return dict(claims)


class _CertsRequest(google.auth.transport.requests.Request):
    """google-auth's transport with a short timeout: a push waits for the certificates."""

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        return super().__call__(url, method, body, headers, timeout or _CERTS_TIMEOUT, **kwargs)
