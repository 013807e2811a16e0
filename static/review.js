// Review step: similar proposals while a phone types; the facilitator's curation board on the
// console (drag and drop, and the plain "move to" forms the server renders); the groups as they
// form on the presenter screen; the issues on phones. The server renders all of it first; this
// module keeps it live from `groups.changed` and `proposal.grouped` events.
import { live, extend } from "/static/samatcha.js";

const SIMILAR_PAUSE_MS = 400;   // a pause in typing, not every keystroke, asks the server
const SIMILAR_MIN_CHARS = 6;    // the server ignores shorter drafts as well

const { $, $$ } = live;
const reviewMessages = JSON.parse(document.getElementById("review-messages")?.textContent || "{}");

// ------------------------------------------------------------------ state from events

function applyEvent(event, state) {
  const d = event.data;
  if (event.type === "groups.changed") {
    if (live.isStaff) {
      state.grouping = d.grouping; state.groups = d.groups;
    }
    state.issues = d.issues;
    render(state);
  } else if (event.type === "proposal.grouped") {
    if (live.isStaff) {
      for (const g of state.groups || []) g.members = g.members.filter((id) => id !== d.proposal_id);
      if (d.group) {
        const i = (state.groups || []).findIndex((g) => g.id === d.group.id);
        if (i === -1) (state.groups = state.groups || []).push(d.group); else state.groups[i] = d.group;
      }
    }
    if (d.issues) state.issues = d.issues;
    render(state);
  } else if (event.type === "proposal.supported") {
    refreshSimilar?.(d);
  } else if (event.type === "proposals.imported") {
    live.send({ type: "resync" }); // many proposals at once: a fresh snapshot is cheaper
  }
}

// ------------------------------------------------------------------ rendering

function render(state) {
  if (live.view === "console") renderBoard(state);
  if (live.view === "presenter") renderWall(state);
  if (live.view === "participant") renderIssues(state);
}

function proposalsById(state) {
  return new Map((state.proposals || []).map((p) => [p.id, p]));
}

function renderBoard(state) {
  const board = $('[data-region="groups"]');
  if (!board) return;
  const groups = state.groups || [];
  const byId = proposalsById(state);
  // Unsorted: every visible proposal in no group (new arrivals too, until they are placed).
  const grouped = new Set(groups.flatMap((g) => g.members));
  const unsorted = (state.proposals || []).filter((p) => !p.hidden && !grouped.has(p.id)).map((p) => p.id);
  live.renderList(board, groups, "tpl-rv-group", (el, g) => fillGroup(el, g, groups, byId));
  fillMembers($('[data-region="unsorted"]'), unsorted, null, byId);
  const version = $('[data-field="grouping-version"]');
  if (version) version.value = state.grouping ? state.grouping.version : 0;
  setText('[data-field="group-count"]', groups.length);
  setText('[data-field="issue-count"]', (state.issues || []).length);
  setText('[data-field="unsorted-count"]', unsorted.length);
  fillBulkTarget();
  countShown();
}

function setText(selector, value) {
  const el = $(selector);
  if (el) el.textContent = value;
}

function fillGroup(el, g, groups, byId) {
  el.id = `g${g.id}`;
  el.dataset.drop = g.id;
  el.classList.toggle("is-issue", g.is_issue);
  el.classList.toggle("is-hidden", g.hidden);
  const form = $("form", el);
  form.setAttribute("id", `gf-${g.id}`);
  // getAttribute/setAttribute: the form's "action" buttons shadow the `form.action` property.
  form.setAttribute("action", `/console/${live.assemblyId}/groups/${g.id}`);
  $('[data-field="version"]', el).value = g.version;
  const title = $('[data-field="title"]', el);
  title.id = `title-${g.id}`;
  $('[data-field="title-label"]', el).htmlFor = title.id;
  if (document.activeElement !== title) title.value = g.title;
  $('[data-field="terms"]', el).textContent = g.terms.join(" · ");
  $('[data-field="count"]', el).textContent = g.proposal_count;
  const networks = $('[data-field="networks"]', el);
  networks.replaceChildren(...Object.entries(g.networks).map(([key, n]) => {
    const badge = document.createElement("span");
    badge.className = "badge";
    live.fillBadge(badge, key);
    badge.textContent += ` ${n}`;
    return badge;
  }));
  $('[data-field="issue-flag"]', el).hidden = !g.is_issue;
  $('[data-field="lock-flag"]', el).hidden = !g.locked;
  $('[data-field="hidden-flag"]', el).hidden = !g.hidden;
  toggle($('[data-field="issue"]', el), g.is_issue, "unissue", "issue");
  toggle($('[data-field="hide"]', el), g.hidden, "show", "hide");
  toggle($('[data-field="lock"]', el), g.locked, "unlock", "lock");
  const into = $('[data-field="into"]', el);
  into.id = `into-${g.id}`;
  $('[data-field="into-label"]', el).htmlFor = into.id;
  if (document.activeElement !== into) {
    const options = [new Option(reviewMessages.merge_into, "")];
    for (const other of groups) if (other.id !== g.id) options.push(new Option(other.title, other.id));
    into.replaceChildren(...options);
  }
  fillMembers($('[data-field="members"]', el), g.members, g.id, byId);
}

function toggle(button, on, whenOn, whenOff) {
  button.value = on ? whenOn : whenOff;
  button.textContent = reviewMessages[button.value];
}

// What the board's search, network filter and order ask for (read from the tool bar).
function boardView() {
  const search = ($('[data-field="rv-search"]')?.value || "").trim().toLowerCase();
  return {
    words: search ? search.split(/\s+/) : [],
    network: $('[data-field="rv-network"]')?.value || "",
    bySupport: $('[data-field="rv-sort"]')?.value === "support",
  };
}

function fillMembers(list, ids, groupId, byId) {
  if (!list) return;
  const view = boardView();
  let items = ids.map((id) => byId.get(id)).filter(Boolean);
  if (view.bySupport) items = items.slice().sort((a, b) => (b.supports || 0) - (a.supports || 0));
  live.renderList(list, items, "tpl-rv-member", (li, p) => {
    li.id = `m${p.id}`;
    li.dataset.group = groupId === null ? "" : groupId;
    li.dataset.network = p.network || "";
    li.dataset.supports = p.supports || 0;
    li.classList.toggle("is-hidden", !!p.hidden);
    const text = $('[data-field="text"]', li);
    text.textContent = p.text;
    text.title = p.text;
    $('[data-field="supports"]', li).textContent = `+${p.supports || 0}`;
    live.fillBadge($('[data-field="network"]', li), p.network);
    $('[data-field="pick"]', li).value = p.id;
    const lower = p.text.toLowerCase();
    li.hidden = !view.words.every((w) => lower.includes(w)) || (view.network !== "" && p.network !== view.network);
  });
}

const groups = () => live.state.groups || [];

function fillBulkTarget() {
  const select = $('[data-field="bulk-target"]');
  if (!select || document.activeElement === select) return;
  const chosen = select.value;
  const options = [new Option(reviewMessages.unsorted, ""), new Option(reviewMessages.new_group, "new")];
  for (const g of groups()) options.push(new Option(g.title, g.id));
  select.replaceChildren(...options);
  select.value = options.some((o) => o.value === chosen) ? chosen : "";
}

function countShown() {
  setText('[data-field="rv-shown"]', $$('[data-show-kind="review"] .rv-member:not([hidden])').length);
  setText('[data-field="picked-count"]', $$('[data-show-kind="review"] [data-field="pick"]:checked').length);
}

function renderWall(state) {
  const wall = $('[data-region="rv-wall"]');
  if (!wall) return;
  const shown = (state.groups || []).filter((g) => !g.hidden);
  live.renderList(wall, shown, "tpl-rv-screen", (li, g) => {
    li.classList.toggle("is-issue", g.is_issue);
    $('[data-field="title"]', li).textContent = g.title;
    $('[data-field="count"]', li).textContent = g.proposal_count;
    $('[data-field="terms"]', li).textContent = g.terms.join(" · ");
  });
  setText('[data-field="rv-group-count"]', shown.length);
}

const phoneMessages = () => {
  try { return JSON.parse($("#review-phone-messages")?.textContent || "{}"); } catch { return {}; }
};

function renderIssues(state) {
  const list = $('[data-region="rv-issues"]');
  if (!list) return;
  const issues = state.issues || [];
  const mine = (state.mine || []).filter((p) => !p.hidden);
  const mineIds = new Set(mine.map((p) => p.id));
  live.renderList(list, issues, "tpl-rv-issue", (li, issue) => {
    $('[data-field="title"]', li).textContent = issue.title;
    $('[data-field="count"]', li).textContent = issue.proposal_count;
    $('[data-field="mine-tag"]', li).hidden = !(issue.members || []).some((id) => mineIds.has(id));
    const details = $("details", li);
    const changed = details.dataset.issue !== String(issue.id) || details.dataset.count !== String(issue.proposal_count);
    details.dataset.issue = issue.id;
    details.dataset.count = issue.proposal_count;
    if (details.open && changed) loadIssue(details); // an open issue follows the curation
  });
  const empty = $('[data-empty="rv-issues"]');
  if (empty) empty.hidden = issues.length > 0;
  // Where each of my proposals went: the first issue whose members hold it.
  const m = phoneMessages();
  const where = $('[data-region="rv-mine"]');
  if (!where) return;
  where.hidden = mine.length === 0;
  live.renderList($('[data-list="rv-mine"]', where), mine.slice().reverse(), "tpl-rv-mine", (li, p) => {
    const home = issues.find((i) => (i.members || []).includes(p.id));
    $('[data-field="text"]', li).textContent = p.text;
    $('[data-field="where"]', li).textContent = home
      ? (m.in_issue || "").replace("{title}", home.title) : m.not_in_issue;
  });
}

// An issue opened on a phone reads its proposals then (not with every curation event: a hall
// of phones would receive every text each time the facilitator moves one proposal).
async function loadIssue(details) {
  const list = $('[data-field="proposals"]', details);
  const m = phoneMessages();
  let answer;
  try {
    const response = await live.request(`/api/v1/assemblies/${live.assemblyId}/issues/${details.dataset.issue}/proposals`, {
      cache: "no-store",
    });
    if (!response.ok) { list.replaceChildren(note(await live.errorMessage(response))); return; }
    answer = await response.json();
  } catch { list.replaceChildren(note(m.load_failed)); return; }
  if (!answer.proposals.length) { list.replaceChildren(note(m.no_proposals)); return; }
  list.replaceChildren();
  live.renderList(list, answer.proposals, "tpl-rv-proposal", (li, p) => {
    li.classList.toggle("mine", p.mine);
    $('[data-field="text"]', li).textContent = p.text;
    $('[data-field="supports"]', li).textContent = `+${p.supports}`;
    $('[data-field="mine"]', li).hidden = !p.mine;
    live.fillBadge($('[data-field="network"]', li), p.network);
  });
}

function note(text) {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = text;
  return li;
}

if (live.view === "participant") {
  document.addEventListener("toggle", (e) => {
    const details = e.target;
    if (details.matches?.("details[data-issue]") && details.open) loadIssue(details);
  }, true);
}

// ------------------------------------------------------------------ console actions

// A refused move (the group was merged or deleted meanwhile) means this board is behind.
const post = (url, body, headers) => live.post(url, body, {
  headers, offline: reviewMessages.offline || live.messages.offline,
  refused: (response) => { if (response.status === 404 || response.status === 409) live.send({ type: "resync" }); },
});

if (live.view === "console") {
  document.addEventListener("submit", async (e) => {
    const form = e.target;
    if (!form.matches("[data-review]")) return;
    e.preventDefault();
    const data = new FormData(form, e.submitter);
    const url = live.actionOf(form);
    // The tick boxes belong to the board's move form; "Split" takes the ticked ones of its group.
    if (e.submitter?.value === "split") {
      for (const pick of $$('[data-field="members"] [data-field="pick"]:checked', form.closest(".rv-group"))) {
        data.append("proposal_ids", pick.value);
      }
    }
    const buttons = $$("button", form);
    buttons.forEach((b) => { b.disabled = true; });
    if (url.endsWith("/groups/cluster")) live.toast(reviewMessages.clustering);
    const ok = !!await post(url, new URLSearchParams(data));
    buttons.forEach((b) => { b.disabled = false; });
    if (ok && (form.id === "rv-bulk" || e.submitter?.value === "split")) {
      for (const pick of $$('[data-show-kind="review"] [data-field="pick"]:checked')) pick.checked = false;
      countShown();
    }
  });

  // The tool bar: search and filters show and hide rows; the order and the compact list too.
  const tools = $('[data-region="rv-tools"]');
  tools?.addEventListener("input", () => { render(live.state); });
  tools?.addEventListener("change", (e) => {
    if (e.target.matches('[data-field="rv-compact"]')) {
      $('[data-show-kind="review"]').classList.toggle("rv-compact", e.target.checked);
    }
    render(live.state);
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches('[data-field="pick"]')) countShown();
  });

  // Drag a proposal onto a group (or the unsorted tray): the same move as the select.
  document.addEventListener("dragstart", (e) => {
    const li = e.target.closest?.(".rv-member");
    if (!li) return;
    const from = li.dataset.group;
    e.dataTransfer.setData("text/plain", JSON.stringify({ id: Number(li.dataset.id), from }));
    e.dataTransfer.effectAllowed = "move";
  });
  const dropZone = (e) => e.target.closest?.("[data-drop]");
  document.addEventListener("dragover", (e) => {
    const zone = dropZone(e);
    if (!zone) return;
    e.preventDefault();
    zone.classList.add("drop-target");
  });
  document.addEventListener("dragleave", (e) => dropZone(e)?.classList.remove("drop-target"));
  document.addEventListener("drop", async (e) => {
    const zone = dropZone(e);
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("drop-target");
    let moved;
    try { moved = JSON.parse(e.dataTransfer.getData("text/plain")); } catch { return; }
    const target = zone.dataset.drop === "" ? null : Number(zone.dataset.drop);
    const from = moved.from === "" ? null : Number(moved.from);
    if (target === from) return;
    await post(`/api/v1/assemblies/${live.assemblyId}/proposals/${moved.id}/group`,
      JSON.stringify({ group_id: target, from_group: from }), { "Content-Type": "application/json" });
  });
}

// ------------------------------------------------------------------ similar while typing

const similarList = $('[data-region="similar"]');
let refreshSimilar = null;  // the hint's counts follow live supports
const draft = $("[data-propose] textarea");
if (live.view === "participant" && similarList && draft) {
  let timer = null;
  let asked = "";
  let controller = null;
  const block = $('[data-region="similar-block"]');

  let shown = [];
  const show = (items) => {
    shown = items;
    const supported = new Set(live.state.supported || []);
    // The count follows the live one where the phone has it (proposal.supported events).
    const known = new Map((live.state.proposals || []).map((p) => [p.id, p.supports]));
    live.renderList(similarList, items, "tpl-similar", (li, p) => {
      if (known.has(p.id)) p.supports = Math.max(p.supports, known.get(p.id));
      $('[data-field="text"]', li).textContent = p.text;
      $('[data-field="supports"]', li).textContent = p.supports;
      live.fillBadge($('[data-field="network"]', li), p.network);
      const form = $("form", li);
      live.setAction(form, `/a/${live.assemblyId}/proposals/${p.id}/support`);
      form.removeAttribute("data-enhance"); // sent below, so this list updates too
      form.dataset.similar = p.id;
      const button = $('[data-field="support"]', li);
      button.disabled = supported.has(p.id);
      button.setAttribute("aria-pressed", supported.has(p.id) ? "true" : "false");
    });
    block.hidden = items.length === 0;
  };

  const lookUp = async () => {
    const text = draft.value.trim();
    if (text === asked) return;
    asked = text;
    if (text.length < SIMILAR_MIN_CHARS) { show([]); return; }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await live.request(`/api/v1/assemblies/${live.assemblyId}/similar`, {
        method: "POST", signal: controller.signal,
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
      });
      if (!response.ok) return; // suggestions are a help, never an obstacle
      show((await response.json()).similar);
    } catch { /* offline or superseded: keep typing */ }
  };

  similarList.addEventListener("submit", async (e) => {
    const form = e.target.closest("form[data-similar]");
    if (!form) return;
    e.preventDefault();
    const id = Number(form.dataset.similar);
    const button = $('[data-field="support"]', form);
    button.disabled = true;
    if (!await live.post(live.actionOf(form))) { button.disabled = false; return; }
    live.state.supported = [...(live.state.supported || []), id];
    // The hint's own count goes up with this support (it stayed at N before, issue 12).
    const item = shown.find((p) => p.id === id);
    if (item) item.supports += 1;
    live.render();
    show(shown);
  });

  refreshSimilar = (supported) => {
    const item = supported && shown.find((p) => p.id === supported.id);
    if (item) item.supports = supported.supports;
    if (shown.length) show(shown);
  };

  draft.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, SIMILAR_PAUSE_MS);
  });
  $("[data-propose]").addEventListener("submit", () => { asked = ""; setTimeout(() => show([]), 0); });
  // This module loads after the page: text typed or pasted before it (or a draft kept from
  // before a reload) is looked up now, not only at the next keystroke.
  if (draft.value.trim()) lookUp();
}

extend({
  apply: applyEvent,
  render(state) {
    render(state);
    refreshSimilar?.(null);
  },
});
