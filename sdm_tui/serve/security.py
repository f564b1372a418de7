"""The checks behind `sdm-tui serve`, kept apart from the server so they are easy to read.

Who may see the consultation:
- every request must name this server in its Host header (a page on another name that
  resolves here, DNS rebinding, is refused);
- the page needs the one-time token printed at start, or the session cookie that the
  first page load swapped it for (the token then stops working);
- the websocket needs the session cookie and an Origin header equal to the page's own.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

# Sent with every response. The page loads nothing but its own files; textual.js injects
# <style> elements (xterm's CSS), so styles may be inline, scripts may not.
BASE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the name localhost."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """0.0.0.0 or :: (every address of this machine)."""
    return host.strip("[]") in ("0.0.0.0", "::", "")


def machine_names() -> list[str]:
    """This machine's addresses (not loopback), then its host names."""
    names = [socket.gethostname(), socket.getfqdn()]
    addresses: list[str] = []
    for name in names:
        with contextlib.suppress(OSError):
            for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP):
                address = str(info[4][0])
                if not is_loopback(address) and address not in addresses:
                    addresses.append(address)
    return list(dict.fromkeys(n for n in [*addresses, *names] if n and not is_loopback(n)))


def host_port(host: str, port: int) -> str:
    """host:port as it appears in a Host header or URL (IPv6 in brackets)."""
    bare = host.strip("[]")
    return f"[{bare}]:{port}" if ":" in bare else f"{bare}:{port}"


def content_security_policy(ws_origin: str) -> str:
    """The page's policy: its own files only, its own websocket, no framing, no forms."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {ws_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    if not given or not expected:
        return False
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@dataclass
class Access:
    """The secrets and names of one server run.

    `token` is printed at start and works once: the first page load that carries it is
    given `session` in an HttpOnly, SameSite=Strict cookie and the token is spent.
    """

    host: str
    port: int
    public_origin: str | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token_spent: bool = False

    @property
    def cookie_name(self) -> str:
        # Cookies ignore the port: two servers on one machine must not share a name.
        return f"sdm_tui_{self.port}"

    @property
    def url(self) -> str:
        """The address to open, with the token."""
        host = self.names()[0]
        return f"http://{host_port(host, self.port)}/?token={self.token}"

    def names(self) -> list[str]:
        """The names and addresses the page may be opened under (first: the one to print).

        On every address (0.0.0.0 or ::) that is this machine's names and addresses."""
        if is_wildcard(self.host):
            return [*machine_names(), *LOOPBACK_NAMES]
        if is_loopback(self.host):
            return [self.host, *(n for n in LOOPBACK_NAMES if n != self.host)]
        return [self.host]

    def allowed_hosts(self) -> set[str]:
        """Host header values that name this server (lower case)."""
        hosts = {host_port(name, self.port).lower() for name in self.names()}
        if self.public_origin:
            hosts.add(urlsplit(self.public_origin).netloc.lower())
        return hosts

    def allowed_origins(self) -> set[str]:
        """Origin header values of the page itself."""
        origins = {f"http://{host_port(name, self.port)}".lower() for name in self.names()}
        if self.public_origin:
            origins.add(self.public_origin.rstrip("/").lower())
        return origins

    def host_ok(self, host_header: str | None) -> bool:
        return host_header is not None and host_header.lower() in self.allowed_hosts()

    def origin_ok(self, origin: str | None, host_header: str | None) -> bool:
        """The Origin must be one of ours and name the same host the request was sent to."""
        if not origin or not self.host_ok(host_header):
            return False
        origin = origin.lower()
        if origin not in self.allowed_origins():
            return False
        return urlsplit(origin).netloc == (host_header or "").lower()

    def session_ok(self, cookie: str | None) -> bool:
        return same_secret(cookie, self.session)

    def spend_token(self, given: str | None) -> bool:
        """True (once) for the right token; it stops working after that."""
        if self.token_spent or not same_secret(given, self.token):
            return False
        self.token_spent = True
        return True

    def ws_origin(self, host_header: str) -> str:
        """The websocket origin for a page served under `host_header`."""
        scheme = "ws"
        if self.public_origin and urlsplit(self.public_origin).netloc.lower() == host_header:
            scheme = "wss" if self.public_origin.startswith("https:") else "ws"
        return f"{scheme}://{host_header}"
