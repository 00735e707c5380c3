"""One quick answer to "can this machine reach that host?", so offline paths fail in seconds, never hang.

`reachable(host, port, timeout_s)` resolves the name and opens one TCP connection, both bounded by
`timeout_s` (a name lookup has no timeout of its own, so it runs in a helper thread). `APP_OFFLINE=1`
(and any extra variable named by the caller, e.g. HF_HUB_OFFLINE) answers "offline" without touching
the network; the test suite sets it. Used by modelkit.text.model and modelkit.text.sources (the Hugging Face hub),
modelkit.vision.sources (torchvision data sets) and modelkit.vision.model (ImageNet weights).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from urllib.parse import urlparse

OFFLINE_ENV = "APP_OFFLINE"
TRUE_VALUES = ("1", "true", "yes", "on")


def offline_by_setting(*env_names: str) -> bool:
    return any(os.environ.get(name, "").strip().lower() in TRUE_VALUES for name in (OFFLINE_ENV, *env_names))


def resolve(host: str, port: int, timeout_s: float) -> list[tuple]:
    found: list[tuple] = []

    def lookup() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError:
            pass

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout_s)
    return list(found)


def reachable(host: str, port: int = 443, timeout_s: float = 2.0, offline_env: tuple[str, ...] = ()) -> bool:
    """True when a TCP connection to host:port opens within timeout_s (in all, lookup included)."""
    if offline_by_setting(*offline_env):
        return False
    deadline = time.monotonic() + timeout_s
    for family, kind, proto, _, address in resolve(host, port, timeout_s):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(remaining)
                sock.connect(address)
                return True
        except OSError:
            continue
    return False


def url_reachable(url: str, timeout_s: float = 2.0) -> bool:
    parsed = urlparse(url)
    return reachable(parsed.hostname or "", parsed.port or (80 if parsed.scheme == "http" else 443), timeout_s)
