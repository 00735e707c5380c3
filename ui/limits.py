"""Rate limits for a browser session: this session, its account and its client address, counted in one
SQLite file under the data folder that every session of the server shares (business.rate_limits).

`admit(action, limits)` counts one call or raises LimitError (the message says the window and when to
try again); the returned `Admitted` says how many calls are left.
"""
from __future__ import annotations

import ipaddress
import secrets

import streamlit as st

from business.limits import RateLimit
from business.rate_limits import Admitted, Bucket, SharedLimiter
from ui.session import data_dir

SESSION_TOKEN = "rate_limit_session"
LIMITS_DB = "limits.db"
SCOPES = {"session": "this session", "account": "this account", "address": "this address"}


@st.cache_resource
def _limiter_at(path: str) -> SharedLimiter:
    return SharedLimiter(path)


def client_address() -> str:
    """The visitor's address: the connection's own, or the last X-Forwarded-For hop when the connection
    comes from a local reverse proxy (only then: anyone can write that header). "local" when neither."""
    peer = st.context.ip_address  # None for a loopback connection (and in AppTest)
    forwarded = (st.context.headers or {}).get("X-Forwarded-For", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if hops and (peer is None or _is_private(peer)):
        return hops[-1]  # the hop our proxy added; earlier ones are whatever the client sent
    return peer or "local"


def _is_private(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_private
    except ValueError:
        return False


def session_token() -> str:
    return st.session_state.setdefault(SESSION_TOKEN, secrets.token_hex(16))


def admit(action: str, limits: dict[str, RateLimit], account: str) -> Admitted:
    """One call of `action` against this session, `account` and this client address."""
    values = {"session": session_token(), "account": account, "address": client_address()}
    buckets = [Bucket(SCOPES[scope], f"{scope}:{values[scope]}", limit) for scope, limit in limits.items()]
    return _limiter_at(str(data_dir() / LIMITS_DB)).admit(action, buckets)

