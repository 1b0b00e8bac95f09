"""Where a webhook may point: an https:// address on the public internet, checked when it is registered and again
before every delivery (the delivery connects to the address checked then, so a name that later resolves elsewhere —
DNS rebinding — reaches nothing it should not).

The rules, each refused with the reason in words:
- https:// only, on port 443 (the default) or 8443; no other scheme, no other port;
- no user name or password in the address (`https://user:pass@host/`);
- the host a name or a dotted IPv4 / bracketed IPv6 address, not a number in decimal, octal or hex
  (`https://2130706433/`, `https://0177.0.0.1/`, `https://0x7f.1/`);
- every address the name resolves to is public: no loopback, private, shared (100.64/10), link-local
  (169.254.169.254), multicast, reserved, unspecified, documentation or benchmarking range, no unique-local
  (fc00::/7) or site-local IPv6, and no IPv6 form that carries a refused IPv4 inside it (IPv4-mapped
  `::ffff:10.0.0.1`, IPv4-compatible, 6to4, NAT64, Teredo).
- In DEBUG only: http:// or https:// to exactly `localhost` or `127.0.0.1`, any port (a receiver on the
  developer's machine). `127.0.0.1.nip.io` is a name like any other, and refused when it resolves to loopback.

Names are resolved by settings.WEBHOOK_RESOLVER (a dotted path to `resolve(host, port) -> list[str]`), so tests
give a fixed table instead of asking real DNS.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PORTS = (443, 8443)
LOCAL_HOSTS = ("localhost", "127.0.0.1")

# Every range refused, named, checked in this order (the most telling name first). Python 3.11's `ipaddress` flags
# overlap and miss some of these (the IPv4 forms inside IPv6 addresses), so each is listed here explicitly; an
# address outside all of them must also be what `ipaddress` calls global.
NAMED_RANGES = [
    (ipaddress.ip_network(network), name)
    for network, name in (
        ("0.0.0.0/32", _("the unspecified address")), ("0.0.0.0/8", _("a 'this network' address")),
        ("127.0.0.0/8", _("a loopback address")), ("169.254.0.0/16", _("a link-local address")),
        ("10.0.0.0/8", _("a private address")), ("172.16.0.0/12", _("a private address")),
        ("192.168.0.0/16", _("a private address")), ("100.64.0.0/10", _("a shared address (100.64.0.0/10)")),
        ("192.0.0.0/24", _("an IETF protocol address")), ("192.0.2.0/24", _("a documentation address")),
        ("198.51.100.0/24", _("a documentation address")), ("203.0.113.0/24", _("a documentation address")),
        ("198.18.0.0/15", _("a benchmarking address")), ("192.88.99.0/24", _("a 6to4 relay address")),
        ("224.0.0.0/4", _("a multicast address")), ("255.255.255.255/32", _("the broadcast address")),
        ("240.0.0.0/4", _("a reserved address")),
        ("::/128", _("the unspecified address")), ("::1/128", _("a loopback address")),
        ("::ffff:0:0/96", _("an IPv4-mapped address")), ("::/96", _("an IPv4-compatible address")),
        ("64:ff9b:1::/48", _("a local-use NAT64 address")), ("100::/64", _("a discard-only address")),
        ("2001::/32", _("a Teredo address")), ("2001:db8::/32", _("a documentation address")),
        ("2001::/23", _("an IETF protocol address")), ("fc00::/7", _("a unique-local (private) address")),
        ("fe80::/10", _("a link-local address")), ("fec0::/10", _("a site-local address")),
        ("ff00::/8", _("a multicast address")),
    )
]  # fmt: skip
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIXTO4 = ipaddress.ip_network("2002::/16")
NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$"
)


class AddressRefused(ValueError):
    """The address may not receive webhooks; the message says why, for the integrator."""


@dataclass(frozen=True)
class Vetted:
    """A checked address: connect to `ip` (one of the checked `addresses`), naming `host` for TLS and Host."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]

    @property
    def ip(self) -> str:
        return self.addresses[0]


def system_resolve(host: str, port: int) -> list[str]:
    """The machine's resolver (the default WEBHOOK_RESOLVER)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


@cache
def _resolver(path: str):
    return import_string(path)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in SIXTO4:
        return ip.sixtofour
    return None


def why_not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What this address is, when webhooks may not go there ("a link-local address"); None for a public one."""
    if ip.version == 6 and (inner := _embedded_ipv4(ip)) is not None and (why := why_not_public(inner)):
        return gettext("an IPv6 form of %(address)s, %(why)s") % {"address": inner, "why": why}
    for network, name in NAMED_RANGES:
        if ip.version == network.version and ip in network:
            return str(name)
    if not ip.is_global or ip.is_multicast or getattr(ip, "is_site_local", False):
        return gettext("not a public internet address")
    return None


def _host_of(netloc_host: str) -> str:
    """The host as an ASCII name or address; refuses numeric forms other than a dotted quad."""
    host = netloc_host.lower()
    if not host:
        raise AddressRefused(gettext("Give the full address, starting https://, with a host name"))
    if ":" in host:  # a bracketed IPv6 literal (urlsplit removed the brackets)
        if "%" in host:
            raise AddressRefused(gettext("Leave the zone out of the IPv6 address"))
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressRefused(gettext("The host name is not a valid internet name")) from None
    labels = host.rstrip(".").split(".")
    if all(NUMERIC_LABEL.match(label) for label in labels) and not DOTTED_QUAD.match(host):
        raise AddressRefused(
            gettext(
                "Write the host as a name or a dotted IPv4 address like 203.0.113.7, not a number in decimal, octal "
                "or hex"
            )
        )
    return host


def _literal(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def vet(url: str, *, resolve: bool = True) -> Vetted:
    """The checked address, or AddressRefused with the reason. `resolve=False` checks the form only."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(gettext("Give the full address, starting https://, with a valid port")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise AddressRefused(gettext("Webhooks must use https://"))
    if not parts.netloc:
        raise AddressRefused(gettext("Give the full address, starting https://, with a host name"))
    if "@" in parts.netloc:
        raise AddressRefused(
            gettext("Leave the user name and password out of the address: the signature authenticates us")
        )
    if parts.fragment:
        raise AddressRefused(gettext("Leave the #fragment out of the address"))
    host = _host_of(parts.hostname or "")
    local = settings.DEBUG and host in LOCAL_HOSTS
    if scheme != "https" and not local:
        raise AddressRefused(gettext("Webhooks must use https://"))
    if not local and port not in (None, *PORTS):
        raise AddressRefused(gettext("Use port 443 (the default) or 8443, not %(port)s") % {"port": port})
    port = port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    literal = _literal(host)
    if literal is not None and not local and (why := why_not_public(literal)):
        raise AddressRefused(
            gettext("Webhooks go to public internet addresses only: %(address)s is %(why)s")
            % {"address": literal, "why": why}
        )
    if not resolve:
        return Vetted(scheme, host, port, target, (str(literal),) if literal else ())
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list(_resolver(settings.WEBHOOK_RESOLVER)(host, port))
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise AddressRefused(gettext("The host %(host)s could not be found") % {"host": host})
    for address in addresses:
        ip = _literal(address.split("%")[0])
        if ip is None:
            raise AddressRefused(gettext("The host %(host)s could not be found") % {"host": host})
        if local and ip.is_loopback:
            continue
        if why := why_not_public(ip):
            raise AddressRefused(
                gettext("Webhooks go to public internet addresses only: %(host)s resolves to %(address)s, %(why)s")
                % {"host": host, "address": ip, "why": why}
            )
    return Vetted(scheme, host, port, target, tuple(addresses))
