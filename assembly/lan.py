"""Which address phones on the hall's Wi-Fi can reach this laptop at.

`socket.gethostbyname(socket.gethostname())` answers from /etc/hosts: 127.0.1.1 on a stock
Ubuntu, 127.0.0.1 elsewhere, and phones cannot open either. Asking the kernel which source
address it would use to reach a private network finds the Wi-Fi (or wired) address instead:
`connect()` on a UDP socket only picks a route, it sends nothing, so it works offline too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

PROBE_TARGET = ("10.255.255.255", 9)
"""A private address (never answered, nothing is sent): any LAN route or a default route."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})  # noqa: S104  (names, not a bind)


def udp_source_address(target: tuple[str, int] = PROBE_TARGET) -> str | None:
    """The source address the kernel picks for `target`, or None without any route."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(target)
            return str(probe.getsockname()[0])
    except OSError:
        return None


def host_name_addresses() -> list[str]:
    """What the machine's own name resolves to (the fallback: it may name the LAN address)."""
    try:
        return socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return []


def reachable(address: str | None) -> bool:
    """An IPv4 address another machine could connect to: not loopback, link-local or 0.0.0.0."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def choose_lan_address(candidates: Iterable[str | None]) -> str | None:
    """The first candidate phones could reach, or None."""
    return next((c for c in candidates if reachable(c)), None)


def lan_address() -> str | None:
    """This machine's address on the local network, or None when it has none (offline)."""
    return choose_lan_address([udp_source_address(), *host_name_addresses()])


def is_loopback_host(host: str) -> bool:
    """A `--host` that only this computer can connect to."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
