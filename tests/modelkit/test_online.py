"""The connectivity probe answers quickly, and only ever on loopback here."""
from __future__ import annotations

import socket
import time

from modelkit.online import reachable


def test_a_closed_local_port_is_reported_offline_quickly(monkeypatch):
    monkeypatch.delenv("APP_OFFLINE", raising=False)
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        port = bound_not_listening.getsockname()[1]
        started = time.monotonic()

        assert not reachable("127.0.0.1", port, timeout_s=2.0)

    assert time.monotonic() - started < 1.0


def test_a_listening_local_port_is_reported_online(monkeypatch):
    monkeypatch.delenv("APP_OFFLINE", raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        assert reachable("127.0.0.1", server.getsockname()[1], timeout_s=2.0)


def test_the_offline_setting_answers_offline_without_touching_the_network(monkeypatch):
    monkeypatch.setenv("APP_OFFLINE", "1")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        assert not reachable("127.0.0.1", server.getsockname()[1], timeout_s=2.0)
