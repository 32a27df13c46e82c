"""Adaptive Cards for a crisis: the root card (the same facts as Slack's root message, with
its controls), the playbook checklist and the live summary."""

from __future__ import annotations

import re
from typing import Any

from bot.categories import Category
from bot.crises import CrisisFacts, StormSummary, status_line
from bot.crisis_flow import MAX_NOTE
from bot.messages import choice_ref, count_ref, link_ref, member_ref, number_ref
from bot.playbook import CLOSING_ITEMS, STEPS, Remedy, closing_item_key, is_review, remedies_for
from bot.replies import public_replies
from bot.states import CONTROLS, Control
from handlers.teams.text import Renderer, escape, excerpt
from models import Alert, Crisis, CrisisStatus, RosterMember

JsonDict = dict[str, Any]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# What an Action.Submit sends back: `{ACTION: <name>, CRISIS: <n>}` plus the card's inputs.
ACTION, CRISIS = "crisisbot", "crisis"
ACK, REASSIGN, PLAYBOOK, RESOLVE, CONFIRM, SNOOZE, STEPS_SAVE, REOPEN, CLOSING_SAVE = (
    "ack",
    "reassign",
    "playbook",
    "resolve",
    "confirm",
    "snooze",
    "steps",
    "reopen",
    "closing",
)
CATEGORY = "category"
OWNER_INPUT, REMEDY_INPUT, NOTE_INPUT, SNOOZE_INPUT = "owner", "remedy", "note", "snooze_for"
CATEGORY_INPUT = "category_is"
STEP_INPUT = "step_"
CLOSING_INPUT = "closing_"
SNOOZE_CHOICES = ("1h", "4h", "tomorrow")
_LINE_BREAKS = re.compile(r"\n+")


def card_activity(card: JsonDict, summary: str) -> JsonDict:
    """A message carrying one card; `summary` is what notifications and old clients show."""
    return {
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": CARD_TYPE, "content": card}],
    }


def text_activity(text: str, entities: list[JsonDict]) -> JsonDict:
    # Teams' markdown joins lines broken once; a blank line keeps them apart.
    text = _LINE_BREAKS.sub("\n\n", text)
    return {"type": "message", "text": text, "textFormat": "markdown", "entities": entities}


def _card(body: list[JsonDict], actions: list[JsonDict], r: Renderer) -> JsonDict:
    card: JsonDict = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    if r.entities:
        card["msteams"]["entities"] = list(r.entities)
    return card


def _text(text: str, **style: Any) -> JsonDict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(title: str, action: str, crisis: int, **style: Any) -> JsonDict:
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {ACTION: action, CRISIS: crisis},
        **style,
    }


def _choices(
    input_id: str,
    label: str,
    choices: list[tuple[str, str]],
    r: Renderer,
    value: str | None = None,
) -> JsonDict:
    element: JsonDict = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "isRequired": True,
        "errorMessage": r.t("teams.choose_one"),
        "choices": [{"title": title, "value": val} for title, val in choices],
    }
    if value is not None:
        element["value"] = value
    return element


def root_summary(crisis: Crisis, r: Renderer) -> str:
    return r.t(
        "root.fallback",
        n=crisis.id,
        severity=r.t(f"severity.{crisis.severity}"),
        source=r.t(f"source.{crisis.source}"),
        author=crisis.author_name or crisis.author_handle or r.t("root.unknown_author"),
    )


def root_title(crisis: Crisis, r: Renderer) -> str:
    return r.t(
        "root.title_spike" if crisis.trigger == "spike" else "root.title",
        n=crisis.id,
        brand=r.t("root.brand", brand=escape(crisis.brand)) if crisis.brand else "",
        source=r.t(f"source.{crisis.source}"),
    )


def _author(crisis: Crisis, r: Renderer) -> str:
    author = crisis.author_name or crisis.author_handle or r.t("root.unknown_author")
    if crisis.author_handle and crisis.author_name:
        author = f"{crisis.author_name} ({crisis.author_handle})"
    text = escape(excerpt(author, 200))
    if crisis.author_followers is not None:
        text += " · " + r.value(count_ref("count.follower", crisis.author_followers))
    return text


def root_card(
    crisis: Crisis, facts: CrisisFacts, seniors: list[RosterMember], r: Renderer
) -> JsonDict:
    owner = r.value(member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"))
    body = [
        _text(root_title(crisis, r), size="Medium", weight="Bolder"),
        _text(escape(excerpt(crisis.text)), isSubtle=True),
        _text(r.value(link_ref(crisis.post_url, r.t("root.open_post")))),
        {
            "type": "FactSet",
            "facts": [
                {
                    "title": r.t("root.status"),
                    "value": r.value(choice_ref("status", crisis.status)),
                },
                {
                    "title": r.t("root.severity"),
                    "value": r.value(choice_ref("severity", crisis.severity)),
                },
                {
                    "title": r.t("root.category"),
                    "value": r.value(choice_ref("category", crisis.category)),
                },
                {"title": r.t("root.author"), "value": _author(crisis, r)},
                {"title": r.t("root.reach"), "value": r.value(number_ref(crisis.total_reach))},
                {"title": r.t("root.alerts"), "value": r.value(number_ref(crisis.alert_count))},
            ],
        },
        # Outside the FactSet: Teams makes `<at>` mentions live in TextBlocks.
        _text(f"**{r.t('root.owner')}:** {owner}"),
        # No timer on the card: rewriting it on every reminder would close a form someone
        # is filling in on it; the thread says when the next call comes.
        _text(
            " · ".join(r.render(part) for part in status_line(crisis, facts, timer=False)),
            size="Small",
            isSubtle=True,
        ),
    ]
    return _card(body, _controls(crisis, facts, seniors, r), r)


def _show_card(title: str, body: list[JsonDict], submit: JsonDict | None) -> JsonDict:
    """A form that opens under the card; without `submit`, only an explanation."""
    card: JsonDict = {"type": "AdaptiveCard", "body": body}
    if submit is not None:
        card["actions"] = [submit]
    return {"type": "Action.ShowCard", "title": title, "card": card}


def _controls(
    crisis: Crisis, facts: CrisisFacts, seniors: list[RosterMember], r: Renderer
) -> list[JsonDict]:
    """The controls the crisis's state allows, in the same order as on Slack."""
    n = crisis.id
    owners = [(m.display_name or f"#{m.id}", str(m.id)) for m in seniors if m.id != crisis.owner_id]
    fitting = remedies_for(crisis.category)
    remedies = [*fitting, *(remedy for remedy in Remedy if remedy not in fitting)]
    unticked = [
        r.t(f"playbook.step.{step.value}") for step in STEPS if step not in facts.steps_done
    ]
    confirm_body = [_text(r.t("teams.confirm_ask", n=n))]
    if unticked:
        confirm_body.append(_text(r.t("confirm.unticked", steps=", ".join(unticked))))
    every: dict[Control, JsonDict] = {
        Control.acknowledge: _submit(r.t("button.ack"), ACK, n, style="positive"),
        Control.reassign: _show_card(
            r.t("button.reassign"),
            [_choices(OWNER_INPUT, r.t("teams.reassign_to"), owners, r)],
            _submit(r.t("modal.submit"), REASSIGN, n),
        )
        if owners
        else _show_card(r.t("button.reassign"), [_text(r.t("teams.reassign_nobody"))], None),
        Control.playbook: _submit(r.t("button.playbook"), PLAYBOOK, n),
        Control.propose_resolution: _show_card(
            r.t("button.resolve"),
            [
                _choices(
                    REMEDY_INPUT,
                    r.t("modal.resolve.remedy"),
                    [(r.t(f"remedy.{remedy.value}"), remedy.value) for remedy in remedies],
                    r,
                    fitting[0].value if fitting else None,
                ),
                {
                    "type": "Input.Text",
                    "id": NOTE_INPUT,
                    "label": r.t("modal.resolve.note"),
                    "isMultiline": True,
                    "maxLength": MAX_NOTE,
                },
            ],
            _submit(r.t("modal.submit"), RESOLVE, n),
        ),
        # Closing asks first, as Slack's confirmation dialog does.
        Control.confirm: _show_card(
            r.t("button.confirm"),
            confirm_body,
            _submit(r.t("confirm.yes"), CONFIRM, n, style="positive"),
        ),
        Control.reopen: _submit(r.t("button.reopen"), REOPEN, n),
        Control.snooze: _show_card(
            r.t("button.snooze"),
            [
                _choices(
                    SNOOZE_INPUT,
                    r.t("teams.snooze_for"),
                    [(r.t(f"snooze.{c}"), c) for c in SNOOZE_CHOICES],
                    r,
                    "1h",
                ),
            ],
            _submit(r.t("modal.submit"), SNOOZE, n),
        ),
    }
    controls = [every[control] for control in CONTROLS[crisis.crisis_status]]
    if crisis.crisis_status is not CrisisStatus.closed:
        # The category picks the remedies and the replies to adapt: a wrong guess is
        # corrected here, as with Slack's category menu.
        controls.append(
            _show_card(
                r.t("button.category"),
                [
                    _choices(
                        CATEGORY_INPUT,
                        r.t("button.category"),
                        [(r.t(f"category.{c.value}"), c.value) for c in Category],
                        r,
                        crisis.category,
                    )
                ],
                _submit(r.t("modal.submit"), CATEGORY, n),
            )
        )
    return controls


def playbook_card(crisis: Crisis, facts: CrisisFacts, r: Renderer) -> JsonDict:
    """The five steps as toggles the owner saves, and the remedies for the crisis's
    category, each with a public reply to adapt."""
    body: list[JsonDict] = [
        _text(
            r.t(
                "playbook.title",
                n=crisis.id,
                category=escape(r.t(f"category.{crisis.category}")),
            ).replace("*", "**"),
            weight="Bolder",
        )
    ]
    for step in STEPS:
        body.append(
            {
                "type": "Input.Toggle",
                "id": STEP_INPUT + step.value,
                "title": r.t(f"playbook.step.{step.value}"),
                "value": "true" if step.value in facts.steps_done else "false",
                "valueOn": "true",
                "valueOff": "false",
            }
        )
    body.append(_text(r.t("playbook.remedies").replace("*", "**"), weight="Bolder"))
    if is_review(crisis.source):
        rules = r.t("playbook.review_rules", source=r.t(f"source.{crisis.source}"))
        body.append(_text("⚠️ " + rules, color="Warning"))
    for reply in public_replies(crisis):
        body.append(_text("**" + escape(r.t(f"remedy.{reply.remedy.value}")) + "**"))
        body.append(_text(escape(reply.text), isSubtle=True))
    closing: list[JsonDict] = [_text(r.t("playbook.closing_title").replace("*", "**"))]
    for item in CLOSING_ITEMS:
        closing.append(
            {
                "type": "Input.Toggle",
                "id": CLOSING_INPUT + item.value,
                "title": r.t(closing_item_key(item, crisis.source, "closing.")),
                "value": "true" if item.value in facts.closing_done else "false",
                "valueOn": "true",
                "valueOff": "false",
            }
        )
        closing.append(_text(escape(r.t(closing_item_key(item, crisis.source))), isSubtle=True))
    # Each list has its own Save: the closing list can still be ticked once the crisis is
    # closed, when the steps no longer can.
    body.extend(closing)
    return _card(
        body,
        [
            _submit(r.t("teams.save_steps"), STEPS_SAVE, crisis.id),
            _submit(r.t("teams.save_closing"), CLOSING_SAVE, crisis.id),
        ],
        r,
    )


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values) if values else 0
    if top == 0:
        return _SPARKS[0] * len(values)
    return "".join(_SPARKS[round(v / top * (len(_SPARKS) - 1))] for v in values)


def summary_card(crisis: Crisis, summary: StormSummary, r: Renderer) -> JsonDict:
    def who(alert: Alert) -> str:
        name = alert.author_name or alert.author_handle or r.t("root.unknown_author")
        followers = (
            " (" + r.value(count_ref("count.follower", alert.author_followers)) + ")"
            if alert.author_followers is not None
            else ""
        )
        quote = excerpt(alert.text, 140)
        return f"{escape(excerpt(name, 80))}{followers}: “{escape(quote)}” " + r.value(
            link_ref(alert.url, r.t(f"source.{alert.source}"))
        )

    sources = ", ".join(
        f"{escape(r.t(f'source.{source}'))} {r.value(number_ref(count))}"
        for source, count in sorted(summary.sources.items(), key=lambda item: -item[1])
    )
    body = [
        _text(
            r.t(
                "summary.counts",
                n=crisis.id,
                posts=r.value(count_ref("count.post", summary.posts)),
                comments=r.value(count_ref("count.comment", summary.comments)),
                reach=r.value(number_ref(summary.total_reach)),
            ).replace("*", "**")
        ),
        _text(r.t("summary.sources", sources=sources)),
        _text(
            r.t(
                "summary.trend",
                spark=sparkline(summary.trend),
                counts=" → ".join(r.value(number_ref(count)) for count in summary.trend),
            )
        ),
    ]
    if summary.newest is not None:
        body.append(_text(r.t("summary.newest", post=who(summary.newest))))
    if summary.most_influential:
        body.append(_text(r.t("summary.influential")))
        body.extend(_text("- " + who(alert)) for alert in summary.most_influential)
    return _card(body, [], r)


def chart_card(title: str, image_url: str, r: Renderer) -> JsonDict:
    """A chart (a closed crisis's, a digest's), which Teams fetches from a signed URL."""
    return _card(
        [
            _text(title, weight="Bolder"),
            {"type": "Image", "url": image_url, "altText": title, "size": "Stretch"},
        ],
        [],
        r,
    )
