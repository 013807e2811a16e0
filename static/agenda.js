// The draft and adopt steps, on top of the live page core. The server renders every agenda
// section (it works without JavaScript); this module keeps it current: an agenda event or a
// live consent tally makes the page fetch its own HTML again and swap the agenda region, so
// there is one renderer (the templates). Phones spread their refetch over a moment.
import { live, extend } from "/static/samatcha.js";

const { $, $$ } = live;
const PHONE_JITTER_MS = 2000;  // a hall of phones must not ask for the page in one millisecond,
const PHONE_JITTER_PER_PHONE_MS = 8;  // and a big hall spreads longer: a page costs the server more
const STAFF_DELAY_MS = 150;    // coalesces a burst of consent answers into one refetch
const EVENTS = new Set(["agenda.changed", "agenda.suggestion", "agenda.groups"]);
const REGIONS = '[data-region^="agenda-"]';

// Someone typing (or with a half-filled answer) in an agenda region: swapping the region
// would wipe it. The refetch waits until they are done.
function editing() {
  const el = document.activeElement;
  if (el && el.closest(REGIONS) && el.matches("input, textarea, select")) return true;
  return $$(`${REGIONS} form[data-dirty]`).length > 0;
}

// What someone typed and has not sent comes back into its box after a swap.
// A phone fetches its step's agenda section alone (the server renders one template, not the page).
const regionUrl = () => {
  const kind = live.state.step?.kind;
  return !live.isStaff && (kind === "draft" || kind === "adopt") ? `/a/${live.assemblyId}/regions/${kind}` : location.pathname;
};
const refetch = live.keepRegions(REGIONS, { busy: editing, swapped: () => live.restoreDrafts(), url: regionUrl });
function scheduleRefetch(delay) {
  const spread = live.hallSpread(PHONE_JITTER_MS, PHONE_JITTER_PER_PHONE_MS);
  refetch(delay ?? (live.isStaff ? STAFF_DELAY_MS : Math.random() * spread));
}

// A form changed but not sent yet keeps the region from being swapped under it.
document.addEventListener("input", (e) => {
  const form = e.target.closest?.(`${REGIONS} form[data-agenda-send]`);
  if (form) form.dataset.dirty = "";
});

// Suggestions, supports, working groups and consent answers are sent in the background. A
// sent suggestion clears its box and gets a fresh request key (a second suggestion on the
// same item must not be taken for a resend of the first); a failed send keeps what was typed.
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!form.matches("[data-agenda-send]")) return;
  e.preventDefault();
  if (form.dataset.busy) return;
  const body = new URLSearchParams(new FormData(form));
  const state = $('[data-field="send-state"]', form);
  const buttons = $$("button", form);
  form.dataset.busy = "";
  for (const b of buttons) b.disabled = true;
  if (state) { state.textContent = live.messages.sending || "…"; state.classList.remove("saved"); }
  let saved = false;
  try {
    saved = !!await live.post(live.actionOf(form), body, { offline: form.dataset.offlineText || live.messages.offline });
    if (saved) {
      delete form.dataset.dirty;
      for (const box of $$("textarea[data-draft]", form)) live.clearDraft(box);
      if (form.matches("[data-reset]")) {
        for (const box of $$("textarea", form)) box.value = "";
        const key = $('input[name="client_key"]', form);
        if (key) key.value = live.newKey();
      }
      if (state) { state.textContent = form.dataset.savedText || "✓"; state.classList.add("saved"); }
      scheduleRefetch(live.isStaff ? STAFF_DELAY_MS : 0);
    }
  } finally {
    delete form.dataset.busy;
    if (!saved || !form.matches("[data-once]")) for (const b of buttons) b.disabled = false;
    if (!saved && state) { state.textContent = form.dataset.unsentText || ""; state.classList.remove("saved"); }
  }
});

// A draft or adopt section that comes into view (the facilitator opened the step) was
// rendered with the page, perhaps in another step: fetch what it shows now. Not on a phone
// whose section already shows what its state holds: no agenda items yet (a step just opened),
// so a hall of phones does not fetch during the switch what they already show.
function alreadyShown() {
  if (live.isStaff || (live.state.agenda?.items || []).length) return false;
  return $$(REGIONS).every((region) => region.dataset.items === "0");
}
const sections = $$('[data-show-kind="draft"], [data-show-kind="adopt"]');
const shown = new MutationObserver((changes) => {
  if (changes.some((c) => !c.target.hidden && c.oldValue !== null) && !alreadyShown()) scheduleRefetch();
});
for (const section of sections) {
  shown.observe(section, { attributeFilter: ["hidden"], attributeOldValue: true });
}

let started = false;
extend({
  apply(event, state) {
    if (!EVENTS.has(event.type)) return;
    if (state.agenda && event.type === "agenda.changed") state.agenda.items = event.data.items;
    scheduleRefetch();
  },
  live(update) {
    if (update.live === "consent" && live.isStaff) scheduleRefetch();
  },
  render(state) {
    // A fresh snapshot (after a reconnection or a gap): what was missed may include agenda
    // changes. The first call is the page's own render, already current.
    if (started && state.agenda && sections.some((s) => !s.hidden) && !alreadyShown()) scheduleRefetch();
    started = true;
  },
});
