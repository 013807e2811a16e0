"""Page weight of a participant's first view, as bytes on the wire with gzip.

Run from the repository root:  .venv/bin/python -m benchmarks.page_weight

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database (an assembly
with its collect step open and 40 Thai sample proposals from 40 joined phones), then does what a
new phone's browser does: GET /j/<code>, POST the join form (network "education"), follow the
redirect to /a/<id>, and fetch once every same-server resource those pages load (stylesheets,
scripts, icons, images; and what those reference in turn), all with `Accept-Encoding: gzip`.
It prints compressed (wire) and uncompressed body bytes and approximate header bytes per
request, the first WebSocket snapshot for scale, and every absolute URL pointing at another
host (a phone in a hall may have no Internet). Target: <= 60 KB (60,000 bytes) on the wire.
Exit 1 when over the target or when a page references another host.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from websockets.asyncio.client import connect

from benchmarks._server import (
    DEVICE_COOKIE,
    BenchmarkError,
    Server,
    create_assembly,
    http_client,
    local_server,
    seed_proposals,
)

TARGET_BYTES = 60_000
MOBILE_USER_AGENT = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Mobile"
RESOURCE_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}
RESOURCE_TAGS = {"script", "img", "source", "audio", "video", "iframe", "embed"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
JS_IMPORT = re.compile(  # static `import ... from "x"`, bare `import "x"` and dynamic `import("x")`
    r"""(?:\bimport\s*(?:[\w*{}\s,]+from\s*)?|\bimport\s*\()\s*['"]([^'"]+)['"]"""
)
ABSOLUTE = re.compile(r"""(?:https?:|wss?:)?//[A-Za-z0-9.-]+[^\s'"<>)]*""")
TIMEOUT_S = 120.0


class References(HTMLParser):
    """Every src/href/action of a page, split into resources a browser loads and links."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = set(values.get("rel", "").lower().split())
        for name in ("src", "href", "action", "poster", "data"):
            url = values.get(name)
            if not url:
                continue
            loads = (tag in RESOURCE_TAGS and name in ("src", "poster", "data")) or (
                tag == "link" and name == "href" and bool(rel & RESOURCE_RELS)
            )
            (self.resources if loads else self.links).append(url)
        for candidate in values.get("srcset", "").split(","):
            if candidate.strip():
                self.resources.append(candidate.split()[0])
        # Feature modules that static/samatcha.js imports on every live page.
        for name in values.get("data-features", "").split():
            self.resources.append(f"/static/{name}.js")


@dataclass(frozen=True)
class Transfer:
    label: str
    status: int
    content_type: str
    encoding: str
    wire_body: int
    body: bytes
    """Uncompressed."""
    header_bytes: int


def header_size(response: httpx.Response) -> int:
    """Approximate size of the status line and headers as sent in HTTP/1.1."""
    status_line = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    return status_line + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2


async def fetch(
    client: httpx.AsyncClient, method: str, url: str, label: str, **kwargs: object
) -> tuple[Transfer, httpx.Response]:
    async with client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    encoding = response.headers.get("content-encoding", "")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    transfer = Transfer(
        label=label,
        status=response.status_code,
        content_type=response.headers.get("content-type", "").split(";")[0],
        encoding=encoding or "-",
        wire_body=len(raw),
        body=body,
        header_bytes=header_size(response),
    )
    return transfer, response


def nested_references(transfer: Transfer) -> list[str]:
    text = transfer.body.decode("utf-8", errors="replace")
    if transfer.content_type == "text/css":
        return [a or b for a, b in CSS_URL.findall(text)]
    if "javascript" in transfer.content_type:
        return JS_IMPORT.findall(text)
    return []


def foreign_urls(text: str, base_url: str) -> list[str]:
    """Absolute URLs in `text` whose host is not the server's (namespace URIs excepted)."""
    ours = urlsplit(base_url).netloc
    found = []
    for url in ABSOLUTE.findall(text):
        netloc = urlsplit(url if "://" in url else "http:" + url).netloc
        if netloc and netloc != ours and netloc != "www.w3.org":  # SVG/XHTML namespaces
            found.append(url)
    return found


async def first_view(server: Server, code: str) -> tuple[list[Transfer], list[str], int, int]:
    """Returns the transfers, foreign URLs, and the snapshot's raw and on-the-wire size."""
    transfers: list[Transfer] = []
    foreign: list[str] = []
    pending: list[str] = []
    headers = {"Accept-Encoding": "gzip", "User-Agent": MOBILE_USER_AGENT}
    async with http_client(server.base_url, connections=6, keep_cookies=True) as browser:
        browser.headers.update(headers)

        async def page(method: str, url: str, label: str, **kwargs: object) -> httpx.Response:
            transfer, response = await fetch(browser, method, url, label, **kwargs)
            transfers.append(transfer)
            html = transfer.body.decode("utf-8", errors="replace")
            refs = References()
            refs.feed(html)
            for ref in refs.resources:
                pending.append(urljoin(str(response.url), ref))
            foreign.extend(foreign_urls(html, server.base_url))
            return response

        await page("GET", f"/j/{code}", f"GET /j/{code}")
        form = {"network": "education", "_csrf_token": browser.cookies.get("csrftoken", "")}
        joined = await page("POST", f"/j/{code}", f"POST /j/{code} (join form)", data=form)
        if joined.status_code != 303:
            raise BenchmarkError(f"join form answered {joined.status_code}, not 303")
        target = joined.headers["location"]
        participant = await page("GET", target, f"GET {target}")
        if participant.status_code != 200:
            raise BenchmarkError(f"{target} answered {participant.status_code}")

        seen: set[str] = set()
        while pending:
            url = pending.pop(0)
            if url in seen:
                continue  # the browser's cache: each resource is loaded once
            seen.add(url)
            parts = urlsplit(url)
            if parts.netloc != urlsplit(server.base_url).netloc:
                foreign.append(url)
                continue
            transfer, response = await fetch(browser, "GET", url, f"GET {parts.path}")
            transfers.append(transfer)
            text = transfer.body.decode("utf-8", errors="replace")
            foreign.extend(foreign_urls(text, server.base_url))
            pending.extend(urljoin(str(response.url), ref) for ref in nested_references(transfer))

        token = browser.cookies.get(DEVICE_COOKIE) or ""
        assembly_id = target.rstrip("/").rsplit("/", 1)[-1]
    snapshot = await first_snapshot(server, assembly_id, token)
    # The server sends sockets uncompressed (assembly/cli.py: no per-message deflate).
    return transfers, sorted(set(foreign)), len(snapshot), len(snapshot)


async def first_snapshot(server: Server, assembly_id: str, token: str) -> bytes:
    async with connect(
        f"{server.ws_url}/ws/{assembly_id}",
        additional_headers={"Cookie": f"{DEVICE_COOKIE}={token}"},
        proxy=None,
        open_timeout=10,
        close_timeout=5,
    ) as socket:
        message = await asyncio.wait_for(socket.recv(), timeout=10)
    return message.encode() if isinstance(message, str) else message


def report(server: Server, result: tuple[list[Transfer], list[str], int, int]) -> int:
    transfers, foreign, snapshot_raw, snapshot_wire = result
    print()
    print(f"Participant first view — {server.base_url}, Accept-Encoding: gzip")
    columns = ("request", "status", "type", "enc", "wire", "raw", "hdrs")
    print("  {:<34} {:>6} {:<24} {:<5} {:>8} {:>8} {:>6}".format(*columns))
    for t in transfers:
        print(
            f"  {t.label[:34]:<34} {t.status:>6} {t.content_type[:24]:<24} {t.encoding:<5} "
            f"{t.wire_body:>8,} {len(t.body):>8,} {t.header_bytes:>6,}"
        )
    wire = sum(t.wire_body for t in transfers)
    raw = sum(len(t.body) for t in transfers)
    heads = sum(t.header_bytes for t in transfers)
    print(f"  {'total HTTP bodies':<72} {wire:>8,} {raw:>8,} {heads:>6,}")
    total = wire + heads
    print(f"  {'total HTTP on the wire (bodies + headers)':<72} {total:>8,}")
    label = "+ first WebSocket snapshot (uncompressed)"
    print(f"  {label:<72} {snapshot_wire:>8,} {snapshot_raw:>8,}")
    print(f"  {'first view incl. snapshot':<72} {total + snapshot_wire:>8,}")
    print(f"  target: <= {TARGET_BYTES:,} bytes on the wire")
    if foreign:
        print("  references to other hosts:")
        for url in foreign:
            print(f"    {url}")
    else:
        print("  references to other hosts: none")
    bad_status = [t for t in transfers if t.status >= 400]
    for t in bad_status:
        print(f"  FAIL: {t.label} answered {t.status}")
    over = total + snapshot_wire > TARGET_BYTES
    if over:
        print(f"  FAIL: {total + snapshot_wire:,} bytes is over the target")
    print()
    return 1 if over or foreign or bad_status else 0


async def measure(server: Server) -> int:
    async with asyncio.timeout(TIMEOUT_S):
        assembly = await create_assembly(server.base_url)
        await seed_proposals(server.base_url, assembly.join_code, assembly.id)
        return report(server, await first_view(server, assembly.join_code))


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(prog="benchmarks.page_weight", description=__doc__).parse_args(argv)
    try:
        with local_server() as server:
            return asyncio.run(measure(server))
    except BenchmarkError as exc:
        print(f"error: {exc}")
        return 2
    except TimeoutError:
        print(f"error: did not finish within {TIMEOUT_S:.0f} s")
        return 2


if __name__ == "__main__":
    sys.exit(main())
