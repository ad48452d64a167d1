"use strict";
// The Newsdesk page: a chat over POST /chat (streamed) that opens on what the archive holds
// (GET /archive), a briefing view over POST /brief, a "Check a text" view over POST /verify,
// and a panel showing the passage behind any citation chip. No libraries, nothing from a CDN.

const $ = (id) => document.getElementById(id);
const conversation = [];       // {role, content} sent to /chat
const articleCache = new Map(); // article id -> GET /articles/{id}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function showNotice(text, isError = false) {
  const notice = $("notice");
  notice.textContent = text;
  notice.classList.toggle("error", isError);
  notice.hidden = !text;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
  } catch (_) { /* not JSON */ }
  return `the service answered ${response.status}`;
}

// fetch() with the API key, when the service wants one (NEWSDESK_API_KEYS). The key is asked
// for after a 401 and kept for this tab only.
async function api(url, options = {}) {
  const key = sessionStorage.getItem("newsdesk-key");
  const headers = { ...(options.headers || {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { ...options, headers });
  if (response.status === 401) {
    $("key-form").hidden = false;
    $("api-key").focus();
  }
  return response;
}

// POST a JSON body and call onEvent(name, data) for each Server-Sent Event of the reply.
async function postStream(url, body, onEvent) {
  const response = await api(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      onEvent(name, data ? JSON.parse(data) : {});
    }
  }
}

function filters(prefix) {
  const chosen = {};
  const from = $(`${prefix}-from`).value, to = $(`${prefix}-to`).value;
  if (from) chosen.date_from = from;
  if (to) chosen.date_to = to;
  const source = $(`${prefix}-source`)?.value.trim();
  if (source) chosen.sources = [source];
  return chosen;
}

// A chip that opens citation n's passage (with the short answer marked in it, if given).
function chip(citation, short = null) {
  return element("button", {
    type: "button", class: "chip", "aria-expanded": "false",
    "aria-label": `Source ${citation.n}: ${citation.title || citation.article_id}`,
    onclick: (event) => showPassage(citation, event.currentTarget, short),
  }, String(citation.n));
}

// Text with [n] markers -> nodes, each marker a chip that opens citation n.
function withChips(text, citations, short = null) {
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    const citation = byNumber.get(Number(match[1]));
    if (!citation) continue;
    nodes.push(text.slice(last, match.index));
    nodes.push(chip(citation, short && short.n === citation.n ? short : null));
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

async function showPassage(citation, opener, short = null) {
  document.querySelectorAll(".chip[aria-expanded='true']").forEach((c) => c.setAttribute("aria-expanded", "false"));
  opener.setAttribute("aria-expanded", "true");
  let article = articleCache.get(citation.article_id);
  if (!article) {
    const response = await api(`/articles/${encodeURIComponent(citation.article_id)}`);
    if (!response.ok) { showNotice(`Cannot show the passage: ${await errorMessage(response)}`, true); return; }
    article = await response.json();
    articleCache.set(citation.article_id, article);
  }
  const passage = article.text.slice(citation.start, citation.end);
  const quoteFrom = citation.quote_start - citation.start, quoteTo = citation.quote_end - citation.start;
  $("passage-title").textContent = citation.title || citation.article_id;
  $("passage-meta").textContent = [citation.source, citation.date].filter(Boolean).join(" · ") || "source and date unknown";
  const quote = passage.slice(quoteFrom, quoteTo);
  // The short answer, when it lies in the quote, is marked again inside it.
  const shortFrom = short ? short.start - citation.quote_start : -1, shortTo = short ? short.end - citation.quote_start : -1;
  const marked = shortFrom >= 0 && shortTo <= quote.length
    ? [quote.slice(0, shortFrom), element("strong", { class: "short-answer" }, quote.slice(shortFrom, shortTo)), quote.slice(shortTo)]
    : [quote];
  $("passage-text").replaceChildren(
    passage.slice(0, quoteFrom), element("mark", {}, ...marked), passage.slice(quoteTo));
  const link = $("passage-link");
  link.hidden = !citation.url;
  if (citation.url) link.href = citation.url;
  const panel = $("passage-panel");
  panel.hidden = false;
  panel.focus();
}

function closePassage() {
  $("passage-panel").hidden = true;
  const open = document.querySelector(".chip[aria-expanded='true']");
  if (open) { open.setAttribute("aria-expanded", "false"); open.focus(); }
}

// Figures reports give differently ("Reports differ") or that changed: each value as written,
// its source and date, and a chip that opens the sentence giving it.
function figureNotes(figures) {
  return element("div", { class: "figures" }, ...figures.map((figure) =>
    element("p", { class: `figure ${figure.kind}` },
      element("strong", {}, `${figure.kind === "differ" ? "Reports differ" : "Changed"}: ${figure.what}`), " — ",
      ...figure.values.flatMap((value, i) => [
        i ? (figure.kind === "differ" ? " · " : " → ") : "",
        element("span", { class: "figure-value" }, value.value), " ",
        `(${[value.source, value.date].filter(Boolean).join(", ")}) `, chip(value.citation),
      ]))));
}

function renderAnswer(bubble, answer, askedAs, asked) {
  const body = bubble.querySelector(".answer");
  const short = answer.short_answer;
  const cited = short && answer.citations.find((c) => c.n === short.n);
  if (cited) {
    // The short answer leads, highlighted; the explanation goes on without it.
    body.before(element("p", { class: "short-answer" }, element("strong", {}, short.text), " ", chip(cited, short)));
  }
  body.replaceChildren(...withChips(cited ? answer.explanation : answer.answer, answer.citations, short));
  bubble.classList.toggle("abstained", !answer.grounded);
  if (answer.figures && answer.figures.length) bubble.append(figureNotes(answer.figures));
  if (!answer.grounded && answer.related.length) {
    bubble.append(element("div", { class: "related" },
      element("p", { class: "note" }, "What the articles do say:"),
      element("ul", {}, ...answer.related.map((c) => element("li", {}, c.quote, " ", chip(c))))));
  }
  if (askedAs && askedAs !== asked) bubble.append(element("p", { class: "note" }, `Answered as: ${askedAs}`));
  if (answer.warnings.length) bubble.append(element("p", { class: "warnings" }, answer.warnings.join(" · ")));
}

async function ask(event) {
  event.preventDefault();
  const input = $("question");
  const question = input.value.trim();
  if (!question) return;
  input.value = "";
  showNotice("");
  conversation.push({ role: "user", content: question });
  const list = $("conversation");
  $("archive-overview").hidden = true;
  list.append(element("li", { class: "message user" }, question));
  const indicator = element("span", { class: "streaming-indicator" }, "Searching the articles…");
  const bubble = element("li", { class: "message assistant", "aria-busy": "true" }, indicator, element("p", { class: "answer" }));
  list.append(bubble);
  $("ask-button").disabled = true;
  let askedAs = null, deltas = 0, final = null;
  try {
    await postStream("/chat", { messages: conversation, filters: filters("chat") }, (name, data) => {
      const body = bubble.querySelector(".answer");
      if (name === "question") askedAs = data.question;
      else if (name === "sources") indicator.textContent = `Writing from ${data.passages.length} passages…`;
      else if (name === "delta") {
        if (data.restart) body.textContent = "";
        body.textContent += data.text;
        bubble.dataset.deltas = String(++deltas);
      } else if (name === "citations") { final = data; renderAnswer(bubble, data, askedAs, question); }
      else if (name === "error") throw new Error(data.detail);
    });
    if (!final) throw new Error("the answer stream ended early");
    conversation.push({ role: "assistant", content: final.answer.replace(/\s*\[\d+\]/g, "") });
  } catch (error) {
    conversation.pop();
    bubble.querySelector(".answer").textContent = "";
    bubble.append(element("p", { class: "warnings", role: "alert" }, `Error: ${error.message}`));
  } finally {
    indicator.remove();
    bubble.removeAttribute("aria-busy");
    $("ask-button").disabled = false;
    input.focus();
  }
}

// The story of one of the briefing's storylines, day by day, under its section.
async function showTimeline(section, button, articleId, briefed) {
  button.disabled = true;
  const { date_from, date_to, sources } = briefed;
  try {
    const response = await api("/timeline", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ article_id: articleId, date_from, date_to, sources }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const timeline = await response.json();
    const entries = timeline.entries.map((entry) => element("li", {},
      element("time", { datetime: entry.date }, entry.date), " ", ...withChips(entry.text, entry.citations)));
    section.append(entries.length
      ? element("ol", { class: "timeline", "aria-label": timeline.title }, ...entries)
      : element("p", { class: "abstained" }, "No dated developments of this story in the period."));
    if (timeline.figures.length) section.append(figureNotes(timeline.figures));
    button.remove();
  } catch (error) {
    section.append(element("p", { class: "warnings", role: "alert" }, `Error: ${error.message}`));
    button.disabled = false;
  }
}

// Saves the topic as a watch: articles stored later that answer it become items of its feed.
async function watchTopic() {
  const topic = $("brief-topic").value.trim();
  const status = $("watch-status");
  if (!topic) {
    status.textContent = "Give a topic to watch.";
    return;
  }
  try {
    const response = await api("/watches", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ topic }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const watch = await response.json();
    status.replaceChildren(`Watching “${watch.topic}”: articles stored from now on that answer it appear in `,
      element("a", { href: `/watches/${watch.id}/feed.atom` }, "its Atom feed"), ".");
  } catch (error) {
    status.textContent = `Error: ${error.message}`;
  }
}

function storylineFacts(storyline) {
  const dates = storyline.first_date === storyline.last_date
    ? (storyline.first_date || "undated")
    : `${storyline.first_date} to ${storyline.last_date}`;
  const articles = `${storyline.articles} article${storyline.articles === 1 ? "" : "s"}`;
  const sources = storyline.single_source ? "one source only" : `${storyline.sources.length} sources`;
  return `${dates} · ${articles} · ${sources}`;
}

async function brief(event) {
  event.preventDefault();
  const target = $("briefing");
  const topic = $("brief-topic").value.trim();
  const request = { ...filters("brief"), length: $("brief-length").value };
  if (topic) request.topic = topic;
  const since = $("brief-since").value;
  if (since) request.since = since;
  $("brief-button").disabled = true;
  target.replaceChildren(element("span", { class: "streaming-indicator" }, "Reading the articles…"));
  target.setAttribute("aria-busy", "true");
  try {
    const response = await api("/brief", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const briefing = await response.json();
    const period = [briefing.period.date_from, briefing.period.date_to].map((d) => d || "…").join(" to ");
    const parts = [
      element("h2", {}, briefing.title),
      element("p", { class: "period" }, `${period} · ${briefing.articles_used} articles · ${briefing.storylines.length} storylines`),
    ];
    if (briefing.bullets.length) {
      // One section per storyline that has bullets: its label, dates and how many report it.
      briefing.storylines.forEach((storyline, number) => {
        const bullets = briefing.bullets.filter((b) => b.storyline === number);
        if (!bullets.length) return;
        const section = element("section", { class: "storyline" },
          element("h3", {}, storyline.label),
          element("p", { class: "facts" }, storylineFacts(storyline)),
          element("ul", { class: "bullets" }, ...bullets.map((b) =>
            element("li", b.background ? { class: "background" } : {}, ...withChips(b.text, b.citations)))));
        if (storyline.figures.length) section.append(figureNotes(storyline.figures));
        const button = element("button", { type: "button", class: "secondary timeline-button" }, "Timeline");
        button.addEventListener("click", () => showTimeline(section, button, storyline.article_ids[0], request));
        section.append(button);
        parts.push(section);
      });
    } else {
      parts.push(element("p", { class: "abstained" }, "Nothing to brief: no articles matched these dates, topic and sources."));
    }
    if (briefing.warnings.length) parts.push(element("p", { class: "warnings" }, briefing.warnings.join(" · ")));
    target.replaceChildren(...parts);
  } catch (error) {
    target.replaceChildren(element("p", { class: "warnings", role: "alert" }, `Error: ${error.message}`));
  } finally {
    target.removeAttribute("aria-busy");
    $("brief-button").disabled = false;
  }
}

const VERDICT_NOTES = {
  supported: "Supported by the articles",
  contradicted: "The articles say otherwise",
  unsupported: "Not found in the articles",
};

// Each sentence of the checked text, marked by its verdict: supported with its chips,
// contradicted with what the articles say instead (cited), unsupported said so.
function renderCheck(check) {
  const counts = {};
  for (const s of check.sentences) counts[s.verdict] = (counts[s.verdict] || 0) + 1;
  const summary = Object.entries(counts).map(([verdict, n]) => `${n} ${verdict}`).join(" · ");
  const items = check.sentences.map((s) => {
    const item = element("li", { class: `checked ${s.verdict}`, "data-verdict": s.verdict },
      element("span", { class: "verdict" }, VERDICT_NOTES[s.verdict]), " ",
      element("span", { class: "sentence" }, s.text), " ", ...s.citations.map((c) => chip(c)));
    const byNumber = new Map(s.citations.map((c) => [c.n, c]));
    for (const d of s.differs) {
      const cited = byNumber.get(d.citation);
      item.append(element("p", { class: "differs" },
        `The articles say “${d.source}”, not “${d.claim}” `, ...(cited ? [chip(cited)] : [])));
    }
    return item;
  });
  return [element("p", { class: "period" }, summary), element("ol", { class: "checked-text" }, ...items)];
}

async function verifyText(event) {
  event.preventDefault();
  const target = $("verify-result");
  const text = $("verify-text").value;
  if (!text.trim()) return;
  $("verify-button").disabled = true;
  target.replaceChildren(element("span", { class: "streaming-indicator" }, "Checking against the articles…"));
  target.setAttribute("aria-busy", "true");
  try {
    const response = await api("/verify", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, filters: filters("verify") }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    target.replaceChildren(...renderCheck(await response.json()));
  } catch (error) {
    target.replaceChildren(element("p", { class: "warnings", role: "alert" }, `Error: ${error.message}`));
  } finally {
    target.removeAttribute("aria-busy");
    $("verify-button").disabled = false;
  }
}

function selectTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
}

function saveKey(event) {
  event.preventDefault();
  sessionStorage.setItem("newsdesk-key", $("api-key").value.trim());
  $("api-key").value = "";
  $("key-form").hidden = true;
  showNotice("");
  loadArchive();
}

async function start() {
  $("key-form").addEventListener("submit", saveKey);
  $("ask-form").addEventListener("submit", ask);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("ask-form").requestSubmit(); }
  });
  $("new-chat").addEventListener("click", () => {
    conversation.length = 0;
    $("conversation").replaceChildren();
    $("archive-overview").hidden = false;
    $("question").focus();
  });
  $("verify-form").addEventListener("submit", verifyText);
  $("brief-form").addEventListener("submit", brief);
  $("watch-button").addEventListener("click", watchTopic);
  $("close-passage").addEventListener("click", closePassage);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !$("passage-panel").hidden) closePassage(); });
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => selectTab(tab));
  await loadArchive();
}

// What the archive holds, with questions it answers, as the chat's first view; an
// empty-archive hint; and the sources offered in the filters.
async function loadArchive() {
  try {
    const response = await api("/archive");
    if (!response.ok) {
      showNotice(`Cannot read the archive: ${await errorMessage(response)}`, true);
      return;
    }
    const archive = await response.json();
    $("sources").replaceChildren(...archive.sources.map((s) => element("option", { value: s.source })));
    if (archive.articles === 0) {
      showNotice("The archive is empty. Add articles with `newsdesk ingest PATH` (files or folders of .txt, .md, .html, .jsonl) or POST /articles, then reload this page.");
      return;
    }
    $("archive-overview").replaceChildren(...overview(archive));
  } catch (error) {
    showNotice(`The service cannot be reached: ${error.message}`, true);
  }
}

function overview(archive) {
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const dates = archive.first_date ? `, dated ${archive.first_date} to ${archive.last_date}` : "";
  const named = archive.sources.slice(0, 5).map((s) => `${s.source} (${s.articles})`).join(", ");
  const parts = [
    element("p", { class: "holdings" },
      `The archive holds ${plural(archive.articles, "article")} from ${plural(archive.sources.length, "source")}${dates}.`,
      named ? ` Sources: ${named}${archive.sources.length > 5 ? ", …" : ""}.` : ""),
    element("h2", {}, "Latest"),
    element("ul", { class: "latest" }, ...archive.latest.map((a) =>
      element("li", {}, a.title || a.id, element("span", { class: "facts" }, ` ${[a.source, a.date].filter(Boolean).join(" · ")}`)))),
  ];
  if (archive.questions.length) {
    parts.push(element("h2", {}, "Try asking"), element("ul", { class: "suggestions" },
      ...archive.questions.map((q) => element("li", {}, element("button", {
        type: "button", class: "secondary suggestion",
        onclick: () => { $("question").value = q; $("ask-form").requestSubmit(); },
      }, q)))));
  }
  return parts;
}

start();
