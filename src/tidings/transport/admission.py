"""Connection admission (docs/PROTOCOL.md): open connections by address and by user, and the
rate of new ones by address. Every check runs once per connection and costs a dictionary lookup.
A limit set to 0 is off.

    limit                              where                 refusal
    TIDINGS_MAX_CONNECTIONS_PER_IP     before accept         close 4431
                                       a request head        the socket dropped (heads.py)
    TIDINGS_CONNECT_RATE_PER_IP        before accept         close 4432
    TIDINGS_MAX_CONNECTIONS_PER_USER   at connection_init    close 4430

A connection whose request head is not complete yet (HTTP or a WebSocket handshake) counts as
one of its address's connections: at most TIDINGS_MAX_CONNECTIONS_PER_IP of them at once, and
they count against the WebSockets that address may open. Exempt addresses and trusted proxies
(whose heads carry many clients) are not counted.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from ..config import Settings
from ..execution.ratelimit import TokenBucket
from . import closecodes as cc


class ConnectionLimits:
    """Open WebSockets by address and by user, and the rate of new ones by address."""

    def __init__(self, settings: Settings) -> None:
        self.per_ip = settings.max_connections_per_ip
        self.per_user = settings.max_connections_per_user
        rate = settings.connect_rate_per_ip
        self.connect_rate = rate
        self._connects = TokenBucket(rate, max(1.0, 2 * rate)) if rate > 0 else None
        self.by_ip: Counter[str] = Counter()
        self.half_open: Counter[str] = Counter()  # connections whose request head is incomplete
        self.by_user: Counter[str] = Counter()
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in settings.limit_exempt)
        self._exempt: Callable[[str], bool] = lru_cache(maxsize=4096)(lambda host: _within(host, networks))
        proxies = tuple(ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies)
        self._proxy: Callable[[str], bool] = lru_cache(maxsize=4096)(lambda host: _within(host, proxies))

    def admit_address(self, host: str) -> tuple[int, str] | None:
        """Count a new WebSocket from `host`; or the close code and reason that refuse it."""
        if not host or self._exempt(host):
            return None
        if self._connects is not None:
            wait = self._connects.take(host)
            if wait:
                return (
                    cc.WS_4432_CONNECTING_TOO_FAST,
                    f"Connecting too fast: over {self.connect_rate:g} a second from your address; "
                    f"retry in {wait:.1f} s",
                )
        if self.per_ip and self.by_ip[host] + self.half_open[host] >= self.per_ip:
            reason = f"Too many connections from your address (limit {self.per_ip})"
            return cc.WS_4431_TOO_MANY_CONNECTIONS_PER_IP, reason
        self.by_ip[host] += 1
        return None

    def release_address(self, host: str) -> None:
        if host in self.by_ip:
            self.by_ip[host] -= 1
            if self.by_ip[host] <= 0:
                del self.by_ip[host]

    def counts_heads(self, host: str) -> bool:
        """Whether `host`'s half-open connections are counted (not exempt, not a trusted proxy)."""
        return bool(host) and self.per_ip > 0 and not self._exempt(host) and not self._proxy(host)

    def open_head(self, host: str) -> bool:
        """Count a connection from `host` whose request head is still coming; False (nothing
        counted) when the address already has TIDINGS_MAX_CONNECTIONS_PER_IP of them."""
        if self.half_open[host] >= self.per_ip:
            return False
        self.half_open[host] += 1
        return True

    def close_head(self, host: str) -> None:
        """Its head is complete, or the connection is gone."""
        if host in self.half_open:
            self.half_open[host] -= 1
            if self.half_open[host] <= 0:
                del self.half_open[host]

    def admit_user(self, user_id: str) -> str | None:
        """Count an authenticated WebSocket of `user_id`; or the reason that refuses it."""
        if self.per_user and self.by_user[user_id] >= self.per_user:
            return f"Too many connections for this user (limit {self.per_user})"
        self.by_user[user_id] += 1
        return None

    def release_user(self, user_id: str) -> None:
        if user_id in self.by_user:
            self.by_user[user_id] -= 1
            if self.by_user[user_id] <= 0:
                del self.by_user[user_id]


def _within(host: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)
