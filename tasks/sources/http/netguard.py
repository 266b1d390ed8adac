"""SSRF guard: refuse URLs and connections that reach loopback, private or other non-public
addresses, so a feed or a redirect cannot make us read internal services or cloud metadata."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Named classes first, so the message says what the address is; anything else that is not
# global unicast (documentation, benchmarking, IETF protocol ranges...) is "special-purpose".
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # Linux connects 0.x.x.x to this host
# IPv6 prefixes that carry an IPv4 address in their low 32 bits (NAT64 well-known prefix).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# inet_aton's legacy forms: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


class BlockedAddress(Exception):
    """A URL or connection would reach an address the policy does not allow."""

    def __init__(self, host: str, address: str, kind: str, verb: str = "resolves to") -> None:
        self.host = host
        self.address = address
        self.kind = kind  # e.g. "a loopback address"
        if _same_ip(host, address):
            message = f"{host} is {kind}"
        else:
            message = f"{host} {verb} {address}, {kind}"
        super().__init__(message)


class ResolveError(Exception):
    """The host name does not resolve. `temporary` when the resolver itself failed."""

    def __init__(self, message: str, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class NetPolicy:
    allow_private: bool = False
    # Host names or IP literals allowed even when they resolve to non-public addresses
    # (a local test server, an intranet CMS). Matched against the URL's host, not its address.
    allowed_hosts: frozenset[str] = frozenset()

    def allows_host(self, host: str) -> bool:
        if self.allow_private:
            return True
        wanted = _normal_host(host)
        return any(_normal_host(h) == wanted for h in self.allowed_hosts)


def classify(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("a loopback address"), or None if global."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            kind = classify(embedded)
            return f"{kind} (embedded IPv4 {embedded})" if kind else None
    if address.is_unspecified or address in _THIS_NETWORK:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in _CGNAT:
        return "a shared (CGNAT) address"
    if any(address in net for net in _PRIVATE):
        return "a private address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return "a special-purpose (non-public) address"
    return None


def parse_ip(host: str) -> IPAddress | None:
    """The address a host literal denotes, including inet_aton's legacy numeric forms."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to; literals need no DNS."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        temporary = exc.errno == socket.EAI_AGAIN
        raise ResolveError(f"{host} does not resolve ({exc.strerror})", temporary) from exc
    except UnicodeError as exc:  # a label over 63 characters, an invalid IDNA name
        raise ValueError(f"invalid host name {host!r}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise ResolveError(f"{host} does not resolve (no addresses)")
    return addresses


def check_url(url: str, policy: NetPolicy) -> None:
    """Raise unless `url` is http(s) and every address its host resolves to is allowed.

    ValueError: not http(s), no host, bad port. ResolveError: DNS failure. BlockedAddress:
    a non-public address. The check runs before connecting; `check_peer` covers the address
    actually connected to, since DNS may answer differently the second time (rebinding).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme!r}" if scheme else "(none)"
        raise ValueError(f"unsupported URL scheme {shown} (only http and https)")
    host = parts.hostname
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)  # .port raises on a bad port
    addresses = resolve(host, port)
    if policy.allows_host(host):
        return
    verb = "resolves to" if parse_ip(host) is None else "means"
    for address in addresses:
        kind = classify(address)
        if kind:
            raise BlockedAddress(_bare(host), str(address), kind, verb)


def check_peer(ip: str, host: str, policy: NetPolicy) -> None:
    """Raise BlockedAddress if the connected address `ip` is not allowed for `host`."""
    if policy.allows_host(host):
        return
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone id
    kind = classify(address)
    if kind:
        raise BlockedAddress(_bare(host), str(address), kind, "connected to")


def _same_ip(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(address)
    except ValueError:
        return False


def _bare(host: str) -> str:
    return host.strip().strip("[]")


def _normal_host(host: str) -> str:
    return _bare(host).rstrip(".").lower()
