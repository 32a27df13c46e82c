"""Block Kit for a crisis: the root message, the playbook checklist and the modals, built
with slack_sdk's models (they check Slack's length limits)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.categories import Category
from bot.crises import CrisisFacts, StormSummary, status_line
from bot.crisis_flow import MAX_NOTE
from bot.messages import choice_ref, count_ref, link_ref, member_ref, number_ref
from bot.playbook import CLOSING_ITEMS, STEPS, Remedy, closing_item_key, is_review, remedies_for
from bot.replies import public_replies
from bot.states import CONTROLS, Control
from handlers.slack.text import EXCERPT, Renderer, escape, excerpt
from models import Alert, Crisis, CrisisStatus

ACK, REASSIGN, RESOLVE, CONFIRM, SNOOZE, PLAYBOOK, CATEGORY, REOPEN = (
    "crisis_ack",
    "crisis_reassign",
    "crisis_resolve",
    "crisis_confirm",
    "crisis_snooze",
    "crisis_playbook",
    "crisis_category",
    "crisis_reopen",
)
# action_id and label of each root-message control.
BUTTONS: dict[Control, tuple[str, str]] = {
    Control.acknowledge: (ACK, "button.ack"),
    Control.reassign: (REASSIGN, "button.reassign"),
    Control.propose_resolution: (RESOLVE, "button.resolve"),
    Control.confirm: (CONFIRM, "button.confirm"),
    Control.snooze: (SNOOZE, "button.snooze"),
    Control.playbook: (PLAYBOOK, "button.playbook"),
    Control.reopen: (REOPEN, "button.reopen"),
}
ACTIONS_BLOCK = "crisis_actions"
PLAYBOOK_STEPS = "playbook_steps"
CLOSING_STEPS = "closing_steps"
SNOOZE_CHOICES = ("1h", "4h", "tomorrow")
REASSIGN_VIEW = "reassign_modal"
RESOLVE_VIEW = "resolve_modal"
OWNER_BLOCK, OWNER_INPUT = "owner", "owner_select"
REMEDY_BLOCK, REMEDY_INPUT = "remedy", "remedy_select"
NOTE_BLOCK, NOTE_INPUT = "note", "note_input"
_HEADER_MAX = 150
_FIELD_MAX = 2000
_SECTION_MAX = 3000
_LINK_MAX = 2000
_OPTION_MAX = 75


def root_members(crisis: Crisis) -> set[int]:
    return {crisis.owner_id} if crisis.owner_id else set()


def root_fallback(crisis: Crisis, r: Renderer) -> str:
    """The notification text (and what screen readers and old clients show)."""
    return r.t(
        "root.fallback",
        n=crisis.id,
        severity=r.t(f"severity.{crisis.severity}"),
        source=r.t(f"source.{crisis.source}"),
        author=escape(crisis.author_name or crisis.author_handle or r.t("root.unknown_author")),
    )


def root_title(crisis: Crisis, r: Renderer) -> str:
    return r.t(
        "root.title_spike" if crisis.trigger == "spike" else "root.title",
        n=crisis.id,
        brand=r.t("root.brand", brand=crisis.brand) if crisis.brand else "",
        source=r.t(f"source.{crisis.source}"),
    )


def _author(crisis: Crisis, r: Renderer) -> str:
    author = crisis.author_name or crisis.author_handle or r.t("root.unknown_author")
    if crisis.author_handle and crisis.author_name:
        author = f"{crisis.author_name} ({crisis.author_handle})"
    text = escape(excerpt(author, 200))
    if crisis.author_followers is not None:
        text += "\n" + r.value(count_ref("count.follower", crisis.author_followers))
    return text


def _quote(text: str, budget: int) -> str:
    """The post's excerpt as a quote of at most `budget` characters: escaping can make it
    five times longer, so the excerpt shrinks until it fits."""
    limit = EXCERPT
    while True:
        lines = escape(excerpt(text, limit)).splitlines() or [""]
        quote = "\n".join("> " + line for line in lines)
        if len(quote) <= budget or limit <= 1:
            return quote[:budget]
        limit -= max(1, (len(quote) - budget + 4) // 5)


def root_blocks(crisis: Crisis, facts: CrisisFacts, r: Renderer) -> list[dict[str, Any]]:
    owner = r.value(member_ref(crisis.owner_id) if crisis.owner_id else choice_ref("owner", "none"))

    def field(label_key: str, value: str) -> MarkdownTextObject:
        return MarkdownTextObject(text=f"*{r.t(label_key)}*\n{value}"[:_FIELD_MAX])

    post_link = r.value(link_ref(crisis.post_url, r.t("root.open_post")))
    if len(post_link) > _LINK_MAX:
        # Too long to be a link in a section; the button and /crisis status still have it.
        post_link = escape(excerpt(crisis.post_url, 200))
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=root_title(crisis, r)[:_HEADER_MAX])),
        SectionBlock(
            text=MarkdownTextObject(
                text=_quote(crisis.text, _SECTION_MAX - len(post_link) - 1) + "\n" + post_link
            )
        ),
        SectionBlock(
            fields=[
                field("root.status", r.value(choice_ref("status", crisis.status))),
                field("root.owner", owner),
                field("root.severity", r.value(choice_ref("severity", crisis.severity))),
                field("root.category", r.value(choice_ref("category", crisis.category))),
                field("root.author", _author(crisis, r)),
                field("root.reach", r.value(number_ref(crisis.total_reach))),
                field("root.alerts", r.value(number_ref(crisis.alert_count))),
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=" · ".join(r.render(part) for part in status_line(crisis, facts))
                )
            ]
        ),
        ActionsBlock(block_id=ACTIONS_BLOCK, elements=_controls(crisis, facts, r)),
    ]
    return [block.to_dict() for block in blocks]


def _controls(crisis: Crisis, facts: CrisisFacts, r: Renderer) -> list[Any]:
    """The controls the crisis's state allows, then the category menu while it is not closed."""
    value = str(crisis.id)
    controls: list[Any] = []
    for control in CONTROLS[crisis.crisis_status]:
        action_id, label = BUTTONS[control]
        if control is Control.snooze:
            controls.append(
                StaticSelectElement(
                    action_id=SNOOZE,
                    placeholder=PlainTextObject(text=r.t("snooze.placeholder")),
                    options=[
                        Option(value=f"{crisis.id}:{choice}", text=r.t(f"snooze.{choice}"))
                        for choice in SNOOZE_CHOICES
                    ],
                )
            )
            continue
        extra: dict[str, Any] = {}
        if control in (Control.acknowledge, Control.confirm):
            extra["style"] = "primary"
        if control is Control.confirm:
            text = r.t("confirm.text", n=crisis.id)
            unticked = [r.t(f"playbook.step.{s.value}") for s in STEPS if s not in facts.steps_done]
            if unticked:
                text += "\n" + r.t("confirm.unticked", steps=", ".join(unticked))
            extra["confirm"] = ConfirmObject(
                title=r.t("confirm.title"),
                text=text[:300],
                confirm=r.t("confirm.yes"),
                deny=r.t("confirm.no"),
            )
        controls.append(
            ButtonElement(
                text=PlainTextObject(text=r.t(label)), action_id=action_id, value=value, **extra
            )
        )
    if crisis.crisis_status is not CrisisStatus.closed:
        options = [
            Option(value=f"{crisis.id}:{category.value}", text=r.t(f"category.{category.value}"))
            for category in Category
        ]
        current = next(o for o, c in zip(options, Category, strict=True) if c == crisis.category)
        controls.append(
            StaticSelectElement(
                action_id=CATEGORY,
                placeholder=PlainTextObject(text=r.t("button.category")),
                options=options,
                initial_option=current,
            )
        )
    return controls


def _remedy_name(remedy: Remedy, r: Renderer) -> str:
    return r.t(f"remedy.{remedy.value}")[:_OPTION_MAX]


def playbook_blocks(crisis: Crisis, facts: CrisisFacts, r: Renderer) -> list[dict[str, Any]]:
    """The five steps as a checklist the owner ticks in the thread, and the remedies for the
    crisis's category, each with a public reply to adapt."""
    options = [
        Option(
            value=f"{crisis.id}:{step.value}",
            text=MarkdownTextObject(text=f"*{escape(r.t(f'playbook.step.{step.value}'))}*"),
            description=PlainTextObject(
                text=excerpt(r.t(f"playbook.step.{step.value}.hint"), _OPTION_MAX)
            ),
        )
        for step in STEPS
    ]
    ticked = [o for o, step in zip(options, STEPS, strict=True) if step.value in facts.steps_done]
    checklist = CheckboxesElement(
        action_id=PLAYBOOK_STEPS, options=options, initial_options=ticked or None
    )
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=r.t(
                    "playbook.title",
                    n=crisis.id,
                    category=escape(r.t(f"category.{crisis.category}")),
                )
            )
        ),
        ActionsBlock(block_id=f"playbook_{crisis.id}", elements=[checklist]),
        SectionBlock(text=MarkdownTextObject(text=r.t("playbook.remedies"))),
    ]
    if is_review(crisis.source):
        rules = r.t("playbook.review_rules", source=r.t(f"source.{crisis.source}"))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":warning: {rules}")]))
    for reply in public_replies(crisis):
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(_remedy_name(reply.remedy, r))}*\n> {escape(reply.text)}"[
                        :_FIELD_MAX
                    ]
                )
            )
        )
    closing = [
        Option(
            value=f"{crisis.id}:{item.value}",
            text=MarkdownTextObject(
                text=f"*{escape(r.t(closing_item_key(item, crisis.source, 'closing.')))}*"
            ),
            description=PlainTextObject(
                text=excerpt(r.t(closing_item_key(item, crisis.source)), _OPTION_MAX)
            ),
        )
        for item in CLOSING_ITEMS
    ]
    closed = [o for o, i in zip(closing, CLOSING_ITEMS, strict=True) if i in facts.closing_done]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=r.t("playbook.closing_title"))),
        ActionsBlock(
            block_id=f"closing_{crisis.id}",
            elements=[
                CheckboxesElement(
                    action_id=CLOSING_STEPS, options=closing, initial_options=closed or None
                )
            ],
        ),
    ]
    return [block.to_dict() for block in blocks]


def reassign_view(crisis: Crisis, r: Renderer) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=REASSIGN_VIEW,
        private_metadata=str(crisis.id),
        title=PlainTextObject(text=r.t("modal.reassign.title")),
        submit=PlainTextObject(text=r.t("modal.submit")),
        close=PlainTextObject(text=r.t("modal.cancel")),
        blocks=[
            InputBlock(
                block_id=OWNER_BLOCK,
                label=PlainTextObject(text=r.t("modal.reassign.user")),
                element=UserSelectElement(action_id=OWNER_INPUT),
            )
        ],
    ).to_dict()


def resolve_view(crisis: Crisis, r: Renderer) -> dict[str, Any]:
    fitting = remedies_for(crisis.category)
    ordered = [*fitting, *(remedy for remedy in Remedy if remedy not in fitting)]
    return View(
        type="modal",
        callback_id=RESOLVE_VIEW,
        private_metadata=str(crisis.id),
        title=PlainTextObject(text=r.t("modal.resolve.title")[:24]),
        submit=PlainTextObject(text=r.t("modal.submit")),
        close=PlainTextObject(text=r.t("modal.cancel")),
        blocks=[
            InputBlock(
                block_id=REMEDY_BLOCK,
                label=PlainTextObject(text=r.t("modal.resolve.remedy")),
                element=StaticSelectElement(
                    action_id=REMEDY_INPUT,
                    options=[
                        Option(value=remedy.value, text=_remedy_name(remedy, r))
                        for remedy in ordered
                    ],
                    initial_option=Option(value=fitting[0].value, text=_remedy_name(fitting[0], r)),
                ),
            ),
            InputBlock(
                block_id=NOTE_BLOCK,
                optional=True,
                label=PlainTextObject(text=r.t("modal.resolve.note")),
                element=PlainTextInputElement(
                    action_id=NOTE_INPUT, multiline=True, max_length=MAX_NOTE
                ),
            ),
        ],
    ).to_dict()


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values) if values else 0
    if top == 0:
        return _SPARKS[0] * len(values)
    return "".join(_SPARKS[round(v / top * (len(_SPARKS) - 1))] for v in values)


def summary_blocks(crisis: Crisis, summary: StormSummary, r: Renderer) -> list[dict[str, Any]]:
    """The live summary reply: counts, reach, sources, newest and most influential, trend."""

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
    lines = [
        r.t(
            "summary.counts",
            n=crisis.id,
            posts=r.value(count_ref("count.post", summary.posts)),
            comments=r.value(count_ref("count.comment", summary.comments)),
            reach=r.value(number_ref(summary.total_reach)),
        ),
        r.t("summary.sources", sources=sources),
        r.t(
            "summary.trend",
            spark=sparkline(summary.trend),
            counts=" → ".join(r.value(number_ref(count)) for count in summary.trend),
        ),
    ]
    if summary.newest is not None:
        lines.append(r.t("summary.newest", post=who(summary.newest)))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:_FIELD_MAX]))
    ]
    if summary.most_influential:
        influential = "\n".join("• " + who(alert) for alert in summary.most_influential)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=(r.t("summary.influential") + "\n" + influential)[:_FIELD_MAX]
                )
            )
        )
    return [block.to_dict() for block in blocks]
