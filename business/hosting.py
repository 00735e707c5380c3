"""Hosted mode: who may sign in, with which role, and signed share links for the investor view.

Configuration comes as plain mappings (Streamlit's `st.secrets` section `[hosted]` and the process
environment), so this module stays free of streamlit. Passwords are bcrypt hashes; share links are
itsdangerous tokens signed with the configured secret and checked for age. Print a hash with
`python -m business.hosting hash-password`.
"""
from __future__ import annotations

import getpass
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

import bcrypt
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

FOUNDER, INVESTOR = "founder", "investor"
ROLES = (FOUNDER, INVESTOR)
SHARE_SALT = "investor-view-share-link"
DEFAULT_SHARE_TTL_S = 7 * 24 * 3600
DEFAULT_TRAINING_MINUTES = 30  # a hosted GPU is shared: no job may hold it longer than this
MIN_SECRET_CHARS = 32
EXAMPLE_SECRET = "replace-with-at-least-32-random-characters"  # .streamlit/secrets.example.toml
# Checked when the config is read: a malformed hash would otherwise fail only at someone's sign-in.
_BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
DEFAULT_BCRYPT_COST = 12  # bcrypt.gensalt()'s default, what hash-password uses
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; bcrypt 5 refuses longer input


class HostingError(ValueError):
    """Hosted-mode configuration or access that is refused; the message says which value and why."""


class ShareLinkExpired(HostingError):
    pass


class ShareLinkInvalid(HostingError):
    pass


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    password_hash: bytes


@dataclass(frozen=True)
class HostedConfig:
    accounts: dict[str, Account]
    share_secret: str
    share_ttl_s: int = DEFAULT_SHARE_TTL_S
    training_time_limit_s: int = DEFAULT_TRAINING_MINUTES * 60
    # An unknown name is checked against a dummy hash of this cost (the accounts' highest), so it costs
    # the same bcrypt work as a known name and the answer time does not tell which names exist.
    dummy_cost: int = DEFAULT_BCRYPT_COST


def hosted_config(secrets: Mapping, environ: Mapping) -> HostedConfig | None:
    """The hosted configuration, or None when hosted mode is off (the local, single-founder app).

    On when the secrets have a [hosted] section (unless it says enabled = false) or HOSTED=1 is set.
    Once on, a missing or weak setting is an error: a public app must never fall back to open access.
    """
    section = secrets.get("hosted")
    env_on = str(environ.get("HOSTED", "")).strip().lower() in ("1", "true", "yes")
    if section is None and not env_on:
        return None
    section = dict(section or {})
    if section.get("enabled") is False and not env_on:
        return None
    users = section.get("users") or {}
    if not isinstance(users, Mapping) or not users:
        raise HostingError("Hosted mode is on but [hosted.users] is empty: add at least one founder account.")
    accounts = {name: _account(name, entry) for name, entry in users.items()}
    secret = str(section.get("share_secret") or "")
    if secret == EXAMPLE_SECRET:
        raise HostingError("[hosted] share_secret is still the example's placeholder: set your own random one.")
    if len(secret) < MIN_SECRET_CHARS:
        raise HostingError(f"[hosted] share_secret is {len(secret)} characters; use at least {MIN_SECRET_CHARS} "
                           "random characters (python -c 'import secrets; print(secrets.token_urlsafe(32))').")
    ttl = section.get("share_link_days")
    ttl_s = DEFAULT_SHARE_TTL_S if ttl is None else _positive(ttl, "share_link_days") * 24 * 3600
    minutes = section.get("training_minutes")
    minutes = DEFAULT_TRAINING_MINUTES if minutes is None else _positive(minutes, "training_minutes")
    dummy_cost = max(bcrypt_cost(account.password_hash) for account in accounts.values())
    return HostedConfig(accounts, secret, ttl_s, minutes * 60, dummy_cost)


def _account(name: str, entry: object) -> Account:
    if not isinstance(entry, Mapping):
        raise HostingError(f"[hosted.users.{name}] must be a table with role and password_hash.")
    role = str(entry.get("role", ""))
    if role not in ROLES:
        raise HostingError(f"[hosted.users.{name}] role={role!r} must be one of {', '.join(ROLES)}.")
    hashed = str(entry.get("password_hash", ""))
    if not _BCRYPT_HASH.fullmatch(hashed):
        raise HostingError(f"[hosted.users.{name}] password_hash is not a bcrypt hash; "
                           "make one with: python -m business.hosting hash-password")
    return Account(name, role, hashed.encode())


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HostingError(f"[hosted] {name}={value!r} must be a positive whole number.")
    return value


def bcrypt_cost(password_hash: bytes) -> int:
    """The work factor written in a bcrypt hash ($2b$12$... -> 12)."""
    return int(password_hash.split(b"$")[2])


@lru_cache(maxsize=8)
def dummy_hash(cost: int) -> bytes:
    # Made once per cost and kept: hosted_config runs on every page rerun.
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds=cost))


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise HostingError(f"The password is {len(password)} characters; use at least 8.")
    size = len(password.encode())
    if size > MAX_PASSWORD_BYTES:
        raise HostingError(f"The password is {size} bytes in UTF-8; bcrypt reads at most {MAX_PASSWORD_BYTES}: "
                           "use a shorter one (a passphrase of a few words is plenty).")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=DEFAULT_BCRYPT_COST)).decode()


def sign_in(config: HostedConfig, username: str, password: str) -> Account | None:
    """The account when the password matches, else None (never saying which of the two was wrong).

    Known and unknown names do the same bcrypt work, so the answer time does not reveal the names."""
    account = config.accounts.get((username or "").strip())
    candidate = (password or "").encode()[:MAX_PASSWORD_BYTES]
    matches = bcrypt.checkpw(candidate, account.password_hash if account else dummy_hash(config.dummy_cost))
    return account if account and matches else None


def can_write(role: str | None) -> bool:
    """Local mode (no role) and founders may change things; investors only read and try demos."""
    return role != INVESTOR


def make_share_link_token(config: HostedConfig, project_id: int) -> str:
    return URLSafeTimedSerializer(config.share_secret, salt=SHARE_SALT).dumps({"project": int(project_id)})


def read_share_link_token(config: HostedConfig, token: str, now: float | None = None) -> int:
    """The project a share link opens; ShareLinkExpired or ShareLinkInvalid otherwise."""
    serializer = URLSafeTimedSerializer(config.share_secret, salt=SHARE_SALT)
    try:
        payload = serializer.loads(token, max_age=config.share_ttl_s) if now is None else _loads_at(
            serializer, token, config.share_ttl_s, now)
    except SignatureExpired:
        raise ShareLinkExpired("This share link has expired: ask the founder for a new one.") from None
    except BadSignature:
        raise ShareLinkInvalid("This share link is not valid (it was changed or cut short).") from None
    project = payload.get("project") if isinstance(payload, dict) else None
    if not isinstance(project, int):
        raise ShareLinkInvalid("This share link names no project.")
    return project


def _loads_at(serializer: URLSafeTimedSerializer, token: str, max_age_s: int, now: float) -> object:
    # itsdangerous reads the clock itself; checking the age against `now` lets tests expire a link.
    payload, signed_at = serializer.loads(token, return_timestamp=True)
    if now - signed_at.timestamp() > max_age_s:
        raise SignatureExpired("expired")
    return payload


def main(argv: list[str]) -> int:
    """`hash-password`: read a password without echo and print its bcrypt hash; a clear line on refusal."""
    if argv != ["hash-password"]:
        print("usage: python -m business.hosting hash-password", file=sys.stderr)
        return 2
    try:
        print(hash_password(getpass.getpass("Password: ")))
    except HostingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("error: no password given; nothing was hashed.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
