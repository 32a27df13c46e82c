"""`GET /confirm/<token>` and `POST /confirm/<token>`: the customer's confirmation page.

Public and small: plain HTML, no script, nothing from outside. Looking at the page never
changes anything; only the form's POST does, and the unguessable token in its URL is what
makes a forged cross-site POST impossible. Every refusal is the same plain page.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from bot.confirmation_links import LinkRefused, Refused
from bot.context import CoreContext
from bot.customer_confirmation import CommentRefused, Question, answer, question
from bot.i18n import translate
from bot.playbook import is_review

# The page must not be framed (clickjacking an answer), cached, or leak its URL, which is
# the token, to other sites through the Referer header.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
_STATUS = {
    Refused.invalid: 404,
    Refused.expired: 410,
    Refused.used: 410,
    Refused.stale: 410,
}
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f4f6;margin:0;
color:#1d1c1d}main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;
padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.4rem;margin-top:0}
.shop{color:#616061;font-size:.95rem;margin-bottom:.25rem}button{font-size:1rem;
padding:.7rem 1.2rem;border-radius:8px;border:1px solid #bbb;background:#fff;cursor:pointer}
button.yes{background:#007a5a;color:#fff;border-color:#007a5a}textarea{width:100%;
min-height:5rem;margin:.4rem 0 1rem;font:inherit;box-sizing:border-box}
form{margin-top:1.2rem}.answers{display:flex;gap:.8rem;flex-wrap:wrap}
"""


def _language(request: web.Request) -> str:
    """For pages that cannot know the customer (a bad link): the browser's language."""
    accepted = request.headers.get("Accept-Language", "").strip().lower()
    return "pl" if accepted.startswith("pl") else "en"


def _page(language: str, title: str, body: str, status: int = 200) -> web.Response:
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return web.Response(
        text=html, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
    )


def _refused(language: str, reason: Refused) -> web.Response:
    title = translate(language, "page.error_title")
    text = translate(language, f"page.error.{reason.value}")
    body = f'<h1>{escape(title)}</h1><p class="error">{escape(text)}</p>'
    return _page(language, title, body, _STATUS[reason])


def _question(token: str, q: Question) -> web.Response:
    t = q.language
    shop = q.brand or translate(t, "page.shop_unknown")
    about = translate(
        t,
        "page.about",
        problem=translate(t, f"page.problem.{q.category}"),
        source=translate(t, f"page.network.{q.source}"),
    )
    body = (
        f'<p class="shop">{escape(shop)}</p>'
        f"<h1>{escape(translate(t, 'page.question'))}</h1>"
        f'<p class="about">{escape(about)}</p>'
        f'<form method="post" action="/confirm/{escape(token)}">'
        f'<label for="comment">{escape(translate(t, "page.comment"))}</label>'
        '<textarea id="comment" name="comment" maxlength="2000"></textarea>'
        '<div class="answers">'
        f'<button class="yes" name="answer" value="yes">{escape(translate(t, "page.yes"))}</button>'
        f'<button class="no" name="answer" value="no">{escape(translate(t, "page.no"))}</button>'
        "</div></form>"
    )
    return _page(t, translate(t, "page.title"), body)


def register(router: web.UrlDispatcher, ctx: CoreContext) -> None:
    async def show(request: web.Request) -> web.Response:
        try:
            q = await question(ctx, request.match_info["token"])
        except LinkRefused as refused:
            return _refused(refused.language or _language(request), refused.reason)
        return _question(request.match_info["token"], q)

    async def _link_language(token: str) -> str | None:
        try:
            return (await question(ctx, token)).language
        except LinkRefused as refused:
            return refused.language

    async def submit(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        form = await request.post()
        choice = form.get("answer")
        comment = form.get("comment")
        if choice not in ("yes", "no") or not isinstance(comment, str | None):
            return _refused(await _link_language(token) or _language(request), Refused.invalid)
        try:
            asked = await answer(ctx, token, solved=choice == "yes", comment=comment)
        except LinkRefused as refused:
            return _refused(refused.language or _language(request), refused.reason)
        except CommentRefused as invalid:
            language = invalid.language
            text = translate(language, invalid.message.key, **invalid.message.params)
            title = translate(language, "page.error_title")
            return _page(language, title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", 400)
        language = asked.language
        if choice == "yes":
            title = translate(language, "page.thanks_yes")
            # Review sites forbid asking for a review to be removed or changed.
            more_key = (
                "page.thanks_yes_more_review" if is_review(asked.source) else "page.thanks_yes_more"
            )
            more = f"<p>{escape(translate(language, more_key))}</p>"
        else:
            title, more = translate(language, "page.thanks_no"), ""
        return _page(language, title, f'<h1 class="thanks">{escape(title)}</h1>{more}')

    router.add_get("/confirm/{token}", show)
    router.add_post("/confirm/{token}", submit)
