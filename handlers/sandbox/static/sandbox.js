// The sandbox page: renders the fake workspace's channel from /sandbox/state (polled), and
// sends every click, command and modal as JSON to /sandbox/*, which signs it as Slack would.
"use strict";

const config = JSON.parse(document.getElementById("config").textContent);
const names = Object.fromEntries(config.team.map((p) => [p.id, p.name]));
names.UBOT = "crisisbot";
const dismissed = new Set();
let me = localStorage.getItem("sandbox-user") || config.team[0].id;
let shown = { channels: "", ephemerals: "", modals: "" };

function t(key, params = {}) {
  return (config.t[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function decode(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function safeUrl(url) {
  return /^https?:\/\//i.test(url) ? url : null;
}

// Slack's mrkdwn, built as DOM nodes (never innerHTML): mentions, links, dates, *bold*,
// _italic_, ~strike~ and `code`.
function mrkdwn(text) {
  const out = el("span", { class: "mrkdwn" });
  const lines = String(text || "").split("\n");
  lines.forEach((line, index) => {
    const quoted = line.startsWith("> ") || line.startsWith("&gt; ");
    const target = quoted ? el("span", { class: "quote" }) : out;
    for (const part of (quoted ? line.replace(/^(>|&gt;) /, "") : line).split(/(<[^<>]+>)/g)) {
      if (!part) continue;
      if (part.startsWith("<") && part.endsWith(">")) target.append(special(part.slice(1, -1)));
      else target.append(...inline(decode(part)));
    }
    if (quoted) out.append(target);
    if (index < lines.length - 1 && !quoted) out.append("\n");
  });
  return out;
}

function special(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return el("span", { class: "mention" }, "@" + (names[id] || label || id));
  }
  if (target.startsWith("#")) return el("span", { class: "mention" }, "#" + (label || target.slice(1)));
  if (target === "!channel" || target === "!here") {
    return el("span", { class: "mention everyone" }, "@" + target.slice(1));
  }
  if (target.startsWith("!date^")) {
    const seconds = Number(target.split("^")[1]);
    return new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
  const url = safeUrl(decode(target));
  if (url) return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, decode(label || target));
  return decode(inner);
}

function inline(text) {
  const nodes = [];
  const pattern = /(`[^`\n]+`|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    nodes.push(text.slice(last, match.index));
    const token = match[0];
    const body = token.slice(1, -1);
    const tag = { "`": "code", "*": "b", _: "i", "~": "s" }[token[0]];
    nodes.push(el(tag, {}, body));
    last = match.index + token.length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

function textObject(obj) {
  if (!obj) return "";
  return obj.type === "mrkdwn" ? mrkdwn(obj.text) : el("span", {}, obj.text);
}

function options(element) {
  return element.options || (element.option_groups || []).flatMap((g) => g.options);
}

// ---- Block Kit -----------------------------------------------------------------------

function renderBlocks(blocks, ctx) {
  return (blocks || []).map((block) => el("div", { class: "block block-" + block.type }, renderBlock(block, ctx)));
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case "header":
      return textObject(block.text);
    case "section": {
      const parts = [];
      if (block.text) parts.push(el("div", {}, textObject(block.text)));
      if (block.fields) parts.push(el("div", { class: "fields" }, block.fields.map((f) => el("div", {}, textObject(f)))));
      if (block.accessory) parts.push(el("div", { class: "actions" }, renderElement(block.accessory, block, ctx)));
      return parts;
    }
    case "context":
      return el("div", { class: "context" }, (block.elements || []).map((e) => (e.type === "image" ? null : textObject(e))));
    case "actions":
      return el("div", { class: "actions" }, (block.elements || []).map((e) => renderElement(e, block, ctx)));
    case "divider":
      return el("hr");
    case "input":
      return renderInput(block, ctx);
    default:
      return null;
  }
}

function renderElement(element, block, ctx) {
  const act = (extra) => ctx.act({ action_id: element.action_id, block_id: block.block_id, action_type: element.type, ...extra });
  if (element.type === "button") {
    const url = safeUrl(element.url || "");
    return el("button", {
      class: element.style || "",
      onclick: () => {
        if (element.confirm && !window.confirm(plain(element.confirm.title) + "\n\n" + plain(element.confirm.text))) return;
        if (url) window.open(url, "_blank", "noopener");
        act({ value: element.value });
      },
    }, element.text.text);
  }
  if (element.type === "static_select" || element.type === "overflow") {
    const choices = options(element);
    const select = el("select", {
      "aria-label": plain(element.placeholder) || t("sandbox.choose"),
      onchange: (event) => {
        const option = choices[Number(event.target.value)];
        if (option) act({ selected_option: option });
      },
    }, el("option", { value: "" }, plain(element.placeholder) || "…"), choices.map((o, i) => el("option", { value: String(i) }, o.text.text)));
    return select;
  }
  if (element.type === "checkboxes") {
    const initial = new Set((element.initial_options || []).map((o) => o.value));
    const box = el("div", { class: "checkboxes" });
    for (const option of element.options) {
      const input = el("input", { type: "checkbox", value: option.value });
      input.checked = initial.has(option.value);
      input.addEventListener("change", () => {
        const picked = [...box.querySelectorAll("input")].filter((i) => i.checked).map((i) => element.options.find((o) => o.value === i.value));
        act({ selected_options: picked });
      });
      box.append(el("label", {}, input, " ", textObject(option.text)));
    }
    return box;
  }
  return el("span", { class: "context" }, "[" + element.type + "]");
}

function plain(obj) {
  return obj ? obj.text : "";
}

function renderInput(block) {
  const element = block.element;
  let control;
  if (element.type === "plain_text_input") {
    control = element.multiline ? el("textarea", { name: block.block_id }) : el("input", { name: block.block_id });
    control.value = element.initial_value || "";
  } else if (element.type === "users_select") {
    control = el("select", { name: block.block_id }, el("option", { value: "" }, "…"), config.team.map((p) => el("option", { value: p.id }, p.name)));
    control.value = element.initial_user || "";
  } else if (element.type === "static_select") {
    const choices = options(element);
    control = el("select", { name: block.block_id }, el("option", { value: "" }, "…"), choices.map((o, i) => el("option", { value: String(i) }, o.text.text)));
    const initial = element.initial_option ? choices.findIndex((o) => o.value === element.initial_option.value) : -1;
    if (initial >= 0) control.value = String(initial);
  } else {
    control = el("span", {}, "[" + element.type + "]");
  }
  return el("div", { class: "input", "data-block": block.block_id },
    el("label", {}, plain(block.label) + (block.optional ? " " + t("sandbox.optional") : "")), control, el("div", { class: "error" }));
}

function inputValues(modal, view) {
  const values = {};
  for (const block of view.blocks.filter((b) => b.type === "input")) {
    const element = block.element;
    const control = modal.querySelector(`[name="${CSS.escape(block.block_id)}"]`);
    const value = { type: element.type };
    if (element.type === "plain_text_input") value.value = control.value || null;
    else if (element.type === "users_select") value.selected_user = control.value || null;
    else if (element.type === "static_select") value.selected_option = options(element)[Number(control.value)] || null;
    values[block.block_id] = { [element.action_id]: value };
  }
  return values;
}

// ---- talking to the sandbox ------------------------------------------------------------

async function send(path, body) {
  const response = await fetch("/sandbox/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: me, ...body }),
  });
  const answer = await response.json();
  if (!response.ok) notice(answer.error || "refused");
  setTimeout(poll, 150);
  return answer;
}

function notice(text) {
  document.getElementById("notice").textContent = text;
}

function avatar(user) {
  const name = names[user] || user;
  return el("div", { class: "avatar" }, name.slice(0, 1).toUpperCase());
}

function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(message, channel, isReply) {
  const ctx = { act: (extra) => send("action", { channel, ts: message.ts, ...extra }) };
  const content = message.blocks && message.blocks.length ? renderBlocks(message.blocks, ctx) : [mrkdwn(message.text)];
  const node = el("div", { class: "message " + (isReply ? "reply" : "root"), "data-ts": message.ts },
    avatar(message.user),
    el("div", { class: "body" },
      el("div", {},
        el("span", { class: "author" }, names[message.user] || message.user),
        message.bot_id ? el("span", { class: "app-badge" }, "APP") : null,
        el("span", { class: "ts" }, time(message.ts)),
        message.edited ? el("span", { class: "edited" }, t("sandbox.edited")) : null),
      content,
      !isReply && message.replies && message.replies.length
        ? el("div", { class: "thread" },
            el("div", { class: "thread-count" }, t("sandbox.replies", { count: message.replies.length })),
            message.replies.map((r) => renderMessage(r, channel, true)))
        : null));
  return node;
}

function render(state) {
  const channels = JSON.stringify(state.channels);
  if (channels !== shown.channels) {
    shown.channels = channels;
    const box = document.getElementById("channels");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.replaceChildren();
    const messages = state.channels.flatMap((c) => c.messages.map((m) => [c.id, m]));
    if (!messages.length) box.append(el("p", { class: "empty" }, t("sandbox.empty")));
    for (const [channel, message] of messages) box.append(renderMessage(message, channel, false));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  const ephemerals = state.ephemerals.filter((e) => !dismissed.has(e.key));
  if (JSON.stringify(ephemerals) !== shown.ephemerals) {
    shown.ephemerals = JSON.stringify(ephemerals);
    document.getElementById("ephemerals").replaceChildren(...ephemerals.map((e) => el("div", { class: "ephemeral" },
      el("div", { class: "only" }, t("sandbox.only_you")),
      e.blocks ? renderBlocks(e.blocks, { act: () => notice(t("sandbox.not_simulated")) }) : mrkdwn(e.text),
      el("button", { class: "dismiss", title: t("sandbox.dismiss"), onclick: () => { dismissed.add(e.key); shown.ephemerals = ""; render(state); } }, "×"))));
  }
  const modals = JSON.stringify(state.modals.map((v) => v.id));
  if (modals !== shown.modals) {
    shown.modals = modals;
    document.getElementById("modals").replaceChildren(...state.modals.slice(-1).map(renderModal));
  }
  document.getElementById("team").hidden = !state.roster_empty;
  document.getElementById("bot-time").textContent = new Date(state.now).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  const hours = state.offset / 3600;
  document.getElementById("offset").textContent = hours ? t("sandbox.ahead", { hours: hours.toFixed(hours % 1 ? 2 : 0) }) : "";
}

function renderModal(view) {
  const modal = el("form", { class: "modal", "data-view": view.id });
  const close = () => send("close", { view_id: view.id });
  modal.append(
    el("h3", {}, plain(view.title)),
    el("div", { class: "content" }, renderBlocks(view.blocks, { act: () => {} })),
    el("footer", {},
      el("button", { type: "button", onclick: close }, plain(view.close) || t("sandbox.cancel")),
      el("button", { type: "submit", class: "primary" }, plain(view.submit) || t("sandbox.submit"))));
  modal.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await send("submit", { view_id: view.id, values: inputValues(modal, view) });
    for (const [block, text] of Object.entries(answer.errors || {})) {
      const slot = modal.querySelector(`[data-block="${CSS.escape(block)}"] .error`);
      if (slot) slot.replaceChildren(mrkdwn(text));
    }
  });
  return el("div", { class: "overlay" }, modal);
}

async function poll() {
  try {
    const response = await fetch("/sandbox/state?user=" + encodeURIComponent(me));
    render(await response.json());
  } catch (error) {
    notice(t("sandbox.not_answering") + " " + error.message);
  }
}

// ---- controls ------------------------------------------------------------------------

const who = document.getElementById("who");
for (const person of config.team) who.append(el("option", { value: person.id }, `${person.name} (${person.level})`));
who.value = me;
who.addEventListener("change", () => {
  me = who.value;
  localStorage.setItem("sandbox-user", me);
  shown = { channels: shown.channels, ephemerals: "", modals: "" };
  poll();
});
document.getElementById("channel-name").textContent = config.channel;
const sample = document.getElementById("sample");
for (const s of config.samples) sample.append(el("option", { value: s.key }, s.label));
document.getElementById("send-alert").addEventListener("click", async () => {
  const answer = await send("alert", { sample: sample.value });
  if (answer.answer && answer.answer.status === "delivered") notice(t("sandbox.delivery_sent", { status: answer.status }));
  else if (answer.answer) notice(t("sandbox.alert_sent", { status: answer.answer.status || answer.answer.error, n: answer.answer.crisis }));
});
document.getElementById("team").addEventListener("click", () => send("team", {}));
for (const button of document.querySelectorAll("[data-minutes]")) {
  button.addEventListener("click", () => send("time", { minutes: Number(button.dataset.minutes) }));
}
document.getElementById("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("command");
  const text = input.value.trim();
  if (!text) return;
  send("command", { text: text.startsWith("/") ? text : "/crisis " + text });
  input.value = "";
});

poll();
setInterval(poll, 1000);
