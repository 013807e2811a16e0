// The export page's PDF link. LibreOffice takes a while, and the server makes one PDF at a
// time (deliberation/agenda/pdf.py), so the organizer is told "กำลังสร้าง PDF" while it is made
// and queued, then the file is handed over. Without JavaScript the link still downloads it.
const link = document.querySelector("[data-pdf-link]");
const status = document.querySelector("[data-pdf-status]");

function say(text) {
  status.textContent = text;
  status.hidden = false;
}

async function makePdf(event) {
  event.preventDefault();
  if (link.getAttribute("aria-disabled") === "true") return;  // one request per click
  link.setAttribute("aria-disabled", "true");
  say(status.dataset.making);
  try {
    const response = await fetch(link.href, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      say(body.message || status.dataset.failed);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = link.dataset.filename;
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(status.dataset.ready);
  } catch {
    say(status.dataset.failed);
  } finally {
    link.removeAttribute("aria-disabled");
  }
}

if (link && status) link.addEventListener("click", makePdf);
