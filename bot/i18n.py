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


def number(language: str, value: float) -> str:
    """12,000 and 2.5 in English; 12 000 and 2,5 in Polish (a no-break space, none in four
    digits). A fraction keeps one decimal place."""
    whole = float(value).is_integer()
    text = f"{int(value):,}" if whole else f"{value:,.1f}"
    if language != "pl":
        return text
    grouped = text.replace(",", "\u00a0") if abs(value) >= 10_000 else text.replace(",", "")
    return grouped if whole else grouped[:-2] + "," + grouped[-1]


def _plural_form(language: str, count: int) -> int:
    if language == "pl":
        if count == 1:
            return 0
        if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
            return 1
        return 2
    return 0 if count == 1 else 1


def plural(language: str, key: str, count: int) -> str:
    """A count with its noun: the catalogue holds the forms separated by `|` (English: one,
    other; Polish: 1 post, 2 posty, 5 postów), each with `{n}`."""
    forms = template(language, key).split("|")
    form = forms[min(_plural_form(language, count), len(forms) - 1)]
    return fill(form, {"n": number(language, count)})


def duration(language: str, seconds: float) -> str:
    """A length of time in words, to the minute: "1 hour 5 minutes", "2 godziny 5 minut"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return plural(language, "count.second", max(0, round(seconds)))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "count.day"), (hours, "count.hour"), (minutes, "count.minute")]
    shown = [plural(language, key, amount) for amount, key in parts if amount]
    # Days and minutes together say more than anyone needs in a reminder.
    return " ".join(shown[:2])


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class _Lenient(dict[str, Any]):
    # A missing parameter shows as its name rather than breaking a message to a user.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
