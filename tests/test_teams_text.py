"""How the Teams renderer names who did something (no network, no database)."""

from __future__ import annotations

import pytest

from bot.actors import BOT, CUSTOMER, WEBHOOK, Actor
from bot.i18n import translate
from bot.messages import Message, actor_ref
from handlers.slack.text import Renderer as SlackRenderer
from handlers.teams.text import Renderer as TeamsRenderer


@pytest.mark.parametrize("actor", [CUSTOMER, BOT, WEBHOOK], ids=lambda a: a.platform)
@pytest.mark.parametrize("language", ["en", "pl"])
def test_who_is_not_a_person_is_named_alike_on_both_platforms(actor: Actor, language: str) -> None:
    message = Message("timeline.acknowledged", {"at": "", "actor": actor_ref(actor.label)})
    name = translate(language, f"actor.{actor.platform}")
    for renderer in (SlackRenderer(language, {}), TeamsRenderer(language, {})):
        text = renderer.render(message)
        assert name in text and actor.label not in text, text
