// The progress board, live: it listens on the assembly's socket (docs/realtime.md) and, when
// the follow-up changes (`progress.changed`: a report came in, a note, the setup), fetches the
// board again and swaps it in. Without JavaScript the board is the same page, reloaded by hand.
const body = document.body;
const assemblyId = body.dataset.followupBoard;
const HEARTBEAT_MS = 25000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;
// The region is large (every chart of the year, ~2 MB) and costly to build: a screen fetches
// it at most once per CHANGED_GAP_MS; changes during the wait make exactly one fetch at its end.
// A working-group account hears only `tick`s on the public stream (assembly/web/live.py), which
// also come for unrelated changes of the assembly: those refetch at most once per TICK_GAP_MS.
const REFETCH_AFTER_MS = 300; // reports arriving together are fetched once
const CHANGED_GAP_MS = 5000;
const TICK_GAP_MS = 30000;
const live = document.querySelector('[data-field="board-live"]');
let attempt = 0;
let refetchTimer = null;
let refetchAt = 0;     // when the planned refetch runs (0: none planned)
let lastFetch = 0;     // when the last refetch started
let hearsChanges = false; // this socket is on the staff stream: it gets `progress.changed`
let fetching = false;
let again = false;

async function refetch() {
  if (fetching) { again = true; return; }
  fetching = true;
  lastFetch = Date.now();
  try {
    const response = await fetch(`/followup/${assemblyId}/region`, { credentials: "same-origin" });
    if (!response.ok) return;
    const html = await response.text();
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("[data-board]");
    if (fresh) { waiting = fresh; swapWhenFree(); }
  } finally {
    fetching = false;
    if (again) { again = false; later(CHANGED_GAP_MS); }
  }
}

// A fresh board is not swapped in over a note being typed: it waits (the newest one) until no
// note field has the focus or text, e.g. when the field is left empty or the note was sent.
let waiting = null;
function typing() {
  const board = document.querySelector("[data-board]");
  if (!board) return false;
  return Array.from(board.querySelectorAll("textarea")).some((t) => t === document.activeElement || t.value.trim() !== "");
}

function swapWhenFree() {
  const current = document.querySelector("[data-board]");
  if (!waiting || !current) return;
  if (typing()) { body.dataset.boardWaiting = "1"; return; }
  const fresh = waiting;
  waiting = null;
  delete body.dataset.boardWaiting;
  const open = new Set(Array.from(current.querySelectorAll("details[open]"), (d) => d.closest("[data-item]")?.dataset.item));
  current.replaceWith(fresh);
  for (const d of fresh.querySelectorAll("details")) {
    if (open.has(d.closest("[data-item]")?.dataset.item)) d.open = true;
  }
  body.dataset.boardVersion = String(Number(body.dataset.boardVersion || 0) + 1);
}
// focusout fires before the focus moves on: look once it has.
document.addEventListener("focusout", () => setTimeout(swapWhenFree, 0));
document.addEventListener("submit", () => setTimeout(swapWhenFree, 0));

// Plan one refetch no sooner than `gap` after the last one; an earlier plan stands (it covers
// this change too), a later one (a tick's) is brought forward.
function later(gap) {
  const at = Math.max(Date.now() + REFETCH_AFTER_MS, lastFetch + gap);
  if (refetchAt && refetchAt <= at) return;
  clearTimeout(refetchTimer);
  refetchAt = at;
  refetchTimer = setTimeout(() => { refetchAt = 0; refetch(); }, at - Date.now());
}

// The socket, kept as static/samatcha.js keeps the hall's (that module starts a whole live
// page when imported, so its helpers are not shared): a socket silent for SILENCE_MS is dead
// and is replaced; the back-off starts over only once the server has answered, not on open
// alone (a server that accepts and drops at once is not retried in a tight loop); a login that
// ended (4401) reloads the page once, which then asks for the login again.
const SILENCE_MS = 60000; // as static/samatcha.js
let socket = null;
let lastHeard = Date.now();

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${proto}//${location.host}/ws/${assemblyId}`);
  socket.onopen = () => {
    lastHeard = Date.now();
    if (live) live.hidden = false;
  };
  socket.onmessage = (e) => {
    attempt = 0;
    lastHeard = Date.now();
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    if (msg.type === "progress.changed") { hearsChanges = true; later(CHANGED_GAP_MS); }
    else if (msg.type === "tick" && !hearsChanges) later(TICK_GAP_MS); // a working-group account
    else if (msg.type === "snapshot" && body.dataset.boardConnected) later(CHANGED_GAP_MS); // missed while away
    if (msg.type === "snapshot") body.dataset.boardConnected = "1";
  };
  socket.onclose = (e) => dropped(e.code);
}

function dropped(code) {
  socket = null;
  if (live) live.hidden = true;
  if (code === 4401) { reloadOnce(); return; } // the login ended: the page asks again
  if (code === 4400 || code === 4403) return; // retrying will not help
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
  attempt += 1;
  setTimeout(connect, delay);
}

// Once a minute at most: a second refusal right after the reload stays offline, never a loop.
function reloadOnce() {
  const key = `samatcha-board-left-${assemblyId}`;
  try {
    if (Date.now() - Number(sessionStorage.getItem(key) || 0) < 60000) return;
    sessionStorage.setItem(key, String(Date.now()));
  } catch { /* storage off: reload anyway */ }
  location.reload();
}

setInterval(() => {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  if (Date.now() - lastHeard > SILENCE_MS) {
    // A dead link may take minutes to report its close: reconnect now, not on that event.
    const dead = socket;
    dead.onclose = null;
    dead.close();
    dropped(1006);
    return;
  }
  socket.send(JSON.stringify({ type: "ping" }));
}, HEARTBEAT_MS);

// Projector view: big type, high contrast; remembered on this screen.
const toggle = document.querySelector("[data-toggle-projector]");
const PROJECTOR_KEY = "samatcha.followup.projector";
function setProjector(on) {
  body.classList.toggle("projector", on);
  document.documentElement.classList.toggle("projector", on); // rem-sized type grows too
  toggle?.setAttribute("aria-pressed", on ? "true" : "false");
  try { localStorage.setItem(PROJECTOR_KEY, on ? "1" : ""); } catch { /* storage off */ }
}
try { setProjector(localStorage.getItem(PROJECTOR_KEY) === "1"); } catch { /* storage off */ }
toggle?.addEventListener("click", () => setProjector(!body.classList.contains("projector")));

connect();
