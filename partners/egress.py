"""Where webhook deliveries may go: public internet addresses only.

A partner names the URL; the portal's workers then send signed POSTs to it from inside the
platform's network. Without a check, a URL on loopback, a private range or a link-local address
(169.254.169.254 is the cloud metadata service) would make the portal reach services that only
it can reach. So:

- at registration the host is checked: an address literal (in any spelling the resolver accepts,
  such as 2130706433 or 0x7f.1) or a name that resolves to a non-public address is refused;
  names reserved for documentation and tests (RFC 2606, RFC 6761) are not looked up;
- at every delivery the host is resolved again, every address it resolves to must be public, and
  the connection goes to the address that was checked (TLS still verifies the certificate for the
  host name), so a name that changes its answer between the check and the connection (DNS
  rebinding) cannot redirect the request. Deliveries connect directly, without an HTTP proxy.

Development and tests may allow non-public addresses: with DEBUG, or with the setting
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES.
"""

import http.client
import ipaddress
import socket
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

# Names that never resolve on the public internet (documentation and test names).
RESERVED_SUFFIXES = (
    ".example",
    ".test",
    ".invalid",
    ".example.com",
    ".example.net",
    ".example.org",
)
RESERVED_NAMES = {"example.com", "example.net", "example.org"}


class BlockedAddress(Exception):
    """The host is, or resolves to, an address deliveries may not go to. `str()` says why."""


def private_addresses_allowed() -> bool:
    return settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list:
    """Every address `host` resolves to (OSError when it does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def _refuse_unless_public(host: str, addresses: list) -> None:
    blocked = [str(a) for a in addresses if not is_public(a)]
    if blocked and not private_addresses_allowed():
        raise BlockedAddress(
            _(
                "%(host)s is on a private, loopback or link-local network (%(address)s); "
                "webhooks go to public addresses only."
            )
            % {"host": host, "address": ", ".join(blocked)}
        )


def check_host(host: str, port: int) -> None:
    """At registration: refuse a host that is, or resolves to, a non-public address. A name that
    does not resolve (yet) is accepted; every delivery checks it again."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        _refuse_unless_public(host, [ipaddress.ip_address("127.0.0.1")])
        return
    if host in RESERVED_NAMES or host.endswith(RESERVED_SUFFIXES):
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        return
    _refuse_unless_public(host, addresses)


def checked_address(host: str, port: int):
    """At delivery: the address to connect to, after checking every address of `host`."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as error:
        raise OSError(f"{host} does not resolve: {error}") from None
    if not addresses:
        raise OSError(f"{host} does not resolve")
    _refuse_unless_public(host, addresses)
    return addresses[0]


def _pinned(connection_class, address):
    """`connection_class` (HTTP or HTTPS) connecting to `address` whatever its host resolves to
    now; the host name still goes in the Host header and the TLS handshake."""

    def connect_to_checked_address(destination, timeout, source_address=None):
        return socket.create_connection((str(address), destination[1]), timeout, source_address)

    def make(host, **options):
        connection = connection_class(host, **options)
        connection._create_connection = connect_to_checked_address
        return connection

    return make


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address):
        super().__init__()
        self.address = address

    def http_open(self, request):
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), request)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address):
        super().__init__()
        self.address = address

    def https_open(self, request):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self.address), request, context=self._context
        )


def opener_for(host: str, scheme: str, port: int | None, *handlers):
    """An opener whose connections go to the checked address of `host` (BlockedAddress or
    OSError when there is none), without proxies, with `handlers` added."""
    address = checked_address(host, port or (443 if scheme == "https" else 80))
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(address),
        _PinnedHTTPSHandler(address),
        *handlers,
    )
