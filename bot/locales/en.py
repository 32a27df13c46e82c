"""English."""

MESSAGES: dict[str, str] = {
    "help.text": (
        "crisisbot runs the response to a social-media crisis.\n"
        "/crisis open <url> [text]: report a negative post\n"
        "/crisis list: open crises\n"
        "/crisis status <n>: one crisis and its timeline\n"
        "/crisis ack <n>: I am on it\n"
        "/crisis assign <n> <@user>: hand a crisis to another senior\n"
        "/crisis resolve <n> [note]: propose a resolution to the customer\n"
        "/crisis confirm <n> [note]: the customer confirmed, close the crisis\n"
        "/crisis reopen <n>: reopen a crisis\n"
        "/crisis snooze <n> <duration>: move the next reminder (e.g. 30m, 4h, 1d)\n"
        "/crisis roster: who can own a crisis\n"
        "/crisis roster add <@user> junior|senior|lead, /crisis roster remove <@user>\n"
        "/crisis stats: response times\n"
        "/crisis channel [<brand> <#channel>|default]: a brand's own crisis channel\n"
        "/crisis link [code]: the same person on Slack and Teams"
    ),
    "list.empty": "No open crises. Calm waters.",
    "list.header": "Open crises: {count}",
    "list.line": "#{n} {status} · {severity} · owner {owner} · {alerts} posts · {post}",
    "status.summary": (
        "Crisis #{n}: {status}, severity {severity}, category {category}\n"
        "Owner: {owner} · posts: {alerts} · reach: {reach} · {post}"
    ),
    "status.timeline_header": "Timeline:",
    "timeline.opened": "{at} opened by {actor} ({source}: {url})",
    "timeline.alert_grouped": "{at} another post or comment joined ({url})",
    "timeline.owner_assigned": "{at} owner: {member}",
    "timeline.no_owner": "{at} nobody on the roster could take it",
    "intake.opened": "Crisis #{n} opened.",
    "intake.grouped": "This post belongs to crisis #{n}: added to it.",
    "intake.duplicate": "This post was already reported: crisis #{n}.",
    "roster.added": "{member} is on the roster as {level}.",
    "roster.unchanged": "{member} already is {level}.",
    "roster.level_changed": "{member} is now {level} (was {from}).",
    "roster.removed": "{member} is off the roster.",
    "roster.empty": "The roster is empty. Add a lead first: {command}",
    "roster.header": "Roster ({count}):",
    "roster.line": "{member}: {level}, open crises: {open}",
    "thread.owner_assigned": (
        "{owner}, you own crisis #{n}. First step: contact the customer fast, in person, and "
        "apologise. A quick, personal answer from someone senior calms the situation."
    ),
    "thread.no_owner": (
        "Nobody on the roster can own this crisis yet. Add a senior or a lead with {command}, "
        "then assign it."
    ),
    "thread.alert_grouped": "New comment by {author} ({followers} followers): “{text}” {post}",
    "error.unknown_command": "Unknown command “{command}”. See {help}.",
    "error.no_such_crisis": "There is no crisis #{n}.",
    "error.roster_leads_only": "Only a lead can change the roster.",
    "error.bad_level": "“{level}” is not a level. Use one of: {levels}.",
    "error.not_on_roster": "That person is not on the roster.",
    "error.coming_soon": "This part of the crisis loop is coming soon.",
    "error.internal": "Something went wrong on our side; nothing was changed. Try again.",
    "usage.list": "Usage: /crisis list",
    "usage.status": "Usage: /crisis status <n>, e.g. /crisis status 12",
    "usage.open": (
        "Usage: /crisis open <url> [text], e.g. "
        "/crisis open https://facebook.com/shop/posts/1 Parcel late again"
    ),
    "usage.roster": (
        "Usage: /crisis roster, /crisis roster add <@user> junior|senior|lead, "
        "/crisis roster remove <@user>"
    ),
    "status.open": "open",
    "status.acknowledged": "acknowledged",
    "status.awaiting_confirmation": "awaiting confirmation",
    "status.closed": "closed",
    "severity.low": "low",
    "severity.medium": "medium",
    "severity.high": "high",
    "severity.critical": "critical",
    "category.customer_service": "customer service",
    "category.not_as_described": "item not as described",
    "category.delivery_delay": "delivery delay",
    "category.price_change": "price changed",
    "category.complaint_rejected": "complaint rejected",
    "category.other": "other",
    "owner.none": "nobody yet",
    "actor.webhook": "alert webhook",
    "actor.bot": "crisisbot",
    "root.fallback": "Crisis #{n} ({severity}): {source} post by {author}",
    "root.title": "Crisis #{n} · {source}",
    "root.author": "Author",
    "root.reach": "Reach",
    "root.severity": "Severity",
    "root.status": "Status",
    "root.owner": "Owner",
    "root.category": "Category",
    "root.alerts": "Posts and comments",
    "root.opened": "Opened {at}",
    "root.unknown_author": "unknown",
    "root.followers": "{followers} followers",
    "root.open_post": "Open the post",
    "button.ack": "Acknowledge",
    "button.reassign": "Reassign",
    "button.resolve": "Propose resolution",
    "button.confirm": "Client confirmed",
    "button.snooze": "Snooze",
    "button.playbook": "Playbook",
    "error.owner_or_lead": "Only the owner of #{n} ({owner}) or a lead ({leads}) can do that.",
    "error.already_acknowledged": "Crisis #{n} is already acknowledged ({status}).",
    "error.acknowledge_first": "Crisis #{n} is {status}: acknowledge it first.",
    "error.already_proposed": "A resolution for #{n} is already proposed: record the client's confirmation or reopen it.",
    "error.propose_first": "Crisis #{n} is {status}: propose a resolution first.",
    "error.not_closed": "Crisis #{n} is {status}, not closed or awaiting confirmation.",
    "error.not_now": "Not possible while crisis #{n} is {status}.",
    "error.crisis_closed": "Crisis #{n} is closed. Reopen it first: /crisis reopen {n}",
    "error.cannot_own": "Only someone on the roster as senior or lead can own a crisis.",
    "error.already_owner": "{owner} already owns #{n}.",
    "error.note_too_long": "The note is too long (at most {limit} characters).",
    "error.bad_remedy": "Unknown remedy.",
    "error.nul_character": "The command contains a NUL character; type it again without it.",
    "error.bad_snooze": "Snooze for a duration such as 30m, 4h or 1d (at most 30 days).",
    "error.bad_step": "Unknown playbook step.",
    "reply.acknowledged": "You are on crisis #{n}. The playbook is in its thread.",
    "reply.reassigned": "Crisis #{n} now belongs to {owner}.",
    "reply.resolution_proposed": "Resolution proposed for #{n}: now waiting for the customer's confirmation.",
    "reply.closed": "Crisis #{n} is closed. Thank you!",
    "reply.reopened": "Crisis #{n} is open again.",
    "reply.snoozed": "Next reminder for #{n}: {until}.",
    "reply.steps": "Playbook for #{n}: {done}/{total} done. Next: {next}.",
    "thread.acknowledged": "{member} acknowledged crisis #{n} and is on it.",
    "thread.reassigned": "{actor} handed crisis #{n} from {previous} to {owner}. {owner}, please acknowledge it.",
    "thread.resolution_proposed": "{actor} proposed a resolution: {remedy}. Note: {note}\nNow waiting for the customer's confirmation. Before closing:\n{checklist}",
    "thread.closed": "{actor} recorded the customer's confirmation: crisis #{n} is closed. Time to first acknowledgement: {to_ack}; time to resolution: {to_resolve}. Note: {note}",
    "thread.reopened": "{actor} reopened crisis #{n}.",
    "thread.snoozed": "{actor} snoozed the reminders of #{n} until {until}.",
    "thread.escalated": "{previous} did not acknowledge crisis #{n} within {timeout}. {owner}, you own it now: please acknowledge.",
    "thread.escalation_nobody": "{who} crisis #{n} is still not acknowledged and there is nobody else to hand it to. Please take it (/crisis assign {n} @someone). Next call in {timeout}.",
    "thread.follow_up_confirmation": "{owner}, has the customer confirmed that #{n} is solved? Follow up with them, then press Client confirmed.",
    "playbook.all_done": "all steps done: propose the resolution to the customer",
    "timeline.acknowledged": "{at} acknowledged by {actor}",
    "timeline.resolution_proposed": "{at} resolution proposed by {actor}: {remedy} {note}",
    "timeline.closed": "{at} closed by {actor} (customer confirmed) {note}",
    "timeline.reopened": "{at} reopened by {actor}",
    "timeline.snoozed": "{at} snoozed by {actor}",
    "timeline.step_done": "{at} {actor} ticked off: {step}",
    "timeline.step_undone": "{at} {actor} unticked: {step}",
    "timeline.escalated_to_leads": "{at} not acknowledged in time: the leads were called",
    "timeline.escalated_to_channel": "{at} not acknowledged in time: the channel was called",
    "timeline.reminded": "{at} reminder sent",
    "usage.ack": "Usage: /crisis ack <n>",
    "usage.assign": "Usage: /crisis assign <n> <@user>",
    "usage.resolve": "Usage: /crisis resolve <n> [note]",
    "usage.confirm": "Usage: /crisis confirm <n> [note]",
    "usage.reopen": "Usage: /crisis reopen <n>",
    "usage.snooze": "Usage: /crisis snooze <n> <duration>, e.g. /crisis snooze 12 4h",
    "usage.stats": "Usage: /crisis stats",
    "stats.summary": "Open: {open} (not acknowledged {unacked}, awaiting confirmation {awaiting}). Closed: {closed}.\nMedian time to first acknowledgement: {to_ack}. Median time to resolution: {to_resolve}.",
    "root.next_reminder": "Next reminder {at}",
    "root.progress": "Playbook {done}/{total}",
    "root.closed_times": "Closed. First acknowledgement after {to_ack}, resolved after {to_resolve}",
    "playbook.title": "Playbook for crisis #{n} ({category}). Tick the steps as you go:",
    "playbook.remedies": "Remedies that fit, with a reply to adapt:",
    "modal.reassign.title": "Reassign crisis",
    "modal.reassign.user": "New owner (senior or lead)",
    "modal.resolve.title": "Propose resolution",
    "modal.resolve.remedy": "Remedy",
    "modal.resolve.note": "Note (what was agreed with the customer)",
    "modal.submit": "Save",
    "modal.cancel": "Cancel",
    "confirm.title": "Client confirmed?",
    "confirm.text": "Close crisis #{n}: the customer confirmed the problem is solved.",
    "confirm.yes": "Yes, close it",
    "confirm.no": "Not yet",
    "snooze.placeholder": "Snooze",
    "snooze.1h": "1 hour",
    "snooze.4h": "4 hours",
    "snooze.tomorrow": "Tomorrow 9:00",
    "duration.none": "—",
    "thread.severity_raised": "{who} crisis #{n} is now {to} (was {from}).",
    "thread.spike": "{owner} Spike: {mentions} mentions of {brand} this hour (usually {usual} an hour). New mentions of {brand} join crisis #{n} for now.",
    "summary.fallback": "Crisis #{n}: {count} posts and comments",
    "summary.counts": "*Live summary of #{n}:* {posts} posts, {comments} comments, total reach {reach}",
    "summary.sources": "Sources: {sources}",
    "summary.trend": "Last hour, per 10 minutes: {spark} ({counts})",
    "summary.newest": "Newest: {post}",
    "summary.influential": "Most influential:",
    "button.category": "Category",
    "timeline.severity_raised": "{at} severity raised to {to}",
    "timeline.spike": "{at} spike: {mentions} mentions of {brand} this hour",
    "timeline.category_changed": "{at} {actor} changed the category to {to} (was {was})",
    "reply.category": "Crisis #{n} is now in the category {category}; the playbook follows it.",
    "error.bad_category": "Unknown category.",
    "channel.header": "Brands with their own crisis channel:",
    "channel.line": "{brand}: {channel}",
    "channel.none": "All brands go to the crisis channel. Give a brand its own: {command}",
    "channel.set": "Crises about {brand} now go to {channel}.",
    "channel.reset": "Crises about {brand} go to the crisis channel again.",
    "usage.channel": "Usage: /crisis channel, /crisis channel <brand> <#channel>, /crisis channel <brand> default",
    "root.title_spike": "Crisis #{n} · spike of mentions · {source}",
    "timeline.reminder_skipped": "{at} reminder not repeated: the last one is not delivered yet",
    "intake.reopened": "This post is about crisis #{n}, closed recently: it is open again.",
    "thread.relapsed": "{owner} crisis #{n} is open again: {reason} arrived {after} after it was closed. {post}",
    "relapse.post": "a new negative comment on the same post",
    "relapse.author": "a new negative post by the same author",
    "timeline.relapsed": "{at} reopened by a new negative post after closing ({url})",
    "timeline.alert_after_close": "{at} a post that is not negative arrived after closing: kept, not reopened ({url})",
    "timeline.confirmation_link": "{at} a confirmation link for the customer was made ({language})",
    "timeline.customer_confirmed": "{at} the customer confirmed through the link: closed",
    "timeline.customer_not_yet": "{at} the customer answered through the link: not solved yet. {comment}",
    "thread.confirmation_link": "{owner}, send this link to the customer (for example in a private message) so they can confirm the problem is solved. The page is in {language}, valid until {until}, and takes one answer:\n{link}",
    "thread.confirmation_link_off": "No confirmation link for the customer: PUBLIC_BASE_URL is not set on the server. Record their confirmation with Client confirmed.",
    "thread.customer_confirmed": "The customer confirmed through the confirmation link ({at}) that the problem is solved: crisis #{n} is closed. Time to first acknowledgement: {to_ack}; time to resolution: {to_resolve}.",
    "thread.customer_not_yet": "{owner}, the customer answered through the confirmation link ({at}): the problem is not solved yet. Their comment: {comment}\nCrisis #{n} is back to acknowledged and the reminders go on; propose a new resolution once it is agreed.",
    "language.en": "English",
    "language.pl": "Polish",
    "actor.customer": "the customer",
    "error.comment_too_long": "The comment is too long (at most {limit} characters).",
    "page.title": "Is your problem solved?",
    "page.shop_unknown": "Our shop",
    "page.about": "You told us about {problem} ({source}). We have done our best to put it right.",
    "page.question": "Is your problem solved?",
    "page.yes": "Yes, it is solved",
    "page.no": "No, not yet",
    "page.comment": "What is still missing? (optional)",
    "page.thanks_yes": "Thank you! We are glad it is solved.",
    "page.thanks_yes_more": "If you like, you can update or remove your post, so others know it was put right.",
    "page.thanks_no": "Thank you for telling us. We will get back to you soon.",
    "page.error_title": "This link cannot be used",
    "page.error.invalid": "This link is not valid. Please check that it was copied completely.",
    "page.error.expired": "This link has expired. Please reply to the message you received it in.",
    "page.error.used": "This link was already used. Thank you for your answer.",
    "page.error.stale": "This question is no longer open. If something is still wrong, please reply to the message you received the link in.",
    "page.problem.customer_service": "our customer service",
    "page.problem.not_as_described": "a product that was not as described",
    "page.problem.delivery_delay": "a delayed delivery",
    "page.problem.price_change": "a price change on your order",
    "page.problem.complaint_rejected": "a rejected complaint",
    "page.problem.other": "your order",
    "page.network.facebook": "Facebook",
    "page.network.instagram": "Instagram",
    "page.network.linkedin": "LinkedIn",
    "page.network.x": "X",
    "page.network.tiktok": "TikTok",
    "page.network.google_reviews": "Google reviews",
    "page.network.trustpilot": "Trustpilot",
    "page.network.forum": "a forum",
    "page.network.other": "online",
    "sandbox.title": "crisisbot sandbox",
    "sandbox.hint": "A pretend Slack workspace. Everything here goes through the bot's real Slack code.",
    "sandbox.act_as": "Act as",
    "sandbox.team": "Add the sample team to the roster",
    "sandbox.samples": "Send a sample alert",
    "sandbox.send_alert": "Send sample alert",
    "sandbox.time_travel": "Time travel",
    "sandbox.bot_time": "Bot time:",
    "sandbox.plus_day": "+1 day",
    "sandbox.send": "Send",
    "sandbox.message": "Message",
    "sandbox.ahead": "({hours} h ahead of real time)",
    "sandbox.only_you": "Only visible to you",
    "sandbox.empty": "No crises yet. Send a sample alert, or type /crisis help below.",
    "sandbox.edited": "(edited)",
    "sandbox.replies": "Replies: {count}",
    "sandbox.dismiss": "Dismiss",
    "sandbox.optional": "(optional)",
    "sandbox.choose": "Choose",
    "sandbox.cancel": "Cancel",
    "sandbox.submit": "Submit",
    "sandbox.alert_sent": "Alert: {status}, crisis #{n}",
    "sandbox.not_answering": "The bot is not answering:",
    "sandbox.not_simulated": "Controls in answers only you see are not simulated here.",
    "sandbox.error.user": "Pick someone from the team.",
    "sandbox.error.command": "This workspace has one command: /crisis",
    "sandbox.error.message": "That message is gone.",
    "sandbox.error.modal": "That modal is not open.",
    "sandbox.error.values": "The modal's values are missing.",
    "sandbox.error.sample": "There is no such sample.",
    "sandbox.error.jump": "Jump forward by 1 minute to 7 days.",
    "sandbox.error.json": "The sandbox takes JSON objects from its own page only.",
    "link.code": "Your link code: {command}. Give it to crisisbot on your other platform (Slack or Teams) within {minutes} minutes.",
    "link.done": "Linked: {member} is the same person on Slack and Teams.",
    "error.link_code": "That link code is unknown or expired. Ask for a new one with /crisis link.",
    "error.link_same_platform": "Use the code on your other platform, not where you asked for it.",
    "error.link_not_on_roster": "Neither account is on the roster yet: ask a lead to add one of them first.",
    "error.link_both_on_roster": "Both accounts are on the roster as different people: ask a lead to remove one first.",
    "usage.link": "Usage: /crisis link (get a code), /crisis link <code> (use it on your other platform)",
    "teams.here_all": "This channel is now the Teams crisis channel: new crises open here as threads.",
    "teams.here_brand": "Crises about {brand} now open in this channel.",
    "teams.here_not_channel": "Say this in a team channel: crises open there as threads.",
    "teams.card_only": "That card is out of date. Use the buttons on the crisis card or a text command.",
    "teams.reassign_to": "New owner",
    "teams.snooze_for": "Snooze for",
    "teams.save_steps": "Save",
    "teams.everyone": "channel",
    # The crisis loop: the escalation ladder, controls that follow the state, one playbook.
    "root.escalates_at": "Escalates {at}",
    "thread.took_over": "{member} took over crisis #{n} from {previous} and is on it.",
    "thread.escalation_leads": "{who} crisis #{n} is still not acknowledged and every senior has had it. Please take it: Acknowledge makes it yours. Next, in {timeout}: the whole channel.",
    "thread.critical_leads": "{who} crisis #{n} is critical, so you hear of it at once. Acknowledge takes it over.",
    "thread.reminder_next_step": "{owner}, reminder for crisis #{n}. Next step: {next}.",
    "timeline.leads_told": "{at} critical: the leads were told at once",
    "button.reopen": "Reopen",
    "reply.playbook_in_thread": "The playbook of #{n} is in its thread: tick the steps there.",
    "confirm.unticked": "Not ticked in the playbook yet: {steps}. Close anyway?",
    "reply.closed_unticked": "Crisis #{n} is closed. Not ticked in its playbook:\n{steps}",
    "teams.confirm_ask": "Did the customer confirm that the problem is solved? This closes crisis #{n}.",
    "teams.private_from": "About crisis #{n}: {text}",
    "reply.closing_ticked": "Closing checklist of #{n}: {done}/{total} done.",
    "playbook.closing_title": "*Closing checklist* (once the customer agrees):",
    "closing.remove_comment": "Ask about the comment",
    "closing.public_summary": "Post a public summary",
    "timeline.closing_done": "{at} {actor} ticked on the closing checklist: {step}",
    "timeline.closing_undone": "{at} {actor} unticked on the closing checklist: {step}",
    "teams.save_closing": "Save the closing checklist",
    "welcome.slack": (
        "Hello, I am crisisbot. I open one thread per social-media crisis, put a senior person "
        "in charge and keep reminding until the customer confirms it is solved. Three steps to "
        "start:\n"
        "1. The crisis channel: crises open in the channel set as CRISIS_CHANNEL (this one is "
        "{channel}); a brand can have its own with /crisis channel <brand> <#channel>.\n"
        "2. The roster: /crisis roster add @someone lead, then your seniors with "
        "/crisis roster add @someone senior.\n"
        "3. A test alert: /crisis open https://example.com/post Test: my parcel never came.\n"
        "Everything else: /crisis help"
    ),
    "teams.welcome": (
        "Hello, I am crisisbot. I open one thread per social-media crisis, put a senior person "
        "in charge and keep reminding until the customer confirms it is solved. Three steps to "
        "start:\n"
        "1. In the channel where crises should open, say @crisisbot here.\n"
        "2. The roster: @crisisbot roster add @someone lead, then your seniors with "
        "@crisisbot roster add @someone senior.\n"
        "3. A test alert: @crisisbot open https://example.com/post Test: my parcel never came.\n"
        "Everything else: @crisisbot help"
    ),
    "teams.help": (
        "crisisbot runs the response to a social-media crisis. Say to the bot:\n"
        "@crisisbot here [brand]: crises (of every brand, or of one) open in this channel\n"
        "@crisisbot open <url> [text]: report a negative post\n"
        "@crisisbot list: open crises\n"
        "@crisisbot status <n>: one crisis and its timeline\n"
        "@crisisbot ack <n>: I am on it\n"
        "@crisisbot assign <n> @person: hand a crisis to another senior\n"
        "@crisisbot resolve <n> [note]: propose a resolution to the customer\n"
        "@crisisbot confirm <n> [note]: the customer confirmed, close the crisis\n"
        "@crisisbot reopen <n>: reopen a crisis\n"
        "@crisisbot snooze <n> <duration>: move the next reminder (e.g. 30m, 4h, 1d)\n"
        "@crisisbot roster: who can own a crisis\n"
        "@crisisbot roster add @person junior|senior|lead, @crisisbot roster remove @person\n"
        "@crisisbot stats: response times\n"
        "@crisisbot link [code]: the same person on Slack and Teams\n"
        "The buttons on each crisis card do the same."
    ),
}
