// The draft and adopt steps, on top of the live page core. The server renders every agenda
// section (it works without JavaScript); this module keeps it current: an agenda event or a
// live consent tally makes the page fetch its own HTML again and swap the agenda region, so
// there is one renderer (the templates). Phones spread their refetch over a moment.
import { live, extend } from "/static/samatcha.js";

const { $$ } = live;
const PHONE_JITTER_MS = 2000;  // a hall of phones must not ask for the page in one millisecond
const STAFF_DELAY_MS = 150;    // coalesces a burst of consent answers into one refetch
const EVENTS = new Set(["agenda.changed", "agenda.suggestion", "agenda.groups"]);

let timer = null;
function scheduleRefetch() {
  if (timer) return;
  timer = setTimeout(refetch, live.isStaff ? STAFF_DELAY_MS : Math.random() * PHONE_JITTER_MS);
}

function editing() {
  const el = document.activeElement;
  return el && el.closest('[data-region^="agenda-"]') && el.matches("input, textarea, select");
}

async function refetch() {
  timer = null;
  if (editing()) { timer = setTimeout(refetch, 3000); return; } // never wipe what is being typed
  let response;
  try { response = await fetch(location.pathname, { credentials: "same-origin" }); } catch { return; }
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const here of $$('[data-region^="agenda-"]')) {
    const fresh = doc.querySelector(`[data-region="${here.dataset.region}"]`);
    if (fresh) here.replaceWith(document.importNode(fresh, true));
  }
}

// A sent suggestion clears its box (the form is sent in the background by the core).
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (form.matches("[data-reset]")) setTimeout(() => form.reset(), 0);
}, true);

extend({
  apply(event, state) {
    if (!EVENTS.has(event.type)) return;
    if (state.agenda && event.type === "agenda.changed") state.agenda.items = event.data.items;
    scheduleRefetch();
  },
  live(update) {
    if (update.live === "consent" && live.isStaff) scheduleRefetch();
  },
  render() {},
});
