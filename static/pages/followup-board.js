// The progress board, live: it listens on the assembly's socket (docs/realtime.md) and, when
// the follow-up changes (`progress.changed`: a report came in, a note, the setup), fetches the
// board again and swaps it in. Without JavaScript the board is the same page, reloaded by hand.
const body = document.body;
const assemblyId = body.dataset.followupBoard;
const HEARTBEAT_MS = 25000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const REFETCH_AFTER_MS = 300; // reports arriving together are fetched once
const live = document.querySelector('[data-field="board-live"]');
let attempt = 0;
let refetchTimer = null;
let fetching = false;
let again = false;

async function refetch() {
  if (fetching) { again = true; return; }
  fetching = true;
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
    if (again) { again = false; refetch(); }
  }
}

function later() {
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(refetch, REFETCH_AFTER_MS);
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
    if (msg.type === "progress.changed" || msg.type === "tick") later(); // a working group account hears ticks
    else if (msg.type === "snapshot" && body.dataset.boardConnected) later(); // missed while away
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
