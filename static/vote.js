// The vote step, on top of the live page core. The server renders the ballot form (it works
// without JavaScript); this module makes it thumb-friendly (tap + and −, stars, tap-to-rank,
// budget fields that keep what the person chose and say what is left), checks it locally, sends
// it as JSON with an increasing client_seq and shows "saved" only when the server answered after its commit.
// A ballot the phone could not send waits in localStorage and is resent with the SAME
// client_seq, so the server counts it once. Staff screens get coalesced live tallies.

import { live, extend } from "/static/samatcha.js";

const { $, $$ } = live;
const PENDING_KEY = `samatcha.ballot.${live.assemblyId}`;
const RETRY_MS = 10000;
// Phones refetch their vote section after a vote change at a random moment within this
// window, so a hall of phones does not ask for the page in the same millisecond.
const PHONE_JITTER_MS = 2000;

const voteMessages = () => {
  try { return JSON.parse($("#vote-messages")?.textContent || "{}"); } catch { return {}; }
};
// Fills a translated pattern such as "Give {n} of {max} stars: {option}".
const fill = (pattern, values) => (pattern || "").replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
const optionLabel = (row) => ($("label", row)?.textContent || "").trim();

// ------------------------------------------------------------------ keeping the section current

const pyBool = (b) => (b ? "True" : "False"); // the template prints Python booleans
function signature(state) {
  const v = state.vote;
  const s = state.step;
  // The step's id too: opening the next vote step changes no vote, yet its section is another.
  return `${v ? v.id : ""}|${v ? v.status : ""}|${v ? pyBool(v.revealed) : ""}|${s ? s.id : ""}|${s ? s.status : ""}`;
}

// A console typing in the vote's setup keeps what is typed: the swap waits.
const typing = () => live.isStaff && document.activeElement?.closest?.('[data-region="vote"]')
  && document.activeElement.matches("textarea, input:not([type=radio])");
// A phone fetches its vote section alone (the server renders one template, not the page).
const regionUrl = () => (live.isStaff ? location.pathname : `/a/${live.assemblyId}/regions/vote`);
const refetch = live.keepRegions('[data-region="vote"]', { busy: typing, swapped: () => enhance(), url: regionUrl });
function scheduleRefetch() {
  refetch(live.isStaff ? 50 : Math.random() * PHONE_JITTER_MS);
}

// ------------------------------------------------------------------ the ballot on the phone

function readPending() {
  try { return JSON.parse(localStorage.getItem(PENDING_KEY) || "null"); } catch { return null; }
}
function writePending(item) {
  if (item) localStorage.setItem(PENDING_KEY, JSON.stringify(item));
  else localStorage.removeItem(PENDING_KEY);
}

function optionRows(form) { return $$(".vote-option", form); }
function inputOf(row) { return $("input, select", row); }

function collect(form) {
  const method = form.dataset.method;
  const rows = optionRows(form);
  if (method === "approval") {
    return rows.filter((r) => inputOf(r).checked).map((r) => r.dataset.option);
  }
  if (method === "ranking") {
    return rows.filter((r) => inputOf(r).value)
      .sort((a, b) => Number(inputOf(a).value) - Number(inputOf(b).value))
      .map((r) => r.dataset.option);
  }
  const ballot = {};
  for (const r of rows) {
    const value = inputOf(r).value.trim();
    if (value === "") continue;
    const n = Number(value);
    if (method !== "score" && n === 0) continue;
    ballot[r.dataset.option] = Number.isInteger(n) ? n : value;
  }
  return ballot;
}

// Local check, mirroring voting/methods.py: returns [summary text, ok]. The server decides.
function check(form) {
  const m = voteMessages();
  const p = JSON.parse(form.dataset.params || "{}");
  const method = form.dataset.method;
  const ballot = collect(form);
  const count = optionRows(form).length;
  if (method === "dot") {
    const used = Object.values(ballot).reduce((a, b) => a + Number(b), 0);
    const cap = p.max_per_option || p.dots;
    const ok = used > 0 && used <= p.dots && Object.values(ballot).every((v) => v >= 0 && v <= cap);
    return [`${m.dots_left}: ${p.dots - used} / ${p.dots}`, ok];
  }
  if (method === "budget") {
    const used = Object.values(ballot).reduce((a, b) => a + Number(b), 0);
    const ok = used === p.total && Object.values(ballot).every((v) => Number.isInteger(v) && v >= 0);
    if (used < p.total) return [fill(m.points_left, { n: p.total - used }), false];
    if (used > p.total) return [fill(m.points_over, { n: used - p.total }), false];
    return [fill(m.points_done, { total: p.total }), ok];
  }
  if (method === "approval") {
    const ok = ballot.length > 0 && (!p.max_approvals || ballot.length <= p.max_approvals);
    return [`${m.chosen}: ${ballot.length}${p.max_approvals ? ` / ${p.max_approvals}` : ""}`, ok];
  }
  if (method === "ranking") {
    const need = Math.min(p.min_ranked, count);
    const ranks = optionRows(form).map((r) => inputOf(r).value).filter(Boolean);
    const ok = ranks.length >= need && new Set(ranks).size === ranks.length
      && (!p.max_ranked || ranks.length <= p.max_ranked);
    return [`${m.ranked}: ${ranks.length} (${m.need} ${need})`, ok];
  }
  const scores = Object.values(ballot);
  const ok = scores.length > 0 && scores.every((v) => Number.isInteger(v) && v >= 0 && v <= p.max_score);
  return [`${m.chosen}: ${scores.length} / ${count}`, ok];
}

function refresh(form) {
  const [text, ok] = check(form);
  const summary = $('[data-field="vote-summary"]', form);
  summary.textContent = text;
  summary.classList.toggle("bad", !ok);
  const submit = $('[data-field="vote-submit"]', form);
  if (submit && form.dataset.open === "true") submit.disabled = !ok;
  for (const row of optionRows(form)) row.dispatchEvent(new Event("vote:sync"));
}

function tapButton(text, label, onTap) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "vote-tap";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onTap);
  return b;
}

function enhanceDots(form, p) {
  const cap = p.max_per_option || p.dots;
  const m = voteMessages();
  for (const row of optionRows(form)) {
    const option = optionLabel(row);
    const input = inputOf(row);
    const get = () => Number(input.value || 0);
    const used = () => optionRows(form).reduce((a, r) => a + Number(inputOf(r).value || 0), 0);
    const minus = tapButton("−", fill(m.dot_remove, { option }), () => { input.value = Math.max(0, get() - 1) || ""; refresh(form); });
    const plus = tapButton("+", fill(m.dot_add, { option }), () => {
      if (get() < cap && used() < p.dots) { input.value = get() + 1; refresh(form); }
    });
    // − value + stay together in that order (a wrapped row once put "−" right of the label
    // and the value with "+" on the next line, issue 12): one group, never split.
    const stepper = document.createElement("span");
    stepper.className = "vote-stepper";
    input.replaceWith(stepper);
    stepper.append(minus, input, plus);
    input.readOnly = true;
    row.addEventListener("vote:sync", () => {
      plus.disabled = get() >= cap || used() >= p.dots;
      minus.disabled = get() <= 0;
    });
  }
}

function enhanceStars(form, p) {
  const m = voteMessages();
  for (const row of optionRows(form)) {
    const option = optionLabel(row);
    const input = inputOf(row);
    input.hidden = true;
    const stars = document.createElement("span");
    stars.className = "vote-stars";
    for (let k = 1; k <= p.max_score; k += 1) {
      const star = document.createElement("button");
      star.type = "button";
      star.className = "vote-star";
      star.textContent = "★";
      star.setAttribute("aria-label", fill(m.star, { n: k, max: p.max_score, option }));
      star.setAttribute("aria-pressed", "false");
      star.addEventListener("click", () => {
        input.value = Number(input.value) === k ? "0" : String(k);
        refresh(form);
      });
      stars.append(star);
    }
    input.after(stars);
    row.addEventListener("vote:sync", () => {
      const score = Number(input.value || 0);
      $$(".vote-star", stars).forEach((s, i) => {
        s.classList.toggle("on", i < score);
        s.textContent = i < score ? "★" : "☆";
        s.setAttribute("aria-pressed", String(i + 1 === score));
      });
    });
  }
}

function enhanceRanking(form) {
  const rows = optionRows(form);
  const m = voteMessages();
  for (const row of rows) {
    const select = inputOf(row);
    const label = $("label", row);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "vote-rankbtn";
    button.textContent = label.textContent;
    label.hidden = true;
    select.hidden = true;
    button.addEventListener("click", () => {
      const mine = Number(select.value || 0);
      if (mine) {
        select.value = "";
        for (const other of rows) {
          const s = inputOf(other);
          if (Number(s.value) > mine) s.value = String(Number(s.value) - 1);
        }
      } else {
        const top = Math.max(0, ...rows.map((r) => Number(inputOf(r).value || 0)));
        select.value = String(top + 1);
      }
      refresh(form);
    });
    row.prepend(button);
    const option = label.textContent.trim();
    row.addEventListener("vote:sync", () => {
      button.dataset.rank = select.value;
      button.setAttribute("aria-label", select.value
        ? fill(m.rank_remove, { rank: select.value, option })
        : fill(m.rank_add, { option }));
    });
  }
}

// Each field keeps exactly what the person typed, and a slider moves only its own option:
// a ballot that rewrites what people chose is worse than one that asks them to fix a total
// (issue 12: typed 50/30/20 became 31/25/20 + 3 each). The summary says what is left or over.
function enhanceBudget(form, p) {
  const rows = optionRows(form);
  const inputs = rows.map(inputOf);
  return rows.map((row, k) => {
    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = "0";
    slider.max = String(p.total);
    slider.value = inputs[k].value || "0";
    slider.setAttribute("aria-label", fill(voteMessages().points_for, { option: optionLabel(row) }));
    slider.addEventListener("input", () => { inputs[k].value = slider.value; refresh(form); });
    row.append(slider);
    row.addEventListener("vote:sync", () => { slider.value = inputs[k].value || "0"; });
    return slider;
  });
}

function setSaved(form, text, pending) {
  const saved = $('[data-field="vote-saved"]', form);
  if (!saved) return;
  saved.textContent = text;
  saved.classList.toggle("pending", pending);
}

async function send(form, item) {
  const m = voteMessages();
  setSaved(form, m.sending, true);
  let response;
  try {
    response = await live.request(`/api/v1/assemblies/${live.assemblyId}/votes/${item.vote_id}/ballot`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ballot: item.ballot, client_seq: item.client_seq }),
    });
  } catch {
    setSaved(form, m.offline, true);
    return;
  }
  if (response.status >= 500) { setSaved(form, m.offline, true); return; }
  const pending = readPending();
  if (pending && pending.client_seq === item.client_seq) writePending(null);
  if (response.ok) {
    const receipt = await response.json();
    form.dataset.seq = String(receipt.client_seq);
    const vote = live.state.vote;
    if (vote && vote.id === item.vote_id) vote.my_ballot = { ballot: receipt.ballot, client_seq: receipt.client_seq };
    setSaved(form, `✓ ${m.saved}`, false);
  } else {
    const message = await live.errorMessage(response);
    setSaved(form, message, true);
    live.toast(message);
  }
}

async function flushPending() {
  const item = readPending();
  const form = $("form[data-ballot]");
  if (!item || !form || Number(form.dataset.vote) !== item.vote_id) return;
  await send(form, item);
}

function enhanceBallot(form) {
  if (form.dataset.enhanced) return;
  form.dataset.enhanced = "1";
  const p = JSON.parse(form.dataset.params || "{}");
  const submit = $('[data-field="vote-submit"]', form);
  form.dataset.open = submit && !submit.disabled ? "true" : "false";
  const method = form.dataset.method;
  if (method === "dot") enhanceDots(form, p);
  if (method === "score") enhanceStars(form, p);
  if (method === "ranking") enhanceRanking(form);
  if (method === "budget") enhanceBudget(form, p);
  form.addEventListener("input", () => refresh(form));
  form.addEventListener("change", () => refresh(form));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const [, ok] = check(form);
    // Refresh first: the summary may be stale (fields changed without an input event).
    if (!ok) { refresh(form); live.toast($('[data-field="vote-summary"]', form).textContent); return; }
    const item = {
      vote_id: Number(form.dataset.vote),
      ballot: collect(form),
      client_seq: Math.max(Date.now(), Number(form.dataset.seq || 0) + 1),
    };
    form.dataset.seq = String(item.client_seq);
    writePending(item);
    send(form, item);
  });
  refresh(form);
}

// ------------------------------------------------------------------ results on staff screens

function fillRows(region, name, lines, fill) {
  const list = $(`[data-list="${name}"]`, region);
  const template = $(`template[data-template="${name}"]`, region);
  if (!list || !template) return;
  list.replaceChildren(...lines.map((line) => {
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.id = line.option_id;
    li.classList.toggle("tied", line.tied);
    $('[data-field="rank"]', li).textContent = `${line.tied ? "=" : ""}${line.rank}`;
    $('[data-field="label"]', li).textContent = line.label;
    fill(li, line);
    return li;
  }));
}

const number = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

// The charts are images the server draws: each reload is a request. The tables follow every
// tally; the charts at most once per CHART_EVERY_MS, the last tally's always (a hall of phones
// showing revealed results must not ask for two images each twice a second). `version`: that of
// the tally, so the server draws from the results it counted for it, not recounting.
const CHART_EVERY_MS = 3000;
const charts = { version: null, timer: null, due: 0 };
function reloadCharts(version) {
  charts.version = version;
  if (charts.timer) return;
  charts.timer = setTimeout(() => {
    charts.timer = null;
    charts.due = Date.now() + CHART_EVERY_MS;
    const query = charts.version ? `v=${encodeURIComponent(charts.version)}` : `t=${Date.now()}`;
    for (const img of $$('[data-region="vote-charts"] img')) img.src = `${img.src.split("?")[0]}?${query}`;
  }, Math.max(0, charts.due - Date.now()));
}

function showResults(results, version) {
  const region = $('[data-region="vote-results"]');
  if (!region || !results) return;
  const count = $('[data-field="ballot-count"]', region);
  if (count) count.textContent = results.ballots;
  const paper = $('[data-field="paper"]', region);
  if (paper) {
    const byNetwork = results.paper || {};
    let names = {};
    try { names = JSON.parse(paper.dataset.names || "{}"); } catch { /* keys shown as they are */ }
    paper.hidden = !results.paper_ballots;
    $('[data-field="paper-count"]', paper).textContent = results.paper_ballots || 0;
    $('[data-field="paper-networks"]', paper).textContent = Object.entries(byNetwork)
      .map(([key, n]) => `${names[key] || key} ${n}`).join(" · ");
  }
  fillRows(region, "ranking", results.ranking, (li, line) => {
    $('[data-field="value"]', li).textContent = number(line.value);
    const schulze = $('[data-field="schulze"]', li);
    schulze.hidden = line.schulze_rank == null;
    // The template's row holds the label; only the number changes (one renderer, one shape).
    $('[data-field="schulze-rank"]', schulze).textContent = line.schulze_rank ?? "";
  });
  fillRows(region, "consensus", results.consensus, (li, line) => {
    $('[data-field="value"]', li).textContent = line.consensus.toFixed(2);
    for (const net of $$(".vote-net", li)) {
      const s = line.networks[net.dataset.key];
      net.textContent = s ? `${s.supporters}/${s.voters}` : "0/0";
    }
  });
  reloadCharts(version);
}

function showTurnout(turnout) {
  const region = $('[data-region="vote-turnout"]');
  if (!region || !turnout) return;
  for (const n of turnout.networks) {
    const li = $(`li[data-key="${n.key}"]`, region);
    if (!li) continue;
    $('[data-field="voted"]', li).textContent = n.voted;
    $('[data-field="joined"]', li).textContent = n.joined;
  }
  const paper = $('[data-region="paper-status"]');
  if (paper && turnout.cards) { paper.dataset.entered = turnout.cards.entered; showNotEntered(paper); }
  for (const el of $$('[data-field="vote-voted"]')) el.textContent = turnout.voted;
  for (const el of $$('[data-field="vote-joined"]')) el.textContent = turnout.joined;
}

// The facilitator counted the paper cards handed in: how many are not entered yet.
function showNotEntered(region) {
  const handed = $("[data-handed-in]", region)?.value;
  const out = $('[data-field="not-entered"]', region);
  if (!out) return;
  const missing = Number(handed) - Number(region.dataset.entered || 0);
  out.textContent = handed === "" || Number.isNaN(missing) ? "" : fill(region.dataset.pattern, { n: Math.max(0, missing) });
}
document.addEventListener("input", (event) => {
  const region = event.target.closest?.('[data-region="paper-status"]');
  if (region) showNotEntered(region);
});

// ------------------------------------------------------------------ wiring

function enhance() {
  const form = $("form[data-ballot]");
  if (form) enhanceBallot(form);
}

// The console's vote setup offers the assembly's issues: when the curated issues change (the
// console may have been open since the collect step), the setup is fetched again.
const issuesKey = (issues) => (issues || []).map((i) => `${i.id}:${i.title}`).join("|");
function checkIssues(issues) {
  const setup = $('[data-field="vote-setup"]');
  if (live.view === "console" && setup && setup.dataset.issues !== issuesKey(issues)) scheduleRefetch();
}

function check_section(state) {
  const region = $('[data-region="vote"]');
  if (!region || !state.step || state.step.kind !== "vote") return;
  if (region.dataset.signature !== signature(state)) scheduleRefetch();
}

extend({
  apply(event, state) {
    if ((event.type === "groups.changed" || event.type === "proposal.grouped") && event.data.issues) {
      checkIssues(event.data.issues);
    }
    // Staff screens get no resync after a step change: the vote section checks itself (a phone
    // checks after its resync, spread over the hall, instead of all at once now).
    if (event.type === "step.changed" && live.isStaff) check_section(state);
    if (event.type !== "vote.changed") return;
    const before = state.vote;
    const vote = event.data.vote;
    if (!live.isStaff) {
      vote.my_ballot = before && before.id === vote.id ? before.my_ballot : null;
      vote.next_seq = before ? before.next_seq : 0;
    }
    state.vote = vote;
    check_section(state);
    if (live.isStaff) { showResults(vote.results); showTurnout(vote.turnout); }
  },
  live(update, state) {
    const vote = state.vote;
    if (!vote || update.data.vote_id !== vote.id) return;
    if (update.live === "tally") {
      vote.results = update.data.results;
      if (live.isStaff || vote.revealed) showResults(vote.results, update.data.version);
    } else if (update.live === "turnout") {
      vote.turnout = update.data;
      showTurnout(update.data);
    }
  },
  render(state) {
    enhance();
    check_section(state);
    checkIssues(state.issues);
  },
});

window.addEventListener("online", flushPending);
setInterval(flushPending, RETRY_MS);
flushPending();
