// Parses Adaptive Cards with Microsoft's own `adaptivecards` library, as Teams clients do, and
// prints what it finds wrong with each: parse errors (unknown element or action types,
// invalid values), validation errors (duplicate ids, a choice set without choices) and
// properties the library dropped because it does not know them (a misspelt name is silently
// ignored by Teams too).
// Input on stdin: a JSON array of cards. Output on stdout: a JSON array, one list of
// problems per card.
const path = require("path");
const AC = require(path.join(process.argv[2], "adaptivecards", "dist", "adaptivecards.js"));

// Kept by Teams, not by the library: Teams' own extension, and values equal to a default,
// which the library leaves out when it writes the card back.
function expectedDrop(key, value) {
  return key === "msteams" || (key === "style" && value === "compact") ||
    (key === "valueOn" && value === "true") || (key === "valueOff" && value === "false") ||
    (Array.isArray(value) && value.length === 0);
}

function dropped(input, output, where, found) {
  if (Array.isArray(input)) {
    input.forEach((item, i) => dropped(item, (output || [])[i], `${where}[${i}]`, found));
    return;
  }
  if (input === null || typeof input !== "object") return;
  for (const [key, value] of Object.entries(input)) {
    if (where.endsWith(".data")) continue;
    if (output === undefined || output === null || !(key in output)) {
      if (!expectedDrop(key, value)) found.push(`${where}.${key}: not a known property`);
      continue;
    }
    dropped(value, output[key], `${where}.${key}`, found);
  }
}

let raw = "";
process.stdin.on("data", (chunk) => (raw += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(raw).map((json) => {
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    card.parse(json, context);
    const problems = [];
    for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
    for (const event of card.validateProperties().validationEvents) problems.push(event.message);
    dropped(json, card.toJSON(), "card", problems);
    return problems;
  });
  process.stdout.write(JSON.stringify(results));
});
