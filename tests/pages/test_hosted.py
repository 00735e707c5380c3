"""Hosted mode through the app (AppTest with secrets): login, roles, read-only investors, share links."""
import signal
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from business.hosting import INVESTOR, HostedConfig, make_share_link_token
from business.limits import SIGN_IN_LIMITS, RateLimit
from modelkit import jobs
from modelkit.runs import write_run_project
from tests.apptest_helpers import APP, TIMEOUT_S, submit, texts, widget
from ui import keys
from ui.text import plain

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s" * 40
INVESTOR_METRICS = ["Cost to train", "Cost to serve", "Gross margin", "Runway today", "Break-even"]


def password_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()  # 4 rounds: fast tests


HOSTED = {"share_secret": SECRET, "users": {
    "ada": {"role": "founder", "password_hash": password_hash("founder-password")},
    "ivan": {"role": "investor", "password_hash": password_hash("investor-password")}}}


def hosted_app(script: str = APP, **query) -> AppTest:
    at = AppTest.from_file(script, default_timeout=TIMEOUT_S)
    at.secrets["hosted"] = HOSTED
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="hosted_login_name").set_value(name)
    at.text_input(key="hosted_login_password").set_value(password)
    submit(at, "Sign in")
    return at


def test_a_visitor_who_is_not_signed_in_sees_only_the_login():
    at = hosted_app()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert {t.key for t in at.text_input} == {"hosted_login_name", "hosted_login_password"}
    assert not at.metric and not at.sidebar.selectbox


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong():
    at = sign_in(hosted_app(), "ivan", "not-the-password")
    assert at.error[0].value == plain("Wrong name or password. 4 attempts left in this 5-minute window.")
    assert [t.value for t in at.title] == ["Sign in"]


def test_an_investor_sees_only_the_investor_view_and_no_project_controls():
    at = sign_in(hosted_app(), "ivan", "investor-password")
    assert [m.label for m in at.metric] == INVESTOR_METRICS
    assert plain("Signed in: ivan (investor)") in texts(at)
    labels = [b.label for b in at.button]
    assert "Sign out" in labels and "Make a share link" not in labels
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/canvas.py")


def test_a_forced_save_from_an_investor_session_is_refused_by_the_store():
    # The canvas page run directly with an investor's session: even a served form cannot save.
    at = AppTest.from_file(str(ROOT / "pages" / "canvas.py"), default_timeout=TIMEOUT_S)
    at.secrets["hosted"] = HOSTED
    at.session_state[keys.ROLE] = INVESTOR
    at.run()
    at.selectbox(key="canvas_block").set_value("channels").run()
    widget(at.text_input, "_3_text").set_value("Sneaky edit")
    submit(at, "Save Channels")
    assert plain("read-only: investors cannot change anything") in texts(at)
    at.run()
    assert "Sneaky edit" not in texts(at)
    assert "version 1" in at.caption[0].value


def test_a_founder_signs_in_and_can_edit_the_canvas():
    at = sign_in(hosted_app(), "ada", "founder-password")
    assert plain("Signed in: ada (founder)") in texts(at)
    at.selectbox(key="canvas_block").set_value("channels").run()
    widget(at.text_input, "_3_text").set_value("Partner webinars")
    submit(at, "Save Channels")
    assert "Saved as version 2" in texts(at)


def test_a_founder_makes_a_share_link_that_carries_a_signed_token():
    at = sign_in(hosted_app(), "ada", "founder-password")
    [make] = [b for b in at.button if b.label == "Make a share link"]
    make.click().run()
    [link] = at.code
    assert "?share=" in link.value
    assert "Valid for 7 days." in texts(at)


def test_a_valid_share_link_opens_the_investor_view_read_only_without_a_login():
    token = make_share_link_token(HostedConfig({}, SECRET), project_id=1)
    at = hosted_app(share=token)
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == INVESTOR_METRICS
    assert plain("Signed in: share link (investor)") in texts(at)
    assert not at.sidebar.selectbox  # the link opens its one project


def test_an_expired_share_link_is_refused_and_shows_the_login(monkeypatch):
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: 1_000_000_000)
    token = make_share_link_token(HostedConfig({}, SECRET), project_id=1)
    monkeypatch.undo()
    at = hosted_app(share=token)
    assert "This share link has expired" in at.error[0].value
    assert [t.value for t in at.title] == ["Sign in"]


def test_a_tampered_share_link_is_refused_and_shows_the_login():
    token = make_share_link_token(HostedConfig({}, SECRET), project_id=1)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    at = hosted_app(share=tampered)
    assert "This share link is not valid" in at.error[0].value
    assert not at.metric


def test_a_share_link_signed_with_another_secret_is_refused():
    token = make_share_link_token(HostedConfig({}, "another secret of forty characters......"), project_id=1)
    at = hosted_app(share=token)
    assert "not valid" in at.error[0].value


def test_hosted_mode_without_users_stops_with_a_configuration_error_instead_of_opening():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["hosted"] = {"share_secret": SECRET}
    at.run()
    assert "Hosted mode is misconfigured" in at.error[0].value
    assert not at.title


def test_an_investor_session_forced_onto_the_text_page_cannot_start_training(app_data_dir):
    at = AppTest.from_file(str(ROOT / "pages" / "text_classifier.py"), default_timeout=120)
    at.session_state[keys.ROLE] = INVESTOR
    at.run()
    at.selectbox(key="text_model").set_value("tiny-bert")
    at.button(key="text_start").click().run()
    # Compared without Markdown escapes: the page may show messages through ui.text.plain.
    assert "read-only: investors cannot start training." in [e.value.replace("\\", "") for e in at.error]
    assert not (app_data_dir / "runs").exists() or not any((app_data_dir / "runs").iterdir())


def test_sign_in_attempts_past_the_account_limit_are_refused_in_a_new_session_too(monkeypatch):
    monkeypatch.setitem(SIGN_IN_LIMITS, "account", RateLimit(max_calls=2, window_s=900))
    first = hosted_app()
    for _ in range(2):
        sign_in(first, "ivan", "a-guess")

    second = sign_in(hosted_app(), "ivan", "investor-password")  # a fresh browser session, the right password

    assert second.error[0].value.startswith(plain("Too many sign-in attempts from this account: 2 in the last "
                                                  "15 minutes (the limit is 2); 0 left in this window. Try again in"))
    assert [t.value for t in second.title] == ["Sign in"]
    assert plain("Signed in") not in texts(second)


def test_an_unknown_name_counts_against_its_own_limit_like_a_known_one(monkeypatch):
    monkeypatch.setitem(SIGN_IN_LIMITS, "account", RateLimit(max_calls=1, window_s=900))
    at = sign_in(hosted_app(), "nobody", "a-guess")
    assert at.error[0].value.startswith(plain("Wrong name or password."))
    sign_in(at, "nobody", "a-guess")
    assert "Too many sign-in attempts from this account" in at.error[0].value.replace("\\", "")


def running_job(runs: Path) -> tuple[str, subprocess.Popen]:
    """A job the queue sees as running: its "supervisor" is a real sleeping process."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    (runs / "busy").mkdir(parents=True)
    jobs.write_job(runs / "busy", {"run_id": "busy", "spec": {"command": "train", "task": "text",
                                                              "config": {"model_name": "tiny-bert"}},
                                   "device": "cpu", "state": "running", "submitted_at": 1.0, "pid": sleeper.pid})
    write_run_project(runs / "busy", 1)  # the example project's run: the page lists only its project's runs
    return "busy", sleeper


def test_an_investor_session_forced_onto_the_text_page_cannot_cancel_a_running_job(app_data_dir):
    run_id, sleeper = running_job(app_data_dir / "runs")
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "text_classifier.py"), default_timeout=120)
        at.session_state[keys.ROLE] = INVESTOR
        at.run()
        at.button(key=f"cancel_{run_id}").click().run()

        assert not at.exception, at.exception
        assert "read-only: investors cannot cancel a training job." in [e.value.replace("\\", "") for e in at.error]
        assert jobs.read_job(app_data_dir / "runs" / run_id)["state"] == "running" and sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_founder_can_cancel_the_same_running_job(app_data_dir):
    run_id, sleeper = running_job(app_data_dir / "runs")
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "text_classifier.py"), default_timeout=120).run()
        at.button(key=f"cancel_{run_id}").click().run()
        assert not at.error
        assert sleeper.wait(timeout=30) == -signal.SIGTERM
    finally:
        sleeper.kill()


def store_upload_as(role: str | None) -> None:
    """The text page's upload step in a session of `role` (AppTest cannot fill a file_uploader)."""
    import streamlit as st

    from ui.models import text_view
    from ui import keys as session_keys

    class Upload:  # what st.file_uploader hands a page: a name and the bytes
        name = "tickets.csv"

        def getvalue(self) -> bytes:
            return b"text,label\nrefund please,billing\n"

    st.session_state[session_keys.ROLE] = role
    st.session_state[text_view.UPLOAD] = Upload()
    try:
        st.write(f"stored {text_view.saved_upload().name}")
    except ValueError as error:
        st.error(str(error))


def test_an_investor_session_cannot_write_an_upload_into_the_data_folder(app_data_dir):
    at = AppTest.from_function(store_upload_as, args=(INVESTOR,), default_timeout=TIMEOUT_S).run()
    assert [e.value for e in at.error] == ["read-only: investors cannot upload data."]
    assert not (app_data_dir / "uploads").exists() or not any((app_data_dir / "uploads").iterdir())

    at = AppTest.from_function(store_upload_as, args=(None,), default_timeout=TIMEOUT_S).run()
    assert not at.error and len(list((app_data_dir / "uploads").iterdir())) == 1
