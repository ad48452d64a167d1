"""Webhook deliveries: where a watch's webhook may point, its secret, and signed POSTs.

Whoever may create a watch chooses a URL the server will POST to, so a webhook is a way into
the server's network (server-side request forgery, OWASP API Security API7:2023): the cloud
metadata address, Newsdesk itself, a Chroma server on loopback. By default a webhook may reach
only public addresses: its host is resolved and every address it resolves to must be global
(not loopback, link-local, private, multicast, unspecified or reserved);
`NEWSDESK_WEBHOOK_ALLOWED_HOSTS` names the hosts and networks an operator lets in. The rule is
applied when the watch is made (422) and again at every delivery, on the address the request
then goes to: the name is resolved once, checked, and the connection made to that address
(the Host header and the TLS server name stay the URL's), so a name that resolves inside later
(DNS rebinding) is refused then. Redirects are not followed: a 3xx is a failed delivery.

Each delivery is signed as GitHub and Stripe sign theirs, with the watch's own secret (returned
once, when the watch is made or its secret rotated): `X-Newsdesk-Timestamp` (Unix seconds) and
`X-Newsdesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. A receiver checks the
signature and that the timestamp is recent, so a delivery can be neither forged nor replayed
later. Secrets are kept encrypted (Fernet, from `cryptography`) under a key from
`NEWSDESK_WEBHOOK_SECRET_KEY`, or else from a key file made beside the local index: reading the
store alone does not give them away.
"""

import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet, InvalidToken

from service.loading.web import USER_AGENT

SIGNATURE_HEADER = "X-Newsdesk-Signature"
TIMESTAMP_HEADER = "X-Newsdesk-Timestamp"
SECRET_PREFIX = "whsec_"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Why an address is refused, tested in this order: Python counts 127.0.0.1, 169.254.169.254
# (the cloud metadata service) and 240.0.0.1 as private too, but the first name says more.
_REFUSED = [
    (lambda ip: ip.is_loopback, "a loopback address"),
    (lambda ip: ip.is_link_local, "a link-local address (where cloud metadata services are)"),
    (lambda ip: ip.is_unspecified, "the unspecified address"),
    (lambda ip: ip.is_multicast, "a multicast address"),
    (lambda ip: ip.is_reserved, "a reserved address"),
    (lambda ip: ip.is_private, "a private address"),
    (lambda ip: not ip.is_global, "not a public address"),
]


class WebhookRefused(ValueError):
    """The webhook may not point there, or cannot be signed; the message says why."""


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to, in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@dataclass(frozen=True)
class AddressRules:
    """Which webhook addresses may be reached: public ones, and those an operator allows."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def allowing(cls, allowed: Sequence[str]) -> "AddressRules":
        """From `NEWSDESK_WEBHOOK_ALLOWED_HOSTS`: host names, addresses or networks (CIDR)."""
        hosts, networks = set(), []
        for entry in allowed:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def address_for(self, url: str) -> str:
        """The address to connect to for this URL; `WebhookRefused` saying why when it may not
        be reached."""
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise WebhookRefused(f"{url}: a webhook is an http or https URL with a host")
        host = parsed.host.lower().rstrip(".")
        try:
            addresses = resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        except (OSError, UnicodeError) as error:
            raise WebhookRefused(f"{url}: {host} cannot be resolved ({error})") from error
        if not addresses:
            raise WebhookRefused(f"{url}: {host} resolves to no address")
        if host in self.hosts:
            return addresses[0]
        for address in addresses:
            reason = self._refusal(ipaddress.ip_address(address.split("%")[0]))
            if reason:
                named = f"{host} is" if host == address else f"{host} resolves to {address},"
                raise WebhookRefused(
                    f"{url}: {named} {reason}; a webhook may reach only public addresses "
                    "unless NEWSDESK_WEBHOOK_ALLOWED_HOSTS names the host or its network"
                )
        return addresses[0]

    def _refusal(self, ip: IPAddress) -> str | None:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in network for network in self.networks):
            return None
        return next((reason for refused, reason in _REFUSED if refused(ip)), None)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of the signature header for this body sent at this timestamp."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class SecretBox:
    """Watch secrets sealed for the store, and opened again to sign."""

    def __init__(self, key: str | None, key_file: Path):
        self._key = key
        self._key_file = key_file
        self._fernet: Fernet | None = None

    def seal(self, secret: str) -> str:
        return self._box().encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._box().decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            raise WebhookRefused(
                "the watch's secret was sealed under another key: set the same "
                "NEWSDESK_WEBHOOK_SECRET_KEY on every replica, or rotate the secret"
            ) from None

    def _box(self) -> Fernet:
        # Made at first use, so that a service with no webhook writes no key file.
        if self._fernet is None:
            self._fernet = Fernet(self._key or self._key_from_file())
        return self._fernet

    def _key_from_file(self) -> bytes:
        if not self._key_file.exists():
            self._key_file.parent.mkdir(parents=True, exist_ok=True)
            made = self._key_file.with_name(f"{self._key_file.name}.{os.getpid()}")
            with os.fdopen(
                os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"
            ) as new:
                new.write(Fernet.generate_key())
            try:  # a link is put in place whole and never replaces: of two processes, one wins
                os.link(made, self._key_file)
            except FileExistsError:
                pass
            finally:
                made.unlink()
        return self._key_file.read_bytes().strip()


def post(
    url: str, body: bytes, *, rules: AddressRules, secret: str | None, timeout_s: float
) -> httpx.Response:
    """POST the JSON body to the URL's checked address, signed when there is a secret; the
    response, or `WebhookRefused`, or httpx's errors (a 3xx, 4xx or 5xx among them)."""
    address = rules.address_for(url)
    parsed = httpx.URL(url)
    headers = {
        "Host": parsed.netloc.decode("ascii"),
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
    }
    if secret:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    # trust_env off: a proxy from the environment would connect wherever the name leads.
    with httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            "POST",
            parsed.copy_with(host=address),
            content=body,
            headers=headers,
            extensions={"sni_hostname": parsed.host},
        )
        return client.send(request).raise_for_status()
