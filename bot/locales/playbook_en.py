"""English: the playbook's steps, remedies, reply templates and closing checklist.

Replies are posted publicly under the customer's post, so they never name personal details and
move the specifics to a private message, which they announce rather than claim was sent. Each
reply follows `reply.greeting`, so it starts in lower case.
"""

MESSAGES: dict[str, str] = {
    "playbook.step.apologise": "Apologise",
    "playbook.step.apologise.hint": (
        "Stay calm and apologise officially for what happened, whether or not it was our fault. "
        "Even an apology bigger than the incident calms the conflict and is well received."
    ),
    "playbook.step.admit": "Admit the mistake",
    "playbook.step.admit.hint": (
        "Say plainly that we know what went wrong and that it is on us. "
        "Do not dodge the question and do not shift the blame to anyone else."
    ),
    "playbook.step.fix": "Fix it now",
    "playbook.step.fix.hint": (
        "Start putting it right at once. When the cause lies with a supplier, act there too, "
        "e.g. tell the courier that the parcel arrived damaged, so it does not happen again."
    ),
    "playbook.step.improve": "Promise improvement",
    "playbook.step.improve.hint": "Say what we are changing so that it does not happen again, with clear, concrete evidence. Do not promise that it will never happen again. Other and future customers read this too.",
    "playbook.step.compensate": "Compensate",
    "playbook.step.compensate.hint": (
        "Make up for the trouble with a discount coupon or a discount on the next purchase. "
        "Once emotions cool, the customer may come back, or pass the coupon on to friends."
    ),
    "remedy.apology_discount": "Apologise and give a discount on the next purchase",
    "remedy.apology_discount.reply": "we are very sorry that it took us so long to get back to you; that is not the service we want to give. You are right, and we are already looking into it with our team. As an apology, we would like to offer you a discount on your next purchase: we will send you the details in a private message.",
    "remedy.free_return": "Return with all costs covered",
    "remedy.free_return.reply": "we are sorry that the item you received does not match our description; the mistake is ours. You can return it and we will cover all the costs, shipping included. We will send you the details in a private message, and we are correcting the description so that nobody else is misled by it.",
    "remedy.compensation": "Compensation, when the item is not faulty",
    "remedy.compensation.reply": "we are sorry that the item is different from our description; that is our mistake. If you would like to keep it, we will offer you compensation, and of course you can still return it. We will write to you in a private message so we can agree on what suits you best.",
    "remedy.refund": "Refund of the money paid",
    "remedy.refund.reply": "we are very sorry about the long wait for your order; we should have kept you informed. If you would rather not wait any longer, we will refund everything you paid straight away. We will write to you in a private message, and we are going through the shipping with our courier and changing what went wrong, so that orders arrive when we say they will.",
    "remedy.old_price": "Honour the price paid",
    "remedy.old_price.reply": "we are sorry about the confusion over the price. You ordered at the price we showed, and that price stands: there is nothing extra to pay. If the item is no longer available, you can cancel the order free of charge instead. We will write to you in a private message to confirm.",
    "remedy.free_cancellation": "Apologise, free cancellation and a discount",
    "remedy.free_cancellation.reply": "we are sorry: the price changed after you ordered, and we should have told you sooner. You can cancel the order free of charge, and either way we would like to offer you a discount on your next purchase. We will send you the details in a private message.",
    "remedy.review_decision": "Contact at once and review the rejected complaint",
    "remedy.review_decision.reply": "thank you for telling us, and we are sorry about how your complaint was handled. We are reviewing the decision now, and someone senior from our team will write to you in a private message so that we can find a good solution together.",
    "playbook.closing.remove_comment": (
        "Ask the customer to remove the negative comment, or to post a correction."
    ),
    "playbook.closing.public_summary": "Where we can join the discussion, post a public summary: the problem is solved, and this is what we are changing so that it does not happen again.",
    "reply.greeting": "Hi {name},",
    "reply.greeting_anonymous": "Hello,",
    "remedy.apology_discount.reply.other": "we are sorry about what happened; that is not how we want things to go. We are looking into it right now. As an apology, we would like to offer you a discount on your next purchase: we will send you the details in a private message.",
    "remedy.refund.reply.faulty": "we are sorry that the item let you down. If you would rather not have it repaired or replaced, we will refund the full price. We will write to you in a private message to arrange it.",
    "remedy.repair_or_replacement": "Repair or replacement, at our cost",
    "remedy.repair_or_replacement.reply": "we are sorry that the item failed so soon; that is not the quality we want to sell. We will repair it or send you a new one, whichever you prefer, at our cost. We will write to you in a private message to arrange it, and we are checking the batch with the manufacturer so that other customers are not let down too.",
    "playbook.closing.review": "Do not ask the customer to remove or change their review, and make nothing depend on it; at most, say they may update it if they wish.",
}
