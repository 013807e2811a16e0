// The reporting page of an agency's link (templates/reporting.html): a responsible person
// reports on an activity or an indicator from a phone, often on a weak connection.
//
// Every report is first kept in an outbox on the phone, then sent; it leaves the outbox only
// when the server has answered for it. The outbox is IndexedDB, not localStorage (which the
// proposal outbox in samatcha.js uses): a report carries up to two photos, and IndexedDB keeps
// them as Blobs, so a report with photos waits offline like one without. Each report has a
// client key made when it is kept; the server stores one report per key, so a report sent
// again (the answer was lost, the phone came back online twice) is stored once.
//
// Photos are shrunk on the phone before they are kept (at most PHOTO_SIDE pixels, JPEG): a
// phone's 4 MB picture becomes ~300 KB to keep and to send. The server re-encodes every photo
// anyway (followup/photos.py); a picture the phone cannot decode is sent as it is, and the
// server's answer says whether it can read it.
//
// Without this script each form posts as a plain form and the page comes back.

const DB_NAME = "samatcha-reporting";
const STORE = "outbox";
const RETRY_MS = 15000;        // as the proposal outbox: try again this often while reports wait
const PHOTO_SIDE = 1600;       // the server's own limit (followup.photos.MAX_SIDE)
const PHOTO_QUALITY = 0.85;
const SENT_KEPT = 10;          // sent reports listed on this phone (their photos are dropped)

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const token = document.body.dataset.token;
const messages = JSON.parse($("#messages")?.textContent || "{}");
const csrfToken = $('meta[name="csrf-token"]')?.content || "";
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9-]/g, "");

// ------------------------------------------------------------------ the outbox (IndexedDB)

function openOutbox() {
  return new Promise((resolve) => {
    let opening;
    try { opening = indexedDB.open(DB_NAME, 1); } catch { resolve(null); return; }
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "client_key" });
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => resolve(null);   // private browsing on some phones: no outbox
    opening.onblocked = () => resolve(null);
  });
}

function transact(db, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const dbReady = openOutbox();
async function records() {
  const db = await dbReady;
  if (!db) return memory.slice();
  const all = await transact(db, "readonly", (store) => store.getAll());
  return all.filter((r) => r.token === token).sort((a, b) => a.queued_at - b.queued_at);
}
// Without IndexedDB, reports wait in memory: sent as long as the page stays open.
const memory = [];
async function keep(record) {
  const db = await dbReady;
  if (!db) {
    const at = memory.findIndex((r) => r.client_key === record.client_key);
    if (at >= 0) memory[at] = record; else memory.push(record);
    return false;
  }
  await transact(db, "readwrite", (store) => store.put(record));
  return true;
}
async function forget(key) {
  const db = await dbReady;
  const at = memory.findIndex((r) => r.client_key === key);
  if (at >= 0) memory.splice(at, 1);
  if (db) await transact(db, "readwrite", (store) => store.delete(key));
}

// ------------------------------------------------------------------ sending

// One report to the server: "stored" (now or earlier, under its key), "refused" (the
// server's reason: 4xx), "offline" (no connection: fetch itself failed), "later" (the server
// busy or down, or an answer that is not ours, such as a hotel Wi-Fi's login page), or "csrf"
// (the page is old: reloading it fixes that).
async function send(record) {
  const body = new FormData();
  for (const [name, value] of Object.entries(record.fields)) body.append(name, value);
  body.append("target_id", String(record.target_id));
  body.append("client_key", record.client_key);
  record.photos.forEach((blob, i) => body.append("photos", blob, `photo-${i + 1}.jpg`));
  let response;
  try {
    response = await fetch(`/r/${encodeURIComponent(record.token)}/reports`, {
      method: "POST", body, credentials: "same-origin", cache: "no-store",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken },
    });
  } catch { return { kind: "offline" }; }
  let answer = null;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try { answer = await response.json(); } catch { answer = null; }
  }
  if (response.ok && answer && answer.id) return { kind: "stored", answer };
  if (response.status >= 500 || response.status === 429 || response.status === 408 || !answer?.error) {
    return { kind: "later" };
  }
  if (answer.error === "csrf_failed") return { kind: "csrf" };
  return { kind: "refused", answer };
}

// Every send goes through flush(): one pass at a time, so the timer, the "online" event and a
// form's own send never post the same report twice. A flush asked for while one runs makes
// that one run another pass (it may hold a report kept after its pass began).
let flushing = null;
let again = false;
function flush() {
  if (flushing) { again = true; return flushing; }
  flushing = (async () => {
    try {
      do { again = false; await flushOnce(); } while (again);
    } finally {
      flushing = null;
      await render();
    }
  })();
  return flushing;
}

// The pass stops only when the phone is offline (or the page is old): a report the server keeps
// failing on (5xx, 429, an answer not ours) is counted and passed over, so it never holds back
// the newer reports behind it; it is tried again on the next pass.
const RELOAD_TEXT = "หน้านี้เปิดไว้นานจนหมดอายุแล้ว กรุณาโหลดหน้าใหม่ (รายงานที่รอส่งยังอยู่ในเครื่อง)";
async function flushOnce() {
  for (const record of await records()) {
    if (record.state !== "waiting") continue;
    showState(record.client_key, "sending");
    const outcome = await send(record);
    if (outcome.kind === "offline") { showState(record.client_key, "waiting"); showConnection(false); return; }
    showConnection(true);
    if (outcome.kind === "csrf") {
      showState(record.client_key, "waiting");
      toast(messages.reload || RELOAD_TEXT);
      return; // every report would be refused the same way until the page is reloaded
    }
    if (outcome.kind === "later") {
      await keep({ ...record, attempts: (record.attempts || 0) + 1 });
      showState(record.client_key, "waiting");
      continue;
    }
    if (outcome.kind === "stored") {
      await sent(record, outcome.answer);
      toast(messages.stored);
    }
    else await keep({ ...record, state: "refused", message: outcome.answer.message, field: outcome.answer.field });
  }
}

async function sent(record, answer) {
  await keep({ ...record, state: "sent", photos: [], photo_ids: answer.photo_ids || [],
               round: answer.round, sent_at: Date.now() });
  markReported(record.target_id, answer.round);
  const done = (await records()).filter((r) => r.state === "sent");
  for (const old of done.slice(0, Math.max(0, done.length - SENT_KEPT))) await forget(old.client_key);
}

// ------------------------------------------------------------------ the page

function showConnection(online) {
  const dot = $('[data-region="connection"]');
  if (!dot) return;
  dot.dataset.state = online ? "online" : "offline";
  dot.title = online ? messages.online : messages.offline;
  $('[data-field="label"]', dot).textContent = dot.title;
}

function toast(text) {
  const el = $("#toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
}

function markReported(targetId, round) {
  const card = $(`[data-target="${targetId}"]`);
  const line = card && $('[data-field="reported"]', card);
  if (!line) return;
  const rounds = new Set(JSON.parse(line.dataset.rounds || "[]"));
  rounds.add(round);
  line.dataset.rounds = JSON.stringify([...rounds]);
  const labels = [...rounds].sort((a, b) => a - b)
    .map((n) => $(`select[name="round"] option[value="${n}"]`, card)?.textContent || String(n));
  line.textContent = `✓ ${messages.reported}: ${labels.join(", ")}`;
}

const STATE_TEXT = () => ({ waiting: messages.waiting, sending: messages.sending, sent: messages.sent, refused: messages.refused });

function showState(key, state) {
  const li = $(`[data-list="outbox"] li[data-key="${key}"]`);
  if (!li) return;
  li.dataset.state = state;
  $(".rp-state", li).textContent = STATE_TEXT()[state];
}

function time(ms) {
  return new Date(ms).toLocaleString(document.documentElement.lang === "th" ? "th-TH" : "en-GB",
    { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

async function render() {
  const list = $('[data-list="outbox"]');
  const section = $('[data-region="outbox"]');
  if (!list) return;
  const all = await records();
  list.replaceChildren(...all.slice().reverse().map(item));
  section.hidden = all.length === 0;
  $("[data-send-now-row]").hidden = !all.some((r) => r.state === "waiting");
}

function item(record) {
  const li = document.createElement("li");
  li.dataset.key = record.client_key;
  li.dataset.state = record.state;
  const head = document.createElement("p");
  head.className = "rp-item-head";
  const state = document.createElement("span");
  state.className = "rp-state";
  state.textContent = STATE_TEXT()[record.state];
  const name = document.createElement("span");
  name.className = "rp-item-name";
  name.textContent = record.target_name;
  head.append(state, " ", name);
  const when = document.createElement("p");
  when.className = "hint";
  const photos = record.photos.length || (record.photo_ids || []).length;
  when.textContent = time(record.sent_at || record.queued_at) + (photos ? ` · ${photos} ${messages.photos}` : "")
    + (record.state === "waiting" && record.attempts ? ` · ${messages.attempts || "ลองส่งแล้ว"} ${record.attempts} ${messages.times || "ครั้ง"}` : "");
  li.append(head, when);
  if (record.state === "sent" && record.photo_ids?.length) {
    const row = document.createElement("p");
    row.className = "rp-thumbs";
    for (const id of record.photo_ids) {
      const img = document.createElement("img");
      img.src = `/r/${encodeURIComponent(record.token)}/photos/${id}`;
      img.alt = `${messages.photo_of} ${record.target_name}`;
      img.loading = "lazy";
      img.width = 96;
      img.height = 72;
      row.append(img);
    }
    li.append(row);
  }
  if (record.state === "refused") {
    const why = document.createElement("p");
    why.className = "field-error";
    why.textContent = record.message || "";
    const fix = document.createElement("button");
    fix.type = "button";
    fix.className = "btn-small";
    if (formOf(record)) {
      fix.textContent = messages.fix;
      fix.addEventListener("click", () => restore(record));
    } else { // its target is no longer on this page: nothing to correct it in
      fix.textContent = messages.remove || "ลบออก";
      fix.dataset.remove = "";
      fix.addEventListener("click", async () => { await forget(record.client_key); await render(); });
    }
    li.append(why, fix);
  }
  return li;
}

// A refused report back into its form, to be corrected and sent again (a new report).
const formOf = (record) => $(`[data-target="${record.target_id}"] form[data-report]`);
async function restore(record) {
  const form = formOf(record);
  if (!form) return;
  for (const [name, value] of Object.entries(record.fields)) {
    const fields = $$(`[name="${name}"]`, form);
    for (const field of fields) {
      if (field.type === "radio") field.checked = field.value === value;
      else field.value = value;
    }
  }
  const input = $('input[type="file"]', form);
  if (input && record.photos.length && typeof DataTransfer === "function") {
    const files = new DataTransfer();
    record.photos.forEach((blob, i) => files.items.add(new File([blob], `photo-${i + 1}.jpg`, { type: blob.type || "image/jpeg" })));
    input.files = files.files;
  }
  await forget(record.client_key);
  form.closest("details").open = true;
  showError(form, record.field || "", record.message);
  await render();
}

function clearErrors(form) {
  for (const el of $$("[data-error-for]", form)) { el.textContent = ""; el.hidden = true; }
  for (const el of $$("[aria-invalid]", form)) el.removeAttribute("aria-invalid");
}

function showError(form, field, message) {
  const el = $(`[data-error-for="${field}"]`, form) || $('[data-error-for=""]', form);
  el.textContent = message;
  el.hidden = false;
  const control = $(`[name="${field}"]`, form);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }
  el.scrollIntoView({ block: "center" });
}

// The checks a thumb can fix before anything is kept; the server checks everything again.
function localProblem(form, kind) {
  const data = new FormData(form);
  if (kind === "indicator" && !String(data.get("value") || "").trim()) {
    return { field: "value", message: messages.value_required };
  }
  if (kind === "activity" && !data.get("status")) return { field: "status", message: messages.status_required };
  const input = $('input[type="file"]', form);
  if (input && input.files.length > Number(messages.max_photos)) {
    return { field: "photos", message: messages.too_many_photos };
  }
  return null;
}

async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
    return blob && blob.size < file.size ? blob : file;
  } catch {
    return file; // not a picture this phone decodes: the server says whether it can
  }
}

async function recordOf(form, card) {
  const data = new FormData(form);
  const fields = {};
  for (const [name, value] of data.entries()) {
    if (typeof value !== "string" || ["_csrf_token", "target_id", "client_key"].includes(name)) continue;
    fields[name] = value;
  }
  const files = Array.from($('input[type="file"]', form)?.files || []);
  return {
    client_key: newKey(), token, target_id: Number(card.dataset.target), target_name: card.dataset.name,
    fields, photos: await Promise.all(files.map(shrink)), state: "waiting", queued_at: Date.now(),
  };
}

document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!form.matches("form[data-report]")) return;
  e.preventDefault();
  const card = form.closest("[data-target]");
  const button = $('button[type="submit"]', form);
  clearErrors(form);
  const problem = localProblem(form, card.dataset.kind);
  if (problem) { showError(form, problem.field, problem.message); return; }
  button.disabled = true;
  try {
    const record = await recordOf(form, card);
    const kept = await keep(record); // on the phone first: a lost answer loses nothing
    await render();
    await flush(); // sent with the outbox, never beside it (flush toasts what it stored)
    const now = (await records()).find((r) => r.client_key === record.client_key);
    if (now?.state === "refused") {
      await forget(record.client_key); // nothing stored: the form still holds it all
      showError(form, now.field || "", now.message);
      return;
    }
    if (now?.state === "waiting") toast(kept ? messages.queued : messages.no_storage);
    form.reset();
    form.closest("details").open = false;
    card.scrollIntoView({ block: "start" });
  } finally {
    button.disabled = false;
    await render();
  }
});

$("[data-send-now]")?.addEventListener("click", flush);
window.addEventListener("online", () => { showConnection(true); flush(); });
window.addEventListener("offline", () => showConnection(false));
setInterval(flush, RETRY_MS);
for (const line of $$('[data-field="reported"]')) line.dataset.rounds ||= "[]";
render().then(flush);
