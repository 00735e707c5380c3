"""Hosted mode in the app: the login, share links, the sidebar account box, and which pages a role sees.

`gate()` runs in app.py before navigation. Locally (no [hosted] secrets, no HOSTED=1) it returns None
and the app is the founder's own. Hosted, it hides Streamlit's developer chrome (toolbar mode
"viewer": no Deploy button, no rerun or clear-cache menu), shows only the login until someone signs in, or opens
the investor view read-only from a signed share link (?share=<token>); the role then decides the
pages (ui.session.get_store gives investors a read-only store, so writes are refused server-side).
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from business.database import refused_write
from business.hosting import (FOUNDER, INVESTOR, HostedConfig, HostingError, hosted_config,
                              make_share_link_token, read_share_link_token, sign_in)
from business.limits import MAX_BATCH_ROWS, SIGN_IN_LIMITS, LimitError
from business.store import ReadOnlyStoreError, StoreError
from ui import keys
from ui.limits import admit
from ui.session import current_project_id, get_store
from ui.text import plain

SHARE_PARAM = "share"
SHARE_TOKEN = "hosted_share_token"
SHARE_ACCOUNT = "share link"
TOOLBAR_OPTION, HOSTED_TOOLBAR_MODE = "client.toolbarMode", "viewer"


def config() -> HostedConfig | None:
    try:
        secrets = st.secrets.to_dict()
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        secrets = {}  # no secrets file: local mode unless HOSTED=1 says otherwise
    return hosted_config(secrets, os.environ)


def gate() -> str | None:
    """None in local mode; else this session's role. Stops the script at the login when nobody is signed in."""
    try:
        hosted = config()
    except HostingError as error:
        st.error(plain(f"Hosted mode is misconfigured: {error}"))
        st.stop()
    if hosted is None:
        return None
    hide_developer_chrome()
    token = st.query_params.get(SHARE_PARAM) or st.session_state.get(SHARE_TOKEN)
    if token and st.session_state.get(keys.ACCOUNT) in (None, SHARE_ACCOUNT):
        # Checked on every run, so a link that expires mid-visit stops working.
        if _open_share_link(hosted, token):
            return INVESTOR
    if st.session_state.get(keys.ROLE) in (FOUNDER, INVESTOR) and st.session_state.get(keys.ACCOUNT) != SHARE_ACCOUNT:
        return st.session_state[keys.ROLE]
    login_form(hosted)
    st.stop()


def hide_developer_chrome() -> None:
    """Hosted: no Deploy button, rerun or clear-cache items for anyone (client.toolbarMode = viewer).

    The option is process-wide and reaches the browser with each run's start message, so the first
    hosted run of a process sets it and starts over; every later run already carries it.
    """
    if st.get_option(TOOLBAR_OPTION) != HOSTED_TOOLBAR_MODE:
        st.set_option(TOOLBAR_OPTION, HOSTED_TOOLBAR_MODE)
        st.rerun()


def _open_share_link(hosted: HostedConfig, token: str) -> bool:
    try:
        project_id = read_share_link_token(hosted, token)
        st.session_state.update({keys.ROLE: INVESTOR, keys.ACCOUNT: SHARE_ACCOUNT, keys.SHARED_PROJECT: project_id,
                                 SHARE_TOKEN: token})
        get_store().get_project(project_id)
    except (HostingError, StoreError) as error:
        sign_out()
        st.error(plain(str(error)))
        return False
    return True


def login_form(hosted: HostedConfig) -> None:
    st.title("Sign in", anchor=False)
    with st.form("hosted_login"):
        st.text_input("Name", key="hosted_login_name", max_chars=80)
        st.text_input("Password", type="password", key="hosted_login_password", max_chars=200)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        name = st.session_state.get("hosted_login_name", "")
        try:  # counted per session, per typed name (known or not) and per address, across all sessions
            admitted = admit("sign-in attempts", SIGN_IN_LIMITS, f"user:{name.strip().lower()}")
        except LimitError as error:
            st.error(plain(str(error)))
            return
        account = sign_in(hosted, name, st.session_state.get("hosted_login_password", ""))
        if account is None:
            st.error(plain(f"Wrong name or password. {admitted.describe('attempts')}"))
            return
        st.session_state.update({keys.ROLE: account.role, keys.ACCOUNT: account.username})
        st.session_state.pop("hosted_login_password", None)
        st.rerun()


def sign_out() -> None:
    for key in (keys.ROLE, keys.ACCOUNT, keys.SHARED_PROJECT, SHARE_TOKEN):
        st.session_state.pop(key, None)
    st.query_params.pop(SHARE_PARAM, None)


def pages_for(role: str | None, pages: dict, investor_page) -> dict:
    """An investor's navigation holds the investor view only: other pages are not served at all."""
    if role == INVESTOR:
        return {"Investors": [investor_page]}
    listed = any(p.url_path == investor_page.url_path for section in pages.values() for p in section)
    return pages if listed or role is None else {**pages, "Investors": [investor_page]}


def account_box(role: str | None) -> None:
    """Who is signed in, sign out, and (founders) a share link for the investor view."""
    if role is None:
        return
    st.caption(plain(f"Signed in: {st.session_state.get(keys.ACCOUNT)} ({role})"))
    st.button("Sign out", key="hosted_sign_out", on_click=sign_out)
    if role == FOUNDER:
        with st.popover("Share the investor view", width="stretch"):
            st.caption("A read-only link to this project's investor view; it expires, and nobody can change it.")
            if st.button("Make a share link", key="hosted_make_share_link"):
                hosted = config()
                token = make_share_link_token(hosted, current_project_id())
                st.code(f"{_app_root()}?{SHARE_PARAM}={token}", language=None)
                st.caption(f"Valid for {hosted.share_ttl_s / 86400:,.0f} days.")


def _app_root() -> str:
    # The investor view is an investor's only page, so the app's root opens it.
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}/" if parts.netloc else "<the app's address>/"


def require_founder(action: str) -> None:
    """The role check on write paths outside the store (training and compression jobs): the server
    refuses an investor's request even if a page offering it were somehow served."""
    if st.session_state.get(keys.ROLE) == INVESTOR:
        raise ReadOnlyStoreError(f"read-only: investors cannot {action}.")


def account_key() -> str:
    """Whom a rate limit counts: the signed-in name, or the share link (everyone on one link is one)."""
    account = st.session_state.get(keys.ACCOUNT) or "local"
    return f"link:{st.session_state.get(SHARE_TOKEN)}" if account == SHARE_ACCOUNT else f"user:{account}"


def founder_action(action: str, do, *args) -> bool:
    """Run a write `do(*args)` (cancel a job, store an upload) only for a founder or locally; an investor's
    request is refused here, on the server, with st.error. True when it ran."""
    try:
        require_founder(action)
    except ReadOnlyStoreError as error:
        st.error(plain(str(error)))
        return False
    try:
        do(*args)
    except OSError as error:  # a full or read-only data folder: the job files could not be written
        st.error(plain(refused_write(error, action)))
        return False
    return True


def batch_row_limit() -> int | None:
    """Rows a batch prediction may have: capped when hosted (each row costs server time), free locally."""
    try:
        return None if config() is None else MAX_BATCH_ROWS
    except HostingError:
        return MAX_BATCH_ROWS  # misconfigured hosting: the app has stopped anyway; stay strict


def training_time_limit_s() -> float | None:
    """Seconds a training or compression job may run: capped when hosted, free locally."""
    try:
        hosted = config()
    except HostingError:
        return None  # misconfigured hosting stops the app in gate(); nothing trains
    return None if hosted is None else float(hosted.training_time_limit_s)
