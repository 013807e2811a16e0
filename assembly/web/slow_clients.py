"""uvicorn's HTTP protocol with a deadline for request headers (slow-loris clients).

uvicorn times out idle keep-alive connections but not a request whose headers trickle in: 300
connections sending a header line every few seconds were held as long as they kept sending,
each one a file descriptor and a parser. Here the headers of each request must be complete
within `header_timeout_s` of its first byte (or of the connection opening), or the connection
is closed. A phone sends its headers in one packet; even on a poor hall Wi-Fi that is far less.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from assembly.settings import Settings

KEEP_ALIVE_S = 5
"""An idle connection between two requests is closed after this (uvicorn's keep-alive timeout):
long enough for a page and its scripts to share a connection, short enough that idle phones do
not hold thousands of descriptors."""


@cache
def header_timeout_s() -> float:
    """Read once per process (each worker reads the environment `samatcha serve` started in)."""
    return Settings.from_env().header_timeout_s


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes a connection whose request headers arrive too slowly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(header_timeout_s(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # an earlier request on this connection is still being answered
            return
        if not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n")
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
