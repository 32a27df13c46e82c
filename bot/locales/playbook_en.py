"""English: the playbook's steps, remedies, reply templates and closing checklist.

Replies are posted publicly under the customer's post, so they never name personal details and
move the specifics to a private message.
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
    "playbook.step.improve.hint": (
        "Promise that it will not happen again and show clear, concrete evidence of what changes. "
        "Other and future customers read this too."
    ),
    "playbook.step.compensate": "Compensate",
    "playbook.step.compensate.hint": (
        "Make up for the trouble with a discount coupon or a discount on the next purchase. "
        "Once emotions cool, the customer may come back, or pass the coupon on to friends."
    ),
    "remedy.apology_discount": "Apologise and give a discount on the next purchase",
    "remedy.apology_discount.reply": (
        "Hi {customer}, we are very sorry that it took us so long to get back to you; that is not "
        "the service we want to give. You are right, and we are already working on it with our "
        "team. As an apology, we would like to offer you a discount on your next purchase: we "
        "have sent you the details in a private message."
    ),
    "remedy.free_return": "Return with all costs covered",
    "remedy.free_return.reply": (
        "Hi {customer}, we are sorry that the item you received does not match our description; "
        "the mistake is ours. You can return it and we will cover all the costs, shipping "
        "included. We have sent you the details in a private message and we are correcting the "
        "description so that it does not happen again."
    ),
    "remedy.compensation": "Compensation, when the item is not faulty",
    "remedy.compensation.reply": (
        "Hi {customer}, we are sorry that the item is different from our description; that is "
        "our mistake. If you would like to keep it, we will offer you compensation, and of course "
        "you can still return it. We have written to you in a private message so we can agree on "
        "what suits you best."
    ),
    "remedy.refund": "Refund of the money paid",
    "remedy.refund.reply": (
        "Hi {customer}, we are very sorry about the long wait for your order; we should have kept "
        "you informed. If you would rather not wait any longer, we will refund everything you "
        "paid straight away. We have written to you in a private message, and we are checking "
        "what went wrong with the shipping so that it does not happen again."
    ),
    "remedy.old_price": "Ship at the old price",
    "remedy.old_price.reply": (
        "Hi {customer}, we are sorry about the confusion over the price. The order was placed at "
        "the price we showed, so that is the price you will pay: we are shipping it at the old "
        "price, with no extra charge. Thank you for your patience, and sorry again."
    ),
    "remedy.free_cancellation": "Apologise, free cancellation and a discount",
    "remedy.free_cancellation.reply": (
        "Hi {customer}, we are sorry: the item ran out of stock and its price changed in the "
        "meantime, which we should have told you about sooner. You can cancel the order free of "
        "charge, and either way we would like to offer you a discount on your next purchase. We "
        "have sent you the details in a private message."
    ),
    "remedy.review_decision": "Contact at once and review the rejected complaint",
    "remedy.review_decision.reply": (
        "Hi {customer}, thank you for telling us, and we are sorry about how your complaint was "
        "handled. We are reviewing the decision right now, and a senior member of our team will "
        "contact you shortly in a private message so that we can find a good solution together."
    ),
    "playbook.closing.remove_comment": (
        "Ask the customer to remove the negative comment, or to post a correction."
    ),
    "playbook.closing.public_summary": (
        "Where we can join the discussion, post a public summary: the problem is solved and we "
        "will do everything so that it does not happen again."
    ),
}
