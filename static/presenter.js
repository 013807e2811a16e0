// The projector screen, on top of the live page core: it must fit 1920×1080 without scrolling
// at any size of assembly. Long lists (groups, results, agenda items) are shown a page at a
// time and rotate on their own, with "page 1/3" beside them; the facilitator picks the screen
// (the step's own, per network, consensus) and whether the join QR code shows, from the
// console, and every presenter follows through the `presenter.changed` event and the snapshot.
// On the console this module keeps the buttons of that switch showing what the screen shows.

import { live, extend } from "/static/samatcha.js";

const { $, $$ } = live;
const ROTATE_MS = 12000;   // a page stays long enough to read five lines from the back row
const REFETCH_MS = 1500;   // live tallies arrive several times a second: redraw at most this often

// ------------------------------------------------------------------ pages that rotate

// Only when it differs: a text change is a mutation, and mutations redraw the screen.
function setText(el, text) {
  if (el.textContent !== String(text)) el.textContent = String(text);
}

// Every `[data-paged]` block shows `data-page-size` items of its `[data-page-list]` at a time.
// The page follows the clock from when the block first showed, so any redraw of its list keeps
// its page; so does the same block sent again by the server (a region refetched for a running
// tally: same region signature), while a block that is new there (results just revealed: the
// signature changed) starts at page 1.
const clocks = new Map();

function pageKey(block) {
  const region = block.closest("[data-signature]");
  if (!region) return "";
  return `${region.dataset.region}|${region.dataset.signature}|${$$("[data-paged]", region).indexOf(block)}`;
}

function paginate() {
  const now = Date.now();
  for (const block of $$("[data-paged]")) {
    const list = $("[data-page-list]", block);
    if (!list) continue;
    if (!block.dataset.since) {
      const key = pageKey(block);
      block.dataset.since = String((key && clocks.get(key)) || now);
      if (key) clocks.set(key, Number(block.dataset.since));
    }
    const turn = Math.floor((now - Number(block.dataset.since)) / ROTATE_MS);
    const size = Number(block.dataset.pageSize) || 10;
    const items = Array.from(list.children).filter((el) => el.tagName !== "TEMPLATE");
    const pages = Math.max(1, Math.ceil(items.length / size));
    const page = turn % pages;
    items.forEach((el, i) => { el.hidden = Math.floor(i / size) !== page; });
    const label = $("[data-page-label]", block);
    if (label) {
      label.hidden = pages < 2;
      setText(label, `${block.dataset.pageWord || ""} ${page + 1}/${pages}`.trim());
    }
  }
}

// ------------------------------------------------------------------ which screen shows

function showScreen(state) {
  const shown = state.presenter || { view: "step", qr: true };
  const kind = state.step ? state.step.kind : "";
  for (const el of $$("[data-screen]")) {
    const hide = el.dataset.screen !== shown.view || el.dataset.unlessKind === kind;
    // a screen switched to starts its lists at page 1
    if (el.hidden && !hide) {
      for (const block of $$("[data-paged]", el)) { clocks.delete(pageKey(block)); delete block.dataset.since; }
    }
    el.hidden = hide;
  }
  const qr = $('[data-region="qr"]');
  if (qr) qr.hidden = !shown.qr;
  document.body.dataset.presenterScreen = shown.view;
  const count = $('[data-field="wall-count"]');
  if (count) setText(count, (state.proposals || []).filter((p) => !p.hidden).length);
  paginate();
}

// The console's switch: the pressed button is the screen the projector shows now.
function showSwitch(state) {
  const shown = state.presenter || { view: "step", qr: true };
  for (const button of $$('[data-region="presenter-switch"] [data-view-button]')) {
    button.setAttribute("aria-pressed", String(button.dataset.viewButton === shown.view));
  }
  for (const form of $$('[data-region="presenter-switch"] [data-qr-form]')) {
    form.hidden = (form.dataset.qrForm === "show") === shown.qr;
  }
}

// ------------------------------------------------------------------ vote screens stay current

const refetch = live.keepRegions('[data-region="vote"]', { swapped: () => showScreen(live.state) });
const scheduleRefetch = () => refetch(REFETCH_MS);

// ------------------------------------------------------------------ wiring

if (live.view === "presenter") {
  // Lists redrawn by the other modules get their pages at once, before the screen paints.
  new MutationObserver(() => showScreen(live.state)).observe(document.querySelector("main"), {
    childList: true, subtree: true,
  });
  setInterval(paginate, 1000);
  extend({
    apply(event, state) {
      if (event.type === "presenter.changed") state.presenter = event.data.presenter;
      if (event.type === "vote.changed" || event.type === "step.changed") scheduleRefetch();
      showScreen(state);
    },
    live(update, state) {
      if (update.live === "tally" && state.vote && state.vote.revealed) scheduleRefetch();
    },
    render(state) { showScreen(state); },
  });
} else if (live.view === "console") {
  extend({
    apply(event, state) {
      if (event.type === "presenter.changed") { state.presenter = event.data.presenter; showSwitch(state); }
    },
    render(state) { showSwitch(state); },
  });
}
