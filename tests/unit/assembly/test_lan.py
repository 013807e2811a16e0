"""Which address the demo prints for phones: never a loopback one while a LAN address exists."""

from __future__ import annotations

import socket

from assembly.cli import demo_address
from assembly.lan import choose_lan_address, is_loopback_host, lan_address, udp_source_address


def test_a_loopback_host_name_address_is_passed_over_for_the_lan_one() -> None:
    # Ubuntu's /etc/hosts maps the machine's name to 127.0.1.1, which phones cannot open
    assert choose_lan_address(["127.0.1.1", "192.168.1.23"]) == "192.168.1.23"
    assert choose_lan_address([None, "127.0.0.1", "169.254.3.4", "0.0.0.0", "10.0.0.7"]) == (
        "10.0.0.7"
    )
    assert choose_lan_address([None, "127.0.1.1", "not an address"]) is None


def test_on_this_machine_the_lan_address_is_the_kernels_source_address_not_the_hosts_file() -> None:
    found = lan_address()
    source = udp_source_address()
    if source is not None and not source.startswith("127."):
        assert found == source
    assert found is None or not found.startswith("127.")
    try:
        by_name = socket.gethostbyname(socket.gethostname())
    except OSError:
        by_name = None
    if by_name is not None and by_name.startswith("127.") and source is not None:
        assert found != by_name  # what the demo used to print


def test_the_demo_address_follows_host_and_public_url() -> None:
    assert demo_address("127.0.0.1", 8000, "", "192.168.1.23").phones_can_reach is False
    assert demo_address("localhost", 8000, "", "192.168.1.23").base == "http://127.0.0.1:8000"
    hall = demo_address("0.0.0.0", 8080, "", "192.168.1.23")
    assert (hall.base, hall.phones_can_reach) == ("http://192.168.1.23:8080", True)
    offline = demo_address("0.0.0.0", 8000, "", None)
    assert (offline.phones_can_reach, offline.no_network) == (False, True)
    given = demo_address("0.0.0.0", 8000, "http://samatcha.local:8000", "192.168.1.23")
    assert given.base == "http://samatcha.local:8000"
    assert demo_address("192.168.1.50", 8000, "", "192.168.1.23").base == (
        "http://192.168.1.50:8000"
    )
    assert is_loopback_host("127.0.0.5")
    assert not is_loopback_host("0.0.0.0")
