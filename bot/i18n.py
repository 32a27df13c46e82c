"""The bot's words in English and Polish.

Catalogues are flat: key -> template with `{name}` placeholders. Both languages must have the
same keys and placeholders (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from bot.locales import en, pl, playbook_en, playbook_pl

CATALOGUES: dict[str, Mapping[str, str]] = {
    "en": {**en.MESSAGES, **playbook_en.MESSAGES},
    "pl": {**pl.MESSAGES, **playbook_pl.MESSAGES},
}
LANGUAGES = tuple(CATALOGUES)


def template(language: str, key: str) -> str:
    catalogue = CATALOGUES.get(language, CATALOGUES["en"])
    return catalogue.get(key) or CATALOGUES["en"].get(key) or key


def translate(language: str, key: str, **params: Any) -> str:
    return fill(template(language, key), params)


def fill(text: str, params: Mapping[str, Any]) -> str:
    return text.format_map(_Lenient(params))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class _Lenient(dict[str, Any]):
    # A missing parameter shows as its name rather than breaking a message to a user.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
