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
    const current = document.querySelector("[data-board]");
    if (fresh && current) {
      const open = new Set(Array.from(current.querySelectorAll("details[open]"), (d) => d.closest("[data-item]")?.dataset.item));
      current.replaceWith(fresh);
      for (const d of fresh.querySelectorAll("details")) {
        if (open.has(d.closest("[data-item]")?.dataset.item)) d.open = true;
      }
      body.dataset.boardVersion = String(Number(body.dataset.boardVersion || 0) + 1);
    }
  } finally {
    fetching = false;
    if (again) { again = false; later(CHANGED_GAP_MS); }
  }
}

// Plan one refetch no sooner than `gap` after the last one; an earlier plan stands (it covers
// this change too), a later one (a tick's) is brought forward.
function later(gap) {
  const at = Math.max(Date.now() + REFETCH_AFTER_MS, lastFetch + gap);
  if (refetchAt && refetchAt <= at) return;
  clearTimeout(refetchTimer);
  refetchAt = at;
  refetchTimer = setTimeout(() => { refetchAt = 0; refetch(); }, at - Date.now());
}

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${proto}//${location.host}/ws/${assemblyId}`);
  let beat = null;
  socket.onopen = () => {
    attempt = 0;
    if (live) live.hidden = false;
    beat = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), HEARTBEAT_MS);
  };
  socket.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === "progress.changed") { hearsChanges = true; later(CHANGED_GAP_MS); }
    else if (msg.type === "tick" && !hearsChanges) later(TICK_GAP_MS); // a working-group account
    else if (msg.type === "snapshot" && body.dataset.boardConnected) later(CHANGED_GAP_MS); // missed while away
    if (msg.type === "snapshot") body.dataset.boardConnected = "1";
  };
  socket.onclose = (e) => {
    clearInterval(beat);
    if (live) live.hidden = true;
    if (e.code === 4400 || e.code === 4403 || e.code === 4401) return; // retrying will not help
    attempt += 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
    setTimeout(connect, delay);
  };
}

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
