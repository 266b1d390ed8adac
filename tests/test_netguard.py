"""The SSRF guard: address classes, URL forms that hide them, and the allow-list."""

from __future__ import annotations

import ipaddress

import pytest

from tasks.sources.http.netguard import (
    BlockedAddress,
    NetPolicy,
    ResolveError,
    check_peer,
    check_url,
    classify,
)

STRICT = NetPolicy()


@pytest.mark.parametrize(
    ("url", "address", "kind"),
    [
        ("http://127.0.0.1/", "127.0.0.1", "loopback"),
        ("http://2130706433/", "127.0.0.1", "loopback"),  # the integer form
        ("http://0x7f.1/", "127.0.0.1", "loopback"),  # hex and short forms
        ("http://0177.0.0.1/", "127.0.0.1", "loopback"),  # octal
        ("http://[::1]/", "::1", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("https://10.1.2.3/", "10.1.2.3", "private"),
        ("http://172.16.0.1/", "172.16.0.1", "private"),
        ("http://192.168.1.1:8080/x", "192.168.1.1", "private"),
        ("http://[fd00::1]/", "fd00::1", "private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
        ("http://[fe80::1]/", "fe80::1", "link-local"),
        ("http://224.0.0.1/", "224.0.0.1", "multicast"),
        ("http://0.0.0.0/", "0.0.0.0", "unspecified"),
        ("http://[::]/", "::", "unspecified"),
        ("http://100.64.0.1/", "100.64.0.1", "CGNAT"),
        ("http://240.0.0.1/", "240.0.0.1", "reserved"),
        ("http://[64:ff9b::a00:1]/", "10.0.0.1", "private"),  # NAT64 prefix
    ],
)
def test_non_public_addresses_are_blocked(url: str, address: str, kind: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        check_url(url, STRICT)
    message = str(caught.value)
    assert kind in message
    assert address in message


def test_message_names_host_address_and_class() -> None:
    with pytest.raises(BlockedAddress, match=r"^127\.0\.0\.1 is a loopback address$"):
        check_url("http://127.0.0.1/", STRICT)
    with pytest.raises(BlockedAddress, match=r"^2130706433 means 127\.0\.0\.1, a loopback"):
        check_url("http://2130706433/", STRICT)


def test_a_name_resolving_to_loopback_is_blocked() -> None:
    with pytest.raises(BlockedAddress, match=r"^localhost resolves to .*loopback"):
        check_url("http://localhost:8080/feed", STRICT)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1"])
def test_public_literals_are_allowed_without_dns(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    check_url(f"https://{host}/news", STRICT)
    assert classify(ipaddress.ip_address(address)) is None


def test_allowed_hosts_match_case_insensitively_without_port() -> None:
    policy = NetPolicy(allowed_hosts=frozenset({"127.0.0.1", "LocalHost", "::1"}))
    check_url("http://127.0.0.1:8080/x", policy)
    check_url("http://localhost/x", policy)
    assert policy.allows_host("LOCALHOST.")  # a trailing dot names the same host
    check_url("http://[::1]:9000/", policy)
    with pytest.raises(BlockedAddress):
        check_url("http://127.0.0.2/", policy)  # the allow-list names hosts, not ranges


def test_allow_private_allows_everything() -> None:
    check_url("http://10.0.0.1/", NetPolicy(allow_private=True))
    check_peer("169.254.169.254", "example.com", NetPolicy(allow_private=True))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "example.com/x", "http:///x"]
)
def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(ValueError):
        check_url(url, STRICT)


def test_unresolvable_name_is_a_resolve_error() -> None:
    with pytest.raises(ResolveError, match="does not resolve"):
        check_url("http://no-such-host.invalid/", STRICT)


def test_check_peer_checks_the_connected_address() -> None:
    check_peer("93.184.216.34", "example.com", STRICT)
    with pytest.raises(BlockedAddress, match=r"^example\.com connected to 10\.0\.0\.7, a private"):
        check_peer("10.0.0.7", "example.com", STRICT)
    with pytest.raises(BlockedAddress, match="loopback"):
        check_peer("::ffff:127.0.0.1", "example.com", STRICT)
    # An allowed host may connect anywhere: it is the test server or the intranet.
    check_peer("127.0.0.1", "127.0.0.1", NetPolicy(allowed_hosts=frozenset({"127.0.0.1"})))
