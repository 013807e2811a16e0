// The table assistant's page: pick a card by its QR code (the browser's own BarcodeDetector,
// where there is one) or its number, and send each entered card through an outbox like a
// phone's own submissions: kept in localStorage until the server answered, resent with the
// same client_key (so the server counts it once) when the connection returns.

const assemblyId = document.body.dataset.assembly;
const OUTBOX_KEY = `samatcha.paper.${assemblyId}`;
const RETRY_MS = 10000;
const messages = (() => {
  try { return JSON.parse(document.getElementById("paper-messages")?.textContent || "{}"); } catch { return {}; }
})();
const fill = (pattern, values) => (pattern || "").replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

// ------------------------------------------------------------------ picking a card

function cardNumberOf(text) {
  const fromLink = /[?&]card=(\d+)/.exec(text || "");
  if (fromLink) return fromLink[1];
  const plain = /^#?(\d+)$/.exec((text || "").trim());
  return plain ? plain[1] : null;
}

function setUpScanner() {
  const lookup = document.querySelector("[data-card-lookup]");
  const button = lookup?.querySelector("[data-scan]");
  const video = lookup?.querySelector("[data-camera]");
  if (!lookup || !button || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      window.alert(messages.no_camera);
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
    const look = async () => {
      try {
        for (const code of await detector.detect(video)) {
          const number = cardNumberOf(code.rawValue);
          if (number) {
            stop();
            lookup.querySelector("#card").value = number;
            lookup.submit();
            return;
          }
        }
      } catch { /* a frame that could not be read: try the next one */ }
      window.setTimeout(look, 250);
    };
    look();
  });
}

// ------------------------------------------------------------------ the outbox

function readOutbox() {
  try { return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]"); } catch { return []; }
}
function writeOutbox(items) {
  if (items.length) localStorage.setItem(OUTBOX_KEY, JSON.stringify(items));
  else localStorage.removeItem(OUTBOX_KEY);
  const note = document.querySelector('[data-field="outbox"]');
  if (note) {
    note.hidden = !items.length;
    note.textContent = items.length ? `${messages.offline} ${fill(messages.pending, { n: items.length })}` : "";
  }
}

let flushing = false;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    let items = readOutbox();
    while (items.length) {
      const item = items[0];
      let response;
      try {
        response = await fetch(item.url, {
          method: "POST",
          headers: { "X-Requested-With": "fetch", "Content-Type": "application/x-www-form-urlencoded" },
          body: item.body,
          credentials: "same-origin",
        });
      } catch {
        writeOutbox(items);
        return; // offline: kept, sent again later with the same client_key
      }
      items = readOutbox().filter((i) => i.id !== item.id);
      writeOutbox(items);
      if (response.ok) {
        if (item.here) window.location.assign(`/a/${assemblyId}/paper?entered=${item.card}`);
        continue;
      }
      let message = response.statusText;
      try { message = (await response.json()).message || message; } catch { /* not JSON */ }
      if (item.here) showError(message);
      else window.alert(`#${item.card}: ${message}`);
    }
  } finally {
    flushing = false;
  }
}

function showError(message) {
  const form = document.querySelector("[data-paper-entry]");
  let box = document.querySelector('[data-field="entry-error"]');
  if (!box && form) {
    box = document.createElement("p");
    box.className = "error";
    box.setAttribute("role", "alert");
    box.dataset.field = "entry-error";
    form.prepend(box);
  }
  if (box) box.textContent = message;
}

function setUpEntry() {
  const form = document.querySelector("[data-paper-entry]");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form)).toString();
    const item = { id: `${Date.now()}-${Math.random()}`, url: form.action, body, card: form.dataset.card, here: true };
    // Only the newest entry of a card waits: an older one would be refused as a duplicate.
    const items = readOutbox().filter((i) => i.card !== item.card).map((i) => ({ ...i, here: false }));
    writeOutbox([...items, item]);
    flush();
  });
}

setUpScanner();
setUpEntry();
writeOutbox(readOutbox().map((i) => ({ ...i, here: false })));
flush();
window.addEventListener("online", flush);
window.setInterval(flush, RETRY_MS);
