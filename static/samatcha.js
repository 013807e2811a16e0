// Samatcha live pages: one small module for the phone, the console and the presenter screen.
// The server renders every page; this module keeps it live. It reads the snapshot embedded in
// the page, opens one WebSocket, applies events in sequence order, asks for a fresh snapshot
// when it sees a gap, reconnects with exponential back-off and jitter, sends a heartbeat, and
// keeps proposals typed while offline in an outbox until the server has stored them.

const HEARTBEAT_MS = 25000;      // below common proxy idle time-outs (30-60 s)
const SILENCE_MS = 60000;        // no message for this long: the socket is dead, reconnect
const GAP_WAIT_MS = 1000;        // events from several workers may arrive out of order
// Reconnecting (kept in step with the phone model of benchmarks/hall.py, `reconnect_delay`):
// a socket that was open and dropped (1001 going away, 1006 abnormal, 1012 the server restarts),
// or an attempt refused within QUICK_FAIL_MS (nothing listens: the server is down, not busy),
// comes back after a random moment within the hall's spread, for QUICK_WINDOW_MS after the
// socket was last served; so the hall returns within seconds of the server answering, at most
// joined / spread phones a second. Anything else (a slow failure: an overloaded server) backs off
// exponentially with jitter.
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;    // a hall's Wi-Fi restart must not bring 1,000 phones back at once
const QUICK_CODES = [1001, 1006, 1012];
const QUICK_FAIL_MS = 1000;
const QUICK_WINDOW_MS = 180000;  // a server restart on a busy machine took 10-40 s
const RECONNECT_SPREAD_MS = 1000;         // at least; longer in a big hall:
const RECONNECT_SPREAD_PER_PHONE_MS = 1;  // 5,000 phones come back over 5 s, 1,000 a second
const RECONNECT_SPREAD_MAX_MS = 8000;
const VIEW_WAIT_MS = 4000;       // after a step change the server sends its view to every phone;
const RESYNC_SPREAD_MS = 1500;    // none by then: phones ask for a snapshot each, over 1.5 s,
const RESYNC_SPREAD_PER_PHONE_MS = 4;  // or longer in a big hall: the server builds ~250 a second
const MINE_SPREAD_PER_HOLDER_MS = 1;   // phones named in a view ask for their own part over this
const VIEW_LOG_MAX = 500;        // events kept to replay on a view older than them

const body = document.body;
const view = body.dataset.view;
const assemblyId = body.dataset.assembly;
const messages = JSON.parse(document.getElementById("messages")?.textContent || "{}");
let state = JSON.parse(document.getElementById("snapshot").textContent);
let seq = state.seq;
let socket = null;
let attempt = 0;
let servedAt = Date.now();  // the page itself was just served
let lastHeard = Date.now();
const pending = new Map();
let gapTimer = null;
let resyncOwed = false;  // a step change's own view (or this phone's part of it) not here yet
let viewOwed = 0;        // seq of the step change whose view has not come yet
let viewFrom = "";       // the step kind this phone's own part was read for
let sinceStep = [];      // events applied since that step change, replayed on an older view
let viewTimer = null;

// Every request a script sends to change something carries the page's CSRF token, as every
// plain form does; modules send through `request` (or `post`), never a bare fetch.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
function request(url, init = {}) {
  const changes = (init.method || "GET").toUpperCase() !== "GET";
  const headers = changes ? { "X-CSRFToken": csrfToken, ...init.headers } : init.headers;
  return fetch(url, { credentials: "same-origin", ...init, headers });
}

// Feature modules (static/<name>.js, listed in <body data-features>) extend the page through
// `extend({ apply(event, state), live(update, state), render(state) })`.
const features = [];

const $ = (sel, root = document) => root.querySelector(sel);
// A form's address through its attribute: a control named "action" (or "method", "id", …)
// shadows the form's own property, and `form.action` would then be that control.
const actionOf = (form) => new URL(form.getAttribute("action") || location.href, location.href).href;
const setAction = (form, url) => form.setAttribute("action", url);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const isStaff = view === "console" || view === "presenter";
const networkOf = (key) => state.networks.find((n) => n.key === key);
const lang = document.documentElement.lang;

// ------------------------------------------------------------------ connection

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  // `since`: the server answers "current" instead of a whole snapshot when nothing changed.
  // Not while a step change's resync is still owed: the state is behind what its seq says.
  const since = resyncOwed ? "" : `?since=${seq}`;
  socket = new WebSocket(`${proto}//${location.host}/ws/${assemblyId}${since}`);
  const started = Date.now();
  let opened = false;
  socket.onopen = () => { opened = true; lastHeard = Date.now(); showConnection(true); };
  socket.onmessage = (e) => {
    // Served (a snapshot or "current"): the back-off starts over. Not on open alone, or a
    // server that accepts and drops at once would be retried in a tight loop.
    attempt = 0; servedAt = Date.now();
    lastHeard = Date.now(); receive(JSON.parse(e.data));
  };
  socket.onclose = (e) => {
    showConnection(false);
    socket = null;
    if (e.code === 4400) return; // another site's page: retrying will not help
    if (e.code === 4403) { leaveOnce(); return; } // no longer allowed here (a seat card moved)
    if (e.code === 4401) { leaveOnce(); return; } // the staff login ended: the page asks again
    setTimeout(connect, reconnectDelay(e.code, opened || Date.now() - started < QUICK_FAIL_MS));
  };
}

function reconnectDelay(code, quick) {
  if (quick && QUICK_CODES.includes(code) && Date.now() - servedAt < QUICK_WINDOW_MS) {
    const spread = Math.min(RECONNECT_SPREAD_MAX_MS, hallSpread(RECONNECT_SPREAD_MS, RECONNECT_SPREAD_PER_PHONE_MS));
    return Math.random() * spread;
  }
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
  attempt += 1;
  return delay;
}

// Reload once: the server then shows what this device may see now (the join page when its
// seat moved to another phone). A second refusal within a minute stays offline, never a loop.
function leaveOnce() {
  const key = `samatcha-left-${assemblyId}`;
  const last = Number(sessionStorage.getItem(key) || 0);
  if (Date.now() - last < 60000) return;
  sessionStorage.setItem(key, String(Date.now()));
  location.reload();
}

// How long a hall of phones spreads a request they all make at once (a resync, a refetch): at
// least `least`, longer with more phones joined, so the server answers them as they come.
function hallSpread(least, perPhone) {
  return Math.min(20000, Math.max(least, (state.joined || 0) * perPhone));
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

setInterval(() => {
  if (!socket) return;
  if (Date.now() - lastHeard > SILENCE_MS) { socket.close(); return; }
  send({ type: "ping" });
}, HEARTBEAT_MS);

function showConnection(online) {
  const el = $('[data-region="connection"]');
  if (!el) return;
  el.dataset.state = online ? "online" : "offline";
  el.title = online ? messages.online : messages.offline;
  $('[data-field="label"]', el).textContent = el.title;
}

function receive(msg) {
  if (msg.type === "pong" || msg.type === "error") return;
  if (msg.live === "view") { takeView(msg.data); return; }
  if (msg.type === "personal") { takePersonal(msg.data); return; }
  if (msg.live) { for (const f of features) f.live?.(msg, state); return; }
  if (msg.type === "current") { clearTimeout(gapTimer); pending.clear(); flushOutbox(); return; }
  if (msg.type === "snapshot") {
    resyncOwed = false;
    forgetView();
    state = msg.data;
    seq = msg.seq;
    pending.clear();
    renderAll();
    flushOutbox();
    return;
  }
  if (msg.seq <= seq) return;
  pending.set(msg.seq, msg);
  while (pending.has(seq + 1)) {
    const next = pending.get(seq + 1);
    pending.delete(seq + 1);
    seq = next.seq;
    state.seq = seq; // the state is what a snapshot at this seq shows
    apply(next);
    if (viewOwed && next.seq > viewOwed) {
      sinceStep.push(next);
      if (sinceStep.length > VIEW_LOG_MAX) { forgetView(); send({ type: "resync" }); }
    }
  }
  clearTimeout(gapTimer);
  if (pending.size) gapTimer = setTimeout(() => send({ type: "resync" }), GAP_WAIT_MS);
}

// ------------------------------------------------------------------ a step change's view

// After a step change the server sends every phone the new step's shared view at once (a
// `view`, built once for the hall) with the personal part a phone without data of its own has
// (`blank`) and, for each personal part, who has some (`holders`, or null for "everyone may"):
// those ask for their own part alone, unless the part reads the same in the step they come
// from and the new one (`same_in`), when they keep what they have. No view within
// VIEW_WAIT_MS (the server could not build it): a snapshot each.
function awaitView(stepSeq, fromKind) {
  if (!viewOwed) viewFrom = fromKind;
  viewOwed = stepSeq;
  sinceStep = [];
  resyncOwed = true;
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    viewTimer = setTimeout(() => send({ type: "resync" }), Math.random() * hallSpread(RESYNC_SPREAD_MS, RESYNC_SPREAD_PER_PHONE_MS));
  }, VIEW_WAIT_MS);
}

function forgetView() {
  viewOwed = 0;
  sinceStep = [];
  clearTimeout(viewTimer);
}

// Adds a personal part one level deep (a personal `vote` adds `my_ballot` to the shared one),
// as the server merges a snapshot.
function mergePart(into, part) {
  for (const [key, value] of Object.entries(part || {})) {
    const here = into[key];
    const both = here && value && typeof here === "object" && typeof value === "object" && !Array.isArray(here) && !Array.isArray(value);
    into[key] = both ? { ...here, ...value } : value;
  }
}

function takeView(view) {
  if (isStaff || !viewOwed || view.seq < viewOwed) return; // not waited for, or older than it
  const me = state.me;
  const next = { ...view.state, role: state.role };
  if (me) next.me = me;
  mergePart(next, view.blank);
  const toKind = view.state.step ? view.state.step.kind : "";
  let ask = false;
  for (const part of view.parts) {
    if (part.same_in.includes(viewFrom) && part.same_in.includes(toKind)) {
      for (const key of part.keys) if (key in state) next[key] = state[key];
    } else if (me && (part.holders === null || part.holders.includes(me.participant_id))) {
      ask = true;
    }
  }
  const replay = sinceStep.filter((e) => e.seq > view.seq);
  forgetView();
  state = next;
  if (view.seq >= seq) {
    seq = view.seq;
    for (const s of [...pending.keys()]) if (s <= seq) pending.delete(s);
  } else {
    for (const event of replay) apply(event); // the view was read before these
  }
  state.seq = seq;
  resyncOwed = ask;
  renderAll();
  if (ask) {
    const asking = Math.max(...view.parts.map((p) => (p.holders === null ? state.joined || 0 : p.holders.length)));
    const spread = asking * MINE_SPREAD_PER_HOLDER_MS;
    setTimeout(() => send({ type: "mine" }), Math.random() * Math.min(5000, spread));
  }
  if (pending.has(seq + 1)) receive(pending.get(seq + 1)); // events that came before it
  else if (!pending.size) clearTimeout(gapTimer);
}

function takePersonal(part) {
  mergePart(state, part);
  resyncOwed = false;
  renderAll();
}

// ------------------------------------------------------------------ state

function upsert(list, item) {
  const i = list.findIndex((p) => p.id === item.id);
  if (i === -1) list.push(item); else list[i] = { ...list[i], ...item };
}

function apply(event) {
  const d = event.data;
  switch (event.type) {
    case "participants.changed":
      state.networks = d.networks; state.joined = d.joined; renderCounts(); break;
    case "assembly.changed":
      state.assembly = d.assembly; break;
    case "step.changed": {
      const fromKind = state.step ? state.step.kind : "";
      state.step = d.step;
      if (d.steps) state.steps = d.steps;
      renderStep();
      // What a phone may see depends on the step: its view follows this event.
      if (!isStaff) awaitView(event.seq, fromKind);
      for (const f of features) f.apply?.(event, state); // e.g. the next vote step's section
      break;
    }
    case "proposal.created":
      upsert(state.proposals, d.proposal); renderProposals(); break;
    case "proposal.updated":
      if (!isStaff && d.proposal.hidden) {
        state.proposals = state.proposals.filter((p) => p.id !== d.proposal.id);
      } else {
        upsert(state.proposals, d.proposal);
      }
      if (state.mine) {
        const own = state.mine.find((p) => p.id === d.proposal.id);
        if (own) Object.assign(own, d.proposal);
      }
      renderProposals(); break;
    case "proposal.supported":
      for (const list of [state.proposals, state.mine || []]) {
        const p = list.find((x) => x.id === d.id);
        if (p) p.supports = d.supports;
      }
      renderProposals();
      for (const f of features) f.apply?.(event, state); // e.g. the similar-proposal hint
      break;
    default: // "tick", and events a feature module handles
      for (const f of features) f.apply?.(event, state);
  }
}

// ------------------------------------------------------------------ rendering

function renderAll() {
  renderStep(); renderCounts(); renderProposals();
  for (const f of features) f.render?.(state);
}

function renderStep() {
  const step = state.step;
  const region = $('[data-region="step"]');
  if (region) {
    region.dataset.kind = step ? step.kind : "";
    $('[data-field="status"]', region).textContent = !step ? messages.waiting
      : step.status === "open" ? messages.open : messages.closed;
    $('[data-field="title"]', region).textContent = step ? step.title : "";
    $('[data-field="prompt"]', region).textContent = step ? step.prompt : "";
    const timer = $('[data-field="timer"]', region);
    timer.dataset.endsAt = step && step.ends_at ? step.ends_at : "";
    timer.dataset.autoClose = step && step.close_when_done ? "true" : "";
    tickTimers();
  }
  const feedBlock = $('[data-region="feed-block"]');
  const kind = step ? step.kind : "";
  if (feedBlock && feedBlock.dataset.kind !== kind) {
    if (feedBlock.dataset.kind !== undefined) feedBlock.open = !step || kind === "collect";
    feedBlock.dataset.kind = kind;
  }
  const sections = $$("[data-show-kind]");
  const served = step && sections.some((s) => s.dataset.showKind === step.kind);
  for (const section of sections) {
    const kind = section.dataset.showKind;
    section.hidden = !(step ? kind === step.kind || (kind === "other" && !served) : kind === "none");
  }
  const submit = $('[data-field="submit"]');
  if (submit) submit.disabled = !(step && step.status === "open");
  const others = $('[data-region="others-block"]');
  if (others) others.hidden = !(step && step.show_others);
  renderSteps();
}

function renderSteps() {
  const list = $('[data-region="steps"]');
  if (!list || !state.steps) return;
  for (const s of state.steps) {
    const li = $(`li[data-id="${s.id}"]`, list);
    if (!li) { location.reload(); return; } // a step was added: the page renders the new list
    li.dataset.status = s.status;
    li.classList.toggle("current", !!state.step && state.step.id === s.id);
    $('[data-field="status"]', li).textContent = messages[`status_${s.status}`] || s.status;
    $('[data-field="close-form"]', li).hidden = s.status !== "open";
    $('[data-field="open-form"]', li).hidden = s.status === "open";
    $('[data-field="open-form"] button', li).textContent = s.status === "closed" ? messages.reopen : messages.open_btn;
  }
}

function renderCounts() {
  for (const n of state.networks) {
    for (const li of $$(`[data-region="networks"] li[data-key="${n.key}"]`)) {
      $('[data-field="joined"]', li).textContent = n.joined;
    }
  }
  // The total only: a per-network row (the networks list, a vote's turnout) has its own count.
  for (const el of $$('[data-field="joined"]')) if (!el.closest("li[data-key]")) el.textContent = state.joined;
}

function fillBadge(el, key) {
  const n = networkOf(key);
  if (!el) return;
  // the short form: a long Thai network name must never widen a 360 px phone (issue 12)
  el.textContent = n ? (lang === "th" ? n.short_th || n.name_th : n.name_en) : "";
  el.title = n ? (lang === "th" ? n.name_th : n.name_en) : "";
  el.style.setProperty("--net", n ? n.color : "#64748b");
}

function renderList(list, items, templateId, fill) {
  if (!list) return;
  const template = document.getElementById(templateId);
  const existing = new Map($$(":scope > li", list).map((li) => [li.dataset.id, li]));
  const wanted = [];
  for (const item of items) {
    const key = String(item.id);
    let li = existing.get(key);
    existing.delete(key);
    if (!li) li = template.content.firstElementChild.cloneNode(true);
    li.dataset.id = key;
    fill(li, item);
    wanted.push(li);
  }
  for (const li of existing.values()) li.remove();
  wanted.forEach((li, i) => { if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null); });
}

function renderProposals() {
  if (view === "participant") renderPhoneProposals();
  if (view === "console") renderConsoleFeed();
  if (view === "presenter") renderWall();
}

function renderPhoneProposals() {
  const mineIds = new Set((state.mine || []).map((p) => p.id));
  const supported = new Set(state.supported || []);
  const others = state.proposals.filter((p) => !mineIds.has(p.id)).slice().reverse();
  renderList($('[data-region="others"]'), others, "tpl-other", (li, p) => {
    $('[data-field="text"]', li).textContent = p.text;
    $('[data-field="supports"]', li).textContent = p.supports;
    fillBadge($('[data-field="network"]', li), p.network);
    setAction($("form", li), `/a/${assemblyId}/proposals/${p.id}/support`);
    const button = $('[data-field="support"]', li);
    button.disabled = supported.has(p.id);
    button.setAttribute("aria-pressed", supported.has(p.id) ? "true" : "false");
  });
  const queued = readOutbox().map((q) => ({ id: `q-${q.client_key}`, text: q.text, supports: 0, queued: true }));
  const mine = (state.mine || []).slice().reverse();
  renderList($('[data-region="mine"]'), [...queued.reverse(), ...mine], "tpl-mine", (li, p) => {
    $('[data-field="text"]', li).textContent = p.text;
    $('[data-field="supports"]', li).textContent = `+${p.supports}`;
    li.classList.toggle("pending", !!p.queued);
    $('[data-field="status"]', li).textContent = p.queued ? messages.sending : p.hidden ? messages.hidden : messages.received;
  });
  const empty = $('[data-empty="mine"]');
  if (empty) empty.hidden = queued.length + mine.length > 0;
  // A wrong network can be fixed until the first proposal, which carries it.
  const change = $('[data-region="change-network"]');
  if (change) change.hidden = queued.length + mine.length > 0 || !!(state.step && state.step.kind !== "collect");
}

// Hidden proposals leave the feed for a folded list of their own, from which they can be restored.
function renderConsoleFeed() {
  const items = state.proposals.slice().reverse();
  const shown = items.filter((p) => !p.hidden);
  const hidden = items.filter((p) => p.hidden);
  renderList($('[data-region="feed"]'), shown, "tpl-console", fillConsoleProposal);
  renderList($('[data-region="feed-hidden"]'), hidden, "tpl-console", fillConsoleProposal);
  const count = $('[data-field="proposal-count"]');
  if (count) count.textContent = shown.length;
  const hiddenCount = $('[data-field="hidden-count"]');
  if (hiddenCount) hiddenCount.textContent = hidden.length;
  const fold = $(".feed-hidden");
  if (fold) fold.hidden = hidden.length === 0;
}

function fillConsoleProposal(li, p) {
    li.id = `p${p.id}`;
    li.classList.toggle("is-hidden", !!p.hidden);
    $('[data-field="text"]', li).textContent = p.text;
    $('[data-field="supports"]', li).textContent = `+${p.supports}`;
    $('[data-field="edited"]', li).hidden = !p.edited;
    fillBadge($('[data-field="network"]', li), p.network);
    for (const form of $$("form", li)) setAction(form, `/console/${assemblyId}/proposals/${p.id}`);
    $('[data-field="moderate-action"]', li).value = p.hidden ? "restore" : "hide";
    $('[data-field="moderate"]', li).textContent = p.hidden ? messages.restore : messages.hide;
    const edit = $('[data-field="edit-text"]', li);
    edit.id = `edit-${p.id}`;
    edit.previousElementSibling.htmlFor = edit.id;
    if (document.activeElement !== edit) edit.value = p.text;
}

function renderWall() {
  const items = state.proposals.filter((p) => !p.hidden).slice(-6).reverse();  // what fits 1080 px
  renderList($('[data-region="wall"]'), items, "tpl-screen", (li, p) => {
    $('[data-field="text"]', li).textContent = p.text;
    fillBadge($('[data-field="network"]', li), p.network);
  });
}

function tickTimers() {
  for (const el of $$('[data-field="timer"]')) {
    const ends = el.dataset.endsAt ? Date.parse(el.dataset.endsAt) : NaN;
    if (Number.isNaN(ends)) { el.hidden = true; continue; }
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    el.hidden = false;
    // At 0:00 every screen says so (a warning, not a silent zero); the server closes the step
    // itself when the facilitator chose "close when time is up".
    const up = left === 0;
    el.textContent = up
      ? `${el.dataset.timeUp}${el.dataset.autoClose ? ` · ${el.dataset.closes}` : ""}`
      : `${messages.ends_in} ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    el.classList.toggle("ending", left < 60 && !up);
    el.classList.toggle("time-up", up);
    if (up) el.setAttribute("role", "alert"); else el.removeAttribute("role");
  }
}
setInterval(tickTimers, 1000);

// ------------------------------------------------------------------ actions

function toast(text) {
  const el = $("#toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

async function errorMessage(response) {
  try { return (await response.json()).message; } catch { return response.statusText; }
}

// The one way a form is sent in the background (the socket brings the change back): the
// server's answer when it took the form, else null after saying why (its refusal, or
// `offline` when it could not be reached); `refused(response)` may act on a refusal too.
async function post(url, body, { headers = {}, offline = messages.offline, refused } = {}) {
  let response;
  try {
    response = await request(url, { method: "POST", body, headers: { "X-Requested-With": "fetch", ...headers } });
  } catch {
    toast(offline);
    return null;
  }
  if (response.ok) return response;
  toast(await errorMessage(response));
  refused?.(response);
  return null;
}

// Forms marked data-enhance are sent in the background.
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!form.matches("[data-enhance]")) return;
  e.preventDefault();
  if (!await post(actionOf(form), new URLSearchParams(new FormData(form)))) return;
  if (form.classList.contains("support")) {
    state.supported = [...(state.supported || []), Number(form.closest("li").dataset.id)];
    renderProposals();
  }
  // Fold the small drop-down the form sits in ("Fix typo"), not a list around it.
  if (form.parentElement?.matches("details")) form.parentElement.removeAttribute("open");
});

// ------------------------------------------------------------------ regions the server renders

// The one way a section only the server renders (a vote, the agenda, the projector's results)
// stays live: on an event, fetch this page again and swap each region matching `selector` for
// its fresh copy, so the templates stay its one renderer. Returns `schedule(delay)`; calls
// before the fetch add nothing. While `busy()` (someone is typing in it) the swap waits, and so
// does a fetch that failed. `swapped()` runs after each swap. `url()`: where the fresh copy is
// (a phone asks for its step's section alone, `/a/{id}/regions/{kind}`, not the whole page).
const RETRY_MS = 3000;
function keepRegions(selector, { busy = () => false, swapped = () => {}, url = () => location.pathname } = {}) {
  let timer = null;
  const schedule = (delay = 0) => { if (!timer) timer = setTimeout(refetch, delay); };
  async function refetch() {
    timer = null;
    if (busy()) { schedule(RETRY_MS); return; }
    let response;
    try {
      response = await request(url(), { cache: "no-store" });
    } catch { schedule(RETRY_MS); return; }
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    if (busy()) { schedule(RETRY_MS); return; } // began typing meanwhile
    for (const here of $$(selector)) {
      const fresh = doc.querySelector(`[data-region="${here.dataset.region}"]`);
      if (fresh) here.replaceWith(document.importNode(fresh, true));
    }
    swapped();
  }
  return schedule;
}

// ------------------------------------------------------------------ the proposal outbox

const outboxKey = `samatcha.outbox.${assemblyId}`;
const readOutbox = () => { try { return JSON.parse(localStorage.getItem(outboxKey) || "[]"); } catch { return []; } };
const writeOutbox = (items) => localStorage.setItem(outboxKey, JSON.stringify(items));
// A request key (`client_key`): a resend with the same key is stored once.
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9-]/g, "");
let flushing = false;

async function flushOutbox() {
  if (flushing || view !== "participant") return;
  flushing = true;
  try {
    for (const item of readOutbox()) {
      let response;
      try {
        response = await request(`/api/v1/assemblies/${assemblyId}/proposals`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(item),
        });
      } catch { break; } // still offline: keep everything for the next try
      if (response.status >= 500 || response.status === 429) break; // try again later
      writeOutbox(readOutbox().filter((q) => q.client_key !== item.client_key));
      if (response.ok) {
        const proposal = await response.json();
        state.mine = state.mine || [];
        upsert(state.mine, proposal);
        toast(messages.sent);
      } else {
        toast(await errorMessage(response));
      }
    }
  } finally {
    flushing = false;
    renderProposals();
  }
}

// ------------------------------------------------------------------ drafts kept on the phone

// Text being typed (a proposal, a suggestion, an objection's reason) survives a reload or a
// phone that drops the page: each box marked data-draft is kept in localStorage per assembly
// and box until it is sent (issue 12: a reload lost what people had typed).
const draftKey = (box) => `samatcha.draft.${assemblyId}.${box.dataset.draft}`;

function saveDraft(box) {
  try {
    if (box.value.trim()) localStorage.setItem(draftKey(box), box.value);
    else localStorage.removeItem(draftKey(box));
  } catch { /* storage full or off: typing still works */ }
}

function clearDraft(box) {
  try { localStorage.removeItem(draftKey(box)); } catch { /* nothing kept */ }
}

// Put kept drafts back into the boxes under `root` (the page, or a region just swapped in).
function restoreDrafts(root = document) {
  for (const box of $$("textarea[data-draft]", root)) {
    let kept = null;
    try { kept = localStorage.getItem(draftKey(box)); } catch { /* storage off */ }
    if (!kept || box.value === kept) continue;
    box.value = kept;
    box.form?.setAttribute("data-dirty", "");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

document.addEventListener("input", (e) => {
  if (e.target.matches?.("textarea[data-draft]")) saveDraft(e.target);
});

const proposeForm = $("[data-propose]");
if (proposeForm) {
  const textarea = $("textarea", proposeForm);
  const counter = $('[data-field="counter"]', proposeForm);
  const problem = $('[data-field="propose-error"]', proposeForm);
  // The limit is checked here, not by the browser's maxlength: maxlength cut a 760-character
  // paste to 500 without a word (issue 12). The person sees how much is over and decides.
  const limit = Number(textarea.getAttribute("maxlength")) || 500;
  textarea.removeAttribute("maxlength");
  const say = (text) => { problem.textContent = text || ""; problem.hidden = !text; };
  const updateCounter = () => {
    const left = limit - textarea.value.length;
    counter.textContent = left >= 0 ? `${left} ${messages.chars_left}`
      : messages.chars_over.replace("{n}", String(-left));
    counter.classList.toggle("bad", left < 0);
    if (left < 0) say(messages.too_long.replace("{max}", String(limit)));
    else if (problem.textContent === messages.too_long.replace("{max}", String(limit))) say("");
    else if (textarea.value.trim() && problem.textContent === messages.empty) say("");
  };
  textarea.addEventListener("input", updateCounter);
  restoreDrafts(proposeForm);
  updateCounter();
  proposeForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text) { say(messages.empty); textarea.focus(); return; }
    if (textarea.value.length > limit) { say(messages.too_long.replace("{max}", String(limit))); textarea.focus(); return; }
    say("");
    writeOutbox([...readOutbox(), { client_key: newKey(), text }]);
    textarea.value = "";
    clearDraft(textarea); // it waits in the outbox now, which keeps it until the server has it
    updateCounter();
    renderProposals();
    if (!navigator.onLine || !socket) toast(messages.queued);
    flushOutbox();
  });
}
restoreDrafts();

// ------------------------------------------------------------------ extension

export const live = {
  get state() { return state; },
  view, assemblyId, isStaff, messages, $, $$, actionOf, setAction, send, toast, errorMessage, renderList,
  fillBadge, networkOf, hallSpread, render: () => renderAll(), restoreDrafts, clearDraft,
  request, post, keepRegions, newKey,
};

export function extend(feature) {
  features.push(feature);
  feature.render?.(state);
}

window.addEventListener("online", flushOutbox);
setInterval(flushOutbox, 15000);
renderAll();
connect();
flushOutbox();
// A feature module that fails to load leaves its part of the page without JavaScript (its
// forms still work): say so on the page and in the console, never silently.
for (const name of (body.dataset.features || "").split(/\s+/).filter(Boolean)) {
  import(`/static/${name}.js`).catch((error) => {
    console.error(`samatcha: static/${name}.js did not load`, error);
    toast(messages.module_failed || messages.offline);
  });
}
